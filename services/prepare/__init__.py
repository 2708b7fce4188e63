"""Prepare: raw exports (a shop's own columns, dates and codes) → Personalize dataset files.

Typical use::

    mapping = suggest_mapping("orders.csv", "interactions", timezone="Asia/Seoul").mapping
    prepared = prepare_file("orders.csv", mapping, "interactions.csv", schema_out="schema.json")
    print(prepared.conversion.summary(), prepared.report.ok)
"""

from .convert import ConvertResult, convert, preview_conversion
from .mapping import FieldMap, Mapping, MappingError, Source, load_mapping, parse_mapping
from .prepared import Prepared, prepare_file
from .reader import RawFileError, RawLayout, detect, preview
from .schema import avro_schema
from .suggest import Suggestion, suggest_mapping

__all__ = [
    "ConvertResult",
    "FieldMap",
    "Mapping",
    "MappingError",
    "Prepared",
    "RawFileError",
    "RawLayout",
    "Source",
    "Suggestion",
    "avro_schema",
    "convert",
    "detect",
    "load_mapping",
    "parse_mapping",
    "prepare_file",
    "preview",
    "preview_conversion",
    "suggest_mapping",
]
