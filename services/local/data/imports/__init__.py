"""Bulk imports (CreateDatasetImportJob): a CSV read and checked strictly against its schema.

``importer`` reads the file (encoding, header, chunks) and refuses what Personalize refuses;
``import_columns`` checks and converts each column to the schema's Arrow type; ``rows`` orders
and selects the imported rows on integer codes. The rows are then kept by ``storage.bulk``.
"""
