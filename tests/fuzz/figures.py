"""Fuzzing budget, seed and figures: every property test runs through `run_property`.

Environment variables (the `make fuzz` target sets them; the normal test run leaves them unset):
- `FUZZ_SEED` (default 20261126): the seed of the first round; round i uses `FUZZ_SEED + i`.
- `FUZZ_SECONDS` (default 0): total time budget for the fuzz properties of the session, shared
  equally between the property tests collected. 0 means one short round per property.
- `FUZZ_EXAMPLES` (default 60; `make fuzz` uses more): examples per round.
- The hypothesis profile is `pinwise-ci` (short) or `pinwise-nightly` (with a budget); it is
  applied to the fuzz tests only (`@FUZZ`).

What each run tried (examples, rounds, seconds, outcome per property) is written by
tests/fuzz/conftest.py to `test-artifacts/fuzz-figures-<profile>.json`, which
`fuzz/reliability_report.py` turns into the figures of docs/reliability.md.
"""

from __future__ import annotations

import functools
import os
import time
from collections.abc import Callable
from typing import Any

from hypothesis import HealthCheck, settings
from hypothesis import seed as hypothesis_seed

SEED = int(os.environ.get("FUZZ_SEED", "20261126"))
SECONDS = float(os.environ.get("FUZZ_SECONDS", "0") or 0)
EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "60") or 60)
PROFILE = "pinwise-nightly" if SECONDS > 0 else "pinwise-ci"

settings.register_profile(
    PROFILE,
    max_examples=EXAMPLES,
    deadline=None,
    database=None,  # rounds are reproducible from the seed alone
    print_blob=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)
# Applied to the fuzz tests only (`@FUZZ`), so the rest of the suite keeps its own settings.
FUZZ = settings.get_profile(PROFILE)

# property name -> {"examples", "rounds", "seconds", "test"}; filled by run_property
RESULTS: dict[str, dict[str, Any]] = {}
# per-property budget, set by conftest once the property tests are collected
BUDGET = {"per_property": 0.0, "properties": 0}
_current: dict[str, str] = {}


def counted(name: str) -> Callable[[Callable[..., None]], Callable[..., None]]:
    """Count each example the wrapped property body is called with."""

    def wrap(body: Callable[..., None]) -> Callable[..., None]:
        @functools.wraps(body)
        def inner(*args: Any, **kwargs: Any) -> None:
            RESULTS.setdefault(name, {"examples": 0, "rounds": 0, "seconds": 0.0})
            RESULTS[name]["examples"] += 1
            body(*args, **kwargs)

        return inner

    return wrap


def run_property(name: str, test: Callable[[], None], description: str = "") -> None:
    """Run a `@given` test in rounds with seeds SEED, SEED+1, ... until the budget is spent."""
    entry = RESULTS.setdefault(name, {"examples": 0, "rounds": 0, "seconds": 0.0})
    entry["test"] = os.environ.get("PYTEST_CURRENT_TEST", "").rsplit(" ", 1)[0]
    entry["description"] = description
    entry["seed"] = SEED
    budget = BUDGET["per_property"]
    started = time.monotonic()
    round_index = 0
    try:
        while True:
            hypothesis_seed(SEED + round_index)(test)
            test()
            round_index += 1
            if budget <= 0 or time.monotonic() - started >= budget:
                break
    finally:
        entry["rounds"] = round_index
        entry["seconds"] = round(time.monotonic() - started, 2)
        entry["last_seed"] = SEED + round_index
