"""Shared fixtures: isolated data directories, boto3 clients on the local engine."""

from __future__ import annotations

import os

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
os.environ["AWS_EC2_METADATA_DISABLED"] = "true"
# Nothing a test does may pick up a developer's real AWS identity.
for _key in ("AWS_PROFILE", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN"):
    os.environ.pop(_key, None)
