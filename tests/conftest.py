"""Shared fixtures: PlanBench's reference data (../shared/planbench-ref) and helpers."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from planbench import world
from planbench.world.problem import Problem

ROOT = Path(__file__).resolve().parent.parent
REF = Path(os.environ.get("PLANBENCH_REF", ROOT.parent / "shared" / "planbench-ref"))
# Cross-checks against reference planners and validators run a sample that keeps CI within its
# minutes; PLANBENCH_FULL_CROSSCHECKS=1 runs the whole of each (the figures quoted in the README).
FULL_CROSSCHECKS = os.environ.get("PLANBENCH_FULL_CROSSCHECKS") == "1"


def crosscheck_size(full: int, sample: int) -> int:
    """How many cases a cross-check runs: ``full`` when asked for, else ``sample``."""
    return full if FULL_CROSSCHECKS else sample


# The corpus test's figures (file -> agreed, total, adjudicated), printed after the session.
CORPUS: dict[str, tuple[int, int, int]] = {}


def pytest_sessionfinish(session) -> None:
    """Under pytest-xdist each worker hands its corpus figures to the controller, which
    prints the table (``pytest_testnodedown``)."""
    workeroutput = getattr(session.config, "workeroutput", None)
    if workeroutput is not None:
        workeroutput["corpus"] = json.dumps(CORPUS)


def pytest_testnodedown(node, error) -> None:
    for relative, figures in json.loads(getattr(node, "workeroutput", {}).get("corpus", "{}")).items():
        CORPUS[relative] = tuple(figures)


def pytest_terminal_summary(terminalreporter) -> None:
    if not CORPUS:
        return
    terminalreporter.section("default extractor vs PlanBench's GPT-4o-translated verdicts")
    for relative, (agree, total, adjudicated) in sorted(CORPUS.items()):
        terminalreporter.write_line(f"{100 * agree / total:6.1f}%  {agree:4d}/{total:<4d} "
                                    f"({adjudicated} adjudicated: ours right)  {relative}")
    agree = sum(a for a, _, _ in CORPUS.values())
    total = sum(t for _, t, _ in CORPUS.values())
    adjudicated = sum(d for _, _, d in CORPUS.values())
    terminalreporter.write_line(f"{100 * agree / total:6.1f}%  {agree:4d}/{total:<4d} pooled; "
                                f"{100 * (agree + adjudicated) / total:.1f}% with the adjudicated records corrected")


def ref_path(*parts: str) -> Path:
    """A file of PlanBench's reference data; the test is skipped where it is not present."""
    path = REF.joinpath(*parts)
    if not path.exists():
        pytest.skip(f"PlanBench reference data not found at {path} (set PLANBENCH_REF)")
    return path


@pytest.fixture(scope="session")
def reproduced(tmp_path_factory) -> tuple[Path, subprocess.CompletedProcess]:
    """``planbench reproduce`` (the README's main job) run once for the session, as a new
    user runs it and offline: no variable of this machine but PATH, a fresh HOME. (The
    report is read by several tests; making it takes a sixth of a minute.)"""
    home = tmp_path_factory.mktemp("home")
    out = tmp_path_factory.mktemp("reproduce") / "planbench-report"
    done = subprocess.run([sys.executable, "-m", "planbench", "reproduce", "--out", str(out)], capture_output=True,
                          text=True, timeout=600, env={"PATH": "/usr/bin:/bin", "HOME": str(home)})
    return out, done


@pytest.fixture(scope="session")
def ref() -> Path:
    return ref_path()


def load_json(*parts: str) -> dict:
    return json.loads(ref_path(*parts).read_text())


def problem_from_statement(text: str, encoding) -> Problem:
    """The problem a natural-language [STATEMENT] describes (each atom by its template)."""
    patterns = []
    for predicate, template in encoding.predicate_text.items():
        pattern = re.escape(template.replace("-", " ")).replace(r"\{\}", "(.+?)")
        patterns.append((predicate, re.compile(pattern + "$")))
    names = {encoding.object_to_text(world.block_name(i)): world.block_name(i) for i in range(26)}

    def atoms(sentence: str) -> tuple:
        out = []
        for part in re.split(r", | and (?=the )", sentence):
            predicate, match = next((p, m) for p, r in patterns if (m := r.match(part)))
            out.append((predicate, *(names[g] for g in match.groups())))
        return tuple(out)

    init = atoms(text.split("As initial conditions I have that, ")[1].split(".\n")[0])
    goal = atoms(text.split("My goal is to have that ")[1].split(".\n")[0])
    blocks = sorted({b for atom in init for b in atom[1:]})
    return Problem(f"BW-rand-{len(blocks)}", tuple(blocks), init, goal)
