#!/usr/bin/env python3
"""Every setting an operator can set is documented in docs/operations.md.

The settings: every key of config/default.toml (also the commented-out optional sections, such
as [mtls]), every key the settings loader gives a built-in default (`set_default("…")` in
crates/config/src/settings.rs), and every `BPV_…`/`RUST_LOG` environment variable a service or
the CLI reads (test support excepted). Each must appear in docs/operations.md in backticks, the environment form
(`BPV__SECTION__KEY`) of each key too. Exit 1 naming what is missing.
"""
import pathlib
import re
import sys
import tomllib

root = pathlib.Path(__file__).resolve().parent.parent
doc = (root / "docs/operations.md").read_text()
default = (root / "config/default.toml").read_text()

keys = set()


def walk(table, prefix=""):
    for k, v in table.items():
        if isinstance(v, dict):
            walk(v, f"{prefix}{k}.")
        else:
            keys.add(prefix + k)


walk(tomllib.loads(default))
# Optional sections shipped commented out: "# [mtls]" followed by "# key = …" lines.
section = None
for line in default.splitlines():
    m = re.match(r"#\s*\[([a-z_.]+)\]\s*$", line)
    if m:
        section = m.group(1)
        continue
    m = re.match(r"#\s*([a-z_]+)\s*=", line)
    if section and m:
        keys.add(f"{section}.{m.group(1)}")
    elif not line.startswith("#"):
        section = None
settings = (root / "crates/config/src/settings.rs").read_text()
keys |= set(re.findall(r'set_default\("([a-z_.]+)"', settings)) - {"environment"}
# The fields of every settings struct whose doc names its section ("/// `reporting.*`: …"):
# keys with a serde default appear in no file, but can be set all the same.
structs = re.findall(r"^/// `([a-z_.]+)\.\*`.*?^pub struct \w+ \{(.*?)^\}", settings, re.S | re.M)
sections = {section for section, _ in structs}
for section, body in structs:
    fields = {f"{section}.{field}" for field in re.findall(r"^\s+pub ([a-z_]+):", body, re.M)}
    keys |= fields - sections  # a field that is a section of its own (mail.smtp) has its own keys

env = {"RUST_LOG"}
for path in list(root.glob("crates/*/src/**/*.rs")) + list(root.glob("services/*/src/**/*.rs")):
    if path.name == "testing.rs":  # test support (BPV_TEST_POSTGRES_URL), not a setting
        continue
    text = path.read_text()
    env |= set(re.findall(r'env::var(?:_os)?\("(BPV_[A-Z_]+)"\)', text))
    env |= set(re.findall(r'env = "(BPV_[A-Z_]+)"', text))

missing = []
for key in sorted(keys):
    if f"`{key}`" not in doc:
        missing.append(f"setting {key}")
    var = "BPV__" + key.upper().replace(".", "__")
    if f"`{var}`" not in doc:
        missing.append(f"environment variable {var} (for {key})")
for var in sorted(env):
    if f"`{var}`" not in doc:
        missing.append(f"environment variable {var}")
if missing:
    print("check-config-docs: docs/operations.md does not document:", file=sys.stderr)
    for m in missing:
        print(f"  {m}", file=sys.stderr)
    sys.exit(1)
print(f"check-config-docs: {len(keys)} settings and {len(env)} environment variables documented")
