from pathlib import Path

import pytest

DATA = Path(__file__).resolve().parents[1] / "data"
GOOD = DATA / "good"
BAD = DATA / "bad"
NOW = 1_735_689_600  # 2025-01-01T00:00:00Z; the corpus is dated 2024
T0 = 1_704_067_200  # 2024-01-01


@pytest.fixture
def write_csv(tmp_path):
    def write(text: str | bytes, name: str = "data.csv") -> Path:
        path = tmp_path / name
        path.write_bytes(text if isinstance(text, bytes) else text.encode("utf-8"))
        return path

    return write
