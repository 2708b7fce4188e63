from pathlib import Path

RAW = Path(__file__).resolve().parents[1] / "data" / "raw"
MAPPINGS = RAW / "mappings"
EXPECTED = RAW / "expected"
CASES = sorted(p.stem for p in MAPPINGS.glob("*.json"))


def raw_file(stem: str) -> Path:
    """The raw export a mapping in the corpus is for (its name, any extension)."""
    (path,) = [p for p in RAW.iterdir() if p.is_file() and p.name.split(".")[0] == stem]
    return path
