"""Build demo/.venv offline, from wheels this script writes itself, to match the demo's story.

    python demo/make_demo_env.py          (any Python >= 3.9 with pip; nothing is downloaded)

Then, from demo/:  pinwise check --python .venv/bin/python
and, for the rules about hash-checking mode and the global interpreter:
                   pinwise check locked --python python3

Self-contained on purpose (it does not import Pinwise or its tests): the wheels are zip files
with METADATA, WHEEL and RECORD, installed by pip with the machine's pip configuration ignored.
"""

from __future__ import annotations

import base64
import hashlib
import os
import shutil
import subprocess
import sys
import tempfile
import venv
import zipfile
from collections.abc import Mapping, Sequence
from pathlib import Path

HERE = Path(__file__).resolve().parent
VENV = HERE / ".venv"

# name, version, Requires-Dist, {extra: Requires-Dist}; what demo/requirements*.txt expects.
PACKAGES: list[tuple[str, str, Sequence[str], Mapping[str, Sequence[str]]]] = [
    ("webframe", "1.4.0", ["httpkit>=1.0", "templater>=3.0"], {}),  # PW003: 2.0.0 required
    ("httpkit", "1.2.0", [], {}),  # PW001: required as >=1.0; PW004 in requirements-dev.txt
    ("templater", "3.1.0", [], {"i18n": ["babelish>=2.0"]}),  # PW014: babelish not installed
    ("orm", "1.5.0", ["dbdriver>=2.0"], {}),  # PW012: dbdriver not installed
    ("toolbox", "0.9.0", [], {}),  # PW013: required from a git branch
    ("jsonfast", "1.0.0", [], {}),  # PW003 on constraints.txt (==0.9.0)
    ("legacy-shim", "0.1.0", [], {}),  # unpinned, but the line says `# pinwise: ignore[PW001]`
    ("testkit", "4.0.0", [], {}),  # fine
    ("leftover", "0.3.0", [], {}),  # PW011: nothing requires it
]


def _record_line(path: str, data: bytes) -> str:
    digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
    return f"{path},sha256={digest},{len(data)}"


def make_wheel(
    out: Path,
    name: str,
    version: str,
    requires: Sequence[str] = (),
    extras: Mapping[str, Sequence[str]] = {},
) -> Path:
    """Write a minimal valid `name-version-py3-none-any.whl` into `out`."""
    dist = name.replace("-", "_").lower()
    info = f"{dist}-{version}.dist-info"
    meta = ["Metadata-Version: 2.1", f"Name: {name}", f"Version: {version}"]
    meta += [f"Summary: Pinwise demo package {name}"]
    meta += [f"Requires-Dist: {r}" for r in requires]
    for extra, reqs in extras.items():
        meta.append(f"Provides-Extra: {extra}")
        meta += [f'Requires-Dist: {r}; extra == "{extra}"' for r in reqs]
    files = {
        f"{dist}/__init__.py": f"__version__ = {version!r}\n".encode(),
        f"{info}/METADATA": ("\n".join(meta) + "\n").encode(),
        f"{info}/WHEEL": b"Wheel-Version: 1.0\nGenerator: pinwise-demo\n"
        b"Root-Is-Purelib: true\nTag: py3-none-any\n",
    }
    record = [_record_line(p, d) for p, d in files.items()] + [f"{info}/RECORD,,"]
    files[f"{info}/RECORD"] = ("\n".join(record) + "\n").encode()
    wheel = out / f"{dist}-{version}-py3-none-any.whl"
    with zipfile.ZipFile(wheel, "w") as zf:
        for path, data in files.items():
            zf.writestr(path, data)
    return wheel


def _pip_env() -> dict[str, str]:
    """pip isolated from this machine: no config file, no PIP_* settings, no index."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("PIP_")}
    env.pop("VIRTUAL_ENV", None)
    env.update(
        PIP_CONFIG_FILE=os.devnull,
        PIP_NO_INDEX="1",
        PIP_DISABLE_PIP_VERSION_CHECK="1",
        PIP_NO_INPUT="1",
    )
    return env


def _python_in(env_dir: Path) -> Path:
    if os.name == "nt":
        return env_dir / "Scripts" / "python.exe"
    return env_dir / "bin" / "python"


def main() -> int:
    if VENV.exists():
        shutil.rmtree(VENV)
    own_pip = (
        subprocess.run(
            [sys.executable, "-m", "pip", "--version"],
            capture_output=True,
            env=_pip_env(),
            check=False,
        ).returncode
        == 0
    )
    # Without pip here, the venv gets its own (ensurepip: bundled, offline).
    venv.EnvBuilder(with_pip=not own_pip, clear=True).create(VENV)
    python = _python_in(VENV)
    with tempfile.TemporaryDirectory() as tmp:
        wheels = [make_wheel(Path(tmp), *spec) for spec in PACKAGES]
        pip = (
            [sys.executable, "-m", "pip", "--python", str(python)]
            if own_pip
            else [
                str(python),
                "-m",
                "pip",
            ]
        )
        subprocess.run(
            [*pip, "install", "--quiet", "--no-deps", *map(str, wheels)],
            env=_pip_env(),
            check=True,
        )
    print(f"demo environment ready: {python}")
    print("now:  cd demo && pinwise check --python .venv/bin/python")
    print("and:  cd demo && pinwise check locked --python python3   (hash mode, global Python)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
