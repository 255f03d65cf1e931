#!/usr/bin/env bash
# Fills bundled/ for the VSIX: bundled/libs gets the server's dependencies (pip install --target,
# pinned with hashes from client-extension/bundled-requirements.txt, wheels only) and a copy of the
# `pinwise` package from server/; bundled/licenses gets the dependencies' license files (the
# *.dist-info folders themselves are dropped).
# The dependencies are installed again only when the lock file changes; pinwise is always copied.
# usage: npm run bundle:python          (PYTHON picks the Python whose pip runs; needs PyPI the
#                                         first time only)
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
cd "$ROOT"
LOCK=client-extension/bundled-requirements.txt
DEST=bundled/libs
PY=${PYTHON:-}
if [ -z "$PY" ]; then
    if [ -x .venv/bin/python ]; then PY=.venv/bin/python; else PY=python3; fi
fi
stamp_want=$(sha256sum "$LOCK" | cut -d' ' -f1)
stamp_file=bundled/.libs-stamp
if [ ! -f "$stamp_file" ] || [ "$(cat "$stamp_file")" != "$stamp_want" ] || [ ! -d "$DEST" ]; then
    echo "[bundle-python] installing the server's dependencies into $DEST"
    rm -rf "$DEST" bundled/licenses "$DEST.tmp"
    # The machine's pip configuration (constraints, extra indexes) must not leak in. The wheels
    # are fetched once into .cache/bundled-wheels (PyPI), then every build installs offline from
    # there; --require-hashes checks them against the lock both times.
    export PIP_CONFIG_FILE=/dev/null PIP_DISABLE_PIP_VERSION_CHECK=1 PIP_NO_INPUT=1
    WHEELS=.cache/bundled-wheels
    if ! "$PY" -m pip install --quiet --dry-run --ignore-installed --no-index --find-links "$WHEELS" \
            --no-deps --require-hashes --only-binary=:all: --target "$DEST.check" -r "$LOCK" \
            >/dev/null 2>&1; then
        echo "[bundle-python] downloading the locked wheels into $WHEELS"
        "$PY" -m pip download --quiet --dest "$WHEELS" --no-deps --require-hashes \
            --only-binary=:all: --index-url https://pypi.org/simple -r "$LOCK"
    fi
    rm -rf "$DEST.check"
    "$PY" -m pip install --quiet --target "$DEST.tmp" --no-deps --require-hashes \
        --only-binary=:all: --no-compile --no-index --find-links "$WHEELS" -r "$LOCK"
    "$PY" - "$DEST.tmp" bundled/licenses <<'PY'
import pathlib, shutil, sys
libs, out = pathlib.Path(sys.argv[1]), pathlib.Path(sys.argv[2])
for info in sorted(libs.glob("*.dist-info")):
    name = info.name[: -len(".dist-info")]
    files = [p for p in info.rglob("*") if p.is_file()
             and (p.parent.name == "licenses" or p.name.upper().startswith(("LICENSE", "LICENCE", "COPYING", "NOTICE")))]
    for f in files:
        target = out / name / f.relative_to(info)
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(f, target)
PY
    # The metadata folders are not needed at run time (their licenses are kept above).
    rm -rf "$DEST.tmp/bin" "$DEST.tmp"/*.dist-info
    mv "$DEST.tmp" "$DEST"
    echo "$stamp_want" > "$stamp_file"
fi
# pinwise itself: the package sources, without caches.
rm -rf "$DEST/pinwise"
cp -r server/pinwise "$DEST/pinwise"
find "$DEST/pinwise" -name __pycache__ -type d -prune -exec rm -rf {} +
printf 'libs/\nlicenses/\n.libs-stamp\n' > bundled/.gitignore
echo "[bundle-python] bundled/libs ready: $(ls "$DEST" | grep -v dist-info | tr '\n' ' ')"
