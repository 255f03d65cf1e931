"""Environment watching: notice `pip install` / `pip uninstall` / a deleted or recreated venv.

One background task polls `environment.fingerprint` (a few `stat` calls on the site-packages
folders) of every selected environment. Nothing is rescanned while the fingerprint holds; when it
changes, the environment is inspected again and its folders' documents re-diagnosed.
"""

from __future__ import annotations

import asyncio
import logging
from typing import TYPE_CHECKING

from pinwise.lsp import diagnostics, status
from pinwise.lsp.folders import load_env, take_fingerprint
from pinwise.lsp.state import EnvState

if TYPE_CHECKING:
    from pinwise.lsp.server import PinwiseServer

logger = logging.getLogger(__name__)

POLL_SECONDS = 0.25


async def watch(ls: PinwiseServer) -> None:
    while True:
        await asyncio.sleep(POLL_SECONDS)
        for env in list(ls.envs.values()):
            if env.loading is not None and not env.loading.done():
                continue
            try:
                current = take_fingerprint(env)
            except Exception:
                logger.exception("fingerprint of %s failed", env.interpreter)
                continue
            if current != env.fingerprint:
                logger.info("environment of %s changed: inspecting it again", env.interpreter)
                env.loading = ls.spawn(reload(ls, env), f"reload {env.interpreter}")


async def reload(ls: PinwiseServer, env: EnvState) -> None:
    await load_env(ls, env)
    after_env_change(ls, env)


def after_env_change(ls: PinwiseServer, env: EnvState) -> None:
    for folder in list(ls.folders.values()):
        if folder.env is env:
            diagnostics.schedule_all(ls, delay=0.0, folder_uri=folder.uri)
            status.send_if_changed(ls, folder)
