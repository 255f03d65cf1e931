"""`pinwise serve`: the language server (pygls 2.x).

`create_server()` makes a fully registered server (tests make their own); `main(tcp)` runs one
over stdio, or TCP with `tcp="HOST:PORT"`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Optional

if TYPE_CHECKING:
    from pinwise.lsp.server import PinwiseServer

__all__ = ["PinwiseServer", "create_server", "main"]


def create_server() -> PinwiseServer:
    from pinwise.lsp.server import create_server as _create

    return _create()


def main(tcp: Optional[str] = None) -> int:
    from pinwise.lsp.server import main as _main

    return _main(tcp)


def __getattr__(name: str) -> object:
    if name == "PinwiseServer":
        from pinwise.lsp.server import PinwiseServer

        return PinwiseServer
    raise AttributeError(name)
