"""Fixtures of the benchmark tests: the shared public instances."""

from __future__ import annotations

from pathlib import Path

import pytest

from bench.paths import data_dir


@pytest.fixture(scope="session")
def bench_data() -> Path:
    """The shared benchmark folder (`../shared/bench` from the project root)."""
    folder = data_dir()
    if not (folder / "mknap").is_dir() or not (folder / "psplib").is_dir():
        pytest.skip(f"benchmark instances not found in {folder}")
    return folder
