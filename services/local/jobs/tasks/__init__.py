"""Background jobs, one module per kind (``registry`` maps kinds to them); ``lifecycle`` moves
a job's resource through its statuses."""
