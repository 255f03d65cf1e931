"""Engine benchmarks: ratios against pip and uv, measured in the same run on the same machine.

usage: .venv/bin/python benchmarks/bench_engine.py [--quick] [--json OUT]

- parsing: pinwise.reqfile.parse vs pip 26.3's own parser (parse_requirements + building the
  InstallRequirement, what `pip install -r` does before resolving) vs packaging's Requirement
  alone, per 1,000 lines;
- inspection: pinwise.environment.inspect of a 300-distribution venv, in process (marker
  environment cached, as in the server);
- freeze as a process: `pinwise freeze` vs `pip freeze` vs `uv pip freeze`, same venv.

The venv is built once from 300 tiny wheels written here, under .cache/bench/.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from tests.support.builders import PIP_ENV, make_venv, make_wheel, pip  # noqa: E402

CACHE = ROOT / ".cache" / "bench"
N_DISTS = 300


def best_of(fn: Callable[[], object], repeat: int) -> tuple[float, float]:
    """(median, minimum) wall seconds of `fn` over `repeat` runs."""
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
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
        paths.append(make_wheel(wheels, f"bench-pkg-{i}", f"1.{i}.0", requires=requires,
                                summary=f"benchmark package {i}"))
    make_venv(venv)
    pip("install", "--quiet", "--no-deps", *map(str, paths), python=python)
    (venv / ".complete").touch()
    return python


def corpus_lines(n: int) -> str:
    kinds = [
        "requests==2.32.3",
        "Django>=4.2,<5  # web",
        "numpy[extra]==1.26.4 ; python_version >= '3.9'",
        "attrs",
        "pytest>=8.0",
        "scikit-learn~=1.5.0",
        "typing_extensions==4.12.2 ; python_version < '3.12'",
        "# a comment line",
        "",
        "urllib3==2.2.2 --hash=sha256:" + "a" * 64,
    ]
    return "\n".join(kinds[i % len(kinds)].replace("==", f"==1.{i}.", 1)
                     if "==" in kinds[i % len(kinds)] and i % 7 == 0 else kinds[i % len(kinds)]
                     for i in range(n)) + "\n"


def bench_parse(repeat: int) -> dict[str, float]:
    from packaging.requirements import Requirement
    from pip._internal.network.session import PipSession
    from pip._internal.req.constructors import install_req_from_parsed_requirement
    from pip._internal.req.req_file import parse_requirements

    from pinwise.reqfile import parse

    text = corpus_lines(1000)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp, "requirements.txt")
        path.write_text(text)
        session = PipSession()

        def pip_parse() -> None:
            for parsed in parse_requirements(str(path), session=session):
                install_req_from_parsed_requirement(parsed)

        pip_t, _ = best_of(pip_parse, repeat)
    req_lines = [ln.split(" #")[0].split(" --hash")[0] for ln in text.splitlines()
                 if ln and not ln.startswith("#")]

    def packaging_only() -> None:
        for line in req_lines:
            Requirement(line)

    pkg_t, _ = best_of(packaging_only, repeat)

    def pinwise_parse() -> None:
        parse(text, "/tmp/requirements.txt")

    pw_t, _ = best_of(pinwise_parse, repeat)
    return {"pip_ms_per_1000": pip_t * 1e3, "packaging_ms_per_1000": pkg_t * 1e3,
            "pinwise_ms_per_1000": pw_t * 1e3, "ratio_pip_over_pinwise": pip_t / pw_t}


def bench_inspect(python: Path, repeat: int) -> dict[str, float]:
    from pinwise.environment import inspect

    snapshot = inspect(str(python))  # warms the marker-environment cache, as the server does
    assert len(snapshot.distributions) >= N_DISTS, len(snapshot.distributions)
    median, minimum = best_of(lambda: inspect(str(python)), repeat)
    return {"inspect_ms_median": median * 1e3, "inspect_ms_min": minimum * 1e3,
            "distributions": float(len(snapshot.distributions))}


def bench_freeze(python: Path, repeat: int) -> dict[str, float]:
    bindir = Path(sys.executable).parent
    env = {**PIP_ENV, "PIP_NO_INDEX": "1"}
    commands = {
        "pinwise": [str(bindir / "pinwise"), "freeze", "--python", str(python)],
        "pip": [sys.executable, "-m", "pip", "--python", str(python), "freeze"],
        "uv": [str(bindir / "uv"), "pip", "freeze", "--python", str(python)],
    }
    outputs = {}
    result: dict[str, float] = {}
    for name, cmd in commands.items():
        outputs[name] = subprocess.run(cmd, env=env, capture_output=True, text=True,
                                       check=True).stdout
        median, _ = best_of(lambda cmd=cmd: subprocess.run(cmd, env=env, capture_output=True,
                                                           check=True), repeat)
        result[f"{name}_freeze_ms"] = median * 1e3
    assert outputs["pinwise"] == outputs["pip"], "pinwise freeze differs from pip freeze"
    result["ratio_pip_over_pinwise"] = result["pip_freeze_ms"] / result["pinwise_freeze_ms"]
    result["ratio_pinwise_over_uv"] = result["pinwise_freeze_ms"] / result["uv_freeze_ms"]
    return result


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer repetitions")
    parser.add_argument("--json", help="also write the figures to this file")
    args = parser.parse_args()
    repeat = 5 if args.quick else 20
    os.environ.pop("VIRTUAL_ENV", None)
    python = build_env()
    figures = {
        "parse": bench_parse(repeat),
        "inspect": bench_inspect(python, repeat * 5),
        "freeze": bench_freeze(python, max(3, repeat // 2)),
    }
    for section, values in figures.items():
        print(f"[{section}]")
        for key, value in values.items():
            print(f"  {key:28} {value:10.2f}")
    if args.json:
        Path(args.json).write_text(json.dumps(figures, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
