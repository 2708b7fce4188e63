"""``python -m services.prepare``: see ``services.prepare.cli``."""

import sys

from .cli import main

sys.exit(main())
