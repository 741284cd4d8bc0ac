"""A run scored with a reading (``planbench score RUN --extractor X``) is read that way
afterwards by every command, as the README's "two readings of one run side by side" shows
it: report, compare and show agree with its scores.csv and results.json. (Before, only
score, export and load did: report and compare scored it again with the default reading,
so the two copies came out identical, and show's verdict contradicted scores.csv.)

Runs from a PlanBench file bundled with planbench (GPT-4's 3-block t4 answers, which the
two readings judge differently), so no reference data is needed."""

from __future__ import annotations

import csv
import gzip
import json
import shutil
import subprocess
import sys
from pathlib import Path

from conftest import ROOT

T4 = ROOT / "recorded" / "blocksworld_3__gpt-4_chat__task_4_plan_reuse.json.gz"


def planbench(*args: str) -> subprocess.CompletedProcess:
    """The ``planbench`` command in this process (the CLI's own code, real files)."""
    from click.testing import CliRunner

    from planbench.cli import main

    result = CliRunner().invoke(main, list(args), catch_exceptions=False)
    return subprocess.CompletedProcess(args, result.exit_code, result.stdout, result.stderr)


def recorded_right(path: Path) -> dict[int, bool]:
    """PlanBench's own verdict per instance, read from its file: what its evaluator (our
    ``planbench`` reading) said."""
    document = json.loads(gzip.decompress(path.read_bytes()))
    return {int(item["instance_id"]): str(item["llm_correct"]) == "True" for item in document["instances"]}


def test_two_readings_of_one_run_stay_two_in_report_compare_and_show(tmp_path) -> None:
    verdicts = recorded_right(T4)
    ours, theirs = tmp_path / "default", tmp_path / "planbench"
    assert planbench("import", str(T4), "--out", str(ours), "--name", "t4 default").returncode == 0
    shutil.copytree(ours, theirs)
    assert planbench("score", str(ours), "--by", "").returncode == 0
    scored = planbench("score", str(theirs), "--extractor", "planbench", "--name", "t4 planbench", "--by", "")
    assert scored.returncode == 0, scored.stderr
    with (ours / "scores.csv").open() as handle:
        default_right = {int(r["id"]): r["correct"] == "True" for r in csv.DictReader(handle)}
    right = sum(verdicts.values())
    assert f"{right}/100 right (t4)" in scored.stdout
    assert sum(default_right.values()) != right  # the readings part on this file

    reported = planbench("report", str(ours), str(theirs), "--out", str(tmp_path / "report"))
    assert reported.returncode == 0, reported.stderr
    overall: dict[str, list[str]] = {}  # the first table's rows: the overall figures
    for line in (tmp_path / "report" / "report.md").read_text().splitlines():
        if line.startswith("| t4 "):
            overall.setdefault(line.split(" | ")[0].removeprefix("| "), line.split(" | "))
    assert overall["t4 default"][5].startswith(f"{sum(default_right.values()):.1f}%")
    assert overall["t4 planbench"][5].startswith(f"{right:.1f}%")

    compared = planbench("compare", str(ours), str(theirs), "--overall-only")
    assert compared.returncode == 0, compared.stderr
    row = next(line.split() for line in compared.stdout.splitlines() if line.startswith("all "))
    assert row[2:4] == [f"{sum(default_right.values()):.1f}%", f"{right:.1f}%"]

    differs = next(i for i, v in verdicts.items() if v != default_right[i])
    for folder, expected in ((ours, default_right[differs]), (theirs, verdicts[differs])):
        shown = planbench("show", str(folder), str(differs))
        assert shown.returncode == 0, shown.stderr
        assert shown.stdout.splitlines()[1].startswith(f"verdict: {'right' if expected else 'wrong'}")


def test_scores_are_saved_when_the_reader_of_the_output_stops(tmp_path) -> None:
    """``planbench score RUN | head -1``: the pipe closes before the table is printed; the
    scores are written all the same (before, the command died on the closed pipe, exit 1,
    with no scores.csv and no word said)."""
    run = tmp_path / "run"
    assert planbench("import", str(T4), "--out", str(run)).returncode == 0
    process = subprocess.Popen([sys.executable, "-m", "planbench", "score", str(run)], stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE)
    process.stdout.close()  # the reader is gone before the first line
    _, errors = process.communicate(timeout=300)
    assert (run / "scores.csv").is_file() and (run / "results.json").is_file()
    assert sum(1 for _ in (run / "scores.csv").open()) == 101
    assert b"Traceback" not in errors and b"BrokenPipe" not in errors


def test_import_says_which_task_it_imported(tmp_path) -> None:
    """A task 2-8 file is named by its task (an Inspect log of t3 said "(planbench-3,
    blocksworld, None)": such runs have no prompt style of their own)."""
    imported = planbench("import", str(T4), "--out", str(tmp_path / "run"))
    assert imported.returncode == 0, imported.stderr
    recorded = json.loads(gzip.decompress(T4.read_bytes()))["task"]
    assert recorded == "task_4_plan_reuse" and "(planbench-3, blocksworld, t4)" in imported.stdout

