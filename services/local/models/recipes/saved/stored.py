"""A model's file, declared once: the fields ``save`` writes and ``read`` reads back.

A model dataclass that mixes in ``Stored`` lists its file in ``LAYOUT``: ``MODEL`` (the fields
every model has), then its own, in the order they are written. Each entry puts its field in
the file (``put``) and takes it back (``take``):

- ``Header(field, read)``: a value of the file's JSON header, read back in the field's type
  by one of ``model_header``'s readers (``header_str``, the default, ``header_int``,
  ``header_float``, ``header_bool`` or ``header_strings``: a tuple of strings, stored as a
  JSON list);
- ``Constant(key, value)``: a header value every file of the model carries, never read;
- ``Array(field, dtype)``: one array member named after the field; with ``dtype`` it is
  stored and held in that dtype (``str`` turns the object arrays of ``load_npz`` back into
  strings);
- ``Sparse(field, prefix, square)``: a CSR matrix stored as ``<prefix>_data``, ``_indices``,
  ``_indptr`` and ``_shape`` (``sparse_arrays``); a ``square`` one (items × items) without
  its shape, which the number of ``item_ids`` gives;
- ``Nested(field, build, parts)``: a value made of arrays (``parts``, each an ``Array`` of one
  of its attributes), rebuilt by ``build(**parts)``.

Fields whose names start with ``_`` are caches that ``__post_init__`` fills; every other field
is in the layout (``tests/local/recipes/test_model_files.py`` checks it). The members are
written by ``base.save_npz``: no objects, a partial file until complete.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import ClassVar, Self

import numpy as np

from services.local.models.recipes.base import load_npz, save_npz
from services.local.models.recipes.saved.model_header import HeaderMap, header_str
from services.local.models.recipes.saved.sparse_arrays import csr_arrays, csr_from_arrays

HeaderValues = dict[str, object]  # the values of a file's JSON header
Members = dict[str, np.ndarray]  # a file's array members, by name


@dataclass(frozen=True)
class Header:
    """A header value (a JSON scalar or list), read back in the field's type by ``read``."""

    field: str
    read: Callable[[HeaderMap, str], object] = header_str

    def put(self, model: object, header: HeaderValues, _arrays: Members) -> None:
        header[self.field] = getattr(model, self.field)  # a tuple is a JSON list

    def take(self, header: Mapping[str, object], _arrays: Mapping[str, np.ndarray]) -> object:
        return self.read(header, self.field)


@dataclass(frozen=True)
class Constant:
    """A header value every file of the model carries; written, never read."""

    key: str
    value: object

    def put(self, _model: object, header: HeaderValues, _arrays: Members) -> None:
        header[self.key] = self.value


@dataclass(frozen=True)
class Array:
    """An array member named after its field, stored and held in ``dtype`` when given."""

    field: str
    dtype: type | str | None = None

    def put(self, model: object, _header: HeaderValues, arrays: Members) -> None:
        value = getattr(model, self.field)
        arrays[self.field] = value if self.dtype is None else value.astype(self.dtype)

    def take(self, _header: Mapping[str, object], arrays: Mapping[str, np.ndarray]) -> object:
        value = arrays[self.field]
        return value if self.dtype is None else value.astype(self.dtype, copy=False)


@dataclass(frozen=True)
class Sparse:
    """A CSR matrix under ``prefix`` (``sparse_arrays``); a ``square`` one (items × items) is
    stored without its shape, which the number of ``item_ids`` gives."""

    field: str
    prefix: str
    square: bool = False

    def put(self, model: object, _header: HeaderValues, arrays: Members) -> None:
        matrix = getattr(model, self.field)
        arrays.update(csr_arrays(self.prefix, matrix, store_shape=not self.square))

    def take(self, _header: Mapping[str, object], arrays: Mapping[str, np.ndarray]) -> object:
        n = len(arrays["item_ids"])
        return csr_from_arrays(self.prefix, arrays, (n, n) if self.square else None)


@dataclass(frozen=True)
class Nested:
    """A value made of arrays, each an attribute of it, rebuilt by ``build(**parts)``."""

    field: str
    build: Callable[..., object]
    parts: tuple[Array, ...]

    def put(self, model: object, header: HeaderValues, arrays: Members) -> None:
        for part in self.parts:
            part.put(getattr(model, self.field), header, arrays)

    def take(self, header: Mapping[str, object], arrays: Mapping[str, np.ndarray]) -> object:
        return self.build(**{p.field: p.take(header, arrays) for p in self.parts})


Entry = Header | Constant | Array | Sparse | Nested

MODEL: tuple[Entry, ...] = (Header("recipe_name"), Array("item_ids"), Array("popularity"))
"""What every model's file holds (``base.Model``'s fields): a layout starts with it. The
header's values and the arrays are each written in the layout's order, so the recipe name is
the header's first value and the item IDs and popularity the first arrays."""


class Stored:
    """Mixin of a model dataclass whose file is its ``LAYOUT`` (see the module doc)."""

    LAYOUT: ClassVar[tuple[Entry, ...]]

    def save(self, path: Path) -> None:
        """Write the model to the .npz file ``path`` (``base.save_npz``)."""
        header: HeaderValues = {}
        arrays: Members = {}
        for entry in self.LAYOUT:
            entry.put(self, header, arrays)
        save_npz(path, header, **arrays)

    @classmethod
    def read(cls, path: Path) -> Self:
        """The model ``save`` wrote to ``path``.

        Raises:
            ValueError: the file holds Python objects (``base.load_npz``).
            KeyError: a member or header value of the layout is missing.
            ValueError: a header value is not of its field's kind (``model_header``).
        """
        header, arrays = load_npz(path)
        return cls(
            **{e.field: e.take(header, arrays) for e in cls.LAYOUT if not isinstance(e, Constant)}
        )
