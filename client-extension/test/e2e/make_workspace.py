"""Builds the demo workspace the VS Code tests open, offline.

    python3 make_workspace.py DEST

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


def main() -> None:
    dest = Path(sys.argv[1]).resolve()
    wheels_dir = dest / "wheels"
    wheels_dir.mkdir(parents=True, exist_ok=True)
    alpha = make_wheel(wheels_dir, "alpha-lib", "1.0")
    beta1 = make_wheel(wheels_dir, "beta-lib", "1.0")
    beta2 = make_wheel(wheels_dir, "beta-lib", "2.0")
    gamma = make_wheel(wheels_dir, "gamma-lib", "1.5")
    python = make_venv(dest / ".venv", [alpha, beta2])
    alt = make_venv(dest / ".venv-alt", [alpha, beta1, gamma])
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
        "gammaWheel": str(gamma),
    }))


if __name__ == "__main__":
    main()
