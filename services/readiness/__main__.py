"""`python -m services.readiness check FILE …` (see cli.py)."""

from .cli import main

raise SystemExit(main())
