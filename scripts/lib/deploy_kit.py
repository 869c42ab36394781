"""What the deployment-kit checkers (check-kubernetes.py, check-compose.py) ask of the workspace:
the image this version builds, the programs it builds, whether a command line is one the program
accepts, and whether a setting is documented in docs/operations.md."""
import os
import pathlib
import subprocess
import sys
import tomllib

root = pathlib.Path(__file__).resolve().parent.parent.parent
bin_dir = pathlib.Path(os.environ.get("CARGO_TARGET_DIR", "/var/tmp/bpv-target")) / "debug"
version = tomllib.loads((root / "Cargo.toml").read_text())["workspace"]["package"]["version"]
image = f"bpv-monitor:{version}"
programs = set()
for cargo in root.glob("services/*/Cargo.toml"):
    manifest = tomllib.loads(cargo.read_text())
    programs |= {b["name"] for b in manifest.get("bin", [])} or {manifest["package"]["name"]}
operations = (root / "docs/operations.md").read_text()
# The setting that gives each HTTP service's address.
listen_of = {
    "bpv-school-api": "BPV__SCHOOL_API__LISTEN",
    "bpv-survey": "BPV__SURVEY__LISTEN",
    "bpv-reporting-api": "BPV__REPORTING_API__LISTEN",
}


def documented(key):
    """Whether docs/operations.md names this setting or variable."""
    return f"`{key}`" in operations


def command_problem(command):
    """None when `command` runs a program of the workspace with arguments it accepts (`--help` on
    the same subcommand, against the debug build); else what is wrong."""
    if not command or command[0] not in programs:
        return f"command {command} runs no program of the workspace ({sorted(programs)})"
    if len(command) == 1:
        return None
    program = bin_dir / command[0]
    if not program.exists():
        return f"{program} is not built (cargo build --bins first)"
    r = subprocess.run([program, *command[1:], "--help"], capture_output=True, timeout=60)
    if r.returncode != 0:
        return f"'{' '.join(command)}' is not a command {command[0]} accepts"
    return None


def report(tool, problems, ok):
    """Exit 1 listing `problems` under `tool: FAILED`, or print `tool: ok-line`."""
    if problems:
        print(f"{tool}: FAILED", file=sys.stderr)
        for p in problems:
            print(f"  {p}", file=sys.stderr)
        sys.exit(1)
    print(f"{tool}: {ok}")
