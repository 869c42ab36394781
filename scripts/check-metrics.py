#!/usr/bin/env python3
"""Scrape /metrics of running services and parse it with Prometheus' own Python client
(prometheus_client's OpenMetrics parser, which refuses what Prometheus would refuse), and parse
the dispatcher's textfile with the Prometheus text-format parser node_exporter's textfile
collector follows. Checks that the families operators alert on are there and sane, that labels
carry route patterns and never paths, and that every answer carries a request id.

    check-metrics.py --service school=http://127.0.0.1:8080 --service reporting=… --textfile d.prom
"""

import argparse
import sys
import urllib.request

from prometheus_client.openmetrics.parser import text_string_to_metric_families as parse_openmetrics
from prometheus_client.parser import text_string_to_metric_families as parse_prometheus

COMMON = ["bpv_http_requests", "bpv_http_request_duration_seconds", "bpv_db_pool_connections",
          "bpv_db_pool_idle_connections", "bpv_db_pool_max_connections"]
PER_SERVICE = {
    "school": [],
    "reporting": ["bpv_results_index_answers", "bpv_results_index_atoms", "bpv_results_index_loaded",
                  "bpv_results_published_age_seconds"],
    "survey": [],
}
TEXTFILE = ["bpv_dispatch_last_run_mails", "bpv_dispatch_last_run_invitations",
            "bpv_dispatch_last_run_duration_seconds", "bpv_dispatch_last_run_planning_seconds",
            "bpv_dispatch_last_run_finished_timestamp_seconds",
            "bpv_dispatch_last_run_success", "bpv_dispatch_last_run_smtp_unreachable"]

problems = []


def fail(msg):
    problems.append(msg)
    print(f"check-metrics: FAILED — {msg}", file=sys.stderr)


def scrape(name, base):
    # One request of our own first, so every service has counted at least one.
    urllib.request.urlopen(base.rstrip("/") + "/health", timeout=10).read()
    req = urllib.request.Request(base.rstrip("/") + "/metrics", headers={"X-Request-Id": f"check-metrics-{name}"})
    with urllib.request.urlopen(req, timeout=10) as res:
        ctype = res.headers.get("Content-Type", "")
        echoed = res.headers.get("X-Request-Id")
        text = res.read().decode("utf-8")
    if not ctype.startswith("application/openmetrics-text"):
        fail(f"{name}: Content-Type {ctype!r}")
    if echoed != f"check-metrics-{name}":
        fail(f"{name}: the request id was not echoed (X-Request-Id {echoed!r})")
    families = {f.name: f for f in parse_openmetrics(text)}
    for wanted in COMMON + PER_SERVICE[name]:
        if wanted not in families:
            fail(f"{name}: no metric family {wanted}")
    requests = families.get("bpv_http_requests")
    if requests is not None:
        samples = [s for s in requests.samples if s.name == "bpv_http_requests_total"]
        if not samples:
            fail(f"{name}: bpv_http_requests has no samples after a request to /health")
        for s in samples:
            route = s.labels.get("route", "")
            if not (route == "(geen route)" or route.startswith("/")):
                fail(f"{name}: route label {route!r}")
            if set(s.labels) != {"route", "method", "status"}:
                fail(f"{name}: request labels {sorted(s.labels)}")
        if not any(s.labels.get("route") == "/health" and s.labels.get("status") == "200" for s in samples):
            fail(f"{name}: the request to /health was not counted")
        uploads_ok = sum(s.value for s in samples if s.labels["method"] in ("POST", "PUT")
                         and s.labels["route"].startswith("/v1/bpvos") and s.labels["status"].startswith("2"))
        if name == "school" and uploads_ok > 0:
            # Uploads were accepted above: the upload counter must have counted records.
            uploads = families.get("bpv_upload_records")
            counted = sum(s.value for s in uploads.samples) if uploads is not None else 0
            if counted < uploads_ok:
                fail(f"school: {int(uploads_ok)} uploads accepted but {int(counted)} records counted")
            else:
                print(f"check-metrics: school: {int(uploads_ok)} uploads accepted, {int(counted)} records counted")
        total = sum(s.value for s in samples)
        print(f"check-metrics: {name}: {len(families)} families, {int(total)} requests counted over "
              f"{len({s.labels['route'] for s in samples})} routes")
    if name == "reporting":
        loaded = families.get("bpv_results_index_loaded")
        if loaded is not None and loaded.samples[0].value != 1:
            fail("reporting: the results index is not loaded")
        answers = families.get("bpv_results_index_answers")
        if answers is not None:
            print(f"check-metrics: reporting: results index holds {int(answers.samples[0].value)} answers")
    pool = families.get("bpv_db_pool_max_connections")
    if pool is not None and pool.samples[0].value < 1:
        fail(f"{name}: pool max {pool.samples[0].value}")


def textfile(path):
    with open(path, encoding="utf-8") as f:
        text = f.read()
    families = {f.name: f for f in parse_prometheus(text)}
    for wanted in TEXTFILE:
        if wanted not in families:
            fail(f"{path}: no metric family {wanted}")
    mails = families.get("bpv_dispatch_last_run_mails")
    if mails is not None:
        outcomes = {s.labels.get("outcome") for s in mails.samples}
        if not {"planned", "sent", "retried", "failed", "dead", "skipped", "late"} <= outcomes:
            fail(f"{path}: mail outcomes {sorted(outcomes)}")
    print(f"check-metrics: {path}: {len(families)} families, "
          f"success={families['bpv_dispatch_last_run_success'].samples[0].value if 'bpv_dispatch_last_run_success' in families else '?'}")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--service", action="append", default=[], help="NAME=BASE_URL (school, reporting, survey)")
    ap.add_argument("--textfile", action="append", default=[])
    args = ap.parse_args()
    for spec in args.service:
        name, base = spec.split("=", 1)
        scrape(name, base)
    for path in args.textfile:
        textfile(path)
    if problems:
        sys.exit(1)
    print("check-metrics: ok")


if __name__ == "__main__":
    main()
