"""`pinwise freeze` recognises its plain options without argparse (for a fast start); whatever it
accepts must mean exactly what argparse makes of it, and anything else goes to argparse."""

from __future__ import annotations

import pytest

from pinwise.cli import _fast_freeze_args, build_parser

ACCEPTED = [
    ["freeze"],
    ["freeze", "--python", "/p/python"],
    ["freeze", "--python=/p/python", "--no-exec"],
    ["freeze", "-r", "a.txt", "--requirement", "b.txt", "--requirement=c.txt"],
    ["freeze", "--all", "--exclude", "pip", "--exclude=wheel", "--exclude-editable"],
    ["freeze", "--python", "a", "--python", "b"],  # the last one wins, as in argparse
    ["freeze", "--no-exec", "--no-exec", "--all"],
]

REFUSED = [
    ["check"],
    [],
    ["freeze", "--help"],
    ["freeze", "-h"],
    ["freeze", "--pyth", "x"],  # an abbreviation: argparse's business
    ["freeze", "-ra.txt"],
    ["freeze", "-r=a.txt"],
    ["freeze", "--python"],
    ["freeze", "--python", "-x"],
    ["freeze", "--python="],
    ["freeze", "--exclude=-x"],
    ["freeze", "extra-positional"],
    ["freeze", "--", "x"],
    ["freeze", "--unknown"],
    ["--version"],
]


@pytest.mark.parametrize("argv", ACCEPTED, ids=" ".join)
def test_fast_arguments_equal_argparse(argv: list[str]) -> None:
    fast = _fast_freeze_args(argv)
    assert fast is not None
    args = build_parser().parse_args(argv)
    assert fast == {
        "python": args.python,
        "no_exec": args.no_exec,
        "requirement_files": args.requirements,
        "all_": args.all,
        "exclude": args.exclude,
        "exclude_editable": args.exclude_editable,
    }


@pytest.mark.parametrize("argv", REFUSED, ids=lambda a: " ".join(a) or "(none)")
def test_anything_else_goes_to_argparse(argv: list[str]) -> None:
    assert _fast_freeze_args(argv) is None
