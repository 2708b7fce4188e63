"""What an earlier seed of the demo shop left undone, read through the public API."""

from __future__ import annotations

from typing import Any

from services.config import Settings
from services.demo import eshop
from services.demo.plan import GROUP, NAMES, SEEDED_TAG, campaigns, demo_arns, solutions


def unfinished(p: Any, settings: Settings, groups: list[str]) -> list[str]:
    """What an earlier seed left undone (failed imports and versions, campaigns and the
    recommender missing or not ACTIVE): empty for a finished demo, tagged ``SEEDED_TAG`` (or
    seeded before the tag existed, with every campaign and the recommender ACTIVE)."""
    arns, recipe_of = demo_arns(settings), solutions()
    if GROUP not in groups:
        return [f"dataset group {GROUP} is missing"]
    group = arns[f"dataset-group/{GROUP}"]
    tags = p.list_tags_for_resource(resourceArn=group)["tags"]
    if any(tag["tagKey"] == SEEDED_TAG for tag in tags):
        return []
    problems: list[str] = []
    for page in p.get_paginator("list_dataset_import_jobs").paginate():
        for job in page["datasetImportJobs"]:
            if job["status"] == "CREATE FAILED" and job["jobName"].startswith(GROUP_PREFIXES):
                problems.append(_failed(f"import {job['jobName']}", job))
    for name in recipe_of:
        try:
            versions = p.list_solution_versions(solutionArn=arns[f"solution/{name}"])
        except p.exceptions.ResourceNotFoundException:
            continue
        for version in versions["solutionVersions"]:
            if version["status"] not in ("ACTIVE", "CREATE PENDING", "CREATE IN_PROGRESS"):
                problems.append(_failed(f"a version of {name}", version))
    recipes = {
        r["name"] for page in p.get_paginator("list_recipes").paginate() for r in page["recipes"]
    }
    checks = [
        (f"campaign/{c}", "campaign", p.describe_campaign, "campaignArn")
        for c, solution in campaigns().items()
        if recipe_of[solution] in recipes  # an optional recipe the engine lacks: not seeded
    ]
    checks.append(
        (
            f"recommender/{NAMES.best_sellers}",
            "recommender",
            p.describe_recommender,
            "recommenderArn",
        )
    )
    for key, kind, describe, param in checks:
        try:
            status = describe(**{param: arns[key]})[kind]["status"]
        except p.exceptions.ResourceNotFoundException:
            problems.append(f"{kind} {key.partition('/')[2]} is missing")
            continue
        if status != "ACTIVE":
            problems.append(f"{kind} {key.partition('/')[2]} is {status}")
    return problems


GROUP_PREFIXES = (f"{GROUP}-", f"{eshop.GROUP}-")


def _failed(label: str, doc: dict[str, Any]) -> str:
    reason = doc.get("failureReason")
    return f"{label} is {doc['status']}" + (f" ({one_line(reason)})" if reason else "")


def one_line(err: object) -> str:
    """An error message on one line (failure reasons may quote multi-line file content)."""
    return " ".join(str(err).split())
