"""How a trained model is saved: its file's declared layout (``stored``), typed reads of its
JSON header (``model_header``) and sparse matrices kept as plain arrays (``sparse_arrays``).
Where the file is kept is ``services.local.data.storage.model_files``. The recipes import these
modules directly; nothing outside the recipes needs them."""
