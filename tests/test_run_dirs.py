"""Run directories that travel: scored, shown, reported and resumed from any working
directory, after being moved or copied to where the set and the prices file are not; and
named, so two readings of one run sit side by side."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from openai_server import OpenAIServer
from planbench.runs import read_responses, read_run

KEY = "sk-travel-test"
# The test server's usage per answer: 100 prompt tokens (10 of them cached), 20 completion tokens.
PRICES = {"input": 2.0, "output": 8.0}
COST = (90 * 2.0 + 10 * 2.0 + 20 * 8.0) / 1e6  # no cached_input price: cached tokens at the input price


def planbench(cwd: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "planbench", *args], cwd=cwd, capture_output=True, text=True,
                          timeout=300, env={**os.environ, "TRAVEL_KEY": KEY})


def ok(done: subprocess.CompletedProcess) -> str:
    assert done.returncode == 0, done.stderr
    return done.stdout


@pytest.fixture
def made(tmp_path):
    """A run of a generated set with unsolvable problems, priced by a local prices file,
    made from ``home`` with relative paths, as a user types them."""
    home = tmp_path / "home"
    home.mkdir()
    ok(planbench(home, "generate", "--blocks", "3-4", "--count", "6", "--seed", "1", "--unsolvable", "0.3",
                 "--out", "sets/gen"))
    (home / "prices.yaml").write_text("models:\n  travel-model: {input: 2.0, output: 8.0}\n")
    with OpenAIServer() as server:
        ok(planbench(home, "run", "--set", "sets/gen", "--style", "zero-shot", "--model", "travel-model",
                     "--base-url", server.base_url, "--api-key-env", "TRAVEL_KEY", "--pricing", "prices.yaml",
                     "--cache-dir", "cache", "--out", "runs/x", "--no-score"))
        yield home, server


def test_a_copied_run_directory_works_where_its_set_and_prices_are_not(made, tmp_path) -> None:
    home, server = made
    elsewhere = tmp_path / "another machine"
    shutil.copytree(home / "runs" / "x", elsewhere / "runs" / "x")
    shutil.rmtree(home)  # the set, the prices file and the cache went with the first machine
    run = elsewhere / "runs" / "x"
    info = json.loads((run / "run.json").read_text())
    assert info["set"] == "sets/gen" and info["prices"] == PRICES and len(info["set_digest"]) == 64
    answers = run / "responses.jsonl"
    answers.write_text("".join(answers.read_text().splitlines(keepends=True)[:2]))  # four answers lost
    somewhere = tmp_path / "somewhere"
    somewhere.mkdir()

    printed = ok(planbench(somewhere, "score", str(run)))
    assert printed.startswith("x: ") and "incomplete: answered 2 of 6" in printed
    ok(planbench(somewhere, "show", str(run), str(json.loads(answers.read_text().splitlines()[0])["id"])))
    ok(planbench(somewhere, "report", str(run), "--out", "report"))
    assert (somewhere / "report" / "report.html").exists()
    ok(planbench(somewhere, "resume", str(run), "--no-score"))
    assert server.requests == 6 + 4  # exactly the lost four, sent again
    resumed = read_responses(read_run(run))
    assert sorted(r["id"] for r in resumed) == list(range(1, 7))
    assert all(abs(r["cost"] - COST) < 1e-12 for r in resumed)  # priced as recorded, the file long gone
    resumed_info = json.loads((run / "run.json").read_text())
    assert resumed_info["set"] == "sets/gen" and resumed_info["set_path"] == info["set_path"]  # as first recorded


def test_a_run_made_before_sets_were_kept_finds_its_set_above_it(made, tmp_path) -> None:
    """run.json files written before: the set as typed, found from the folder that holds
    the run (where it was made), from any working directory."""
    home, _ = made
    run = home / "runs" / "x"
    info = json.loads((run / "run.json").read_text())
    for field in ("set_path", "set_digest", "prices"):
        del info[field]
    (run / "run.json").write_text(json.dumps(info))
    shutil.rmtree(run / "set")
    ok(planbench(tmp_path, "score", str(run)))
    (home / "sets" / "gen" / "manifest.jsonl").write_text("")  # gone: one line naming what was looked for
    done = planbench(tmp_path, "score", str(run))
    assert done.returncode == 2 and done.stderr.count("\n") == 1 and "sets/gen" in done.stderr


def test_a_regenerated_set_is_not_taken_for_the_runs(made, tmp_path) -> None:
    """The copy kept in the run is what it asked; without it, a different manifest at the
    recorded place is refused by name, never scored against."""
    home, _ = made
    run = home / "runs" / "x"
    shutil.rmtree(run / "set")
    ok(planbench(home, "generate", "--blocks", "3-4", "--count", "6", "--seed", "2", "--out", "sets/gen", "--force"))
    done = planbench(tmp_path, "score", str(run))
    assert done.returncode == 2 and "regenerated" in done.stderr and done.stderr.count("\n") == 1


def test_two_readings_of_one_run_side_by_side(made, tmp_path) -> None:
    """A copy scored with PlanBench's rule parser, named for it, reported beside the
    original; --name on run and import too."""
    home, server = made
    shutil.copytree(home / "runs" / "x", home / "runs" / "x-copy")
    clash = planbench(home, "report", "runs/x", "runs/x-copy", "--out", "both")
    assert clash.returncode == 0  # a copy is called by its folder's name
    ok(planbench(home, "score", "runs/x-copy", "--extractor", "planbench-rule", "--name", "x (rule parser)"))
    assert read_run(home / "runs" / "x-copy").name == "x (rule parser)"
    ok(planbench(home, "report", "runs/x", "runs/x-copy", "--out", "both"))
    report = (home / "both" / "report.md").read_text()
    assert "x (rule parser)" in report and "| x |" in report
    ok(planbench(home, "run", "--set", "sets/gen", "--style", "zero-shot", "--model", "optimal", "--out", "runs/o",
                 "--name", "the optimal planner"))
    assert read_run(home / "runs" / "o").name == "the optimal planner"
    recorded = Path(__file__).resolve().parent.parent / "recorded"
    ok(planbench(home, "import", str(recorded / "blocksworld_3__gpt-4o_chat__task_1_plan_generation.json.gz"),
                 "--out", "runs/imported", "--name", "gpt-4o one-shot"))
    assert read_run(home / "runs" / "imported").name == "gpt-4o one-shot"
    empty = planbench(home, "score", "runs/x", "--name", " ")
    assert empty.returncode == 2 and "--name" in empty.stderr


def test_generated_sets_serve_offline_models_and_back_prompting(tmp_path) -> None:
    """The random model and back-prompting read the set by where it is, not by its folder's
    name (which is not a path: every answer failed)."""
    ok(planbench(tmp_path, "generate", "--blocks", "3-4", "--count", "4", "--seed", "3", "--out", "sets/gen"))
    ok(planbench(tmp_path, "run", "--set", "sets/gen", "--style", "zero-shot", "--model", "repair:1",
                 "--strategy", "backprompt", "--rounds", "3", "--out", "runs/bp"))
    answers = read_responses(read_run(tmp_path / "runs" / "bp"))
    assert answers and not any(a["error"] for a in answers) and max(a["round"] for a in answers) >= 1
    ok(planbench(tmp_path, "run", "--set", "sets/gen", "--style", "zero-shot", "--model", "random:1",
                 "--out", "runs/random"))
    assert not any(a["error"] for a in read_responses(read_run(tmp_path / "runs" / "random")))
