"""Injected environment faults under a real client: site-packages unreadable, a METADATA file
truncated or binary, symlink loops, the venv deleted and recreated while files are open.

Each ends with the server answering (status, hover) and the diagnostics pip itself would agree
with: a distribution whose metadata cannot be read is not installed as far as the checks go,
the others still are."""

from __future__ import annotations

import os
import shutil
from collections.abc import Sequence
from pathlib import Path
from typing import Callable

import pytest
from lsprotocol import types

from tests.e2e.conftest import copy_venv, uri, write
from tests.reliability.conftest import Start
from tests.reliability.support import command, hover, status

pytestmark = pytest.mark.slow

REQS = "alpha==1.0\nbeta==1.0\nmissing-lib==1.0\n"


def site(project: Path) -> Path:
    return next((project / ".venv" / "lib").glob("python3*/site-packages"))


def by_line(diags: Sequence[types.Diagnostic]) -> dict[int, list[str]]:
    out: dict[int, list[str]] = {}
    for d in diags:
        out.setdefault(d.range.start.line, []).append(str(d.code))
    return {k: sorted(v) for k, v in out.items()}


def healthy(diags: Sequence[types.Diagnostic]) -> bool:
    return by_line(diags) == {2: ["PW002"]}


def installed_by_folder_name(diags: Sequence[types.Diagnostic]) -> bool:
    """alpha's metadata cannot be read: its `alpha-1.0.dist-info` folder still says what it
    is (pip itself crashes on it, or lists `alpha None`), and a warning says why."""
    return healthy(diags)


def others_still_read(diags: Sequence[types.Diagnostic]) -> bool:
    lines = by_line(diags)
    return "PW002" not in lines.get(0, []) + lines.get(1, []) and lines.get(2) == ["PW002"]


def nothing_installed(diags: Sequence[types.Diagnostic]) -> bool:
    return by_line(diags) == {0: ["PW002"], 1: ["PW002"], 2: ["PW002"]}


def unreadable_site_packages(project: Path) -> Callable[[], None]:
    folder = site(project)
    if os.geteuid() != 0:
        folder.chmod(0)
        return lambda: folder.chmod(0o755)
    # root reads through chmod 000: put a file where the folder was (EACCES and ENOTDIR alike
    # make the folder unreadable to a scan)
    aside = folder.with_name("site-packages.aside")
    folder.rename(aside)
    folder.write_text("not a folder\n")

    def restore() -> None:
        folder.unlink()
        aside.rename(folder)

    return restore


def site_packages_symlink_loop(project: Path) -> Callable[[], None]:
    folder = site(project)
    aside = folder.with_name("site-packages.aside")
    folder.rename(aside)
    folder.symlink_to(folder.name)  # site-packages -> site-packages: ELOOP

    def restore() -> None:
        folder.unlink()
        aside.rename(folder)

    return restore


def _metadata(project: Path) -> Path:
    return next(site(project).glob("alpha-1.0.dist-info")) / "METADATA"


def metadata_truncated(project: Path) -> Callable[[], None]:
    path = _metadata(project)
    original = path.read_bytes()
    path.write_bytes(original[:9])  # "Metadata-" : no Name, no Version
    return lambda: path.write_bytes(original)


def metadata_binary(project: Path) -> Callable[[], None]:
    path = _metadata(project)
    original = path.read_bytes()
    path.write_bytes(bytes(range(256)) * 8 + b"\xff\xfe\x00")
    return lambda: path.write_bytes(original)


def metadata_symlink_loop(project: Path) -> Callable[[], None]:
    path = _metadata(project)
    original = path.read_bytes()
    path.unlink()
    path.symlink_to(path.name)

    def restore() -> None:
        path.unlink()
        path.write_bytes(original)

    return restore


def dist_info_symlink_loop(project: Path) -> Callable[[], None]:
    """Extra entries that loop (a .dist-info and a .pth pointing at themselves): alpha and beta
    are still read."""
    folder = site(project)
    loops = [folder / "loop-1.0.dist-info", folder / "loop.pth", folder / "loop.egg-link"]
    for path in loops:
        path.symlink_to(path.name)

    def restore() -> None:
        for path in loops:
            path.unlink()

    return restore


FAULTS: dict[str, tuple[Callable[[Path], Callable[[], None]], Callable[..., bool]]] = {
    "site-packages unreadable": (unreadable_site_packages, nothing_installed),
    "site-packages symlink loop": (site_packages_symlink_loop, nothing_installed),
    "METADATA truncated": (metadata_truncated, installed_by_folder_name),
    "METADATA binary": (metadata_binary, installed_by_folder_name),
    "METADATA symlink loop": (metadata_symlink_loop, installed_by_folder_name),
    "dist-info symlink loop": (dist_info_symlink_loop, others_still_read),
}


@pytest.mark.parametrize("fault", sorted(FAULTS))
async def test_environment_fault(lsp: Start, project: Path, fault: str) -> None:
    """Site-packages unreadable or looping, alpha's METADATA truncated, binary or looping, extra
    looping entries: the server answers and diagnoses what can be read; it recovers."""
    inject, expected = FAULTS[fault]
    req = write(project / "requirements.txt", REQS)
    client = await lsp(project)
    client.open(req)
    await client.diagnostics_for(req, healthy)
    restore = inject(project)
    assert (await command(client, "pinwise.refresh"))["ok"] is True
    try:
        await client.diagnostics_for(req, expected)
    except TimeoutError:
        raise AssertionError(by_line(client.diagnostics[uri(req)])) from None
    assert (await status(client, project))["pythonVersion"] is not None
    assert await hover(client, req, 1, 1) is not None
    if fault in ("METADATA binary", "METADATA symlink loop"):  # the user is told which file
        await client.wait_until(
            types.WINDOW_LOG_MESSAGE,
            lambda: any("METADATA" in m.message for m in client.log_messages),
        )
    restore()
    await command(client, "pinwise.refresh")
    await client.diagnostics_for(req, healthy)


async def test_venv_deleted_and_recreated_while_open(
    lsp: Start, project: Path, venv_template: Path
) -> None:
    """`rm -rf .venv` with the file open, then a new .venv: the watcher (no refresh) updates
    the diagnostics both times and the status says which environment is in use."""
    req = write(project / "requirements.txt", REQS)
    other = write(project / "requirements-dev.txt", "beta==1.0\n")
    python = project / ".venv" / "bin" / "python"
    client = await lsp(project, init_options={"interpreter": str(python)})
    client.open(req)
    client.open(other)
    await client.diagnostics_for(req, healthy)
    await client.diagnostics_for(other, lambda d: not d)
    shutil.rmtree(project / ".venv")
    await client.wait_until(
        "pinwise/status", lambda: client.statuses[-1].get("pythonVersion") is None, timeout=20
    )
    assert await hover(client, req, 0, 1) is not None  # answering while the venv is gone
    copy_venv(venv_template, project / ".venv")
    await client.wait_until(
        "pinwise/status",
        lambda: client.statuses[-1].get("pythonVersion") is not None,
        timeout=20,
    )
    await client.diagnostics_for(req, healthy)
    await client.diagnostics_for(other, lambda d: not d)
