"""``python -m services.setup_file export|plan|apply``: see services.setup_file.cli."""

import sys

from services.setup_file.cli import main

if __name__ == "__main__":
    sys.exit(main())
