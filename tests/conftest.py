"""Shared fixtures: PlanBench's reference data (../shared/planbench-ref) and helpers."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
REF = Path(os.environ.get("PLANBENCH_REF", ROOT.parent / "shared" / "planbench-ref"))


def ref_path(*parts: str) -> Path:
    """A file of PlanBench's reference data; the test is skipped where it is not present."""
    path = REF.joinpath(*parts)
    if not path.exists():
        pytest.skip(f"PlanBench reference data not found at {path} (set PLANBENCH_REF)")
    return path


@pytest.fixture(scope="session")
def ref() -> Path:
    return ref_path()


def load_json(*parts: str) -> dict:
    return json.loads(ref_path(*parts).read_text())
