"""Tasks 2, 3 and 7 run end to end: ``planbench run --task`` through the real OpenAI SDK
against the real local server, which answers each prompt with the answer GPT-4 gave
PlanBench to the same prompt (its recorded files). The run's verdicts in PlanBench's
reading must then be the recorded ones, answer by answer; and ``batch export --task``
writes the same questions for an engine planbench does not drive.
"""

from __future__ import annotations

import csv
import gzip
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from planbench.results.metrics import dollars

from openai_server import OpenAIServer
from planbench.runs import read_run
from planbench.results.score import score_run

ROOT = Path(__file__).resolve().parent.parent
RECORDED = ROOT / "recorded"
KEY = "sk-task-test-0a1b2c3d"


def recorded(task_file: str) -> list[dict]:
    path = RECORDED / f"blocksworld_3__gpt-4_chat__{task_file}.json.gz"
    return json.loads(gzip.decompress(path.read_bytes()))["instances"]


class ReplayServer(OpenAIServer):
    """Answers a prompt with GPT-4's recorded answer to it; a prompt GPT-4 was not asked
    gets an answer that is neither a verdict nor a state nor a plan."""

    def __init__(self, records: list[dict]):
        super().__init__()
        self.by_query = {r["query"]: r["llm_raw_response"] for r in records}
        self.unknown = 0

    def answer(self, body: dict) -> str:
        user = [m["content"] for m in body["messages"] if m["role"] == "user"][-1]
        if user not in self.by_query:
            self.unknown += 1
        return self.by_query.get(user, "I do not know.")


def planbench(*args: str, **env: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "planbench", *args], capture_output=True, text=True, timeout=600,
                          env={**os.environ, "PLANBENCH_TEST_KEY": KEY, **env})


def scores(folder: Path) -> list[dict]:
    with open(folder / "scores.csv") as handle:
        return list(csv.DictReader(handle))


@pytest.mark.parametrize("task, task_file, verdict", [
    ("t3", "task_3_plan_verification", "llm_correct_binary"),
    ("execution", "task_7_plan_execution", "llm_correct"),
    ("t2", "task_2_plan_optimality", "llm_correct"),
])
def test_run_a_task_end_to_end(tmp_path, task: str, task_file: str, verdict: str) -> None:
    records = recorded(task_file)
    with ReplayServer(records) as server:
        result = planbench("run", "--set", "planbench-3", "--task", task, "--model", "gpt-4",
                           "--base-url", server.base_url, "--api-key-env", "PLANBENCH_TEST_KEY",
                           "--cache-dir", str(tmp_path / "cache"), "--out", str(tmp_path / "run"))
    assert result.returncode == 0, result.stderr
    assert server.requests == len(records) == 100 and server.unknown == 0  # our prompts are the ones GPT-4 saw
    assert all(b["messages"][0]["role"] == "system" for b in server.bodies)  # PlanBench's chat runs sent one
    run = read_run(tmp_path / "run")
    assert run.info["task"] in ("t2", "t3", "t7") and run.info["style"] == "one-shot"
    rows = scores(tmp_path / "run")
    assert len(rows) == 100 and {r["task"] for r in rows} == {run.info["task"]}
    right = sum(r["correct"] == "True" for r in rows)
    assert f"{right}/100 right ({run.info['task']})" in result.stdout
    # PlanBench's reading of the same answers gives PlanBench's recorded verdict on each one.
    recorded_verdict = {r["instance_id"]: bool(r[verdict]) for r in records}
    planbench_rows = score_run(run, "planbench")
    assert {r["id"]: bool(r["correct"]) for r in planbench_rows} == recorded_verdict
    # ... and each row carries the other reading: the default one, as scores.csv says it.
    assert [bool(r["other_correct"]) for r in planbench_rows] == [r["correct"] == "True" for r in rows]
    prompts = [json.loads(line) for line in (tmp_path / "run" / "prompts.jsonl").read_text().splitlines()]
    assert len(prompts) == 100 and all(p["task"] == run.info["task"] and p["truth"] for p in prompts)
    assert (tmp_path / "run" / "report.html").exists()
    assert not any(KEY.encode() in p.read_bytes() for p in (tmp_path / "run").iterdir() if p.is_file())


def test_a_task_run_s_cost_is_per_right_answer(tmp_path) -> None:
    """A t7 answer is a state, no valid plan: the cost table divides by the right answers
    and says so (it said "valid 0" and "per valid plan"), as the summary line does."""
    with ReplayServer(recorded("task_7_plan_execution")) as server:
        result = planbench("run", "--set", "planbench-3", "--task", "t7", "--model", "gpt-4o-mini", "--limit", "20",
                           "--base-url", server.base_url, "--api-key-env", "PLANBENCH_TEST_KEY",
                           "--cache-dir", str(tmp_path / "cache"), "--out", str(tmp_path / "run"))
    assert result.returncode == 0, result.stderr
    rows = scores(tmp_path / "run")
    right, spent = sum(r["correct"] == "True" for r in rows), sum(float(r["cost"]) for r in rows)
    assert 0 < right < 20 and spent > 0
    report = (tmp_path / "run" / "report.md").read_text().splitlines()
    at = next(i for i, line in enumerate(report) if line.startswith("| run | n | right | cost |"))
    assert "| per right answer |" in report[at] and "valid" not in report[at]
    cells = report[at + 2].split(" | ")  # the header, its rule, the run
    assert cells[2] == str(right) and cells[6] == dollars(spent / right)
    assert f"{dollars(spent / right)} per right answer" in result.stdout


def test_t3_verdicts_with_type_and_explanation_are_planbench_s(tmp_path) -> None:
    """t3's three verdicts (binary, with type, with explanation) in PlanBench's reading
    equal its recorded flags, counted from the recorded file."""
    records = recorded("task_3_plan_verification")
    with ReplayServer(records) as server:
        assert planbench("run", "--set", "planbench-3", "--task", "verification", "--model", "gpt-4",
                         "--base-url", server.base_url, "--api-key-env", "PLANBENCH_TEST_KEY", "--no-score",
                         "--cache-dir", str(tmp_path / "cache"), "--out", str(tmp_path / "run")).returncode == 0
    result = planbench("score", str(tmp_path / "run"), "--extractor", "planbench", "--by", "")
    assert result.returncode == 0, result.stderr
    binary, typed, explained = (sum(bool(r[k]) for r in records)
                                for k in ("llm_correct_binary", "llm_correct_w_type", "llm_correct_w_expl"))
    assert f"{binary}/100 right (t3)" in result.stdout
    assert f"with type {typed}/100; with explanation {explained}/100" in result.stdout


def test_strategies_that_do_not_apply_are_refused_in_one_line(tmp_path) -> None:
    for task, strategy, said in (("t3", "vote", "not a plan"), ("t7", "revise", "not a plan"),
                                 ("t2", "backprompt", "does not apply to t2")):
        result = planbench("run", "--set", "planbench-3", "--task", task, "--strategy", strategy, "--samples", "2",
                           "--model", "optimal", "--out", str(tmp_path / f"{task}-{strategy}"))
        assert result.returncode == 2 and said in result.stderr, result.stderr
        assert len(result.stderr.strip().splitlines()) == 1 and "Traceback" not in result.stderr
        assert not (tmp_path / f"{task}-{strategy}" / "responses.jsonl").exists()
    wrong_style = planbench("run", "--set", "planbench-3", "--task", "t3", "--style", "zero-shot", "--model", "optimal",
                            "--out", str(tmp_path / "style"))
    assert wrong_style.returncode == 2 and "one-shot" in wrong_style.stderr


def test_batch_export_writes_the_task_s_questions(tmp_path) -> None:
    out = tmp_path / "requests.jsonl"
    result = planbench("batch", "export", "--set", "planbench-3", "--task", "t7", "--model", "llama", "--out", str(out))
    assert result.returncode == 0, result.stderr
    lines = [json.loads(line) for line in out.read_text().splitlines()]
    asked = {line["body"]["messages"][-1]["content"] for line in lines}
    assert len(lines) == 100 and asked == {r["query"] for r in recorded("task_7_plan_execution")}
    manifest = json.loads((tmp_path / "requests.planbench.json").read_text())
    assert manifest["config"]["task"] == "t7" and manifest["config"]["style"] == "one-shot"
