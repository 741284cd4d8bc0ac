"""PlanBench's task files (prompts and recorded answers of tasks 2-8), found and joined to our sets."""

from __future__ import annotations

import json
from functools import lru_cache

from conftest import REF, ref_path
from planbench.results.importer import FOLDERS
from planbench.sets.instances import Instance, InstanceSet, load_set
from planbench.world import encodings


def prompt_files(stem: str) -> list[str]:
    """``prompts/<folder>/<stem>.json`` for every folder that has one (relative to REF)."""
    if not REF.is_dir():
        return []
    return sorted(str(p.relative_to(REF)) for p in (REF / "prompts").glob(f"*/{stem}.json"))


def response_files(stem: str) -> list[str]:
    """``tasks/responses/<folder>/<engine>/<stem>.json``: recorded answers with verdicts."""
    if not REF.is_dir():
        return []
    return sorted(str(p.relative_to(REF)) for p in (REF / "tasks" / "responses").glob(f"*/*/{stem}.json"))


def folder_of(relative: str) -> str:
    return next(p for p in reversed(relative.split("/")[:-1]) if p in FOLDERS)


def part_and_encoding(relative: str) -> tuple[str, encodings.Encoding]:
    _, part, encoding = FOLDERS[folder_of(relative)]
    return part, encodings.get(encoding)


@lru_cache(maxsize=1)
def planbench_600() -> InstanceSet:
    return load_set("planbench-600")


def instance(part: str, number: int) -> Instance:
    return planbench_600().find(part, number)


@lru_cache(maxsize=32)
def records(relative: str) -> tuple[dict, ...]:
    """A recorded file's answers; the test is skipped where PlanBench's data is not present."""
    return tuple(json.loads(ref_path(relative).read_text())["instances"])


def agreement(label: str, agreed: int, total: int) -> str:
    """The per-file figure the tests print (pytest -s shows it, -q keeps it quiet)."""
    line = f"{label}: {agreed}/{total} ({100 * agreed / max(total, 1):.1f}%)"
    print(line)
    return line
