"""Generate server/pinwise/imports/_stdlib_data.py: the standard library's top-level module names
per Python version (3.8 .. 3.14), so that Pinwise recognises the stdlib of the *selected*
interpreter while the server itself runs on another Python.

Usage: python scripts/gen_stdlib.py PYTHON [PYTHON ...]   (any of 3.8 .. 3.14)

- 3.10+: `sys.stdlib_module_names` of that interpreter (the authoritative list).
- 3.8/3.9 (no `sys.stdlib_module_names`): `sys.builtin_module_names` plus every module found by
  `pkgutil.iter_modules` in the stdlib folder and `lib-dynload` (site-packages excluded).
- Versions for which no interpreter was given are derived from the nearest generated one with the
  documented additions and removals in KNOWN_CHANGES below (e.g. 3.14 from 3.13).

The output keeps the names common to every version once, plus per-version differences.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

VERSIONS = [(3, minor) for minor in range(8, 15)]

PROBE = r"""
import json, sys
if hasattr(sys, "stdlib_module_names"):
    names = set(sys.stdlib_module_names)
else:
    import os, pkgutil, sysconfig
    names = set(sys.builtin_module_names)
    stdlib = sysconfig.get_paths()["stdlib"]
    folders = [stdlib, os.path.join(stdlib, "lib-dynload")]
    for info in pkgutil.iter_modules(folders):
        names.add(info.name)
    names.discard("site-packages")
    # the scan sees this platform's folders only: add the other platforms' extension modules
    names |= {"msvcrt", "winreg", "winsound", "nt", "msilib", "_msi", "_winapi", "_overlapped",
              "_wmi", "_uuid", "_scproxy", "_osx_support", "_aix_support", "_bootsubprocess"}
    skip = ("_test", "_xx", "_sysconfigdata")
    names = {n for n in names if not n.startswith(skip) and "-" not in n}
print(json.dumps({"version": list(sys.version_info[:2]), "names": sorted(names)}))
"""

# (version): (added, removed) relative to the previous version, for versions generated without
# an interpreter. Sources: the "What's New" documents.
KNOWN_CHANGES: dict[tuple[int, int], tuple[set[str], set[str]]] = {
    (3, 9): (
        {"graphlib", "zoneinfo", "_zoneinfo", "_peg_parser"},
        {"_dummy_thread", "dummy_threading"},
    ),
    (3, 10): (set(), {"formatter", "parser", "symbol", "_peg_parser"}),
    (3, 11): ({"tomllib", "_tokenize", "_typing"}, {"binhex"}),
    (3, 12): (
        {"_pydatetime", "_pylong", "_wmi"},
        {"distutils", "asynchat", "asyncore", "imp", "smtpd"},
    ),
    (3, 13): (
        {
            "_interpchannels",
            "_interpqueues",
            "_interpreters",
            "_suggestions",
            "_sysconfig",
            "_colorize",
            "_ios_support",
            "_opcode_metadata",
            "_pyrepl",
        },
        {
            "aifc",
            "audioop",
            "cgi",
            "cgitb",
            "chunk",
            "crypt",
            "imghdr",
            "mailcap",
            "msilib",
            "nis",
            "nntplib",
            "ossaudiodev",
            "pipes",
            "sndhdr",
            "spwd",
            "sunau",
            "telnetlib",
            "uu",
            "xdrlib",
            "lib2to3",
            "_crypt",
            "_msi",
            "tkinter.tix",
        },
    ),
    (3, 14): (
        {"annotationlib", "compression", "_zstd", "_hmac", "_remote_debugging", "_types"},
        set(),
    ),
}


def probe(python: str) -> tuple[tuple[int, int], set[str]]:
    out = subprocess.run(
        [python, "-I", "-S", "-c", PROBE], capture_output=True, text=True, check=True, timeout=60
    ).stdout
    data = json.loads(out)
    return (data["version"][0], data["version"][1]), set(data["names"])


def main(argv: list[str]) -> int:
    found: dict[tuple[int, int], set[str]] = {}
    for python in argv:
        version, names = probe(python)
        found[version] = names
    if not found:
        print(__doc__, file=sys.stderr)
        return 2
    tables: dict[tuple[int, int], set[str]] = dict(found)
    # forwards from the lowest generated version, then backwards
    for version in VERSIONS:
        if version in tables:
            continue
        prev = (version[0], version[1] - 1)
        if prev in tables and version in KNOWN_CHANGES:
            added, removed = KNOWN_CHANGES[version]
            tables[version] = (tables[prev] | added) - removed - {""}
    for version in reversed(VERSIONS):
        if version in tables:
            continue
        nxt = (version[0], version[1] + 1)
        if nxt in tables and nxt in KNOWN_CHANGES:
            added, removed = KNOWN_CHANGES[nxt]
            tables[version] = (tables[nxt] - added) | (removed - {""})
    missing = [v for v in VERSIONS if v not in tables]
    if missing:
        print(f"cannot derive {missing}", file=sys.stderr)
        return 1
    common = set.intersection(*(tables[v] for v in VERSIONS))
    common = {n for n in common if "." not in n}
    lines = [
        '"""Standard-library top-level module names per Python version.',
        "",
        "Generated by scripts/gen_stdlib.py from "
        + ", ".join(f"{v[0]}.{v[1]}" for v in sorted(found)),
        "(others derived from documented changes); do not edit by hand.",
        '"""',
        "",
        "from __future__ import annotations",
        "",
        "COMMON: frozenset[str] = frozenset(",
        "    {",
    ]
    lines += [f"        {json.dumps(name)}," for name in sorted(common)]
    lines += ["    }", ")", "", "EXTRA: dict[tuple[int, int], frozenset[str]] = {"]
    for version in VERSIONS:
        extra = sorted(n for n in tables[version] - common if "." not in n)
        lines.append(f"    {version!r}: frozenset(")
        lines.append("        {")
        lines += [f"            {json.dumps(name)}," for name in extra]
        lines.append("        }")
        lines.append("    ),")
    lines.append("}")
    target = Path(__file__).resolve().parent.parent / "server/pinwise/imports/_stdlib_data.py"
    target.write_text("\n".join(lines) + "\n")
    print(f"wrote {target}: {len(common)} common names")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
