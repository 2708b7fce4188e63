"""A hyperparameter's value read from Personalize's string map (float, int or boolean)."""

from __future__ import annotations

from collections.abc import Mapping

from services.local.models.recipes.base import TrainingError


def hp_float(hp: Mapping[str, str], name: str, default: float) -> float:
    """A float hyperparameter from Personalize's string map."""
    raw = hp.get(name)
    if raw is None or raw == "":
        return default
    try:
        return float(raw)
    except ValueError as err:
        raise TrainingError(f"hyperparameter {name}={raw!r} is not a number") from err


def hp_int(hp: Mapping[str, str], name: str, default: int) -> int:
    """An int hyperparameter from Personalize's string map."""
    return int(round(hp_float(hp, name, float(default))))


def hp_bool(hp: Mapping[str, str], name: str, default: bool) -> bool:
    """A boolean hyperparameter ("true"/"false", any case)."""
    raw = hp.get(name)
    if raw is None or raw == "":
        return default
    if raw.strip().lower() in ("true", "1", "yes"):
        return True
    if raw.strip().lower() in ("false", "0", "no"):
        return False
    raise TrainingError(f"hyperparameter {name}={raw!r} is not true or false")
