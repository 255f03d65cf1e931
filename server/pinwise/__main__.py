"""`python -m pinwise` is the `pinwise` command."""

import sys

from pinwise.cli import main

sys.exit(main())
