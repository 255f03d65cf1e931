"""A second, independent client: Neovim headless opens a requirements file next to a `.venv`,
receives Pinwise's diagnostics and applies a code action (tests/e2e/nvim/pinwise.lua)."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.e2e.conftest import SERVER_CMD, SERVER_ENV, write

pytestmark = pytest.mark.slow

SCRIPT = Path(__file__).parent / "nvim" / "pinwise.lua"


@pytest.mark.skipif(
    shutil.which("nvim") is None,
    reason="Neovim is not installed (apt-get install -y neovim): the second-client test needs it",
)
def test_neovim_diagnostics_and_code_action(project: Path, tmp_path: Path) -> None:
    req = write(project / "requirements.txt", "alpha\nbeta==1.0\ngamma==0.5\n")
    out = tmp_path / "nvim-result.json"
    env = {
        **SERVER_ENV,
        "SERVER": " ".join(SERVER_CMD),
        "TARGET": str(req),
        "OUT": str(out),
        "HOME": str(tmp_path),  # no user configuration, no shada in the real home
        "XDG_CONFIG_HOME": str(tmp_path / "config"),
        "XDG_DATA_HOME": str(tmp_path / "data"),
        "XDG_STATE_HOME": str(tmp_path / "state"),
    }
    subprocess.run(
        ["nvim", "--headless", "--clean", "-c", f"luafile {SCRIPT}"],
        env=env,
        cwd=project,
        timeout=120,
        check=False,
        capture_output=True,
    )
    result = json.loads(out.read_text())
    assert result["ok"], result
    found = {(d["code"], d["lnum"]) for d in result["diagnostics"]}
    assert ("PW001", 0) in found
    assert ("PW002", 2) in found
    assert all(d["source"] == "pinwise" for d in result["diagnostics"])
    assert result["preferred"]
    assert result["lines"] == ["alpha==1.0", "beta==1.0", "gamma==0.5"]
    assert result["cleared"]


DOCS = Path(__file__).parents[2] / "docs" / "lsp.md"
WAIT = """
vim.wait(20000, function() return #vim.diagnostic.get(0) > 0 end, 50)
local codes = {}
for _, d in ipairs(vim.diagnostic.get(0)) do table.insert(codes, d.code) end
local f = assert(io.open(os.getenv("OUT"), "w"))
f:write(table.concat(codes, ","))
f:close()
vim.cmd("qa!")
"""


@pytest.mark.skipif(shutil.which("nvim") is None, reason="Neovim is not installed")
def test_the_documented_neovim_configuration_works(project: Path, tmp_path: Path) -> None:
    """docs/lsp.md's `init.lua`, as a user would paste it, with `pinwise` on PATH."""
    text = DOCS.read_text(encoding="utf-8")
    section = text[text.index("## Neovim") :]
    config = section[section.index("```lua\n") + len("```lua\n") : section.index("```\n", 10)]
    init = write(tmp_path / "init.lua", config)
    check = write(tmp_path / "check.lua", WAIT)
    bin_dir = tmp_path / "bin"
    write(bin_dir / "pinwise", f'#!/bin/sh\nexec {SERVER_CMD[0]} -m pinwise "$@"\n')
    (bin_dir / "pinwise").chmod(0o755)
    write(project / "requirements.txt", "alpha\nbeta==1.0\ngamma==0.5\n")
    out = tmp_path / "codes.txt"
    env = {
        **SERVER_ENV,
        "PATH": f"{bin_dir}:{SERVER_ENV.get('PATH', '')}",
        "OUT": str(out),
        "HOME": str(tmp_path),
        "XDG_CONFIG_HOME": str(tmp_path / "config"),
        "XDG_DATA_HOME": str(tmp_path / "data"),
        "XDG_STATE_HOME": str(tmp_path / "state"),
    }
    subprocess.run(
        ["nvim", "--headless", "-u", str(init), "requirements.txt", "-c", f"luafile {check}"],
        env=env,
        cwd=project,
        timeout=120,
        check=False,
        capture_output=True,
    )
    assert sorted(out.read_text().split(",")) == ["PW001", "PW002"]
