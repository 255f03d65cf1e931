"""Engine benchmarks: ratios against pip and uv, measured in the same run on the same machine.

usage: .venv/bin/python benchmarks/bench_engine.py [--quick] [--json OUT]

- parsing: pinwise.reqfile.parse vs pip 26.3's own parser (parse_requirements + building the
  InstallRequirement, what `pip install -r` does before resolving) vs packaging's Requirement
  alone, per 1,000 lines;
- inspection: pinwise.environment.inspect of a 300-distribution venv, in process, warm and cold
  (see bench_inspect), and `scan`, the reader `pinwise freeze` uses;
- freeze as a process: `pinwise freeze` vs `pip freeze` vs `uv pip freeze --python`, same venv,
  interleaved (one run of each in turn), with `python -c pass` as the floor; medians of wall
  time and of CPU time (the machine is shared: CPU time is the load-robust figure);
- `pinwise check` vs `pip check` on the bundled demo (demo/.venv, built by scripts/demo).

The venv is built once from 300 tiny wheels written here, under .cache/bench/. Pinwise's bytecode
is compiled first (an installed Pinwise has it; PYTHONDONTWRITEBYTECODE=1 would otherwise make
every run compile every module). The load average is printed before and after.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Optional

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from tests.support.builders import PIP_ENV, make_venv, make_wheel, pip  # noqa: E402

CACHE = ROOT / ".cache" / "bench"
N_DISTS = 300


def timings(fn: Callable[[], object], repeat: int) -> list[float]:
    """Wall seconds of `fn`, `repeat` times."""
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return times


def best_of(fn: Callable[[], object], repeat: int) -> tuple[float, float]:
    """(median, minimum) wall seconds of `fn` over `repeat` runs."""
    times = timings(fn, repeat)
    return statistics.median(times), min(times)


def build_env() -> Path:
    venv = CACHE / f"venv{N_DISTS}"
    python = venv / "bin" / "python"
    if (venv / ".complete").exists():
        return python
    shutil.rmtree(venv, ignore_errors=True)
    wheels = CACHE / "wheels"
    shutil.rmtree(wheels, ignore_errors=True)
    paths = []
    for i in range(N_DISTS):
        requires = [f"bench-pkg-{(i + 1) % N_DISTS}>=1.0"] if i % 3 == 0 else []
        paths.append(
            make_wheel(
                wheels,
                f"bench-pkg-{i}",
                f"1.{i}.0",
                requires=requires,
                summary=f"benchmark package {i}",
            )
        )
    make_venv(venv)
    pip("install", "--quiet", "--no-deps", *map(str, paths), python=python)
    (venv / ".complete").touch()
    return python


LINE_KINDS = (
    "pkg-{i}==2.32.{i}",
    "Pkg_{i}>=4.2,<5  # web",
    "pkg-{i}[extra]==1.26.{i} ; python_version >= '3.9'",
    "pkg-{i}",
    "pkg-{i}>=8.0",
    "pkg-{i}~=1.5.{i}",
    "pkg.{i}==4.12.{i} ; python_version < '3.12'",
    "# a comment line {i}",
    "",
    "pkg-{i}==2.2.{i} --hash=sha256:{h}",
)


def corpus_lines(n: int) -> str:
    """n lines of a typical hand-written file; every requirement distinct (no cache hits)."""
    lines = (LINE_KINDS[i % len(LINE_KINDS)].format(i=i, h=f"{i:064x}") for i in range(n))
    return "\n".join(lines) + "\n"


def hashed_corpus(n: int) -> str:
    """n lines of `pip-compile --generate-hashes` output (4 physical lines a requirement)."""
    blocks = []
    for i in range(n // 4):
        blocks.append(
            f"pkg-{i}==1.0.{i} \\\n    --hash=sha256:{i:064x} \\\n"
            f"    --hash=sha256:{i + 1:064x}\n    # via app-{i}"
        )
    return "\n".join(blocks) + "\n"


def bench_parse(repeat: int) -> dict[str, float]:
    """Per 1,000 lines. pinwise cold: every cache cleared before each run (a first parse);
    warm: the same text again (what an editor does on every keystroke)."""
    from packaging.requirements import Requirement
    from pip._internal.network.session import PipSession
    from pip._internal.req.constructors import install_req_from_parsed_requirement
    from pip._internal.req.req_file import parse_requirements

    from pinwise.reqfile import clear_caches, parse

    result: dict[str, float] = {}
    for label, text in (("mixed", corpus_lines(1000)), ("hashed", hashed_corpus(1000))):
        with tempfile.TemporaryDirectory() as tmp:
            path = Path(tmp, "requirements.txt")
            path.write_text(text)
            session = PipSession()

            def pip_parse(path: Path = path, session: PipSession = session) -> None:
                for parsed in parse_requirements(str(path), session=session):
                    install_req_from_parsed_requirement(parsed)

            pip_t, _ = best_of(pip_parse, repeat)

        def cold(text: str = text) -> None:
            clear_caches()
            parse(text, "/tmp/requirements.txt")

        cold_t, _ = best_of(cold, repeat)
        warm_t, _ = best_of(lambda text=text: parse(text, "/tmp/requirements.txt"), repeat)
        result[f"{label}_pip_ms"] = pip_t * 1e3
        result[f"{label}_pinwise_cold_ms"] = cold_t * 1e3
        result[f"{label}_pinwise_warm_ms"] = warm_t * 1e3
        result[f"{label}_ratio_pip_over_cold"] = pip_t / cold_t
        result[f"{label}_ratio_pip_over_warm"] = pip_t / warm_t
    req_lines = [
        ln.split(" #")[0].split(" --hash")[0]
        for ln in corpus_lines(1000).splitlines()
        if ln and not ln.startswith("#")
    ]

    def packaging_only() -> None:
        for line in req_lines:
            Requirement(line)

    pkg_t, _ = best_of(packaging_only, repeat)
    result["packaging_alone_ms"] = pkg_t * 1e3
    return result


def bench_inspect(python: Path, repeat: int) -> dict[str, float]:
    """In process. warm: the server's case (the watcher re-inspects after an install: parsed
    distributions and the marker run cached); cold: no parsed distribution cached (the marker
    run still cached, as in the server's first inspection after start); cold + every field:
    cold, then every field of every distribution and the snapshot's warnings asked for once
    (INSTALLER, top_level.txt and direct_url.json are read, and the other header fields parsed,
    on first use: what a caller that uses them all, such as `pinwise inspect --json`, pays in
    all); scan: the plain reader `pinwise freeze` uses (never cached), on a freshly started
    process's path."""
    import dataclasses

    from pinwise.environment import inspect
    from pinwise.environment.inspect import clear_distribution_cache, scan
    from pinwise.environment.model import Distribution

    snapshot = inspect(str(python))  # warms the marker-environment cache, as the server does
    assert len(snapshot.distributions) >= N_DISTS, len(snapshot.distributions)
    warm = timings(lambda: inspect(str(python)), repeat)

    def cold() -> None:
        clear_distribution_cache()
        inspect(str(python))

    names = [f.name for f in dataclasses.fields(Distribution)]

    def cold_every_field() -> None:
        clear_distribution_cache()
        found = inspect(str(python))
        for dist in found.distributions:
            for name in names:  # some read on first use
                getattr(dist, name)
        _ = found.warnings  # (with direct_url.json's, read then if no field read it)

    cold_t = timings(cold, repeat)
    every_t = timings(cold_every_field, repeat)
    scan_t = timings(lambda: scan(str(python)), repeat)
    return {
        "inspect_warm_ms_median": statistics.median(warm) * 1e3,
        "inspect_warm_ms_min": min(warm) * 1e3,
        "inspect_cold_ms_median": statistics.median(cold_t) * 1e3,
        "inspect_cold_ms_min": min(cold_t) * 1e3,
        "inspect_cold_every_field_ms_median": statistics.median(every_t) * 1e3,
        "inspect_cold_every_field_ms_min": min(every_t) * 1e3,
        "scan_ms_median": statistics.median(scan_t) * 1e3,
        "scan_ms_min": min(scan_t) * 1e3,
        "distributions": float(len(snapshot.distributions)),
    }


def run_interleaved(
    commands: dict[str, list[str]], rounds: int, env: dict[str, str], cwd: Path = ROOT
) -> dict[str, dict[str, float]]:
    """Each round runs every command once, in turn (so a burst of load from the other users of
    the machine hits all of them alike). Per command: median and minimum wall time, and the median
    CPU time (user + sys of the process and its children), which load inflates much less."""
    walls: dict[str, list[float]] = {name: [] for name in commands}
    cpus: dict[str, list[float]] = {name: [] for name in commands}
    for _ in range(rounds):
        for name, cmd in commands.items():
            before = resource.getrusage(resource.RUSAGE_CHILDREN)
            start = time.perf_counter()
            subprocess.run(cmd, env=env, cwd=cwd, capture_output=True, check=False)
            walls[name].append(time.perf_counter() - start)
            after = resource.getrusage(resource.RUSAGE_CHILDREN)
            cpus[name].append(after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime)
    return {
        name: {
            "wall_ms_median": statistics.median(walls[name]) * 1e3,
            "wall_ms_min": min(walls[name]) * 1e3,
            "cpu_ms_median": statistics.median(cpus[name]) * 1e3,
        }
        for name in commands
    }


def bench_freeze(python: Path, rounds: int, baseline: Optional[Path] = None) -> dict[str, float]:
    bindir = Path(sys.executable).parent
    env = {**PIP_ENV, "PIP_NO_INDEX": "1"}
    commands = {
        "python": [sys.executable, "-c", "pass"],  # the floor: a bare interpreter start
        "pinwise": [str(bindir / "pinwise"), "freeze", "--python", str(python)],
        "pip": [sys.executable, "-m", "pip", "--python", str(python), "freeze"],
        "uv": [str(bindir / "uv"), "pip", "freeze", "--python", str(python)],
    }
    if baseline is not None:  # another checkout's Pinwise (say, before a change), same launcher
        launcher = "import sys; sys.path.insert(0, sys.argv.pop(1)); from pinwise.cli import main; "
        launcher += "sys.exit(main())"
        commands["pinwise_baseline"] = [sys.executable, "-c", launcher,
                                        str(baseline / "server"), "freeze", "--python",
                                        str(python)]  # fmt: skip
        commands["pinwise_same_launcher"] = [sys.executable, "-c", launcher, str(ROOT / "server"),
                                             "freeze", "--python", str(python)]  # fmt: skip
    outputs = {
        name: subprocess.run(cmd, env=env, capture_output=True, text=True, check=True).stdout
        for name, cmd in commands.items()
        if name != "python"
    }
    for name, output in outputs.items():
        assert output == outputs["pip"], f"{name} freeze differs from pip freeze"
    figures = run_interleaved(commands, rounds, env)
    result: dict[str, float] = {}
    for name, values in figures.items():
        for key, value in values.items():
            result[f"{name}_{key}"] = value
    pw, pip_t, uv = (figures[n]["wall_ms_median"] for n in ("pinwise", "pip", "uv"))
    result["ratio_pip_over_pinwise"] = pip_t / pw
    result["ratio_pinwise_over_uv"] = pw / uv
    result["cpu_ratio_pip_over_pinwise"] = (
        figures["pip"]["cpu_ms_median"] / figures["pinwise"]["cpu_ms_median"]
    )
    result["cpu_ratio_pinwise_over_uv"] = (
        figures["pinwise"]["cpu_ms_median"] / figures["uv"]["cpu_ms_median"]
    )
    return result


def bench_check_demo(rounds: int) -> dict[str, float]:
    """`pinwise check` on the bundled demo (demo/.venv, built by scripts/demo) vs `pip check`."""
    demo = ROOT / "demo"
    python = demo / ".venv" / "bin" / "python"
    if not python.exists():
        print("  (no demo/.venv: run scripts/demo once to measure `pinwise check` on it)")
        return {}
    bindir = Path(sys.executable).parent
    env = {**PIP_ENV, "PIP_NO_INDEX": "1"}
    commands = {
        "pinwise_check": [str(bindir / "pinwise"), "check", "--python", str(python)],
        "pip_check": [sys.executable, "-m", "pip", "--python", str(python), "check"],
    }
    figures = run_interleaved(commands, rounds, env, cwd=demo)
    result = {f"{n}_{k}": v for n, values in figures.items() for k, v in values.items()}
    result["ratio_pip_over_pinwise"] = (
        figures["pip_check"]["wall_ms_median"] / figures["pinwise_check"]["wall_ms_median"]
    )
    return result


def compile_bytecode() -> None:
    """What an installed Pinwise has: compiled bytecode (pip compiles on install). A checkout run
    with PYTHONDONTWRITEBYTECODE=1 would otherwise compile every module at every start."""
    subprocess.run(
        [sys.executable, "-m", "compileall", "-q", str(ROOT / "server" / "pinwise")],
        check=True,
        capture_output=True,
    )


def loadavg() -> str:
    try:
        return " ".join(Path("/proc/loadavg").read_text().split()[:3])
    except OSError:
        return "n/a"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer repetitions")
    parser.add_argument("--json", help="also write the figures to this file")
    parser.add_argument(
        "--baseline",
        type=Path,
        help="also time `pinwise freeze` from this other checkout (e.g. a git worktree of the "
        "commit before a change), with the same launcher as this one",
    )
    parser.add_argument(
        "--only",
        choices=("parse", "inspect", "freeze", "check"),
        action="append",
        help="run only these sections (repeatable)",
    )
    args = parser.parse_args()
    repeat = 5 if args.quick else 20
    os.environ.pop("VIRTUAL_ENV", None)
    python = build_env()
    compile_bytecode()
    only = set(args.only or ("parse", "inspect", "freeze", "check"))
    figures: dict[str, object] = {"loadavg_before": loadavg()}
    if "inspect" in only:  # first: importing pip's parser (below) grows the heap GC walks
        figures["inspect"] = bench_inspect(python, repeat * 5)
    if "parse" in only:
        figures["parse"] = bench_parse(repeat)
    if "freeze" in only:
        if args.baseline is not None:
            subprocess.run(
                [sys.executable, "-m", "compileall", "-q", str(args.baseline / "server")],
                check=True,
                capture_output=True,
            )
        figures["freeze"] = bench_freeze(python, max(5, repeat), args.baseline)
    if "check" in only:
        figures["check_demo"] = bench_check_demo(max(3, repeat // 2))
    figures["loadavg_after"] = loadavg()
    figures["date"] = time.strftime("%Y-%m-%d %H:%M %Z")
    for section, values in figures.items():
        if not isinstance(values, dict):
            print(f"{section}: {values}")
            continue
        print(f"[{section}]")
        for key, value in values.items():
            print(f"  {key:34} {value:10.2f}")
    if args.json:
        Path(args.json).write_text(json.dumps(figures, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
