"""Schemathesis hooks for the school API's contract test (scripts/api-contract.sh).

Every call passes `before_call` below. A well-formed `Idempotency-Key` gets a fresh value on
every call. The API answers the same key with another body with 422, as it documents; a generator
that keeps one key (the coverage phase varies the body from one example) would otherwise meet
that answer on nearly every call and never reach the upload behind it. Malformed keys are sent as
generated, so their 400 is still tested.
"""

import re
import uuid

import schemathesis

WELL_FORMED = re.compile(r"^[!-~]{1,255}$")


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
    records = body.get("records") if body is not None else None
    if isinstance(records, list):
        seen = set()
        for i, record in enumerate(records):
            key = record.get("correlatieId") if isinstance(record, dict) else None
            if isinstance(key, str) and key in seen and len(key) < 60:
                record["correlatieId"] = f"{key}-{i}"
            if isinstance(key, str):
                seen.add(record["correlatieId"])
