"""A hostile project: everything in it that could run code or reach the network records it.

- `canary_python(venv)`: the venv's interpreter replaced by a script that appends a line to
  `<marker dir>/interpreter` each time it is started, then runs the real Python.
- `setup.py` (a project `-e ./proj` names), a `.pth` file in site-packages, a git checkout with a
  hook-less `-e git+file://` URL, a FIFO and `/dev/zero` as `-r` targets, `${PW_CMD}` whose value
  is a shell command, and index / find-links / include URLs pointing at a local TCP listener that
  records every connection.
"""

from __future__ import annotations

import asyncio
import os
from dataclasses import dataclass, field
from pathlib import Path


@dataclass
class Listener:
    port: int
    connections: list[str] = field(default_factory=list)
    server: asyncio.base_events.Server | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"


async def listen() -> Listener:
    listener = Listener(port=0)

    async def on_connect(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        listener.connections.append(str(writer.get_extra_info("peername")))
        writer.close()

    listener.server = await asyncio.start_server(on_connect, "127.0.0.1", 0)
    listener.port = listener.server.sockets[0].getsockname()[1]
    return listener


def canary_python(venv: Path, markers: Path) -> Path:
    python = venv / "bin" / "python"
    real = os.path.realpath(python)
    python.unlink()
    python.write_text(
        f'#!/bin/sh\necho "$$ $*" >> {markers / "interpreter"}\nexec {real} "$@"\n',
        encoding="utf-8",
    )
    python.chmod(0o755)
    return python


def ran(markers: Path) -> list[str]:
    return sorted(p.name for p in markers.iterdir())


def hostile_project(folder: Path, markers: Path, listener: Listener) -> Path:
    """Write the hostile files into `folder`; return its requirements.txt."""
    markers.mkdir(parents=True, exist_ok=True)
    proj = folder / "proj"
    proj.mkdir()
    (proj / "setup.py").write_text(
        f"open({str(markers / 'setup.py')!r}, 'w').write('ran')\n"
        "from setuptools import setup\nsetup(name='proj', version='1.0')\n",
        encoding="utf-8",
    )
    (proj / "pyproject.toml").write_text(
        "[build-system]\nrequires = []\nbuild-backend = 'evil'\nbackend-path = ['.']\n"
    )
    (proj / "evil.py").write_text(f"open({str(markers / 'backend')!r}, 'w').write('ran')\n")
    site = next((folder / ".venv" / "lib").glob("python3*/site-packages"))
    (site / "zzz-canary.pth").write_text(
        f"import os; open({str(markers / 'pth')!r}, 'w').write('ran')\n"
    )
    fifo = folder / "fifo.txt"
    os.mkfifo(fifo)
    text = (
        f"--index-url {listener.url}/simple/\n"
        f"--extra-index-url {listener.url}/extra/\n"
        f"--find-links {listener.url}/links/\n"
        f"-r {listener.url}/remote-requirements.txt\n"
        "-r fifo.txt\n"
        "-r /dev/zero\n"
        "-c /dev/urandom\n"
        "-e ./proj\n"
        "./proj\n"
        f"-e git+file://{folder}/repo.git#egg=repo\n"
        "${PW_CMD}==1.0\n"
        "alpha==1.0\n"
        "beta\n"
        "gamma==0.5\n"
    )
    req = folder / "requirements.txt"
    req.write_text(text, encoding="utf-8")
    return req


# The value of ${PW_CMD} in the server's and the CLI's environment: a shell would run it.
def cmd_env(markers: Path) -> dict[str, str]:
    return {"PW_CMD": f"$(touch {markers / 'env-var'})`touch {markers / 'env-var2'}`"}
