"""Language server benchmark: `pinwise serve` driven over stdio, as an editor drives it.

usage: .venv/bin/python benchmarks/bench_lsp.py [--quick] [--json OUT]

- startup: from spawning `python -m pinwise serve` to the first `publishDiagnostics` of an opened
  300-line file (initialize, initialized, didOpen in a row, as editors send them), several runs;
  that one comes from the start-up prelude; the full server's own publication, once it has
  taken over, is timed too;
- didChange -> publishDiagnostics: one keystroke (a space inserted) per round, the next sent once
  the diagnostics of the previous version arrived; `debounceMs` is 0, so the figure is the
  server's own latency plus the pipe; on 300 lines and on 5,000 lines (5,700 diagnostics). The
  keystrokes typed at once after opening, until the full server has taken over from the
  start-up prelude (it answers a request sent right after the first diagnostics), are printed
  apart (start-up: the prelude diagnoses them while the full server is imported, and the one
  that meets the hand-over waits for the full server's first analysis); then the series is
  timed, then as many letters typed in front of a project name (it becomes
  another project: the rules across lines have something new to say); then Enter and Backspace
  at row 100, which move every row below (the slow case: caches are keyed by row);
- a realistic big file: what `pip-compile --generate-hashes` writes for the 300 distributions
  (a requirement, 15 `--hash` continuation lines and a `# via` comment each: 5,102 rows, one pin
  in ten wrong), a space typed within a line, then new lines near the top, each at a row no line
  below has stood at (every row below moves);
- resident memory of the server (`VmRSS` and peak `VmHWM` from /proc/<pid>/status) after the
  5,000-line rounds;
- the server's own share (`pinwise.stats`: analysis + conversion + publishing, and the LSP face
  alone);
- what VS Code's Python extension does for requirements files today: start the selected
  interpreter with a checker script on open/save. Its floor is one interpreter start plus one
  scan of the installed distributions' metadata (`python -I -c "import importlib.metadata ..."`),
  timed here with the same venv; the ratio to Pinwise's keystroke round trip is printed.

The client is a minimal JSON-RPC reader written here (Content-Length frames, the arrival time
taken when a frame has been read, before any decoding): a full client (pygls, pytest-lsp)
would add its own conversion of 5,700 diagnostics into objects to every figure.

The environment: 300 distributions written straight into a fresh venv (what pip leaves for a
pure-Python wheel; each requires two others, a shallow tree), built once under
.cache/bench/lsp-venv300. The load average is printed before and after: the machine is shared,
so read the medians with it.
"""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import json
import os
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any, Optional

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from tests.support.builders import make_venv  # noqa: E402
from tests.support.jsonrpc import frame, read_body  # noqa: E402

CACHE = ROOT / ".cache" / "bench"
N_DISTS = 300
SERVER = [sys.executable, "-m", "pinwise", "serve"]
SERVER_ENV = {
    **{k: v for k, v in os.environ.items() if not k.startswith("PIP_") and k != "VIRTUAL_ENV"},
    "PIP_CONFIG_FILE": os.devnull,
}


def loadavg() -> str:
    try:
        return " ".join(Path("/proc/loadavg").read_text().split()[:3])
    except OSError:
        return "n/a"


def pct(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(p * len(ordered)))]


# --- the environment and the files -------------------------------------------------------------


def _fake_install(site: Path, name: str, version: str, requires: tuple[str, ...]) -> None:
    info = site / f"{name}-{version}.dist-info"
    info.mkdir(parents=True)
    meta = ["Metadata-Version: 2.1", f"Name: {name}", f"Version: {version}"]
    meta += [f"Requires-Dist: {r}" for r in requires]
    (info / "METADATA").write_text("\n".join(meta) + "\n")
    (info / "INSTALLER").write_text("pip\n")
    (info / "RECORD").write_text(f"{name}-{version}.dist-info/METADATA,,\n")
    (site / name).mkdir()
    (site / name / "__init__.py").write_text("")


def build_project() -> Path:
    """A folder with `.venv` (300 distributions) and the two requirements files."""
    folder = CACHE / f"lsp-venv{N_DISTS}"
    if (folder / ".complete").exists():
        return folder
    shutil.rmtree(folder, ignore_errors=True)
    python = make_venv(folder / ".venv")
    (site,) = (python.parent.parent / "lib").glob("python*/site-packages")
    for i in range(N_DISTS):
        deps = tuple(f"pkg{j:03d}>=1" for j in (2 * i + 1, 2 * i + 2) if j < N_DISTS)
        _fake_install(site, f"pkg{i:03d}", f"1.{i % 7}", deps)
    for lines in (300, 5000):
        (folder / f"requirements-{lines}.txt").write_text(requirements(lines))
    (folder / ".complete").touch()
    return folder


def requirements(lines: int) -> str:
    """One unpinned line in ten (PW001), one wrong pin in ten (PW003), duplicates beyond 300
    lines (PW004): 5,000 lines give 5,700 diagnostics."""
    out = []
    for i in range(lines):
        n = i % N_DISTS
        if i % 10 == 0:
            out.append(f"pkg{n:03d}  # unpinned")
        elif i % 10 == 1:
            out.append(f"pkg{n:03d}==9.9")
        else:
            out.append(f"pkg{n:03d}==1.{n % 7}")
    return "\n".join(out) + "\n"


def hashed_requirements() -> str:
    """`pip-compile --generate-hashes` output for the 300 distributions: 17 rows each (the
    requirement, 15 hashes on continuation lines, a `# via` comment), one pin in ten wrong
    (PW003)."""
    out = ["#", "# This file is autogenerated by pip-compile with Python 3.11", "#"]
    for i in range(N_DISTS):
        version = "9.9" if i % 10 == 1 else f"1.{i % 7}"
        out.append(f"pkg{i:03d}=={version} \\")
        for h in range(15):
            digest = hashlib.sha256(f"pkg{i}-{h}".encode()).hexdigest()
            out.append(f"    --hash=sha256:{digest}" + (" \\" if h < 14 else ""))
        out.append(f"    # via pkg{i // 2:03d}")
    return "\n".join(out) + "\n"


# --- a minimal LSP client ------------------------------------------------------------------------


class Client:
    """JSON-RPC over the server's stdio; notifications are kept with their arrival time."""

    def __init__(self, proc: asyncio.subprocess.Process) -> None:
        self.proc = proc
        self.next_id = 0
        self.pending: dict[int, asyncio.Future[Any]] = {}
        self.diagnostics: list[tuple[float, dict[str, Any]]] = []
        self.changed = asyncio.Event()
        self.reader = asyncio.ensure_future(self._read())

    @classmethod
    async def start(cls, cwd: Path) -> Client:
        proc = await asyncio.create_subprocess_exec(
            *SERVER,
            cwd=str(cwd),
            env=SERVER_ENV,
            stdin=asyncio.subprocess.PIPE,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.DEVNULL,
            limit=2**26,
        )
        return cls(proc)

    def _send(self, message: dict[str, Any]) -> None:
        assert self.proc.stdin is not None
        self.proc.stdin.write(frame(message))

    def notify(self, method: str, params: Any) -> None:
        self._send({"jsonrpc": "2.0", "method": method, "params": params})

    async def request(self, method: str, params: Any) -> Any:
        self.next_id += 1
        future: asyncio.Future[Any] = asyncio.get_running_loop().create_future()
        self.pending[self.next_id] = future
        self._send({"jsonrpc": "2.0", "id": self.next_id, "method": method, "params": params})
        return await asyncio.wait_for(future, 120)

    async def _read(self) -> None:
        out = self.proc.stdout
        assert out is not None
        while (body := await read_body(out)) is not None:
            arrived = time.perf_counter()
            message = json.loads(body)
            if "id" in message and "method" in message:  # a request from the server
                self._send({"jsonrpc": "2.0", "id": message["id"], "result": _reply(message)})
            elif "id" in message:
                future = self.pending.pop(message["id"], None)
                if future is not None and not future.done():
                    future.set_result(message.get("result"))
            elif message.get("method") == "textDocument/publishDiagnostics":
                self.diagnostics.append((arrived, message["params"]))
                self.changed.set()

    async def full_server(self) -> None:
        """Return once the full server has taken over from the start-up prelude (only it
        answers requests)."""
        await self.request("workspace/executeCommand", {"command": "pinwise.stats"})

    async def wait_diagnostics(self, uri: str, version: Optional[int], since: int) -> float:
        """The arrival time of the first publication for `uri` (at `version` when given, with
        at least one diagnostic) after the first `since` ones."""
        while True:
            for arrived, params in self.diagnostics[since:]:
                if params["uri"] != uri:
                    continue
                if version is None and params["diagnostics"]:
                    return arrived
                if version is not None and params.get("version") == version:
                    return arrived
            self.changed.clear()
            await asyncio.wait_for(self.changed.wait(), 120)

    async def initialize(self, folder: Path) -> None:
        await self.request(
            "initialize",
            {
                "processId": os.getpid(),
                "rootUri": folder.as_uri(),
                "workspaceFolders": [{"uri": folder.as_uri(), "name": folder.name}],
                "capabilities": {
                    "textDocument": {"publishDiagnostics": {"versionSupport": True}},
                    "general": {"positionEncodings": ["utf-16"]},
                },
                "initializationOptions": {"settings": {"debounceMs": 0}},
            },
        )
        self.notify("initialized", {})

    def open(self, path: Path) -> None:
        self.notify(
            "textDocument/didOpen",
            {
                "textDocument": {
                    "uri": path.as_uri(),
                    "languageId": "pip-requirements",
                    "version": 1,
                    "text": path.read_text(),
                }
            },
        )

    def type_space(
        self, path: Path, version: int, line: int, text: str = " ", column: int = 0
    ) -> None:
        self.replace(path, version, (line, column), (line, column), text)

    async def timed_edit(
        self, path: Path, version: int, start: tuple[int, int], end: tuple[int, int], text: str
    ) -> float:
        """`replace`, then the milliseconds until that version's diagnostics arrived."""
        since = len(self.diagnostics)
        sent = time.perf_counter()
        self.replace(path, version, start, end, text)
        arrived = await self.wait_diagnostics(path.as_uri(), version, since)
        return (arrived - sent) * 1000

    def replace(
        self, path: Path, version: int, start: tuple[int, int], end: tuple[int, int], text: str
    ) -> None:
        self.notify(
            "textDocument/didChange",
            {
                "textDocument": {"uri": path.as_uri(), "version": version},
                "contentChanges": [
                    {
                        "range": {
                            "start": {"line": start[0], "character": start[1]},
                            "end": {"line": end[0], "character": end[1]},
                        },
                        "text": text,
                    }
                ],
            },
        )

    def rss_mb(self) -> tuple[Optional[float], Optional[float]]:
        try:
            status = Path(f"/proc/{self.proc.pid}/status").read_text()
        except OSError:
            return None, None
        values = {}
        for row in status.splitlines():
            key, _, value = row.partition(":")
            if key in ("VmRSS", "VmHWM"):
                values[key] = int(value.split()[0]) / 1024
        return values.get("VmRSS"), values.get("VmHWM")

    async def stop(self) -> None:
        try:
            await self.request("shutdown", None)
            self.notify("exit", None)
            await asyncio.wait_for(self.proc.wait(), 10)
        except (asyncio.TimeoutError, ConnectionError):
            self.proc.kill()
            await self.proc.wait()
        self.reader.cancel()


def _reply(message: dict[str, Any]) -> Any:
    if message.get("method") == "workspace/configuration":
        return [None for _ in message["params"]["items"]]
    return None


# --- the measurements ----------------------------------------------------------------------------


async def startup_once(folder: Path, path: Path) -> tuple[float, float]:
    """(start to first diagnostics, start to the full server answering a request about the
    document): the first come from the start-up prelude, the answer once pygls and lsprotocol
    are loaded and the full server has taken over and analysed the document itself (requests
    wait until then; it sends no diagnostics of its own when they are the prelude's)."""
    started = time.perf_counter()
    client = await Client.start(folder)
    await client.initialize(folder)
    client.open(path)
    arrived = await client.wait_diagnostics(path.as_uri(), None, 0)
    status = {"command": "pinwise.status", "arguments": [path.as_uri()]}
    await client.request("workspace/executeCommand", status)
    taken_over = time.perf_counter()
    await client.stop()
    return (arrived - started) * 1000, (taken_over - started) * 1000


async def keystrokes(folder: Path, path: Path, rounds: int) -> dict[str, Any]:
    client = await Client.start(folder)
    await client.initialize(folder)
    client.open(path)
    await client.wait_diagnostics(path.as_uri(), None, 0)
    lines = len(path.read_text().splitlines())
    spaces: dict[int, int] = {}  # spaces typed at the start of each line
    version = 2

    async def space() -> float:
        nonlocal version
        row = (version * 7) % min(lines, 250)
        spaces[row] = spaces.get(row, 0) + 1
        version += 1
        return await client.timed_edit(path, version - 1, (row, 0), (row, 0), " ")

    # Typing at once after opening, timed apart (start-up, not steady typing): the start-up
    # prelude diagnoses these while the full server is imported; the one that meets the
    # hand-over waits for the full server's first analysis.
    taken_over = asyncio.ensure_future(client.full_server())
    startup = []
    while not taken_over.done():
        startup.append(await space())
    await taken_over
    await space()  # not timed: the full server's first analysis of its own may be under way
    latencies = [await space() for _ in range(rounds)]
    count = len(client.diagnostics[-1][1]["diagnostics"])
    stats = await client.request("workspace/executeCommand", {"command": "pinwise.stats"})
    rss, hwm = client.rss_mb()
    # Then a letter typed in front of a project name (another project for pip: every rule
    # that reads names across lines has something new to say).
    renamed = []
    for _ in range(rounds):
        row = (version * 7) % min(lines, 250)
        at = (row, spaces.get(row, 0))
        renamed.append(await client.timed_edit(path, version, at, at, "x"))
        version += 1
    # Then Enter pressed near the top (a new empty line at row 100), then Backspace taking it
    # away: every line below moves to another row, which no cache keyed by row survives.
    moved = []
    for _ in range(max(2, rounds // 5)):
        for text, end in (("\n", 0), ("", 1)):
            moved.append(await client.timed_edit(path, version, (100, 0), (100 + end, 0), text))
            version += 1
    # Then new lines, each at a row no line below has stood at yet (as when a requirement is
    # added near the top): nothing below is in any cache, the cold case of the series above.
    # A first one, not timed: the series above left every line below row 100 one row down in
    # the caches, as a new line at row 100 would put them.
    await client.timed_edit(path, version, (100, 0), (100, 0), "\n")
    version += 1
    added = []
    for k in range(max(2, rounds // 5)):
        row = 110 + 10 * k
        added.append(await client.timed_edit(path, version, (row, 0), (row, 0), "\n"))
        version += 1
    final = await client.request("workspace/executeCommand", {"command": "pinwise.stats"})
    await client.stop()
    return {
        "lines": lines,
        "diagnostics": count,
        "rounds": rounds,
        "p50_ms": round(statistics.median(latencies), 2),
        "p95_ms": round(pct(latencies, 0.95), 2),
        "startup_typing": {
            "keystrokes": len(startup),
            "first_ms": round(startup[0], 2),
            "p50_ms": round(statistics.median(startup), 2),
            "max_ms": round(max(startup), 2),
        },
        "name_p50_ms": round(statistics.median(renamed), 2),
        "name_p95_ms": round(pct(renamed, 0.95), 2),
        "moved_p50_ms": round(statistics.median(moved), 2),
        "moved_max_ms": round(max(moved), 2),
        "moved_rounds": len(moved),
        "added_p50_ms": round(statistics.median(added), 2),
        "added_max_ms": round(max(added), 2),
        "added_rounds": len(added),
        "server": stats,
        "server_at_end": final,
        "rss_mb": None if rss is None else round(rss, 1),
        "peak_rss_mb": None if hwm is None else round(hwm, 1),
    }


async def big_realistic_file(folder: Path, rounds: int) -> dict[str, Any]:
    """The hashed file (`hashed_requirements`): a space typed within a line, then new lines
    near the top, each at a row no line below has stood at (a blank line before a requirement:
    inserted within a block, it would end the continuation there)."""
    path = folder / "requirements-hashed.txt"
    text = hashed_requirements()
    if not path.exists() or path.read_text() != text:
        path.write_text(text)
    client = await Client.start(folder)
    await client.initialize(folder)
    client.open(path)
    await client.wait_diagnostics(path.as_uri(), 1, 0)
    count = len(client.diagnostics[-1][1]["diagnostics"])
    await client.full_server()  # start-up is the other series' subject
    client.type_space(path, 2, 1)  # not timed: the full server's first analysis of its own
    await client.wait_diagnostics(path.as_uri(), 2, 0)
    version = 3
    typed: list[float] = []
    added: list[float] = []
    for k in range(rounds):  # a space at the start of a --hash line
        row = 5 + 17 * k
        typed.append(await client.timed_edit(path, version, (row, 0), (row, 0), " "))
        version += 1
    for k in range(rounds):  # a blank line before a requirement (17 rows a block, from row 3)
        row = 3 + 17 * (6 + k) + k
        added.append(await client.timed_edit(path, version, (row, 0), (row, 0), "\n"))
        version += 1
    stats = await client.request("workspace/executeCommand", {"command": "pinwise.stats"})
    await client.stop()
    return {
        "lines": len(text.splitlines()),
        "diagnostics": count,
        "typed_p50_ms": round(statistics.median(typed), 1),
        "typed_p95_ms": round(pct(typed, 0.95), 1),
        "added_p50_ms": round(statistics.median(added), 1),
        "added_p95_ms": round(pct(added, 0.95), 1),
        "added_max_ms": round(max(added), 1),
        "rounds": rounds,
        "rss_mb": stats.get("rssMb"),
    }


async def long_session(folder: Path, path: Path, lines_added: int) -> dict[str, Any]:
    """Many new lines near the top of a big file, one after the other (each at a row no line
    below has stood at): the server's memory and latency as its caches turn over."""
    client = await Client.start(folder)
    await client.initialize(folder)
    client.open(path)
    await client.wait_diagnostics(path.as_uri(), None, 0)
    await client.full_server()  # start-up is another series' subject
    client.type_space(path, 2, 5)  # not timed: the full server's first analysis of its own
    await client.wait_diagnostics(path.as_uri(), 2, 0)
    version = 3
    latencies: list[float] = []
    rss: dict[int, Any] = {}
    for k in range(lines_added):
        row = 100 + 10 * k
        latencies.append(await client.timed_edit(path, version, (row, 0), (row, 0), "\n"))
        version += 1
        if k + 1 in (lines_added // 5, lines_added // 2, lines_added):
            stats = await client.request("workspace/executeCommand", {"command": "pinwise.stats"})
            rss[k + 1] = stats.get("rssMb")
    await client.stop()
    return {
        "lines_added": lines_added,
        "p50_ms": round(statistics.median(latencies), 1),
        "p95_ms": round(pct(latencies, 0.95), 1),
        "max_ms": round(max(latencies), 1),
        "rss_mb_after": rss,
    }


def checker_script_run(python: Path, runs: int) -> dict[str, float]:
    """One interpreter start + a scan of every installed distribution's metadata: the floor of
    what the Python extension runs on each open/save of a requirements file."""
    code = (
        "import importlib.metadata, json; "
        "print(json.dumps([(d.metadata['Name'], d.version, d.requires) "
        "for d in importlib.metadata.distributions()]))"
    )
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        done = subprocess.run([str(python), "-I", "-c", code], capture_output=True, check=True)
        times.append((time.perf_counter() - started) * 1000)
        assert len(json.loads(done.stdout)) >= N_DISTS
    return {"p50_ms": round(statistics.median(times), 1), "p95_ms": round(pct(times, 0.95), 1)}


def compile_bytecode() -> None:
    """An installed Pinwise has its bytecode; PYTHONDONTWRITEBYTECODE=1 would otherwise make
    every server start compile every module."""
    subprocess.run(
        [sys.executable, "-m", "compileall", "-q", str(ROOT / "server" / "pinwise")], check=True
    )


async def run(quick: bool, long_lines: int = 0) -> dict[str, Any]:
    folder = build_project()
    small, large = folder / "requirements-300.txt", folder / "requirements-5000.txt"
    results: dict[str, Any] = {"load_before": loadavg()}
    startups = [await startup_once(folder, small) for _ in range(3 if quick else 7)]
    results["startup_ms"] = {
        "p50": round(statistics.median(first for first, _ in startups), 1),
        "min": round(min(first for first, _ in startups), 1),
        "full_server_p50": round(statistics.median(full for _, full in startups), 1),
        "runs": len(startups),
    }
    results["lines_300"] = await keystrokes(folder, small, 50 if quick else 300)
    results["lines_5000"] = await keystrokes(folder, large, 10 if quick else 40)
    results["hashed"] = await big_realistic_file(folder, 8 if quick else 20)
    if long_lines:
        results["long_session"] = await long_session(folder, large, long_lines)
    results["checker_script"] = checker_script_run(folder / ".venv" / "bin" / "python", 10)
    results["ratio_checker_to_keystroke_p50"] = round(
        results["checker_script"]["p50_ms"] / results["lines_300"]["p50_ms"], 1
    )
    results["load_after"] = loadavg()
    return results


def report(r: dict[str, Any]) -> str:
    rows = [f"load average before: {r['load_before']}"]
    s = r["startup_ms"]
    rows.append(
        f"startup -> first diagnostics (300 lines): median {s['p50']} ms, best {s['min']} ms "
        f"({s['runs']} runs); the full server taking over (answering a request about the "
        "document it has analysed): median "
        f"{s['full_server_p50']} ms"
    )
    for key in ("lines_300", "lines_5000"):
        x = r[key]
        srv = x["server"] or {}
        end = x.get("server_at_end") or {}
        st = x["startup_typing"]
        rows.append(
            f"{x['lines']} lines, {x['diagnostics']} diagnostics, {x['rounds']} keystrokes: "
            f"didChange -> publishDiagnostics p50 {x['p50_ms']} ms, p95 {x['p95_ms']} ms "
            f"(typed at once after open, not counted: {st['keystrokes']} keystrokes before the "
            f"full server took over, the first {st['first_ms']} ms, p50 {st['p50_ms']} ms, "
            f"max {st['max_ms']} ms); "
            f"server share p50 {srv.get('p50Ms')} ms, p95 {srv.get('p95Ms')} ms "
            f"(LSP face p50 {srv.get('lspP50Ms')} ms, p95 {srv.get('lspP95Ms')} ms); "
            f"RSS {x['rss_mb']} MB (peak {x['peak_rss_mb']} MB); a letter typed in front of a "
            f"project name: p50 {x['name_p50_ms']} ms, p95 {x['name_p95_ms']} ms; Enter / "
            f"Backspace at row 100 (every row below moves, {x['moved_rounds']} keystrokes): "
            f"p50 {x['moved_p50_ms']} ms, max {x['moved_max_ms']} ms; a new line near the top, "
            f"every row below at a row it never stood at ({x['added_rounds']} keystrokes): "
            f"p50 {x['added_p50_ms']} ms, max {x['added_max_ms']} ms; at the end of the "
            f"session RSS {end.get('rssMb')} MB and the cyclic GC's time {end.get('gcMs')} ms in "
            f"{end.get('gcCollections')} collections (longest {end.get('gcLongestMs')} ms)"
        )
    x = r["hashed"]
    rows.append(
        f"pip-compile --generate-hashes file, {x['lines']} lines, {x['diagnostics']} "
        f"diagnostics: a space typed p50 {x['typed_p50_ms']} ms, p95 {x['typed_p95_ms']} ms; "
        f"a new line near the top, every row below at a row it never stood at "
        f"({x['rounds']} keystrokes): p50 {x['added_p50_ms']} ms, p95 {x['added_p95_ms']} ms, "
        f"max {x['added_max_ms']} ms; RSS {x['rss_mb']} MB"
    )
    if "long_session" in r:
        x = r["long_session"]
        after = ", ".join(f"{rss} MB after {n}" for n, rss in x["rss_mb_after"].items())
        rows.append(
            f"5000 lines, {x['lines_added']} new lines near the top one after the other: p50 "
            f"{x['p50_ms']} ms, p95 {x['p95_ms']} ms, max {x['max_ms']} ms; RSS {after}"
        )
    c = r["checker_script"]
    rows.append(
        f"interpreter start + metadata scan (Python extension's floor per open/save): "
        f"p50 {c['p50_ms']} ms, p95 {c['p95_ms']} ms: "
        f"{r['ratio_checker_to_keystroke_p50']}x Pinwise's 300-line keystroke p50"
    )
    rows.append(f"load average after: {r['load_after']}")
    return "\n".join(rows)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer runs")
    parser.add_argument("--json", metavar="OUT", help="also write the figures as JSON")
    parser.add_argument(
        "--long-session",
        type=int,
        default=0,
        metavar="N",
        help="also add N new lines near the top of the 5,000-line file, one after the other",
    )
    args = parser.parse_args()
    compile_bytecode()
    results = asyncio.run(run(args.quick, args.long_session))
    print(report(results))
    if args.json:
        Path(args.json).write_text(json.dumps(results, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
