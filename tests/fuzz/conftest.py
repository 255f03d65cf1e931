"""Fuzz session bookkeeping: share the time budget, write the figures JSON at the end."""

from __future__ import annotations

import datetime
import json
import os
from pathlib import Path
from typing import Any

import pytest

from tests.fuzz import figures

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
_outcomes: dict[str, str] = {}


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    count = sum(1 for item in items if item.get_closest_marker("fuzz_property") is not None)
    figures.BUDGET["properties"] = count
    figures.BUDGET["per_property"] = figures.SECONDS / count if count and figures.SECONDS else 0.0


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "fuzz_property: a property test run in budgeted rounds")


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    if (report.when == "call" or report.outcome != "passed") and (
        report.nodeid not in _outcomes or report.outcome != "passed"
    ):
        _outcomes[report.nodeid] = report.outcome


def pytest_sessionfinish(session: pytest.Session) -> None:
    if not figures.RESULTS:
        return
    properties: dict[str, Any] = {}
    for name, entry in sorted(figures.RESULTS.items()):
        item = dict(entry)
        item["outcome"] = _outcomes.get(str(entry.get("test", "")), "unknown")
        properties[name] = item
    data = {
        "profile": figures.PROFILE,
        "seed": figures.SEED,
        "budget_seconds": figures.SECONDS,
        "examples_per_round": figures.EXAMPLES,
        "finished": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
        "properties": properties,
        "total_examples": sum(int(p["examples"]) for p in properties.values()),
        "pip": _pip_version(),
    }
    ARTIFACTS.mkdir(exist_ok=True)
    out = ARTIFACTS / f"fuzz-figures-{figures.PROFILE}.json"
    tmp = out.with_suffix(".tmp")
    tmp.write_text(json.dumps(data, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    os.replace(tmp, out)


def _pip_version() -> str:
    try:
        from importlib.metadata import version

        return version("pip")
    except Exception:
        return "unknown"
