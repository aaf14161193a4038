"""`python -m commands.cli`: the same as the `kirjuri` script."""

import sys

from commands.cli import main

sys.exit(main())
