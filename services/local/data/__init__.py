"""The engine's data: what dataset rows must look like, how they come in, where they are kept.

- ``schemas`` (the Avro JSON CreateSchema receives, and the rules per dataset type),
  ``domain_schemas`` (the fields ECOMMERCE and VIDEO_ON_DEMAND groups add);
- ``imports/``: reading a bulk-import CSV (``importer``), its columns (``import_columns``) and
  its rows (``rows``);
- ``events``: PutEvents, PutItems, PutUsers and the other streamed writes;
- ``storage/``: the SQL tables, resource documents, bulk files, model files, ``s3://``
  folders, and the reads over them (``frames``, ``histories``);
- ``json_text``: JSON from requests and files, parsed without letting its shape crash the engine.
"""
