"""Where the public benchmark instances live.

The project keeps them outside the repository, in `../shared/bench` seen from the
project root; the command line can point elsewhere with `--data`.
"""

from __future__ import annotations

from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DATA_DIR = PROJECT_ROOT.parent / "shared" / "bench"
DEMO_PORTFOLIO = PROJECT_ROOT / "catalog" / "data" / "demo.yaml"


def data_dir(path: str | Path | None = None) -> Path:
    """The benchmark data folder: `path` when given, else the project's shared copy."""
    return Path(path) if path is not None else DEFAULT_DATA_DIR
