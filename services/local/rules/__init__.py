"""Personalize's published rules that the engine and the dashboard's side both apply.

One copy of each rule (issue #18), in the one part of the engine that the rest of
``services/`` may import:

- ``metric_keys``: the offline metrics GetSolutionMetrics reports (the engine scores them, the
  refresh guardrail compares by one of them);
- ``training_schedule``: ``autoTrainingConfig.schedulingExpression`` and when a run is due;
- ``use_cases``: the ECOMMERCE and VIDEO_ON_DEMAND use cases (domain recipes) and what each
  takes;
- ``attribution``: metric-attribution expressions and the layout of the attribution report;
- ``csv_sniff``: what a data file's first bytes say (signature, byte order mark, encoding,
  separator);
- ``avro_numbers``: which numbers an Avro ``float`` or ``double`` field can hold.
- ``data_limits``: the data limits the engine enforces and the readiness check warns of
  (training and import minimums, ID and value lengths, metadata columns).
- ``runtime_limits``: the runtime requests' limits (numResults, inputList, metadataColumns,
  PutEvents' eventList) the facade checks before sending and the engine refuses by.

Why here: the engine is the reference implementation of these rules (it refuses what
Personalize refuses), and it sits below the facade: the house layering lets nothing below the
facade import upward, so a table the engine applies cannot live above it. Everything else in
``services.local`` stays behind the one datasets gateway (``services.datasets.local_engine``).

What ``make lint`` holds this package to (``[tool.importlinter]`` in ``pyproject.toml``): its
modules import, of the project, only each other and ``services.config`` (the standard library
and numpy otherwise), so reading a rule never loads the engine; and outside that gateway,
``services/`` imports this package and nothing else of ``services.local``.
"""
