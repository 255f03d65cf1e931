"""The `pinwise/status` notification: interpreter and finding counts per workspace folder."""

from __future__ import annotations

import os
from typing import TYPE_CHECKING, Any, Optional

from pinwise.lsp.state import FolderState

if TYPE_CHECKING:
    from pinwise.lsp.server import PinwiseServer

METHOD = "pinwise/status"


def payload(ls: PinwiseServer, folder: FolderState) -> dict[str, Any]:
    counts: dict[str, int] = {}
    for doc in ls.docs.values():
        if folder.contains(doc.path) and _folder_of(ls, doc.path) is folder:
            for code, n in doc.counts.items():
                counts[code] = counts.get(code, 0) + n
    env = folder.env
    snapshot = env.snapshot if env is not None else None
    interp = snapshot.interpreter if snapshot is not None else None
    result: dict[str, Any] = {
        "folder": folder.uri,
        "interpreter": folder.interpreter,
        "pythonVersion": interp.python_version if interp else None,
        # (the contract's bool: false until inspected too; a null pythonVersion says which)
        "isVenv": interp.is_venv if interp else False,
        "envName": interp.env_name if interp else None,
        "counts": dict(sorted(counts.items())),
        "trusted": ls.trusted,
        # why the interpreter cannot be inspected (a deleted venv...), else null
        "error": env.error if env is not None and snapshot is None else None,
    }
    return result


def _folder_of(ls: PinwiseServer, path: str) -> Optional[FolderState]:
    best: Optional[FolderState] = None
    for folder in ls.folders.values():
        if folder.contains(path) and (best is None or len(folder.path) > len(best.path)):
            best = folder
    return best


def send_if_changed(ls: PinwiseServer, folder: FolderState) -> None:
    current = payload(ls, folder)
    if current != folder.last_status:
        folder.last_status = current
        ls.protocol.notify(METHOD, current)


def for_uri(ls: PinwiseServer, uri: Optional[str]) -> Optional[dict[str, Any]]:
    from pinwise.lsp.documents import uri_to_path

    folder: Optional[FolderState] = None
    path = uri_to_path(uri) if uri else None
    if path is not None:
        folder = _folder_of(ls, path) or _folder_of(ls, os.path.dirname(path))
    if folder is None and ls.folders:
        folder = next(iter(ls.folders.values()))
    return payload(ls, folder) if folder is not None else None
