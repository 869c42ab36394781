#!/usr/bin/env python3
"""No import cycles between the files of a service: for each services/*/src tree, follow every
`crate::…` path (including `use crate::{a, b}`) from one file's module to another's, outside
`#[cfg(test)]`, and fail when two files need each other. Parent and child modules may refer to
each other (`super::`); that is not a cycle between files with separate jobs.

    scripts/import-cycles.py        exit 1 and list the cycles, if any
"""
import os
import re
import sys


def module_name(root, path):
    parts = os.path.relpath(path, root)[:-3].split(os.sep)
    if parts[-1] in ("mod", "lib", "main"):
        parts = parts[:-1]
    return "::".join(parts) or "crate"


def cycles(root):
    files = {}
    for d, _, names in os.walk(root):
        for n in names:
            if n.endswith(".rs"):
                p = os.path.join(d, n)
                with open(p, encoding="utf-8") as f:
                    files[module_name(root, p)] = f.read().split("#[cfg(test)]")[0]
    edges = set()
    for me, src in files.items():
        refs = re.findall(r"crate::([a-z_]+(?:::[a-z_]+)?)", src)
        for group in re.findall(r"crate::\{([^}]*)\}", src):
            refs += [x.strip().split("::")[0] for x in group.split(",") if x.strip()]
        for ref in refs:
            target = next((c for c in (ref, ref.split("::")[0]) if c in files), None)
            related = target and (me.startswith(target + "::") or target.startswith(me + "::"))
            if target and target != me and not related:
                edges.add((me, target))
    return sorted({tuple(sorted(e)) for e in edges if (e[1], e[0]) in edges})


def main():
    found = 0
    for service in sorted(os.listdir("services")):
        for a, b in cycles(os.path.join("services", service, "src")):
            print(f"import cycle in services/{service}: {a} <-> {b}")
            found += 1
    if found:
        print(f"{found} import cycle(s): move what both need into a module of its own", file=sys.stderr)
        return 1
    print("import cycles: none")
    return 0


if __name__ == "__main__":
    sys.exit(main())
