"""Every process Pinwise starts, audited: an argument list (never a shell), a timeout or a
user-controlled cancellation, reaped. A source guard (this file) fails when a new call site
appears that is not in the audit table below, or when any call uses a shell; the behavioural
tests are in test_faults_interpreter.py (a hanging interpreter is killed after the timeout),
test_faults_install.py (no pip left behind when the client vanishes) and test_trust.py
(nothing runs in an untrusted workspace, nothing but the isolated interpreter run otherwise)."""

from __future__ import annotations

import ast
from pathlib import Path

SERVER = Path(__file__).resolve().parents[2] / "server" / "pinwise"

# (file, enclosing function) -> how it is bounded and reaped
AUDIT = {
    ("environment/interpreter.py", "_run_once"): (
        "[interpreter, -I, -S, -c, script]; stdin closed; own process group; "
        "communicate(timeout) then killpg(SIGKILL) + wait; only when trusted (allow_exec)"
    ),
    ("lsp/commands.py", "run_with_progress"): (
        "pip install / python -m venv, only on an explicit command in a trusted workspace; "
        "argument list; own process group; output read to EOF then wait(); cancelling the "
        "progress (or the request) kills the group; no timeout: an install may take long"
    ),
}
FORBIDDEN_ATTRS = {"system", "popen", "create_subprocess_shell", "startfile"}
PROCESS_CALLS = {
    "Popen",
    "run",
    "call",
    "check_call",
    "check_output",
    "getoutput",
    "getstatusoutput",
    "create_subprocess_exec",
    "create_subprocess_shell",
    "system",
    "popen",
    "execv",
    "execve",
    "execvp",
    "spawnv",
    "posix_spawn",
}
MODULES = {"subprocess", "asyncio", "os"}


def call_sites() -> list[tuple[str, str, ast.Call]]:
    found: list[tuple[str, str, ast.Call]] = []
    for path in sorted(SERVER.rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        rel = path.relative_to(SERVER).as_posix()
        for func in ast.walk(tree):
            if not isinstance(func, (ast.FunctionDef, ast.AsyncFunctionDef)):
                continue
            for node in ast.walk(func):
                if not isinstance(node, ast.Call) or not isinstance(node.func, ast.Attribute):
                    continue
                owner = node.func.value
                if (
                    node.func.attr in PROCESS_CALLS
                    and isinstance(owner, ast.Name)
                    and owner.id in MODULES
                ):
                    found.append((rel, func.name, node))
    return found


def test_every_process_call_is_audited() -> None:
    sites = call_sites()
    seen = {(rel, name) for rel, name, _ in sites}
    assert seen == set(AUDIT), (
        f"process call sites changed: new {sorted(seen - set(AUDIT))}, "
        f"gone {sorted(set(AUDIT) - seen)}: audit them in this file"
    )


def test_no_shell_anywhere() -> None:
    for path in sorted(SERVER.rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if not isinstance(node, ast.Call):
                continue
            for keyword in node.keywords:
                assert not (
                    keyword.arg == "shell"
                    and not (isinstance(keyword.value, ast.Constant) and not keyword.value.value)
                ), f"{path}:{node.lineno}: shell=..."
            if isinstance(node.func, ast.Attribute) and node.func.attr in FORBIDDEN_ATTRS:
                owner = node.func.value
                if isinstance(owner, ast.Name) and owner.id in MODULES:
                    raise AssertionError(f"{path}:{node.lineno}: {owner.id}.{node.func.attr}")


def test_each_call_is_an_argument_list_with_its_bounds() -> None:
    for rel, name, node in call_sites():
        first = node.args[0] if node.args else None
        assert not isinstance(first, (ast.Constant, ast.JoinedStr)), (
            f"{rel}:{node.lineno}: a command string"
        )
        source = (SERVER / rel).read_text(encoding="utf-8")
        func = next(
            f
            for f in ast.walk(ast.parse(source))
            if isinstance(f, (ast.FunctionDef, ast.AsyncFunctionDef)) and f.name == name
        )
        body = ast.get_source_segment(source, func) or ""
        assert "start_new_session" in body, f"{rel}:{name}: not in its own process group"
        assert "DEVNULL" in body, f"{rel}:{name}: stdin left open"
        assert "killpg" in body or "_kill(" in body, f"{rel}:{name}: never killed"
        if name == "_run_once":
            assert "timeout=timeout" in body, f"{rel}:{name}: no timeout"
            assert "wait(" in source, f"{rel}: the killed process is not reaped"
        else:
            assert "await proc.wait()" in body, f"{rel}:{name}: not reaped"
