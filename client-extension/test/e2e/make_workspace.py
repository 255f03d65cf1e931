"""Builds the demo workspace the VS Code tests open, offline.

    python3 make_workspace.py DEST [--template DIR]

With --template, the wheels and venvs are built once into DIR and copied from there (a venv
copied with its symlinks works in place: its interpreter is a link to the base Python, and
everything here runs pip as `python -m pip`).

DEST/wheels/    three wheels written here (alpha-lib 1.0, beta-lib 2.0, gamma-lib 1.5)
DEST/.venv/     a real venv (python3 -m venv, with pip) holding alpha-lib 1.0 and beta-lib 2.0
DEST/.venv-alt/ a second venv holding all three at the versions the file pins after the fixes
DEST/requirements.txt
    alpha-lib            -> PW001 (not pinned)
    beta-lib==1.0        -> PW003 (2.0 installed)
    gamma-lib==1.5       -> PW002 (not installed)
DEST/.vscode/settings.json   pinwise.interpreter = DEST/.venv/bin/python (no Python extension)

Prints a JSON object with the paths. pip never reads the machine's configuration or an index.
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

PIP_ENV = {k: v for k, v in os.environ.items() if not k.startswith("PIP_") and k != "VIRTUAL_ENV"}
PIP_ENV.update(
    PIP_CONFIG_FILE=os.devnull,
    PIP_DISABLE_PIP_VERSION_CHECK="1",
    PIP_NO_INPUT="1",
    PIP_NO_INDEX="1",
)

REQUIREMENTS = """\
# Demo requirements for the Pinwise VS Code tests
alpha-lib
beta-lib==1.0
gamma-lib==1.5
"""


def make_wheel(out: Path, name: str, version: str) -> Path:
    dist = name.replace("-", "_")
    info = f"{dist}-{version}.dist-info"
    files = {
        f"{dist}/__init__.py": f"__version__ = {version!r}\n".encode(),
        f"{info}/METADATA": f"Metadata-Version: 2.1\nName: {name}\nVersion: {version}\n".encode(),
        f"{info}/WHEEL": b"Wheel-Version: 1.0\nGenerator: pinwise-tests\nRoot-Is-Purelib: true\n"
        b"Tag: py3-none-any\n",
    }
    record = []
    for path, data in files.items():
        digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
        record.append(f"{path},sha256={digest},{len(data)}")
    record.append(f"{info}/RECORD,,")
    files[f"{info}/RECORD"] = ("\n".join(record) + "\n").encode()
    wheel = out / f"{dist}-{version}-py3-none-any.whl"
    with zipfile.ZipFile(wheel, "w") as zf:
        for path, data in files.items():
            zf.writestr(path, data)
    return wheel


def make_venv(path: Path, wheels: list[Path]) -> Path:
    subprocess.run([sys.executable, "-m", "venv", str(path)], check=True, timeout=300)
    python = path / "bin" / "python"
    if wheels:
        subprocess.run(
            [str(python), "-m", "pip", "install", "--quiet", "--no-deps", *map(str, wheels)],
            check=True, env=PIP_ENV, timeout=300,
        )
    return python


def build_envs(dest: Path) -> None:
    wheels_dir = dest / "wheels"
    wheels_dir.mkdir(parents=True, exist_ok=True)
    alpha = make_wheel(wheels_dir, "alpha-lib", "1.0")
    beta1 = make_wheel(wheels_dir, "beta-lib", "1.0")
    beta2 = make_wheel(wheels_dir, "beta-lib", "2.0")
    gamma = make_wheel(wheels_dir, "gamma-lib", "1.5")
    make_venv(dest / ".venv", [alpha, beta2])
    make_venv(dest / ".venv-alt", [alpha, beta1, gamma])


def main() -> None:
    dest = Path(sys.argv[1]).resolve()
    template = None
    if "--template" in sys.argv:
        template = Path(sys.argv[sys.argv.index("--template") + 1]).resolve()
    if template is None:
        build_envs(dest)
    else:
        if not (template / ".done").exists():
            shutil.rmtree(template, ignore_errors=True)
            build_envs(template)
            (template / ".done").touch()
        dest.mkdir(parents=True, exist_ok=True)
        for part in ("wheels", ".venv", ".venv-alt"):
            shutil.copytree(template / part, dest / part, symlinks=True)
    python = dest / ".venv" / "bin" / "python"
    alt = dest / ".venv-alt" / "bin" / "python"
    (dest / "requirements.txt").write_text(REQUIREMENTS)
    (dest / ".vscode").mkdir(exist_ok=True)
    (dest / ".vscode" / "settings.json").write_text(
        json.dumps({"pinwise.interpreter": str(python)}, indent=2) + "\n"
    )
    print(json.dumps({
        "workspace": str(dest),
        "python": str(python),
        "altPython": str(alt),
        "requirements": str(dest / "requirements.txt"),
        "gammaWheel": str(dest / "wheels" / "gamma_lib-1.5-py3-none-any.whl"),
    }))


if __name__ == "__main__":
    main()
