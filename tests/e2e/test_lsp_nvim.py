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
