"""``python -m services.pipeline``: see ``services.pipeline.cli``."""

import sys

from services.pipeline.cli import main

sys.exit(main())
