"""Personalize filter expressions: ``expression`` (the parsed form), ``parse``, ``evaluate``."""
