"""Personalize's runtime request limits that the engine refuses by and the facade checks first.

Sources: the API reference of personalize-runtime ``GetRecommendations`` (numResults "The
maximum is 500", 50 when ``metadataColumns`` are asked for; ``metadataColumns`` "The maximum
number of columns you can provide is 10"), ``GetPersonalizedRanking`` (``inputList``, 500 and
50 with metadata), ``GetActionRecommendations`` (numResults "The default is 5. The maximum is
100.", botocore shape GetActionRecommendationsRequest.numResults) and personalize-events
``PutEvents`` (``eventList`` 1-10, botocore shape EventList max 10); summarised in
``shared/reference/PERSONALIZE.md`` ("Runtime limits", "Streaming APIs").

The facade refuses a request before sending what the engine (and AWS) would refuse; the
engine refuses with AWS's error class. Both read these numbers, so they cannot drift apart.
"""

from __future__ import annotations

# GetRecommendations' numResults and GetPersonalizedRanking's inputList, without and with
# metadataColumns.
MAX_RESULTS = 500
MAX_RESULTS_WITH_METADATA = 50
# metadataColumns' column names per dataset type (botocore's ColumnNamesList allows 99, so the
# service checks 10 itself).
MAX_METADATA_COLUMNS = 10
# GetActionRecommendations' numResults.
DEFAULT_ACTIONS = 5
MAX_ACTIONS = 100
# PutEvents' eventList.
MAX_EVENTS_PER_CALL = 10
