"""The `pinwise` command line: check, freeze, env, serve.

`pinwise` and `python -m pinwise` are the same program. Exit status: 0 nothing of severity warning
or error was found, 1 something was, 2 a usage error, an unreadable file given on the command
line or an unusable interpreter (one line on stderr).
"""

from __future__ import annotations

# Startup time matters here (`pinwise freeze` should start about as fast as `python -c pass`):
# argparse, typing and the commands are imported only when needed, and `pinwise freeze` with
# plain options is recognised without argparse (anything unusual goes through argparse).
import os
import sys

from pinwise import __version__

TYPE_CHECKING = False
if TYPE_CHECKING:
    import argparse
    from collections.abc import Mapping, Sequence
    from typing import Optional, TextIO

EXIT_OK = 0
EXIT_FINDINGS = 1
EXIT_USAGE = 2


class UsageError(Exception):
    """Ends the program with status 2 and this one-line message on stderr."""


CHECK_EXAMPLES = """\
examples:
  pinwise check                          the requirements files of this folder, against the
                                         environment found as described below
  pinwise check requirements.txt --python .venv/bin/python
  pinwise check demo/                    every requirements file of demo/ (and demo/.venv)
  pinwise check --format json > findings.json
  pinwise check --format github          annotations in a GitHub Actions log
  pinwise check --select PW001,PW003     only these rules
  pinwise check --ignore PW011 --no-exec never run the interpreter (untrusted checkout)

files: with no PATH, the files of the current folder matching requirements*.txt,
  *requirements*.txt, requirements/*.txt, constraints*.txt and *.in, its pyproject.toml and the
  imports of its .py files (PW015, PW016); a folder PATH is searched the same way. -r/-c includes
  are followed. A file another one includes is not a root of its own. When files are named
  (.py and pyproject.toml too, as the pre-commit hook passes them), only their findings are
  shown; the folder's requirements files still say what is declared.
interpreter: --python (a path, an environment folder or a command on PATH), else $VIRTUAL_ENV,
  else .venv/, venv/, env/ in the folder given as PATH (when one folder is given), then in the
  current folder, else python3 on PATH.
settings: [tool.pinwise] of the nearest pyproject.toml (from the first PATH's folder upwards).
exit status: 0 no warnings or errors, 1 some, 2 usage error, unreadable file or unusable
  interpreter.
"""

FREEZE_EXAMPLES = """\
examples:
  pinwise freeze --python .venv/bin/python > requirements.txt
  pinwise freeze -r requirements.txt     keep the file's order, then the rest (as pip does)
  pinwise freeze --all --exclude-editable
"""

ENV_EXAMPLES = """\
examples:
  pinwise env                            a short summary of the environment
  pinwise env --json                     everything, as JSON
  pinwise env --python /usr/bin/python3 --no-exec --json
"""

SERVE_EXAMPLES = """\
examples:
  pinwise serve                          the language server over stdio (what editors start)
  pinwise serve --tcp 127.0.0.1:2087     over TCP, for debugging
"""


def _add_python(parser: argparse.ArgumentParser, no_exec: bool = True) -> None:
    parser.add_argument(
        "--python",
        metavar="PY",
        help="the interpreter whose environment is used (default: see below)",
    )
    if no_exec:
        parser.add_argument(
            "--no-exec",
            action="store_true",
            help="never start the interpreter: read its environment from files alone",
        )


def _parser_class() -> type[argparse.ArgumentParser]:
    import argparse
    from typing import NoReturn

    class _Parser(argparse.ArgumentParser):
        def error(self, message: str) -> NoReturn:
            raise UsageError(f"{self.prog}: {message} (see `{self.prog} --help`)")

    return _Parser


def build_parser() -> argparse.ArgumentParser:
    import argparse

    _Parser = _parser_class()
    parser = _Parser(
        prog="pinwise",
        description="Keep pip requirements files honest against the selected Python environment.",
        epilog="Run `pinwise COMMAND --help` for the options and examples of each command.",
    )
    parser.add_argument("--version", action="version", version=f"pinwise {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)

    check = sub.add_parser(
        "check",
        help="check requirements files, pyproject.toml and imports against the environment",
        description="Check requirements files against the selected environment.",
        epilog=CHECK_EXAMPLES,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    check.add_argument(
        "paths",
        nargs="*",
        metavar="PATH",
        help="requirements files, .py files, pyproject.toml or folders",
    )
    _add_python(check)
    check.add_argument(
        "--format",
        choices=("text", "json", "github"),
        default="text",
        help="output format (default: text)",
    )
    check.add_argument("--select", metavar="CODES", help="only these comma-separated codes")
    check.add_argument("--ignore", metavar="CODES", help="not these comma-separated codes")

    freeze = sub.add_parser(
        "freeze",
        help="print what `pip freeze` prints for the environment, without running pip",
        description="Print exactly what `pip freeze` prints for the environment.",
        epilog=FREEZE_EXAMPLES,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    _add_python(freeze)
    freeze.add_argument(
        "-r",
        "--requirement",
        dest="requirements",
        action="append",
        default=[],
        metavar="FILE",
        help="use the order of FILE (repeatable), as `pip freeze -r`",
    )
    freeze.add_argument(
        "--all", action="store_true", help="do not skip pip, setuptools, wheel, distribute"
    )
    freeze.add_argument(
        "--exclude",
        action="append",
        default=[],
        metavar="NAME",
        help="leave out this distribution (repeatable)",
    )
    freeze.add_argument(
        "--exclude-editable", action="store_true", help="leave out editable installs"
    )

    env = sub.add_parser(
        "env",
        help="show the environment snapshot Pinwise works with",
        description="Show the selected interpreter's environment as Pinwise reads it.",
        epilog=ENV_EXAMPLES,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    _add_python(env)
    env.add_argument("--json", action="store_true", help="print the whole snapshot as JSON")

    serve = sub.add_parser(
        "serve",
        help="run the language server (stdio)",
        description="Run the Pinwise language server, over stdio unless --tcp is given.",
        epilog=SERVE_EXAMPLES,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    serve.add_argument("--tcp", metavar="HOST:PORT", help="listen on TCP instead of stdio")
    return parser


def _codes(value: Optional[str], option: str = "--ignore") -> Optional[list[str]]:
    if value is None:
        return None
    codes = [c.strip() for c in value.split(",") if c.strip()]
    if not codes and option == "--select":
        # `--select "$CODES"` with CODES empty would check nothing and pass: say so instead
        raise UsageError(
            "pinwise check: --select needs at least one rule code (PW001,PW002,...); "
            "leave it out to check every rule"
        )
    return codes


def _serve(tcp: Optional[str]) -> int:
    if tcp is not None:
        host, sep, port = tcp.rpartition(":")
        if not sep or not host or not port.isdigit():
            raise UsageError(f"pinwise serve: --tcp expects HOST:PORT, not {tcp!r}")
    from pinwise.lsp import main as serve_main  # lazily: check/freeze/env need no pygls

    try:
        return serve_main(tcp)
    except ModuleNotFoundError as exc:
        if exc.name not in ("pygls", "lsprotocol", "cattrs"):
            raise
        raise UsageError(
            f"pinwise serve: the language server needs {exc.name}, which is not installed "
            "(pip install pinwise installs it)"
        ) from exc


_FREEZE_FLAGS = frozenset({"--no-exec", "--all", "--exclude-editable"})
_FREEZE_VALUES = frozenset({"--python", "-r", "--requirement", "--exclude"})


def _fast_freeze_args(argv: Sequence[str]) -> Optional[dict[str, object]]:
    """The arguments of `pinwise freeze ...` when they are all plain, exactly spelled options
    (`--python PY`, `--python=PY`, `-r F`, `--all`, ...), as keyword arguments of
    `commands.freeze`; None for anything else, which goes through argparse (help, abbreviations,
    `-rFILE`, values starting with `-`, errors)."""
    if not argv or argv[0] != "freeze":
        return None
    flags: set[str] = set()
    python: Optional[str] = None
    requirement_files: list[str] = []
    exclude: list[str] = []
    args = list(argv[1:])
    i = 0
    while i < len(args):
        arg = args[i]
        i += 1
        if arg in _FREEZE_FLAGS:
            flags.add(arg)
            continue
        option, eq, value = arg.partition("=")
        if option not in _FREEZE_VALUES or (eq and option == "-r"):
            return None
        if not eq:
            if i >= len(args):
                return None
            value = args[i]
            i += 1
        if not value or value.startswith("-"):
            return None
        if option == "--python":
            python = value  # the last one wins, as in argparse
        elif option == "--exclude":
            exclude.append(value)
        else:
            requirement_files.append(value)
    return {
        "python": python,
        "no_exec": "--no-exec" in flags,
        "requirement_files": requirement_files,
        "all_": "--all" in flags,
        "exclude": exclude,
        "exclude_editable": "--exclude-editable" in flags,
    }


def run(
    argv: Sequence[str],
    *,
    stdout: TextIO,
    stderr: TextIO,
    cwd: str,
    environ: Mapping[str, str],
) -> int:
    """The whole program, with its streams, folder and environment passed in (for tests)."""
    if list(argv) == ["serve"]:  # what editors start: no argparse (start-up time matters)
        return _serve(None)
    fast = _fast_freeze_args(argv)
    if fast is not None:
        from pinwise.cli import commands

        return commands.freeze(**fast, stdout=stdout, stderr=stderr, cwd=cwd, environ=environ)  # type: ignore[arg-type]
    parser = build_parser()
    args = parser.parse_args(list(argv))
    if args.command is None:  # a usage error: one line on stderr, as every other
        stderr.write("pinwise: a command is needed: check, freeze, env or serve (pinwise --help)\n")
        return EXIT_USAGE
    if args.command == "serve":
        return _serve(args.tcp)
    from pinwise.cli import commands

    if args.command == "check":
        return commands.check(
            paths=args.paths,
            python=args.python,
            no_exec=args.no_exec,
            output_format=args.format,
            select=_codes(args.select, "--select"),
            ignore=_codes(args.ignore) or [],
            stdout=stdout,
            stderr=stderr,
            cwd=cwd,
            environ=environ,
        )
    if args.command == "freeze":
        return commands.freeze(
            python=args.python,
            no_exec=args.no_exec,
            requirement_files=args.requirements,
            all_=args.all,
            exclude=args.exclude,
            exclude_editable=args.exclude_editable,
            stdout=stdout,
            stderr=stderr,
            cwd=cwd,
            environ=environ,
        )
    return commands.env(
        python=args.python,
        no_exec=args.no_exec,
        as_json=args.json,
        stdout=stdout,
        cwd=cwd,
        environ=environ,
    )


def execute(
    argv: Sequence[str],
    *,
    stdout: TextIO,
    stderr: TextIO,
    cwd: str,
    environ: Mapping[str, str],
) -> int:
    """`run` with the error handling of the real program: usage errors become status 2."""
    try:
        return run(argv, stdout=stdout, stderr=stderr, cwd=cwd, environ=environ)
    except UsageError as exc:
        print(str(exc), file=stderr)
        return EXIT_USAGE
    except SystemExit as exc:  # --help, --version
        return exc.code if isinstance(exc.code, int) else EXIT_USAGE
    except KeyboardInterrupt:
        print("pinwise: interrupted", file=stderr)
        return 130
    except BrokenPipeError:
        # `pinwise check | head`: the reader went away; say nothing more.
        try:  # noqa: SIM105 (contextlib is not imported for this)
            os.dup2(os.open(os.devnull, os.O_WRONLY), stdout.fileno())
        except (OSError, ValueError):
            pass
        return EXIT_FINDINGS
    except Exception as exc:  # a bug: one line, the details only on request
        if environ.get("PINWISE_DEBUG"):
            raise
        print(
            f"pinwise: internal error: {type(exc).__name__}: {exc} "
            "(set PINWISE_DEBUG=1 for the traceback, and please report it)",
            file=stderr,
        )
        return EXIT_USAGE


def main(argv: Optional[Sequence[str]] = None) -> int:
    """Entry point of the `pinwise` console script and of `python -m pinwise`."""
    args = list(sys.argv[1:] if argv is None else argv)
    code = execute(args, stdout=sys.stdout, stderr=sys.stderr, cwd=os.getcwd(), environ=os.environ)
    if argv is None and args[:1] == ["freeze"]:
        _exit_now(code)
    return code


def _exit_now(code: int) -> None:
    """End the `pinwise freeze` process without the interpreter's teardown (freeing every module
    and object costs about a tenth of the whole run). Only for the program itself (main() called
    without arguments): nothing is registered with atexit on this path and the output is flushed
    here; if flushing fails, the normal exit reports it."""
    try:
        sys.stdout.flush()
        sys.stderr.flush()
    except (OSError, ValueError):
        return
    os._exit(code)


__all__ = [
    "EXIT_FINDINGS",
    "EXIT_OK",
    "EXIT_USAGE",
    "UsageError",
    "build_parser",
    "execute",
    "main",
    "run",
]
