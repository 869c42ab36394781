#!/usr/bin/env python3
"""The compose stack (compose.yaml) names only what exists, and is wired as a stack must be.

Parses compose.yaml (anchors and merge keys resolved) and checks: every service of ours runs the
image this version builds (`bpv-monitor:<version>`, built from this folder) with a program the
workspace builds and a command line it accepts; the cron service's script calls only dispatcher
subcommands that exist; every BPV_* / BPV__* variable is a documented setting; each HTTP service
listens on 0.0.0.0 at the port it publishes; every depends_on names a service of the file; the
services wait for the migration step and do not migrate themselves; the JWT key must be given
(`${…:?…}`), never written in the file; third-party images are pinned to a version. Exit 1
naming each problem.
"""
import pathlib
import re
import sys

import yaml

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent / "lib"))
from deploy_kit import command_problem, documented, image, listen_of, report, root  # noqa: E402

doc = yaml.safe_load((root / "compose.yaml").read_text())
services = doc["services"]
problems = []


def problem(service, text):
    problems.append(f"{service}: {text}")


for name, svc in services.items():
    env = svc.get("environment") or {}
    for dep in svc.get("depends_on") or {}:
        if dep not in services:
            problem(name, f"depends_on {dep}, which is no service of compose.yaml")
    if svc.get("image", "").startswith("bpv-monitor"):
        if svc["image"] != image:
            problem(name, f"image {svc['image']} is not {image}, what this version builds")
        if svc.get("build") not in (".", {"context": "."}):
            problem(name, "our image must be built from this folder (build: .)")
        for key, value in env.items():
            if key.startswith("BPV") and not documented(key):
                problem(name, f"{key} is no setting documented in docs/operations.md")
        secret = str(env.get("BPV__AUTH__JWT_SECRET", ""))
        if not re.fullmatch(r"\$\{[A-Z_]+:\?[^}]+\}", secret):
            problem(name, "BPV__AUTH__JWT_SECRET must come from the caller (${VAR:?message}), not the file")
        command = svc.get("command") or []
        if command[:2] == ["sh", "-c"]:
            # A shell loop: every program line must be a command the program accepts.
            lines = [l for l in re.findall(r"(bpv[-\w]*(?: [a-z][-\w]*)*)", command[2]) if l.split()[0] in
                     ("bpv", "bpv-dispatcher")]
            if not lines:
                problem(name, "the script runs no program of the workspace")
            for line in lines:
                p = command_problem(line.split()[:2])
                if p:
                    problem(name, p)
        else:
            p = command_problem(command)
            if p:
                problem(name, p)
            var = listen_of.get(command[0] if command else "")
            if var:
                listen = str(env.get(var, ""))
                published = {str(p).split(":")[-1] for p in svc.get("ports") or []}
                if not listen.startswith("0.0.0.0:"):
                    problem(name, f"{var}={listen} is unreachable from outside the container")
                elif listen.rsplit(":", 1)[1] not in published:
                    problem(name, f"listens on {listen} but publishes {sorted(published)}")
        if command != ["bpv", "migrate"]:
            if str(env.get("BPV__DATABASE__MIGRATE_ON_START")) != "false":
                problem(name, "must not migrate at start (the migrate service does, once)")
            cond = (svc.get("depends_on") or {}).get("migrate", {}).get("condition")
            if cond != "service_completed_successfully":
                problem(name, "must wait for migrate (condition: service_completed_successfully)")
    elif ":" not in svc.get("image", "") or svc["image"].endswith(":latest"):
        problem(name, f"image {svc.get('image')} is not pinned to a version")

ours = {n for n, s in services.items() if s.get("image", "").startswith("bpv-monitor")}
roles = {(s.get("command") or [""])[0] for n, s in services.items() if n in ours}
for must in ("bpv-school-api", "bpv-survey", "bpv-reporting-api"):
    if must not in roles:
        problems.append(f"compose.yaml runs no {must}")
if "postgres" not in services:
    problems.append("compose.yaml has no PostgreSQL")
report("check-compose", problems, f"{len(services)} services; every image, program, command, port and setting exists")
