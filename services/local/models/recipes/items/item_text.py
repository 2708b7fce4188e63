"""Item metadata as sparse feature vectors, for the recipes that compare items by content.

Two kinds of Items fields carry meaning a model can compare (developer guide, "Item metadata"):
categorical strings (``"categorical": true``; several values joined with ``|``) and unstructured
text (``"textual": true``, plus the field marked ``"itemName": true``). Categorical values become
one token each (``FIELD=value``); text becomes TF-IDF over words and over character n-grams
within word boundaries (scikit-learn), which needs no dictionary or model download and works for
any script: Hangul syllables, kana and Latin words all yield words and n-grams alike.

Every row is L2-normalised, so a dot product of two rows is their cosine similarity.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
import scipy.sparse as sp

# TrainingData.item_fields values: how the Items schema marks a column.
CATEGORICAL, TEXTUAL, ITEM_NAME = "categorical", "textual", "itemName"
NGRAMS = (2, 4)  # character n-grams: 2-grams carry Hangul words, 3-4-grams Latin ones
MAX_TEXT_FEATURES = 200_000  # bounds the vocabulary (and the model file) of a large catalogue


def fields_of(kind: str, item_fields: Mapping[str, str], items: pd.DataFrame) -> list[str]:
    """Columns of ``items`` the schema marks as ``kind``, in schema order."""
    return [c for c, k in item_fields.items() if k == kind and c in items.columns]


def aligned(items: pd.DataFrame, item_ids: np.ndarray) -> pd.DataFrame:
    """One row of ``items`` per model item (the last row of a repeated ID wins, as PutItems
    replaces an item), in ``item_ids`` order; items without metadata get an empty row."""
    if not len(items) or "ITEM_ID" not in items.columns:
        return pd.DataFrame(index=pd.Index(item_ids.astype(str)))
    frame = items.assign(ITEM_ID=items["ITEM_ID"].astype(str))
    frame = frame.drop_duplicates("ITEM_ID", keep="last").set_index("ITEM_ID")
    return frame.reindex(item_ids.astype(str))


def _strings(column: pd.Series) -> list[str]:
    return ["" if v is None or (isinstance(v, float) and np.isnan(v)) else str(v) for v in column]


def item_text(rows: pd.DataFrame, columns: list[str]) -> list[str]:
    """Each row's text: the given columns' values joined by newlines (missing values, and
    columns the frame does not have, skipped)."""
    present = [c for c in columns if c in rows.columns]
    if not present:
        return [""] * len(rows)
    parts = [_strings(rows[c]) for c in present]
    return ["\n".join(p for p in values if p) for values in zip(*parts, strict=True)]


def categorical_tokens(rows: pd.DataFrame, columns: list[str]) -> list[list[str]]:
    """Each row's categorical tokens, ``FIELD=value`` per ``|``-separated value (lower case,
    as Personalize compares categorical values case-insensitively)."""
    out: list[list[str]] = [[] for _ in range(len(rows))]
    for c in columns:
        for n, raw in enumerate(_strings(rows[c])):
            out[n] += [f"{c}={v.strip().lower()}" for v in raw.split("|") if v.strip()]
    return out


# The two analyzers text is read with: whole words (scikit-learn's default token pattern, which
# matches Hangul and Latin words alike) and character n-grams within word boundaries, which
# also match inflected forms (냄비를 ~ 냄비) and misspellings. Each kind is half of a row.
_ANALYZERS: dict[str, dict[str, Any]] = {
    "w": {"analyzer": "word"},
    "c": {"analyzer": "char_wb", "ngram_range": NGRAMS},
}


def _vectorizer(kind: str, vocabulary: dict[str, int] | None = None) -> Any:
    from sklearn.feature_extraction.text import TfidfVectorizer  # heavy import

    return TfidfVectorizer(
        sublinear_tf=True,
        dtype=np.float32,
        vocabulary=vocabulary,
        max_features=None if vocabulary else MAX_TEXT_FEATURES // 2,
        **_ANALYZERS[kind],
    )


@dataclass(frozen=True)
class TextVocabulary:
    """A fitted TF-IDF vocabulary: enough to vectorise new items the same way later
    (incremental updates) without keeping a scikit-learn object (models hold arrays only).

    ``terms`` are prefixed by their analyzer ("w:" word, "c:" character n-gram), in column
    order: the word columns first.
    """

    terms: np.ndarray  # str
    idf: np.ndarray  # float64, one per term

    def transform(self, texts: list[str]) -> sp.csr_matrix:
        """Rows of L2-normalised TF-IDF weights, one per text (all-zero for empty text)."""
        blocks = []
        for kind in _ANALYZERS:
            cols = np.flatnonzero(np.char.startswith(self.terms.astype(str), f"{kind}:"))
            if not len(cols):
                continue
            vec = _vectorizer(kind, {str(t)[2:]: i for i, t in enumerate(self.terms[cols])})
            vec.idf_ = self.idf[cols]
            blocks.append(normalise(sp.csr_matrix(vec.transform(texts), dtype=np.float32)))
        return _join(blocks, len(texts))


def _join(blocks: list[sp.csr_matrix], rows: int) -> sp.csr_matrix:
    if not blocks:
        return sp.csr_matrix((rows, 0), dtype=np.float32)
    return normalise(sp.hstack(blocks, format="csr"))


def fit_text(texts: list[str]) -> tuple[TextVocabulary, sp.csr_matrix]:
    """Fit TF-IDF over words and character n-grams on ``texts``; (vocabulary, one
    L2-normalised row per text)."""
    terms, idf, blocks = [], [], []
    for kind in _ANALYZERS:
        vec = _vectorizer(kind)
        try:
            m = vec.fit_transform(texts)
        except ValueError:  # no text at all, or no word of two characters or more
            continue
        terms += [f"{kind}:{t}" for t in vec.get_feature_names_out()]
        idf.append(np.asarray(vec.idf_, np.float64))
        blocks.append(normalise(sp.csr_matrix(m, dtype=np.float32)))
    vocab = TextVocabulary(
        np.asarray(terms, dtype=str), np.concatenate(idf) if idf else np.zeros(0)
    )
    return vocab, _join(blocks, len(texts))


def categorical_matrix(tokens: list[list[str]]) -> sp.csr_matrix:
    """Rows of L2-normalised IDF-weighted one-hot categorical tokens (rare values weigh more:
    sharing a niche brand says more than sharing the catalogue's biggest category)."""
    vocab: dict[str, int] = {}
    rows, cols = [], []
    for r, toks in enumerate(tokens):
        for tok in dict.fromkeys(toks):
            rows.append(r)
            cols.append(vocab.setdefault(tok, len(vocab)))
    shape = (len(tokens), len(vocab))
    m = sp.csr_matrix((np.ones(len(rows), np.float32), (rows, cols)), shape=shape)
    if not len(vocab):
        return m
    df = np.bincount(cols, minlength=len(vocab)).astype(np.float64)
    idf = np.log((1 + len(tokens)) / (1 + df)) + 1.0  # scikit-learn's smoothed idf
    return normalise(sp.csr_matrix(m @ sp.diags(idf.astype(np.float32))))


def normalise(m: sp.csr_matrix) -> sp.csr_matrix:
    """Rows scaled to unit L2 norm (all-zero rows stay zero)."""
    norms = np.sqrt(np.asarray(m.multiply(m).sum(axis=1)).ravel())
    norms[norms == 0] = 1.0
    return sp.csr_matrix(sp.diags((1.0 / norms).astype(np.float32)) @ m, dtype=np.float32)
