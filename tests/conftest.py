"""Shared fixtures: PlanBench's reference data (../shared/planbench-ref) and helpers."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
REF = Path(os.environ.get("PLANBENCH_REF", ROOT.parent / "shared" / "planbench-ref"))


# The corpus test's figures (file -> agreed, total, adjudicated), printed after the session.
CORPUS: dict[str, tuple[int, int, int]] = {}


def pytest_terminal_summary(terminalreporter) -> None:
    if not CORPUS:
        return
    terminalreporter.section("default extractor vs PlanBench's GPT-4o-translated verdicts")
    for relative, (agree, total, adjudicated) in sorted(CORPUS.items()):
        terminalreporter.write_line(f"{100 * agree / total:6.1f}%  {agree:4d}/{total:<4d} "
                                    f"({adjudicated} adjudicated: ours right)  {relative}")
    agree = sum(a for a, _, _ in CORPUS.values())
    total = sum(t for _, t, _ in CORPUS.values())
    terminalreporter.write_line(f"{100 * agree / total:6.1f}%  {agree:4d}/{total:<4d} pooled")


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
