"""Schemathesis hooks for the school API's contract test (scripts/api-contract.sh).

Every call passes `before_call` below. A well-formed `Idempotency-Key` gets a fresh value on
every call. The API answers the same key with another body with 422, as it documents; a generator
that keeps one key (the coverage phase varies the body from one example) would otherwise meet
that answer on nearly every call and never reach the upload behind it. Malformed keys are sent as
generated, so their 400 is still tested.
"""

import os
import re
import uuid

import schemathesis
from schemathesis import GenerationMode

WELL_FORMED = re.compile(r"^[!-~]{1,255}$")


CSV_HEADER = (
    "Correlatie_id;Leerbedrijf_code;Crebo_code;Emailadres;Studentcode;Naam;Startdatum;Geplande_einddatum;"
    "Leerweg_naam;Schoolnaam;Locatiecode;Aanbiedercode"
)


def csv_upload(key):
    """A CSV file of one valid bpvo of the demo instelling (the upload page's columns), with the
    register values scripts/api-contract.sh gives the JSON writes."""
    crebo, locatie, aanbieder = (
        os.environ[name] for name in ("BPV_FUZZ_BPVO_CREBO", "BPV_FUZZ_BPVO_LOCATIE", "BPV_FUZZ_AANBIEDER")
    )
    line = f"CSV-{key};100200300;{crebo};;S{key};Fuzz Student;2026-09-01;2027-06-30;BOL;ROC Amstelvliet;{locatie};{aanbieder}"
    return f"{CSV_HEADER}\r\n{line}\r\n"


def fresh_idempotency_key(case):
    headers = case.headers or {}
    for name, value in list(headers.items()):
        if name.lower() == "idempotency-key" and isinstance(value, str) and WELL_FORMED.match(value):
            headers[name] = uuid.uuid4().hex


@schemathesis.hook
def before_call(ctx, case, **kwargs):
    """The fixed keys of the fuzzed writes become fresh ones, and a batch's records unique.

    `FUZZ-PL-NIEUW` (zetBegeleidingsdocument) and `EDU-2026-000123` (zetBpvo, path and body alike)
    get a new key per call: the run also withdraws what it wrote (a DELETE follows the Location
    of a 201), and a withdrawn document or bpvo is refused for good (409 / `ingetrokken`). A
    batch whose generated records repeat a correlatieId gets a suffix on the repeats: one key
    twice in a batch is refused (`duplicate`), a rule across items JSON Schema cannot state.
    """
    fresh_idempotency_key(case)
    fresh = uuid.uuid4().hex[:12].upper()
    path = case.path_parameters or {}
    body = case.body if isinstance(case.body, dict) else None
    if path.get("documentId") == "FUZZ-PL-NIEUW":
        path["documentId"] = f"FUZZ-PL-{fresh}"
    if path.get("correlatieId") == "EDU-2026-000123":
        path["correlatieId"] = f"EDU-FUZZ-{fresh}"
        if body is not None and body.get("correlatieId") == "EDU-2026-000123":
            body["correlatieId"] = path["correlatieId"]
    # A batch may be JSON, CSV or a workbook; for the last two the schema can only say "a string"
    # (or bytes), so a case meant to be valid is random text that no upload accepts. Such a
    # case sends a well-formed CSV file instead; the cases meant to be invalid keep their text.
    positive = case._meta is not None and case._meta.generation.mode == GenerationMode.POSITIVE
    if case.operation.path == "/bpvo-batches" and positive and not isinstance(case.body, dict):
        case.media_type = "text/csv"
        case.body = csv_upload(fresh)
    records = body.get("records") if body is not None else None
    if isinstance(records, list):
        seen = set()
        for i, record in enumerate(records):
            key = record.get("correlatieId") if isinstance(record, dict) else None
            if isinstance(key, str) and key in seen and len(key) < 60:
                record["correlatieId"] = f"{key}-{i}"
            if isinstance(key, str):
                seen.add(record["correlatieId"])
