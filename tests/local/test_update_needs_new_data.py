"""trainingMode UPDATE with no data changed since the version it would update is refused, in
process and over HTTP (API reference CreateSolutionVersion: UPDATE "processes only the data
that has changed since the latest training"): InvalidInputException, HTTP 400, nothing stored.
New data of any kind (a streamed event here) makes the same request acceptable."""

from __future__ import annotations

import pytest

from tests.local.refusals import TRANSPORTS, World, refused
from tests.local.workspace import stream_event, train, trained


@pytest.fixture(scope="module")
def up_solution(world: World) -> str:
    solution, _ = train(world.clients, world.ws["group"], "up", "aws-user-personalization")
    return solution


@pytest.mark.parametrize("transport", TRANSPORTS)
def test_update_without_new_data_is_refused(world: World, up_solution: str, transport: str) -> None:
    w = world.over(transport)
    p = w.clients.personalize

    def update() -> str:
        return p.create_solution_version(solutionArn=up_solution, trainingMode="UPDATE")[
            "solutionVersionArn"
        ]

    before = p.list_solution_versions(solutionArn=up_solution)["solutionVersions"]
    refused(w, "InvalidInputException", update, "no data")
    assert p.list_solution_versions(solutionArn=up_solution)["solutionVersions"] == before
    stream_event(w.clients, w.ws["group"], user=f"new-{transport}")
    assert trained(w.clients, update())["trainingMode"] == "UPDATE"
    # the UPDATE version is now the newest: with nothing new since, a second one is refused
    refused(w, "InvalidInputException", update, "no data")
