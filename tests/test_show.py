"""`planbench show`: why one answer got its verdict, as a person reads it in a terminal."""

from __future__ import annotations

import csv
import subprocess
import sys

from conftest import ref_path
from planbench.results.importer import import_results

O1_MYSTERY = ("mystery_blocksworld_3", "o1-preview_chat", "task_1_plan_generation_zero_shot.json")


def planbench(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "planbench", *args], capture_output=True, text=True, timeout=300)


def test_show_marks_the_plan_taken_and_the_failing_step(tmp_path) -> None:
    import_results(ref_path("responses", *O1_MYSTERY), tmp_path / "run")
    shown = planbench("show", str(tmp_path / "run"), "1")
    assert shown.returncode == 0, shown.stderr
    lines = shown.stdout.splitlines()
    assert "verdict: invalid" in lines[1]
    # The restated plan under "Plan of Actions" is the one taken; the numbered list above
    # it is another candidate.
    taken = [line for line in lines if line.startswith("▌ ")]
    assert taken[0] == "▌ - **Feast c from b**" and len(taken) == 5
    assert any(line.startswith("┆ 1. **Feast object c from object b**") for line in lines)
    # The trace speaks Mystery, and marks step 2 with the fact that did not hold.
    failing = [line for line in lines if line.startswith("✗ ")]
    assert failing[0] == "✗ 2. overcome object a from object b   (overcome a b)"
    assert "pain object a" in failing[1]
    assert "holding" not in shown.stdout and "on top of" not in shown.stdout


def test_show_walks_a_valid_plan_to_the_goal(tmp_path) -> None:
    import_results(ref_path("responses", *O1_MYSTERY), tmp_path / "run")
    shown = planbench("show", str(tmp_path / "run"), "planbench-3/8")
    assert shown.returncode == 0, shown.stderr
    assert "verdict: valid" in shown.stdout
    assert "-> now object a craves object c" in shown.stdout
    assert shown.stdout.rstrip().endswith("valid, 2 steps, optimal 2")


def test_show_bad_input_is_one_line(tmp_path) -> None:
    import_results(ref_path("responses", *O1_MYSTERY), tmp_path / "run")
    for args, expected in [(("999",), "no answer for instance 999"), (("x",), "not an instance id"),
                           (("1", "--sample", "3"), "no answer for instance 1, sample 3")]:
        shown = planbench("show", str(tmp_path / "run"), *args)
        assert shown.returncode == 2 and expected in shown.stderr and "Traceback" not in shown.stderr
    missing = planbench("show", str(tmp_path / "nothing"), "1")
    assert missing.returncode == 2 and "not a run directory" in missing.stderr


def test_scores_say_what_was_read_in_the_encoding_s_names(tmp_path) -> None:
    import_results(ref_path("responses", *O1_MYSTERY), tmp_path / "run")
    assert planbench("score", str(tmp_path / "run")).returncode == 0
    rows = {row["id"]: row for row in csv.DictReader((tmp_path / "run" / "scores.csv").open())}
    assert rows["1"]["extracted_plan"].startswith("(feast c b) (overcome a b)")
    assert rows["1"]["candidates"] == "5" and rows["1"]["ambiguous"] == "True"
    assert rows["1"]["reason"] == "The plan is invalid. The action at step 2, (overcome a b), has an unmet precondition: (pain a)"
    assert rows["8"]["ambiguous"] == "False"


def test_show_takes_a_turn_of_a_conversation(tmp_path) -> None:
    """A back-prompting conversation (PlanBench's recorded log): show gives its last turn,
    ``--round N`` any other, with the critique the model was sent before it; a round the
    conversation never reached is one line."""
    import json

    log = ("blocksworld_hard", "gpt-4o-mini-2024-07-18_chat", "task_1_plan_generation_backprompting_zero_shot_pddl.json")
    import_results(ref_path("responses", *log), tmp_path / "log")
    turns: dict = {}
    for line in (tmp_path / "log" / "responses.jsonl").read_text().splitlines():
        answer = json.loads(line)
        turns.setdefault(answer["id"], []).append(answer)
    number, conversation = next((n, c) for n, c in turns.items() if len(c) >= 2)
    last = max(int(a["round"]) for a in conversation)
    shown = planbench("show", str(tmp_path / "log"), str(number))
    assert shown.returncode == 0, shown.stderr
    assert f", sample 0, round {last} (" in shown.stdout.splitlines()[0]
    second = planbench("show", str(tmp_path / "log"), str(number), "--round", "1")
    told = next(a for a in conversation if int(a["round"]) == 1)["user_message"]
    assert ", sample 0, round 1 (" in second.stdout.splitlines()[0] and "message before this answer:" in second.stdout
    assert told.splitlines()[0] in second.stdout
    first = planbench("show", str(tmp_path / "log"), str(number), "--round", "0")
    assert ", sample 0 (" in first.stdout.splitlines()[0] and "message before this answer" not in first.stdout
    beyond = planbench("show", str(tmp_path / "log"), str(number), "--round", str(last + 1))
    assert beyond.returncode == 2 and f"no answer for instance {number}, sample 0, round {last + 1}" in beyond.stderr
