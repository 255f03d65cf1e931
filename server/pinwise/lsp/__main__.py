"""`python -m pinwise.lsp [--tcp HOST:PORT]`: the language server, without the CLI."""

from __future__ import annotations

import argparse
import sys

from pinwise.lsp import main

parser = argparse.ArgumentParser(prog="python -m pinwise.lsp")
parser.add_argument("--tcp", metavar="HOST:PORT", help="serve over TCP instead of stdio")
sys.exit(main(parser.parse_args().tcp))
