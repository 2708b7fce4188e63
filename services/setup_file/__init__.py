"""The whole Personalize setup as one reviewed TOML file: load and check it, export it from
an account (or the local engine), plan the changes, apply them.

Named ``setup_file`` because ``services/workspace`` is already the domain view of the account
(overview, alerts, running work). The file's fields: docs/setup-file.md.
"""
