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
    """Serve over stdio (TCP with `tcp="HOST:PORT"`). Over stdio, the start-up prelude
    (`pinwise.lsp.prelude`) answers first, before pygls and lsprotocol are imported."""
    import importlib.util
    import os

    for name in ("pygls", "lsprotocol", "cattrs"):  # fail before the prelude answers anything
        if importlib.util.find_spec(name) is None:
            raise ModuleNotFoundError(f"No module named {name!r}", name=name)
    handover = None
    if tcp is None and os.environ.get("PINWISE_PRELUDE", "1") != "0":
        from pinwise.lsp.prelude import run_prelude

        try:
            handover = run_prelude()  # (it imports the full server in a thread)
        except BrokenPipeError:  # the client went away before the full server was needed
            return 0
    import_asyncio_without_tls()
    from pinwise.lsp.server import main as _main

    return _main(tcp, handover)


def import_asyncio_without_tls() -> None:
    """Import asyncio without letting it load `ssl` (nothing when asyncio or ssl is loaded already).

    asyncio imports ssl for TLS transports, which the server never opens (it speaks over stdio,
    or plain TCP for debugging). Loading OpenSSL costs about 4.5 MB resident and 9 ms of the
    import. asyncio takes a missing ssl as "no TLS" (`except ImportError: ssl = None`); once it
    is imported, a later `import ssl` loads it as usual.
    """
    import sys

    if "asyncio" in sys.modules or "ssl" in sys.modules:
        return  # (ssl loaded already: nothing to save)
    sys.modules["ssl"] = None  # type: ignore[assignment]  # `import ssl` raises ImportError
    try:
        import asyncio  # noqa: F401
    finally:
        if sys.modules.get("ssl", False) is None:  # asyncio keeps its `ssl = None`
            del sys.modules["ssl"]


def __getattr__(name: str) -> object:
    if name == "PinwiseServer":
        from pinwise.lsp.server import PinwiseServer

        return PinwiseServer
    raise AttributeError(name)
