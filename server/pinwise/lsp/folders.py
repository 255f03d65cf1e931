"""Workspace folders: their settings, their interpreter, and that interpreter's environment.

Interpreter order per folder: `initializationOptions.interpreter`, then the `pinwise` section of
`workspace/configuration` for the folder, then discovery as the CLI does it.
"""

from __future__ import annotations

import asyncio
import logging
import os
import time
from collections.abc import Hashable
from typing import TYPE_CHECKING, Any, Optional

from lsprotocol import types

from pinwise import environment
from pinwise.analysis.model import Settings
from pinwise.environment.model import InspectionError, Snapshot
from pinwise.lsp.compute import INSPECT_TIMEOUT
from pinwise.lsp.documents import path_to_uri, uri_to_path
from pinwise.lsp.settings import (
    FolderSettings,
    interpreter_choice,
    layered,
    read_project_settings,
)
from pinwise.lsp.state import EnvState, FolderState

if TYPE_CHECKING:
    from pinwise.lsp.server import PinwiseServer

logger = logging.getLogger(__name__)


def folder_for_path(ls: PinwiseServer, path: str) -> FolderState:
    """The innermost workspace folder holding `path`; an implicit one for its folder otherwise."""
    best: Optional[FolderState] = None
    for folder in ls.folders.values():
        if folder.contains(path) and (best is None or len(folder.path) > len(best.path)):
            best = folder
    if best is not None:
        return best
    parent = os.path.dirname(path)
    uri = path_to_uri(parent)
    folder = FolderState(uri=uri, path=parent, implicit=True)
    ls.folders[uri] = folder
    ls.spawn(resolve_and_refresh(ls, folder), f"resolve folder {parent}")
    return folder


def add_folder(ls: PinwiseServer, uri: str) -> Optional[FolderState]:
    path = uri_to_path(uri)
    if path is None:
        return None
    uri = uri.rstrip("/")
    folder = ls.folders.get(uri)
    if folder is None or folder.implicit:  # (a stand-in for the folder of an open document)
        folder = FolderState(uri=uri, path=path)
        ls.folders[uri] = folder
    return folder


def drop_stand_ins(ls: PinwiseServer, added: list[FolderState]) -> None:
    """Forget the implicit folders (`folder_for_path`'s stand-ins for documents outside every
    workspace folder) that a folder just added holds: its documents are that folder's now
    (its settings, its interpreter) once they are diagnosed again."""
    for uri, folder in list(ls.folders.items()):
        if folder.implicit and any(f.contains(folder.path) for f in added if f is not folder):
            del ls.folders[uri]


async def pull_settings(ls: PinwiseServer, folder: FolderState) -> FolderSettings:
    """This folder's `pinwise` section (pulled when the client can), else what we were given."""
    given = ls.init_options.folder_settings.get(folder.uri) or ls.init_options.settings
    pushed = ls.pushed_settings
    raw: Any = None
    if ls.supports_configuration():
        try:
            result = await ls.workspace_configuration_async(
                types.ConfigurationParams(
                    items=[types.ConfigurationItem(scope_uri=folder.uri, section="pinwise")]
                )
            )
            raw = result[0] if result else None
        except Exception as exc:
            logger.warning("workspace/configuration failed for %s: %s", folder.uri, exc)
    elif pushed is not None:
        raw = pushed
    if raw is None or raw == {}:
        return given or FolderSettings()
    try:
        return layered(given, raw)
    except ValueError as exc:
        ls.report_settings_problem(f"{exc} (folder {folder.path}); using the defaults")
        return given or FolderSettings()


def project_settings(folder: FolderState) -> Settings:
    """`[tool.pinwise]` of the folder's pyproject.toml, reloaded when the file changes."""
    pyproject = os.path.join(folder.path, "pyproject.toml")
    try:
        key: Optional[tuple[str, float]] = (pyproject, os.stat(pyproject).st_mtime)
    except OSError:
        key = None
    if folder.project_settings is None or key != folder.project_settings_key:
        folder.project_settings = read_project_settings(pyproject if key else None)
        folder.project_settings_key = key
    return folder.project_settings


def effective_settings(folder: FolderState) -> Settings:
    return folder.settings.merged_with(project_settings(folder))


def choose_interpreter(ls: PinwiseServer, folder: FolderState) -> tuple[Optional[str], str]:
    return interpreter_choice(ls.init_options.interpreter, folder.settings.interpreter, folder.path)


async def resolve_folder(ls: PinwiseServer, folder: FolderState) -> bool:
    """(Re)read settings and the interpreter; returns whether the interpreter changed."""
    folder.settings = await pull_settings(ls, folder)
    interpreter, source = choose_interpreter(ls, folder)
    changed = interpreter != folder.interpreter or folder.env is None
    if interpreter is None:
        folder.interpreter, folder.interpreter_source = None, source
        folder.env = folder.pending_env = None
        if changed:
            logger.warning("no Python interpreter found for %s", folder.path)
    elif changed:
        logger.info("%s: interpreter %s (%s)", folder.path, interpreter, source)
        env = folder.pending_env = env_for(ls, interpreter)
        # The environment in use answers until the new one is inspected: analyses made with
        # none meanwhile would drop every PW002, then bring them back.
        await env.loaded.wait()
        if folder.pending_env is not env:
            return False  # switched again meanwhile: that resolution finishes the job
        folder.pending_env = None
        folder.interpreter, folder.interpreter_source, folder.env = interpreter, source, env
    else:
        folder.interpreter_source = source
        # (switched back while a new one was inspected: that switch no longer applies)
        folder.pending_env = None
        if folder.env is not None:  # (still being inspected: an earlier resolution's)
            await folder.env.loaded.wait()
    folder.ready.set()
    return changed


async def resolve_and_refresh(ls: PinwiseServer, folder: FolderState) -> None:
    """Resolve the folder, then re-diagnose its documents if its interpreter changed."""
    from pinwise.lsp import diagnostics, status

    try:
        changed = await resolve_folder(ls, folder)
    finally:
        folder.ready.set()
    if changed:
        diagnostics.schedule_all(ls, delay=0.0, folder_uri=folder.uri)
    status.send_if_changed(ls, folder)


def env_for(ls: PinwiseServer, interpreter: str) -> EnvState:
    key = (interpreter, ls.trusted)
    env = ls.envs.get(key)
    if env is None:
        env = EnvState(interpreter=interpreter, allow_exec=ls.trusted)
        ls.envs[key] = env
        env.loading = ls.spawn(load_env(ls, env), f"inspect {interpreter}")
    return env


def _adopted(prelude: Optional[tuple[Snapshot, Hashable]]) -> Optional[Snapshot]:
    """The start-up prelude's snapshot of this environment, when its fingerprint has not changed
    since (nothing installed or removed): the same object, so that the first analyses find the
    prelude's findings in the analysis memo (one memo per snapshot)."""
    if prelude is None:
        return None
    snapshot, fingerprint = prelude
    try:
        if environment.fingerprint(snapshot) != fingerprint:
            return None
    except Exception:
        return None
    snapshot.warnings  # noqa: B018  # (as `_inspect` does: in the worker thread)
    return snapshot


def _inspect(
    env: EnvState, prelude: Optional[tuple[Snapshot, Hashable]] = None
) -> tuple[Optional[Snapshot], Optional[str]]:
    """A snapshot of the environment, or why there is none: the prelude's, adopted when
    unchanged, else a new inspection."""
    adopted = _adopted(prelude)
    if adopted is not None:
        return adopted, None
    try:
        snapshot = environment.inspect(
            env.interpreter, allow_exec=env.allow_exec, timeout=INSPECT_TIMEOUT
        )
        # Its warnings are worked out on first use (the direct_url.json files no field has read
        # yet): here, in the worker thread, rather than on the event loop that logs them.
        snapshot.warnings  # noqa: B018
        return snapshot, None
    except InspectionError as exc:
        return None, str(exc)
    except Exception as exc:
        logger.exception("inspecting %s failed", env.interpreter)
        return None, f"cannot inspect {env.interpreter}: {exc}"


async def load_env(ls: PinwiseServer, env: EnvState) -> None:
    """Inspect (in a worker thread: it may run the interpreter), then take a fingerprint."""
    loop = asyncio.get_running_loop()
    started = time.perf_counter()
    started_ns = time.time_ns()
    prelude = ls.prelude_environments.pop((env.interpreter, env.allow_exec), None)
    snapshot, error = await loop.run_in_executor(ls.thread_pool, _inspect, env, prelude)
    elapsed_ms = (time.perf_counter() - started) * 1000
    finished_ns = time.time_ns()
    env.set_snapshot(snapshot, error)
    adopted = prelude is not None and snapshot is prelude[0]
    # Adopted: the fingerprint it was checked against, so that an install since is noticed.
    env.fingerprint = prelude[1] if prelude is not None and adopted else take_fingerprint(env)
    if snapshot is not None and not adopted and environment.torn(snapshot, started_ns, finished_ns):
        # Installed into during the inspection (`pip install a b`, the second one landing
        # meanwhile): the snapshot may lack it while the fingerprint has it, so the watcher
        # would never look again. No fingerprint: its next poll inspects once more.
        env.fingerprint = None
    if error:
        logger.warning("%s", error)
        if env.reported_error != error:
            env.reported_error = error
            ls.show_warning(f"Pinwise: {error}")
    else:
        env.reported_error = None
        assert snapshot is not None
        for warning in snapshot.warnings:  # unreadable metadata and the like, with paths
            logger.warning("%s", warning)
        logger.info(
            "%s: Python %s, %d distributions%s (%s)",
            env.interpreter,
            snapshot.interpreter.python_version,
            len(snapshot.distributions),
            "" if env.allow_exec else " (static inspection, untrusted workspace)",
            "the start-up prelude's inspection, unchanged since"
            if adopted
            else f"inspected in {elapsed_ms:.0f} ms",
        )
    env.loaded.set()


def take_fingerprint(env: EnvState) -> Optional[object]:
    if env.snapshot is None:
        try:
            return ("missing", os.stat(env.interpreter).st_mtime)
        except OSError:
            return ("missing", None)
    try:
        return environment.fingerprint(env.snapshot)
    except Exception:
        return None


def drop_unused_envs(ls: PinwiseServer) -> None:
    used = {id(e) for f in ls.folders.values() for e in (f.env, f.pending_env) if e is not None}
    for key, env in list(ls.envs.items()):
        if id(env) not in used:
            del ls.envs[key]
