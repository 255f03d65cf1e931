"""`workspace/executeCommand`: install missing, create a venv, freeze, pin all, refresh, status.

Whatever runs code (the interpreter, pip, venv) is an asyncio subprocess, never a blocking call on
the event loop, and refuses to run in an untrusted workspace.
"""

from __future__ import annotations

import asyncio
import importlib.util
import logging
import os
import re
import shlex
import signal
import sys
import tempfile
import uuid
from collections.abc import Sequence
from typing import Any, Optional

from lsprotocol import types
from pygls.capabilities import get_capability

from pinwise.lsp import actions, collector, diagnostics, folders, project, status, watching
from pinwise.lsp.documents import is_requirements_name, path_to_uri, uri_to_path
from pinwise.lsp.edits import workspace_edit
from pinwise.lsp.heap import HEAP
from pinwise.lsp.logs import SECRET_VALUES, scrub
from pinwise.lsp.server import PinwiseServer
from pinwise.lsp.state import DocState, EnvState, FolderState
from pinwise.reqfile.model import LineKind, RequirementForm, RequirementsSet

logger = logging.getLogger(__name__)
ENV_REFERENCE = re.compile(r"\$\{([A-Z0-9_]+)\}")  # pip's ${VAR}

INSTALL_OPTIONS = frozenset(
    {
        "--index-url",
        "--extra-index-url",
        "--no-index",
        "--find-links",
        "--trusted-host",
        "--pre",
        "--prefer-binary",
        "--only-binary",
        "--no-binary",
    }
)
UNTRUSTED = (
    "Pinwise: {what} is disabled in an untrusted workspace: it would run {runs}. "
    "Trust the workspace to allow it."
)


class CommandRefused(Exception):
    """The command cannot run; the message says why and what to do."""


def _refuse_untrusted(ls: PinwiseServer, what: str, runs: str) -> None:
    if not ls.trusted:
        raise CommandRefused(UNTRUSTED.format(what=what, runs=runs))


def _uri_arg(args: Sequence[Any]) -> Optional[str]:
    """The document or folder URI a command was given (None: none, the command's default).
    Anything else is refused: falling back to a default would act on another file."""
    for arg in args:
        value: Any = arg
        if isinstance(arg, dict):
            value = None
            for key in ("uri", "folder", "textDocument"):
                value = arg.get(key)
                if isinstance(value, dict):
                    value = value.get("uri")
                if value is not None:
                    break
        if value is None:
            continue
        if isinstance(value, str) and value.startswith(("file:", "untitled:")):
            return value
        raise CommandRefused(
            f"Pinwise: expected the URI of a file or folder (file:///...), not {value!r}."
        )
    return None


async def _doc_for(ls: PinwiseServer, uri: Optional[str]) -> Optional[DocState]:
    if uri is not None and uri in ls.docs:
        await ls.folder_for(ls.docs[uri].path).ready.wait()
        await diagnostics.ensure_current(ls, uri)
        return actions.current_doc(ls, uri)
    return None


def _holding_folder(ls: PinwiseServer, path: str) -> FolderState:
    """The innermost folder the server knows that holds `path` (never a new one: a command's
    argument must not add folders), or a refusal that says what to do."""
    best: Optional[FolderState] = None
    for folder in ls.folders.values():
        if folder.contains(path) and (best is None or len(folder.path) > len(best.path)):
            best = folder
    if best is None:
        raise CommandRefused(
            f"Pinwise: {path} is outside the open workspace folders: open its folder first."
        )
    return best


async def _folder_for(ls: PinwiseServer, uri: Optional[str]) -> Optional[FolderState]:
    """The folder of `uri` (a folder or a file), once its interpreter is known."""
    path = uri_to_path(uri) if uri else None
    folder: Optional[FolderState]
    if path is not None:
        if uri is not None and uri.rstrip("/") in ls.folders:
            folder = ls.folders[uri.rstrip("/")]
        else:
            folder = _holding_folder(ls, path)
    else:
        folder = next(iter(ls.folders.values()), None)
    if folder is not None:
        await folder.ready.wait()
    return folder


async def _requirements_doc(
    ls: PinwiseServer, uri: str, what: str, kinds: tuple[str, ...] = (project.REQUIREMENTS,)
) -> DocState:
    """The document `uri` (of one of `kinds`) with an analysis of its current text: open, or a
    requirements file read from disk (a file explorer's command on a file that is not open)."""
    doc = await _doc_for(ls, uri)
    if doc is not None:
        if doc.kind not in kinds:
            raise CommandRefused(f"Pinwise: {what} works on requirements files, not {doc.path}.")
        return doc
    path = uri_to_path(uri)
    if path is None or not os.path.isfile(path) or not is_requirements_name(path):
        raise CommandRefused(
            f"Pinwise: {what} needs a requirements file (requirements*.txt, constraints*.txt, "
            f"*.in, requirements/*.txt), not {path or uri}."
        )
    await _holding_folder(ls, path).ready.wait()
    doc = await diagnostics.analyse_closed(ls, path)
    if uri in ls.docs:  # opened meanwhile: its buffer, not the disk, is what an edit must fit
        return await _requirements_doc(ls, uri, what, kinds)
    return doc


# -- install missing ---------------------------------------------------------------------------


def missing_requirements(doc: DocState) -> list[tuple[list[str], tuple[str, ...]]]:
    """The missing requirements (PW002) of this document's set: pip arguments, and hashes."""
    found: list[tuple[list[str], tuple[str, ...]]] = []
    seen: set[str] = set()
    reqset = doc.reqset
    if reqset is None:
        return found
    for finding in doc.all_findings:
        if finding.code != "PW002":
            continue
        file = reqset.files.get(finding.path)
        if file is None:
            continue
        for line in file.logical_lines:
            req = line.requirement
            if req is None or not (line.span.start <= finding.span.start <= line.span.end):
                continue
            if req.form == RequirementForm.NAMED and req.name:
                text = req.name
                if req.extras:
                    text += "[" + ",".join(req.extras) + "]"
                text += req.specifier
                if req.marker:
                    text += "; " + req.marker
                item = [text]
            elif req.url:
                url = req.url
                if req.form == RequirementForm.PATH and not os.path.isabs(url):
                    url = os.path.join(os.path.dirname(file.path), url)
                text = f"{req.name} @ {url}" if req.form == RequirementForm.NAMED_URL else url
                item = ["-e", text] if req.editable else [text]
            else:
                continue
            key = " ".join(item)
            if key not in seen:
                seen.add(key)
                found.append((item, tuple(f"{h.algorithm}:{h.value}" for h in req.hashes)))
            break
    return found


def remember_expanded_values(reqset: RequirementsSet) -> None:
    """The values of the ${VAR}s this set expands go to pip, which may echo them: mask them in
    every log line and message (pinwise.lsp.logs.scrub)."""
    for file in reqset.files.values():
        for line in file.logical_lines:
            if line.expanded:
                for name in ENV_REFERENCE.findall(line.raw_text):
                    value = os.environ.get(name, "")
                    if len(value) >= 3:
                        SECRET_VALUES.add(value)


def hash_checking(reqset: RequirementsSet) -> bool:
    """Whether pip would install this set in hash-checking mode."""
    for file in reqset.files.values():
        for line in file.logical_lines:
            if line.requirement is not None and line.requirement.hashes:
                return True
            if any(o.name == "--require-hashes" for o in line.options):
                return True
    return False


def requirements_file_text(missing: list[tuple[list[str], tuple[str, ...]]]) -> str:
    """A requirements file for the missing requirements, each with its `--hash` options (pip
    accepts hashes only in a file)."""
    lines = []
    for item, hashes in missing:
        text = " ".join(_file_words(item))
        lines.append(" ".join([text, *(f"--hash={h}" for h in hashes)]))
    return "".join(line + "\n" for line in lines)


def _file_words(item: Sequence[str]) -> list[str]:
    """An option and its value as words of a requirements-file line: pip splits an option line
    like a shell, so a value with a space is quoted (one with `${VAR}` is left for pip to
    expand: a variable is never quoted). A requirement alone is taken whole."""
    if len(item) < 2:
        return list(item)
    return [item[0], *(v if "${" in v else shlex.quote(v) for v in item[1:])]


def index_args(reqset: RequirementsSet) -> list[list[str]]:
    """The index options written in the files (`--no-index`, `--find-links DIR`, ...), each
    with its value."""
    groups: list[list[str]] = []
    for file in reqset.files.values():
        base = os.path.dirname(file.path)
        for line in file.logical_lines:
            if line.kind != LineKind.OPTIONS:
                continue
            for option in line.options:
                if option.name not in INSTALL_OPTIONS:
                    continue
                group = [option.name]
                if option.value is not None:
                    value = option.value.text
                    if option.name == "--find-links" and "${" not in value:
                        candidate = os.path.join(base, value)
                        if os.path.exists(candidate):
                            value = candidate
                    group.append(value)
                if group not in groups:
                    groups.append(group)
    return groups


def option_lines(groups: Sequence[Sequence[str]]) -> str:
    """Options as lines of a requirements file (where pip, and uv, expand their ${VAR}s)."""
    return "".join(" ".join(_file_words(group)) + "\n" for group in groups)


ENSUREPIP_ACTION = "Install pip (ensurepip)"


def uv_args(args: Sequence[str]) -> list[str]:
    """pip's index options as `uv pip install` spells them."""
    out: list[str] = []
    items = list(args)
    i = 0
    while i < len(items):
        arg = items[i]
        i += 1
        if arg == "--trusted-host" and i < len(items):
            out += ["--allow-insecure-host", items[i]]
            i += 1
        elif arg == "--pre":
            out += ["--prerelease", "allow"]
        elif arg == "--prefer-binary":
            continue  # uv has no such preference
        else:
            out.append(arg)
    return out


async def install_command(ls: PinwiseServer, env: EnvState, cwd: str) -> tuple[list[str], str]:
    """The install command for the environment (before its arguments) and the installer's kind:
    its own pip; else `uv pip install --python` when uv is on PATH; else Pinwise's own pip
    (`pip --python`); else, once the user agrees, ensurepip first and then its pip."""
    from pinwise import installers

    chosen = installers.choose_installer(env.interpreter, env.snapshot)
    if chosen.kind != installers.ENSUREPIP:
        return list(chosen.argv), chosen.kind
    if importlib.util.find_spec("pip") is not None:
        # The environment has no pip of its own: drive it with ours (pip >= 22.3 `--python`).
        return [sys.executable, "-m", "pip", "--python", env.interpreter, "install"], "pip"
    message = f"Pinwise: {chosen.message}"
    try:
        choice = await ls.window_show_message_request_async(
            types.ShowMessageRequestParams(
                type=types.MessageType.Warning,
                message=message,
                actions=[types.MessageActionItem(title=ENSUREPIP_ACTION)],
            )
        )
    except Exception as exc:
        logger.debug("showMessageRequest failed: %s", exc)
        choice = None
    if choice is None or choice.title != ENSUREPIP_ACTION:
        raise CommandRefused(message)
    code, output = await run_with_progress(ls, "Installing pip", list(chosen.argv), cwd)
    await watching.reload(ls, env)
    if code != 0:
        raise CommandRefused(f"Pinwise: ensurepip failed: {_failure_line(output)}")
    return [env.interpreter, "-m", "pip", "install"], "pip"


async def run_with_progress(
    ls: PinwiseServer, title: str, argv: list[str], cwd: str
) -> tuple[int, list[str]]:
    """Run argv, report each output line as progress, log it all; kill it on cancellation."""
    token = f"pinwise-{uuid.uuid4()}"
    progress = bool(get_capability(ls.client_capabilities, "window.work_done_progress", False))
    if progress:
        try:
            await ls.work_done_progress.create_async(token)
        except Exception as exc:
            logger.debug("progress refused: %s", exc)
            progress = False
    logger.info("running: %s (in %s)", " ".join(argv), cwd)
    env = {
        **os.environ,
        "PIP_DISABLE_PIP_VERSION_CHECK": "1",
        "PIP_NO_INPUT": "1",
        "PYTHONUNBUFFERED": "1",
    }
    proc = await asyncio.create_subprocess_exec(
        *argv,
        cwd=cwd,
        stdin=asyncio.subprocess.DEVNULL,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT,
        env=env,
        # Its own process group: `pip --python` re-runs pip in the target interpreter, and
        # cancelling must stop that child too.
        start_new_session=os.name == "posix",
    )
    cancelled = False

    def on_cancel(_: object) -> None:
        nonlocal cancelled
        cancelled = True
        if proc.returncode is None:
            logger.info("cancelled: stopping %s", " ".join(argv[:3]))
            try:
                if os.name == "posix":
                    os.killpg(proc.pid, signal.SIGKILL)
                else:
                    proc.kill()
            except ProcessLookupError:
                pass

    if progress:
        ls.work_done_progress.begin(
            token,
            types.WorkDoneProgressBegin(title=title, cancellable=True, message=scrub(argv[-1])),
        )
        future = ls.work_done_progress.tokens.get(token)
        if future is not None:
            future.add_done_callback(on_cancel)
    output: list[str] = []
    try:
        assert proc.stdout is not None
        while True:
            raw = await proc.stdout.readline()
            if not raw:
                break
            line = raw.decode("utf-8", "replace").rstrip()
            if not line:
                continue
            output.append(line)
            logger.info("%s", line)
            if progress:
                ls.work_done_progress.report(
                    token, types.WorkDoneProgressReport(message=scrub(line))
                )
        code = await proc.wait()
    except asyncio.CancelledError:
        on_cancel(None)
        raise
    finally:
        if progress:
            message = "cancelled" if cancelled else ("done" if proc.returncode == 0 else "failed")
            ls.work_done_progress.end(token, types.WorkDoneProgressEnd(message=message))
            ls.work_done_progress.tokens.pop(token, None)
    if cancelled:
        return -1, output
    return code, output


def _failure_line(output: list[str]) -> str:
    for line in reversed(output):
        if line.startswith("ERROR:"):
            return line
    return output[-1] if output else "no output"


async def install_missing(ls: PinwiseServer, uri: Optional[str]) -> dict[str, Any]:
    """Install the missing requirements of `uri`'s set, or of every open document's: one
    installer run per document, each into its own folder's environment, with its own files'
    index options and hash-checking mode, as `pip install -r` of that file would."""
    _refuse_untrusted(ls, "Install missing requirements", "pip in the selected environment")
    if uri is not None:
        kinds = (project.REQUIREMENTS, project.PYPROJECT)
        docs = [await _requirements_doc(ls, uri, "Install missing requirements", kinds)]
    else:
        docs = [d for d in [await _doc_for(ls, u) for u in list(ls.docs)] if d]
    if not docs:
        raise CommandRefused("Pinwise: open a requirements file to install what it is missing.")
    runs: list[tuple[EnvState, DocState, list[tuple[list[str], tuple[str, ...]]]]] = []
    planned: set[tuple[int, str]] = set()  # (environment, requirement) already in a run
    usable = 0
    for doc in docs:
        env = ls.folder_for(doc.path).env
        if env is None or env.snapshot is None:
            if uri is not None:
                raise CommandRefused(
                    "Pinwise: no usable interpreter for this folder: select one "
                    "(setting pinwise.interpreter)."
                )
            logger.info("%s: not installed into, its folder has no usable interpreter", doc.path)
            continue
        usable += 1
        missing = [m for m in missing_requirements(doc) if (id(env), " ".join(m[0])) not in planned]
        planned.update((id(env), " ".join(m[0])) for m in missing)
        if missing:
            runs.append((env, doc, missing))
    if not runs:
        if not usable:
            raise CommandRefused(
                "Pinwise: no usable interpreter for the open files' folders: select one "
                "(setting pinwise.interpreter)."
            )
        return {"ok": True, "installed": [], "message": "nothing is missing"}
    installed: list[str] = []
    output: list[str] = []
    kind = None
    for env, doc, missing in runs:
        result = await _install_into(ls, env, doc, missing)
        installed += result.get("installed", [])
        output += result.get("output", [])
        kind = result.get("installer", kind)
        if not result["ok"]:
            return {**result, "installed": installed, "output": output}
    return {"ok": True, "installed": installed, "installer": kind, "output": output}


async def _install_into(
    ls: PinwiseServer,
    env: EnvState,
    doc: DocState,
    missing: list[tuple[list[str], tuple[str, ...]]],
) -> dict[str, Any]:
    """One installer run: `missing` (of `doc`'s set) into `env`."""
    assert doc.reqset is not None
    remember_expanded_values(doc.reqset)
    hashed = hash_checking(doc.reqset)
    groups = index_args(doc.reqset)
    # Options written with ${VAR} go to the installer in a file, where it expands them (the
    # value never appears on a command line); the others stay on it (uv needs `--pre` there).
    in_file = [g for g in groups if any("${" in arg for arg in g)]
    options = [arg for g in groups if g not in in_file for arg in g]
    names = [" ".join(item) for item, _ in missing]
    cwd = os.path.dirname(doc.path)
    with tempfile.TemporaryDirectory(prefix="pinwise-") as scratch:
        command, kind = await install_command(ls, env, cwd)
        variables = any(ENV_REFERENCE.search(" ".join(item)) for item, _ in missing)
        if hashed or variables or in_file:
            # Hash-checking mode, as `pip install -r` of the file would be: hashes only work in
            # a requirements file, so the missing lines go to one, with their hashes. A URL
            # written with ${VAR} goes there too: pip expands variables in files only.
            listing = os.path.join(scratch, "missing-requirements.txt")
            with open(listing, "w", encoding="utf-8") as handle:
                handle.write(option_lines(in_file) + requirements_file_text(missing))
            targets = ["--require-hashes", "-r", listing] if hashed else ["-r", listing]
        else:
            targets = [arg for item, _ in missing for arg in item]
        if kind == "uv":
            options = uv_args(options)
        argv = [*command, *options, *targets]
        code, output = await run_with_progress(ls, "Installing missing requirements", argv, cwd)
    await watching.reload(ls, env)
    output = [scrub(line) for line in output]
    names = [scrub(name) for name in names]
    if code == -1:
        return {"ok": False, "cancelled": True, "output": output}
    if code != 0:
        message = (
            f"Pinwise: {'uv pip' if kind == 'uv' else 'pip'} install failed "
            f"(exit status {code}): {_failure_line(output)} "
            "(full output in the Pinwise log)"
        )
        ls.show_error(message)
        return {"ok": False, "exitCode": code, "message": message, "output": output}
    logger.info("installed into %s: %s", env.interpreter, ", ".join(names))
    return {"ok": True, "installed": names, "installer": kind, "output": output}


# -- create a venv -----------------------------------------------------------------------------


async def create_venv(ls: PinwiseServer, uri: Optional[str]) -> dict[str, Any]:
    _refuse_untrusted(ls, "Create a virtual environment", "Python's venv module")
    folder = await _folder_for(ls, uri)
    if folder is None:
        raise CommandRefused("Pinwise: open a folder to create a virtual environment in it.")
    path = uri_to_path(uri) if uri else None
    if path is not None and os.path.isdir(path) and path != folder.path:
        raise CommandRefused(
            f"Pinwise: the virtual environment goes in the workspace folder ({folder.path}), "
            f"whose files are checked against it, not in {path}. Open {path} as a workspace "
            "folder to give it an environment of its own."
        )
    target = os.path.join(folder.path, ".venv")
    if os.path.exists(target):
        raise CommandRefused(f"Pinwise: {target} already exists; select it as the interpreter.")
    base = sys.executable
    snapshot = folder.env.snapshot if folder.env else None
    if snapshot is not None and not snapshot.interpreter.is_venv:
        base = snapshot.interpreter.path
    code, output = await run_with_progress(
        ls, "Creating .venv", [base, "-m", "venv", target], folder.path
    )
    if code != 0:
        message = f"Pinwise: `python -m venv .venv` failed: {_failure_line(output)}"
        ls.show_error(message)
        return {"ok": False, "message": message}
    interpreter = os.path.join(target, "Scripts" if os.name == "nt" else "bin", "python")
    if folder.interpreter_source == "discovered":
        await folders.resolve_folder(ls, folder)
        diagnostics.schedule_all(ls, delay=0.0, folder_uri=folder.uri)
        status.send_if_changed(ls, folder)
        ls.spawn(_offer_install(ls, folder), "offer install")
    else:
        ls.window_show_message(
            types.ShowMessageParams(
                type=types.MessageType.Info,
                message=f"Pinwise: created {target}. Select {interpreter} as the interpreter.",
            )
        )
    return {"ok": True, "interpreter": interpreter}


async def _offer_install(ls: PinwiseServer, folder: FolderState) -> None:
    docs = [d for d in ls.docs.values() if folder.contains(d.path)]
    if not docs:
        return
    try:
        choice = await ls.window_show_message_request_async(
            types.ShowMessageRequestParams(
                type=types.MessageType.Info,
                message="Pinwise: install the requirements into the new .venv?",
                actions=[types.MessageActionItem(title="Install")],
            )
        )
    except Exception as exc:
        logger.debug("showMessageRequest failed: %s", exc)
        return
    if choice is not None and choice.title == "Install":
        await install_missing(ls, docs[0].uri)


# -- freeze, pin all ---------------------------------------------------------------------------


async def apply(ls: PinwiseServer, label: str, edit: types.WorkspaceEdit) -> dict[str, Any]:
    result = await ls.workspace_apply_edit_async(
        types.ApplyWorkspaceEditParams(edit=edit, label=label)
    )
    if not result.applied:
        reason = result.failure_reason or "the editor refused the edit"
        ls.show_warning(f"Pinwise: {label} was not applied: {reason}")
    return {"ok": bool(result.applied)}


async def freeze_into(ls: PinwiseServer, uri: Optional[str]) -> dict[str, Any]:
    """Freeze into the requirements file `uri` (open or not); given a Python file or a folder,
    into its folder's requirements.txt (made when there is none)."""
    doc = await _doc_for(ls, uri)
    if doc is not None and doc.kind == project.REQUIREMENTS:
        edits, refusal = actions.freeze_edits(ls, doc)
        if refusal:
            raise CommandRefused(f"Pinwise: cannot freeze into {doc.path}: {refusal}")
        return await apply(ls, "Freeze environment into this file", workspace_edit(ls, doc, edits))
    folder = await _folder_for(ls, uri)
    if folder is None:
        raise CommandRefused("Pinwise: open a folder or a requirements file to freeze into.")
    path = uri_to_path(uri) if uri else None
    if uri is not None and path is None:
        raise CommandRefused(f"Pinwise: cannot freeze into {uri}: it is not open.")
    where = folder.path
    if doc is None and path is not None and project.document_kind(path, None) is not None:
        path = None  # a Python file or a pyproject.toml, not open: its folder's file
    if doc is None and path is not None and not os.path.isdir(path):
        if not os.path.isfile(path) or not is_requirements_name(path):
            raise CommandRefused(
                f"Pinwise: cannot freeze into {path}: not a requirements file "
                "(requirements*.txt, constraints*.txt, *.in, requirements/*.txt)."
            )
        return await _freeze_into_closed(ls, folder, path)
    if doc is None and path is not None:
        where = path  # a folder (in a workspace folder): its requirements.txt
    existing = os.path.join(where, "requirements.txt")
    if os.path.exists(existing):
        return await _freeze_into_closed(ls, folder, existing)
    return await _freeze_new(ls, folder, existing)


async def _freeze_into_closed(ls: PinwiseServer, folder: FolderState, path: str) -> dict[str, Any]:
    doc = DocState(uri=path_to_uri(path), path=path)
    from pinwise import reqfile

    doc.reqset = reqfile.load_set([path], reader=ls.reader, cwd=folder.path)
    doc.file = doc.reqset.files.get(path)
    edits, refusal = actions.freeze_edits(ls, doc)
    if refusal:
        raise CommandRefused(f"Pinwise: cannot freeze into {path}: {refusal}")
    return await apply(
        ls, "Freeze environment into requirements.txt", workspace_edit(ls, doc, edits)
    )


async def _freeze_new(ls: PinwiseServer, folder: FolderState, path: str) -> dict[str, Any]:
    from pinwise import freeze

    env = folder.env
    if env is None or env.snapshot is None:
        raise CommandRefused("Pinwise: no environment to freeze: select an interpreter first.")
    output = freeze.freeze(env.snapshot)
    text = "".join(line + "\n" for line in output.stdout)
    uri = path_to_uri(path)
    ops = get_capability(ls.client_capabilities, "workspace.workspace_edit.resource_operations", [])
    if "create" in [getattr(o, "value", o) for o in (ops or [])]:
        edit = types.WorkspaceEdit(
            document_changes=[
                # no ignoreIfExists / overwrite: if the file appeared meanwhile, the editor
                # refuses the whole edit instead of inserting the freeze into the user's file
                types.CreateFile(uri=uri),
                types.TextDocumentEdit(
                    text_document=types.OptionalVersionedTextDocumentIdentifier(
                        uri=uri, version=None
                    ),
                    edits=[
                        types.TextEdit(
                            range=types.Range(
                                start=types.Position(line=0, character=0),
                                end=types.Position(line=0, character=0),
                            ),
                            new_text=text,
                        )
                    ],
                ),
            ]
        )
        return await apply(ls, "Freeze environment into requirements.txt", edit)
    with open(path, "x", encoding="utf-8") as handle:  # the client cannot create files
        handle.write(text)
    return {"ok": True, "created": path}


async def pin_all(ls: PinwiseServer, uri: Optional[str]) -> dict[str, Any]:
    if uri is None:
        raise CommandRefused("Pinwise: pinAll needs the URI of a requirements file.")
    doc = await _requirements_doc(ls, uri, "Pin all unpinned requirements")
    edits = actions.pin_all_edits(doc)
    if not edits:
        return {"ok": True, "message": "nothing to pin"}
    return await apply(ls, "Pin all unpinned requirements", workspace_edit(ls, doc, edits))


async def refresh(ls: PinwiseServer) -> dict[str, Any]:
    project.forget_imports()
    for folder in list(ls.folders.values()):
        await folders.resolve_folder(ls, folder)
    for env in list(ls.envs.values()):
        await watching.reload(ls, env)
    folders.drop_unused_envs(ls)
    diagnostics.schedule_all(ls, delay=0.0)
    return {"ok": True}


# -- registration ------------------------------------------------------------------------------


def register(ls: PinwiseServer) -> None:
    def guarded(name: str, run: Any, *, takes_uri: bool = True) -> None:
        async def handler(ls: PinwiseServer, *args: Any) -> Any:
            try:
                return await run(ls, _uri_arg(args) if takes_uri else None)
            except CommandRefused as exc:
                logger.warning("%s", exc)
                ls.show_error(str(exc))
                return {"ok": False, "message": str(exc)}
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                logger.exception("%s failed", name)
                message = f"Pinwise: {name} failed: {exc} (details in the Pinwise log)"
                ls.show_error(message)
                return {"ok": False, "message": message}

        ls.command(name)(handler)

    guarded("pinwise.installMissing", install_missing)
    guarded("pinwise.createVenv", create_venv)
    guarded("pinwise.freeze", freeze_into)
    guarded("pinwise.pinAll", pin_all)
    guarded("pinwise.refresh", lambda ls, _uri: refresh(ls), takes_uri=False)

    async def status_handler(ls: PinwiseServer, *args: Any) -> Any:
        # (only reads the state: an argument it cannot use gets no answer, not a pop-up)
        try:
            return await _status(ls, _uri_arg(args))
        except CommandRefused:
            return None

    ls.command("pinwise.status")(status_handler)
    guarded("pinwise.stats", _stats, takes_uri=False)


async def _status(ls: PinwiseServer, uri: Optional[str]) -> Optional[dict[str, Any]]:
    # Asked right after the start (the client has the start-up prelude's diagnostics), the folder
    # may still be resolving: answer once its interpreter is known and an open document analysed.
    if await _doc_for(ls, uri) is None:
        try:
            await _folder_for(ls, uri)
        except CommandRefused:  # outside every folder: nothing to say about it
            return None
    return status.for_uri(ls, uri)


async def _stats(ls: PinwiseServer, _uri: Optional[str]) -> dict[str, Any]:
    """How long analyse+publish took (last 1,000 runs) and the server's memory: for benchmarks."""
    timings = sorted(ls.timings)
    face = sorted(ls.face_timings)

    def pct(p: float, values: Optional[list[float]] = None) -> Optional[float]:
        values = timings if values is None else values
        if not values:
            return None
        return round(values[min(len(values) - 1, int(p * len(values)))] * 1000, 3)

    rss_mb: Optional[float] = None
    try:
        with open("/proc/self/statm") as handle:
            rss_mb = int(handle.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20
    except (OSError, ValueError, IndexError):
        pass
    return {
        "analyses": len(timings),
        "p50Ms": pct(0.5),
        "p95Ms": pct(0.95),
        "maxMs": pct(1.0),
        "lspP50Ms": pct(0.5, face),  # the LSP face's own share (conversion + publishing)
        "lspP95Ms": pct(0.95, face),
        "rssMb": round(rss_mb, 1) if rss_mb is not None else None,
        "documents": len(ls.docs),
        "environments": len(ls.envs),
        # the cyclic collector: every collection since the start, and the longest
        "gcCollections": collector.CLOCK.collections,
        "gcMs": round(collector.CLOCK.seconds * 1000, 1),
        "gcLongestMs": round(collector.CLOCK.longest * 1000, 1),
        "gcFullCollections": ls.collector.full_collections,  # idle, or after 500 analyses
        # freed memory handed back to the system (`heap`: glibc only; null elsewhere)
        "heapTrims": HEAP.trims if HEAP.available else None,
        "heapTrimMs": round(HEAP.seconds * 1000, 1) if HEAP.available else None,
    }
