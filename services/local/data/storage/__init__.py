"""Where the local engine keeps its state, and the reads over it.

In SQL: ``tables`` (the schema), ``resources`` (Describe documents, lifecycles, paging),
``versions`` (a per-group counter of catalogue changes), ``marks`` (a digest of what training
would read). In files under the data directory: ``bulk`` (imported rows as Arrow IPC or Parquet),
``model_files`` (trained models as ``.npz``), ``locations`` (``s3://`` buckets as folders), with
``faults`` naming what went wrong with a file. Reads: ``frames`` (a group's rows, bulk and
streamed) and ``histories`` (one user's latest interactions, fast).
"""
