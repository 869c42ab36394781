#!/usr/bin/env python3
"""The Kubernetes manifests (deploy/kubernetes) name only what exists.

Parses every manifest and checks: every container runs the image this workspace's version builds
(`bpv-monitor:<version of Cargo.toml>`) with a program the workspace builds, and every command
line is one that program accepts (`--help` on the same subcommand, against the binaries in
$CARGO_TARGET_DIR/debug); every Deployment listens where its settings say (containerPort equals
the port of its `BPV__…__LISTEN`), probes `/health` (liveness) and `/ready` (readiness) on that
port, runs as non-root; every Service selects a Deployment and targets a port it has; every
CronJob runs at Dutch times (`timeZone: Europe/Amsterdam`) with a valid five-field schedule;
every ConfigMap/Secret key is a setting documented in docs/operations.md and every envFrom names
a ConfigMap or Secret defined here. Exit 1 naming each problem.
"""
import pathlib
import re
import sys

import yaml

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent / "lib"))
from deploy_kit import command_problem, documented, image, listen_of, report, root  # noqa: E402

docs = []
for path in sorted((root / "deploy/kubernetes").glob("*.yaml")):
    for doc in yaml.safe_load_all(path.read_text()):
        if doc:
            docs.append((path.name, doc))
problems = []
by_kind = {}
for name, doc in docs:
    by_kind.setdefault(doc["kind"], []).append((name, doc))
config = {}
for name, doc in by_kind.get("ConfigMap", []) + by_kind.get("Secret", []):
    data = doc.get("data") or doc.get("stringData") or {}
    config[doc["metadata"]["name"]] = data
    for key in data:
        if not documented(key):
            problems.append(f"{name}: {key} is no setting documented in docs/operations.md")
settings = {k: v for data in config.values() for k, v in data.items()}


def pod_spec(doc):
    spec = doc["spec"]
    if doc["kind"] == "CronJob":
        spec = spec["jobTemplate"]["spec"]
    return spec["template"]["spec"]


def check_container(name, c):
    if c.get("image") != image:
        problems.append(f"{name}: image {c.get('image')} is not {image}, what this version builds")
    problem = command_problem(c.get("command") or [])
    if problem:
        problems.append(f"{name}: {problem}")
    for ref in c.get("envFrom", []):
        target = (ref.get("configMapRef") or ref.get("secretRef") or {}).get("name")
        if target not in config:
            problems.append(f"{name}: envFrom {target} is defined in no manifest")


deployments = {}
for kind in ("Deployment", "Job", "CronJob"):
    for name, doc in by_kind.get(kind, []):
        spec = pod_spec(doc)
        if not (spec.get("securityContext") or {}).get("runAsNonRoot"):
            problems.append(f"{name}: {doc['metadata']['name']} does not run as non-root")
        for c in spec["containers"]:
            check_container(name, c)
        if kind == "CronJob":
            if doc["spec"].get("timeZone") != "Europe/Amsterdam":
                problems.append(f"{name}: timeZone must be Europe/Amsterdam (dates are Dutch)")
            if len(doc["spec"]["schedule"].split()) != 5:
                problems.append(f"{name}: schedule {doc['spec']['schedule']!r} is not five cron fields")
        if kind != "Deployment":
            continue
        labels = doc["spec"]["template"]["metadata"]["labels"]
        if doc["spec"]["selector"]["matchLabels"].items() - labels.items():
            problems.append(f"{name}: the selector does not match the pod's labels")
        (c,) = spec["containers"]
        ports = {p.get("name"): p["containerPort"] for p in c.get("ports", [])}
        deployments[doc["metadata"]["name"]] = (labels, ports)
        var = listen_of.get(c["command"][0])
        listen = settings.get(var, "")
        if not var or not re.fullmatch(r".+:(\d+)", listen):
            problems.append(f"{name}: no {var} setting gives the address {c['command'][0]} listens on")
        elif int(listen.rsplit(":", 1)[1]) not in ports.values():
            problems.append(f"{name}: listens on {listen} ({var}) but declares ports {ports}")
        if listen.startswith("127.") or listen.startswith("localhost"):
            problems.append(f"{name}: {var}={listen} is unreachable from other pods")
        for probe, path in (("livenessProbe", "/health"), ("readinessProbe", "/ready")):
            got = (c.get(probe) or {}).get("httpGet") or {}
            if got.get("path") != path:
                problems.append(f"{name}: {probe} must ask {path}, asks {got.get('path')}")
            if got.get("port") not in ports and got.get("port") not in ports.values():
                problems.append(f"{name}: {probe} port {got.get('port')} is not a port of the container")
for name, doc in by_kind.get("Service", []):
    selector = doc["spec"]["selector"]
    match = [d for d, (labels, _) in deployments.items() if selector.items() <= labels.items()]
    if not match:
        problems.append(f"{name}: Service {doc['metadata']['name']} selects no Deployment")
    for p in doc["spec"]["ports"]:
        if match and all(p["targetPort"] not in ports and p["targetPort"] not in ports.values()
                         for _, ports in (deployments[d] for d in match)):
            problems.append(f"{name}: targetPort {p['targetPort']} is no port of {match}")
for must in ("Deployment", "Service", "Job", "CronJob", "ConfigMap"):
    if not by_kind.get(must):
        problems.append(f"deploy/kubernetes has no {must}")
report("check-kubernetes", problems, f"{len(docs)} manifests; every image, program, command, port, probe and setting exists")
