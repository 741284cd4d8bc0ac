"""The task axis through every stage: names, options, run.json, import, scores, compare.

Task 1 is the default everywhere and nothing about it changed but the ``task`` column;
tasks 2-8 are asked one-shot, judged against the truth of the prompt each answer answered,
read both ways. The end-to-end runs of tasks 2, 3 and 7 against the test server are in
``tests/test_task_runs.py``.
"""

from __future__ import annotations

import csv
import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

from planbench.errors import InputError
from planbench.sets.instances import parse_action
from planbench.world import encodings
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


TASK_FILES = sorted(p for p in (ROOT / "recorded").glob("*.json.gz") if "task_1_" not in p.name)


@pytest.mark.parametrize("path", TASK_FILES, ids=lambda p: p.name.removesuffix(".json.gz"))
def test_imported_task_files_reproduce_planbench_s_verdicts(tmp_path, path: Path) -> None:
    """Every bundled recorded file of tasks 2-8, imported and read as PlanBench read it,
    gives its recorded verdict on every answer (t3: all three flags), and no recorded query
    differs from the prompt we build."""
    import gzip

    from planbench.results.importer import import_results

    run, problems = import_results(path, tmp_path / "run")
    assert problems == []  # every instance joined, every recorded query equal to our prompt
    records = {r["instance_id"]: r for r in json.loads(gzip.decompress(path.read_bytes()))["instances"]}
    rows = score_run(run, "planbench")
    assert len(rows) == len(records)
    flags = {"correct": ("llm_correct", "llm_correct_binary"), "correct_type": ("llm_correct_w_type",),
             "correct_explanation": ("llm_correct_w_expl",)}
    for row in rows:
        record = records[row["id"]]
        for column, names in flags.items():
            name = next((n for n in names if n in record), None)
            if name is not None:
                assert bool(row[column]) == bool(record[name]), (row["id"], column, row["reason"])
    assert {r["task"] for r in rows} == {run.info["task"]} != {"t1"}


def test_a_recorded_query_that_is_not_our_prompt_is_said_in_one_line(tmp_path) -> None:
    import gzip

    path = ROOT / "recorded" / "blocksworld_3__gpt-4_chat__task_7_plan_execution.json.gz"
    data = json.loads(gzip.decompress(path.read_bytes()))
    data["instances"][4]["query"] += " (edited)"
    data["instances"][9]["query"] = data["instances"][9]["query"].replace("red", "crimson")
    edited = tmp_path / "blocksworld_3" / "gpt-4_chat" / "task_7_plan_execution.json"
    edited.parent.mkdir(parents=True)
    edited.write_text(json.dumps(data))
    result = planbench("import", str(edited), "--out", str(tmp_path / "run"))
    assert result.returncode == 0, result.stderr
    said = [line for line in result.stderr.splitlines() if "differ" in line]
    first = data["instances"][4]["instance_id"]
    assert said == [f"planbench: {edited}: 2 of 100 recorded queries differ from the prompts planbench builds "
                    f"(first: instance {first}); judged against planbench's truth"]


def test_show_says_why_the_two_readings_differ(tmp_path) -> None:
    """t7: PlanBench's recorded parser split a state on commas only, so "the blue block and
    the red block are clear" reads as one atom; where the readings part, show says both."""
    from planbench.results.importer import import_results

    run, _ = import_results(ROOT / "recorded" / "blocksworld_3__gpt-4_chat__task_7_plan_execution.json.gz",
                            tmp_path / "run")
    rows = score_run(run)
    differ = [r for r in rows if bool(r["other_correct"]) != bool(r["correct"])]
    agree = next(r for r in rows if bool(r["other_correct"]) == bool(r["correct"]))
    assert differ, "GPT-4's t7 answers include some the two readings judge differently"
    shown = planbench("show", str(tmp_path / "run"), str(differ[0]["id"]))
    assert shown.returncode == 0, shown.stderr
    assert "the two readings differ:" in shown.stdout
    assert f"default reading (ours, judged exactly against what the prompt asks): " \
           f"{'right' if differ[0]['correct'] else 'wrong'}" in shown.stdout
    assert f"planbench reading (PlanBench's own evaluator, quirks included): " \
           f"{'right' if differ[0]['other_correct'] else 'wrong'}" in shown.stdout
    assert "judged against (state expected):" in shown.stdout
    # ... in the encoding's words: every atom of the true state, and no other
    encoding = encodings.get("blocksworld")
    truth = [encoding.atom_to_text(parse_action(a)) for a in re.findall(r"\([^)]*\)", differ[0]["true_state"])]
    state = next(line for line in shown.stdout.splitlines() if "the state after them: " in line).split(": ", 1)[1]
    assert sorted(re.split(r", | and ", state)) == sorted(truth)
    quiet = planbench("show", str(tmp_path / "run"), str(agree["id"]))
    assert "the two readings differ" not in quiet.stdout and "planbench reading agrees" in quiet.stdout


def test_show_walks_a_task_plan_through_the_problem_the_task_states(tmp_path) -> None:
    """t2: a valid plan longer than optimal is wrong; show gives the goal, an optimal plan
    and the validator's walk of the plan read, ending in its length against the optimal.
    t4: the walk runs against the prefix's goal the prompt states, not the instance's."""
    from planbench.results.importer import import_results

    for name in ("task_2_plan_optimality", "task_4_plan_reuse"):
        run, _ = import_results(ROOT / "recorded" / f"blocksworld_3__gpt-4_chat__{name}.json.gz", tmp_path / name)
        rows = score_run(run)
        row = next(r for r in rows if r["valid"] and (name.startswith("task_4") or not r["optimal"]))
        shown = planbench("show", str(tmp_path / name), str(row["id"]))
        assert shown.returncode == 0, shown.stderr
        lines = shown.stdout.splitlines()
        prompt = tasks.by_instance(tasks.get(run.info["task"]), "planbench-3", "blocksworld",
                                   tasks.run_options(run.info))[("planbench-3", int(row["id"]))]
        optimal = prompt.truth["optimal_length"]
        assert any(f"an optimal plan ({optimal} step" in line for line in lines), shown.stdout
        assert f"plan ({row['plan_length']} steps) and the validator's trace:" in lines
        assert lines[-1].strip().startswith("goal reached (") and \
            lines[-1].strip().endswith(f"valid, {row['plan_length']} steps, optimal {optimal}")
        if name.startswith("task_4"):  # the goal walked to is the prompt's: the state after the prefix
            goal = next(line for line in lines if "goal the prompt states: " in line).split(": ", 1)[1]
            assert len(re.split(r", | and ", goal)) == len(prompt.truth["goal"]) != len(prompt.instance.problem.goal)


def test_report_has_the_task_table_and_counts_where_readings_differ(tmp_path) -> None:
    """The task table's cells and the count of differing verdicts come from the rows: each
    checked against a count made here from scores."""
    from planbench.results.importer import import_results
    from planbench.results.report import write_report

    runs, sources = {}, {}
    for task_file in ("task_4_plan_reuse", "task_3_plan_verification", "task_1_plan_generation"):
        path = ROOT / "recorded" / f"blocksworld_3__gpt-4_chat__{task_file}.json.gz"
        run, _ = import_results(path, tmp_path / task_file)
        runs[run.name], sources[run.name] = score_run(run), run
    write_report(runs, tmp_path / "report", sources=sources)
    report = (tmp_path / "report" / "report.md").read_text()
    assert "## Tasks" in report and "## Accuracy by optimal plan length: t3" in report
    header = next(line for line in report.splitlines() if line.startswith("| runs of |"))
    assert header == "| runs of | t1 one-shot | t3 | t4 |"
    t4 = runs["gpt-4-blocksworld_3-t4"]
    default_right = sum(bool(r["correct"]) for r in t4)
    planbench_right = sum(bool(r["other_correct"]) for r in t4)
    differ = sum(bool(r["correct"]) != bool(r["other_correct"]) for r in t4)
    assert f"| gpt-4-blocksworld_3-t4 | t4 | 100 | {default_right} | {planbench_right} | {differ} |" in report
    t3 = runs["gpt-4-blocksworld_3-t3"]
    typed = sum(bool(r["other_correct_type"]) for r in t3)
    planbench_row = next(line for line in report.splitlines() if "blocksworld · planbench reading" in line)
    assert f"{planbench_right}.0% (" in planbench_row and f"type {typed}.0%" in planbench_row
    type_differ = sum(bool(r["correct_type"]) != bool(r["other_correct_type"]) for r in t3)
    explained_differ = sum(bool(r["correct_explanation"]) != bool(r["other_correct_explanation"]) for r in t3)
    t3_differ = sum(bool(r["correct"]) != bool(r["other_correct"]) for r in t3)
    # whole numbers where other runs leave the type and explanation columns blank (it printed "1.0 | 7.0")
    assert (f"| gpt-4-blocksworld_3-t3 | t3 | 100 | {sum(bool(r['correct']) for r in t3)} | "
            f"{sum(bool(r['other_correct']) for r in t3)} | {t3_differ} | {type_differ} | {explained_differ} |") in report
    # the overall table leaves blank the counts a task's answers cannot have: a t3 answer is no plan
    overall = next(line for line in report.splitlines() if line.startswith("| gpt-4-blocksworld_3-t3 | 100 |"))
    wrong = sum(not r["correct"] for r in t3)
    assert overall.startswith(f"| gpt-4-blocksworld_3-t3 | 100 | 100 |  |  | 97.0% (") and f" |  | {wrong} | " in overall
    failing = report.split("## Why invalid plans fail")[1].split("\n## ")[0].split("![")[0]
    assert "| gpt-4-blocksworld_3-t4 |" in failing and "t3" not in failing  # a verdict is no plan to fail
    html = (tmp_path / "report" / "report.html").read_text()
    assert "Where the two readings differ" in html


def test_load_carries_the_task_and_its_columns(tmp_path) -> None:
    import planbench
    from planbench.results.importer import import_results

    run, _ = import_results(ROOT / "recorded" / "blocksworld_3__gpt-4_chat__task_3_plan_verification.json.gz",
                            tmp_path / "t3")
    write_scores(score_run(run), tmp_path / "t3" / "scores.csv")
    frame = planbench.load(tmp_path / "t3")
    assert set(frame["task"]) == {"t3"} and set(frame["run_task"]) == {"t3"}
    assert str(frame["correct_type"].dtype) == "boolean" and str(frame["other_correct"].dtype) == "boolean"
    assert int(frame["correct_explanation"].sum()) == sum(bool(r["correct_explanation"]) for r in score_run(run))
    frame.to_parquet(tmp_path / "s.parquet")  # every column has one type


@pytest.mark.parametrize("task", ["t2", "t3", "t4", "t5", "t6", "t7", "t8_1", "t8_2", "t8_3"])
def test_the_optimal_model_is_right_on_every_question_of_every_task(tmp_path, task: str) -> None:
    """The ``optimal`` model answers each question with its truth, written as PlanBench's
    examples write it: the default reading judges every answer right (prompts, truths and
    judges agree), on Mystery too; random plans are refused for tasks 2-8 in one line."""
    from planbench.run.execute import execute
    from planbench.run.runner import RunConfig

    for encoding in ("blocksworld", "mystery"):
        config = RunConfig(set="planbench-3", encoding=encoding, style="one-shot", task=task, model="optimal", limit=40)
        execute(config, tmp_path / encoding, show_progress=False)
        rows = score_run(read_run(tmp_path / encoding))
        assert len(rows) == 40 and all(r["correct"] for r in rows), [r["reason"] for r in rows if not r["correct"]][:3]
    with pytest.raises(InputError, match="random:1 model writes plans"):
        execute(RunConfig(set="planbench-3", encoding="blocksworld", style="one-shot", task=task, model="random:1"),
                tmp_path / "random", show_progress=False)


def test_show_on_task_1_says_where_planbench_s_rule_parser_reads_otherwise(tmp_path) -> None:
    from planbench.results.importer import import_results

    path = ROOT / "recorded" / "blocksworld_3__gpt-4o_chat__task_1_plan_generation.json.gz"
    run, _ = import_results(path, tmp_path / "run")
    default = {r["id"]: r for r in score_run(run)}
    rule = {r["id"]: r for r in score_run(run, "planbench")}
    differ = [i for i in default if default[i]["correct"] != rule[i]["correct"]]
    same = next(i for i in default if default[i]["correct"] == rule[i]["correct"])
    assert differ
    shown = planbench("show", str(tmp_path / "run"), str(differ[0]))
    assert shown.returncode == 0 and "the two readings differ:" in shown.stdout
    assert f"planbench read: {rule[differ[0]]['extracted_plan'] or '(nothing)'}" in shown.stdout
    assert "the two readings differ" not in planbench("show", str(tmp_path / "run"), str(same)).stdout


def test_evaluate_runs_a_task_from_python(tmp_path) -> None:
    import planbench

    frame = planbench.evaluate("planbench-3", "optimal", task="execution", out=tmp_path / "run", limit=12,
                               report=False)
    assert len(frame) == 12 and set(frame["task"]) == {"t7"} and set(frame["run_style"]) == {"one-shot"}
    assert int(frame["correct"].sum()) == 12  # the truth, in the default reading
    # PlanBench's recorded t7 parser splits on commas only: a state written as its own examples
    # write it ("A, B and C") loses its last atom there, so that reading judges each one wrong.
    assert int(frame["other_correct"].sum()) == 0


def test_the_t2_summary_line_accounts_for_every_answer(tmp_path) -> None:
    """Task 2 asks for an optimal plan: a valid plan longer than optimal is wrong, and the line
    says how many were (GPT-4's 3-block answers: 56 optimal, 7 valid but longer, 37 invalid;
    the seven went unsaid, so the counts shown added up to 93 of 100)."""
    import re

    from planbench.results.importer import import_results

    import_results(ROOT / "recorded" / "blocksworld_3__gpt-4_chat__task_2_plan_optimality.json.gz", tmp_path / "t2")
    done = planbench("score", str(tmp_path / "t2"))
    assert done.returncode == 0, done.stderr
    rows = list(csv.DictReader(open(tmp_path / "t2" / "scores.csv")))
    by_hand = {"optimal": sum(r["optimal"] == "True" for r in rows),
               "longer": sum(r["valid"] == "True" and r["optimal"] != "True" for r in rows),
               "invalid": sum(r["outcome"] == "invalid" for r in rows)}
    line = next(line for line in done.stdout.splitlines() if "right (t2)" in line)
    said = {"optimal": int(re.search(r"; optimal (\d+)", line)[1]),
            "longer": int(re.search(r"valid, not optimal (\d+)", line)[1]),
            "invalid": int(re.search(r"invalid (\d+)", line)[1])}
    assert said == by_hand and sum(said.values()) == len(rows) == 100 and by_hand["longer"] > 0
    longer = next(r for r in rows if r["valid"] == "True" and r["optimal"] != "True")
    shown = planbench("show", str(tmp_path / "t2"), longer["id"])
    assert shown.returncode == 0 and shown.stdout.splitlines()[1] == f"verdict: wrong: valid ({longer['reason']})"


def test_the_readings_of_t3_s_type_and_explanation_are_compared_too(tmp_path) -> None:
    """GPT-4's t3 answers: both readings give the same binary verdicts, but not the same
    type and explanation verdicts (81/67 against 80/68); the line said "differ on 0" alone.
    The counts are the rows where the two columns part, counted here."""
    from planbench.results.importer import import_results

    import_results(ROOT / "recorded" / "blocksworld_3__gpt-4_chat__task_3_plan_verification.json.gz", tmp_path / "t3")
    done = planbench("score", str(tmp_path / "t3"))
    assert done.returncode == 0, done.stderr
    rows = list(csv.DictReader(open(tmp_path / "t3" / "scores.csv")))
    differ = {name: sum(r[f"correct{name}"] != r[f"other_correct{name}"] for r in rows)
              for name in ("", "_type", "_explanation")}
    assert differ[""] == 0 and differ["_type"] + differ["_explanation"] > 0
    line = next(line for line in done.stdout.splitlines() if "right (t3)" in line)
    assert (f"the two readings' verdicts differ on 0 (type on {differ['_type']}, "
            f"explanation on {differ['_explanation']})") in line
    assert planbench("report", str(tmp_path / "t3"), "--out", str(tmp_path / "report")).returncode == 0
    report = (tmp_path / "report" / "report.md").read_text()
    assert "type verdicts that differ" in report and "explanation verdicts that differ" in report
