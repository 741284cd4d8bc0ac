"""The task axis through every stage: names, options, run.json, import, scores, compare.

Task 1 is the default everywhere and nothing about it changed but the ``task`` column;
tasks 2-8 are asked one-shot, judged against the truth of the prompt each answer answered,
read both ways. The end-to-end runs of tasks 2, 3 and 7 against the test server are in
``tests/test_task_runs.py``.
"""

from __future__ import annotations

import csv
import json
import subprocess
import sys
from pathlib import Path

import pytest

from planbench.errors import InputError
from planbench.results.importer import describe, planbench_task
from planbench.results.score import COLUMNS, score_run, write_scores
from planbench.runs import read_run
from planbench.tasks import canonical
from planbench.tasks import records as tasks

ROOT = Path(__file__).resolve().parent.parent
T1_GPT4 = ROOT / "recorded" / "blocksworld_3__gpt-4_chat__task_1_plan_generation.json.gz"


def planbench(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "planbench", *args], capture_output=True, text=True, timeout=300)


def test_names_and_words_name_the_same_task() -> None:
    assert canonical("verification") == canonical("T3") == canonical("task_3") == "t3"
    assert canonical("goal-shuffling") == canonical("t8.1") == "t8_1"
    assert tasks.get(None).name == tasks.get("plan-generation").name == "t1"
    with pytest.raises(InputError, match="unknown task 'nine'"):
        canonical("nine")


@pytest.mark.parametrize("field, name, task", [
    ("task_3_plan_verification", "x.json", "t3"),
    ("task_8_1_goal_shuffling", "x.json", "t8_1"),
    ("t1", "task_1_plan_generation_state_tracking.json", "t1"),
    ("task_1_plan_generation_zero_shot", "x.json", "t1"),
    ("", "blocksworld_3__gpt-4_chat__task_7_plan_execution.json", "t7"),
    ("", "results.json", "t1"),  # the oldest files say no task: task 1's
])
def test_the_task_of_a_planbench_file(field: str, name: str, task: str) -> None:
    found = planbench_task(Path(name), field, name.split("__")[-1])
    assert found == task


def test_planbench_t3_1_is_refused_in_one_line() -> None:
    with pytest.raises(InputError, match="t3_1"):
        planbench_task(Path("f.json"), "task_3_plan_verification_with_llm_plans", "f.json")


def test_describe_reads_the_task_and_asks_one_shot() -> None:
    path = Path("recorded/blocksworld_3__text-davinci-002__task_7_plan_execution.json.gz")
    info = describe(path, {"task": "task_7_plan_execution", "engine": "text-davinci-002", "instances": []})
    assert (info["task"], info["style"], info["set"], info["model"]) == ("t7", "one-shot", "planbench-3",
                                                                         "text-davinci-002")
    assert describe(T1_GPT4, {"task": "t1", "engine": "gpt-4_chat", "instances": []})["task"] == "t1"


def test_task_1_scores_are_unchanged_but_for_the_task_column(tmp_path) -> None:
    """Task 1's rows carry no column of tasks 2-8; its scores.csv is the one it always was
    with ``task`` beside ``style``, and the recorded GPT-4 3-block one-shot file is 49 right
    with PlanBench's rule parser (its recorded verdicts, 100%)."""
    assert planbench("import", str(T1_GPT4), "--out", str(tmp_path / "t1")).returncode == 0
    run = read_run(tmp_path / "t1")
    assert run.info["task"] == "t1"
    rows = score_run(run, "planbench")
    write_scores(rows, tmp_path / "scores.csv")
    with open(tmp_path / "scores.csv") as handle:
        header = next(csv.reader(handle))
    assert header == COLUMNS and header[header.index("style") + 1] == "task"
    assert {r["task"] for r in rows} == {"t1"} and sum(r["correct"] for r in rows) == 49
    assert all(r["correct"] == r["recorded_verdict"] for r in rows)
    # "planbench" is task 1's current rule parser, as "planbench-rule" always was
    assert [r["correct"] for r in rows] == [r["correct"] for r in score_run(run, "planbench-rule")]


def test_task_1_needs_a_style_and_tasks_2_to_8_are_one_shot(tmp_path) -> None:
    missing = planbench("prompts", "--set", "planbench-3", "--out", str(tmp_path / "p.jsonl"))
    assert missing.returncode == 2 and "--style" in missing.stderr and "Traceback" not in missing.stderr
    unknown = planbench("prompts", "--set", "planbench-3", "--task", "nine", "--out", str(tmp_path / "p.jsonl"))
    assert unknown.returncode == 2 and "unknown task 'nine'" in unknown.stderr
    assert len(unknown.stderr.strip().splitlines()) == 1


def test_a_run_json_without_a_task_is_task_1s(tmp_path) -> None:
    """Run directories written before tasks 2-8 resume as task 1 runs, not as different runs."""
    from planbench.run.execute import read_config, write_run_file
    from planbench.run.runner import RunConfig

    config = RunConfig(set="planbench-3", encoding="blocksworld", style="zero-shot", model="optimal")
    write_run_file(tmp_path, config)
    info = json.loads((tmp_path / "run.json").read_text())
    assert info["task"] == "t1"
    del info["task"]
    (tmp_path / "run.json").write_text(json.dumps(info))
    assert read_config(tmp_path).task == "t1"
    write_run_file(tmp_path, config)  # the same run: no complaint


def test_compare_refuses_runs_of_different_tasks(tmp_path) -> None:
    for name, task in (("a", "t1"), ("b", "t3")):
        (tmp_path / name).mkdir()
        (tmp_path / name / "run.json").write_text(json.dumps({"set": "planbench-3", "encoding": "blocksworld",
                                                              "task": task, "name": name}))
    result = planbench("compare", str(tmp_path / "a"), str(tmp_path / "b"))
    assert result.returncode == 2 and "same questions" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


def test_score_task_must_agree_with_the_run(tmp_path) -> None:
    assert planbench("import", str(T1_GPT4), "--out", str(tmp_path / "t1")).returncode == 0
    result = planbench("score", str(tmp_path / "t1"), "--task", "t7")
    assert result.returncode == 2 and "cannot be judged as t7" in result.stderr
    assert planbench("score", str(tmp_path / "t1"), "--task", "plan-generation", "--by", "").returncode == 0
