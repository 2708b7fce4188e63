"""``python -m services.access``: see ``services.access.cli``."""

import sys

from services.access.cli import main

sys.exit(main())
