"""planbench from Python and for reviewers: load, evaluate, export, compare, intervals."""

from __future__ import annotations

import json
import subprocess
import sys

import pandas as pd
import pytest

import planbench
from conftest import ref_path
from planbench.results.compare import compare, mcnemar_exact
from planbench.results.importer import import_results
from planbench.results.metrics import summarise
from planbench.results.score import score_run
from planbench.runs import read_run

O1_MINI = ("responses", "mystery_blocksworld_3", "o1-mini_chat", "task_1_plan_generation_zero_shot.json")
O1_PREVIEW = ("responses", "mystery_blocksworld_3", "o1-preview_chat", "task_1_plan_generation_zero_shot.json")


def planbench_cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "planbench", *args], capture_output=True, text=True, timeout=300)


def test_load_round_trips_through_parquet(tmp_path) -> None:
    import_results(ref_path(*O1_MINI), tmp_path / "mini")
    import_results(ref_path(*O1_PREVIEW), tmp_path / "preview")
    frame = planbench.load(tmp_path / "mini", tmp_path / "preview")
    assert set(frame["run"]) == {"o1-mini-mystery_blocksworld_3-zero-shot", "o1-preview-mystery_blocksworld_3-zero-shot"}
    assert frame.groupby("run")["correct"].sum().to_dict() == {"o1-mini-mystery_blocksworld_3-zero-shot": 40,
                                                              "o1-preview-mystery_blocksworld_3-zero-shot": 72}
    assert (frame["run_model"].unique() == ["o1-mini", "o1-preview"]).all()
    frame.to_parquet(tmp_path / "scores.parquet", index=False)
    pd.testing.assert_frame_equal(frame, pd.read_parquet(tmp_path / "scores.parquet"))
    assert frame.attrs["runs"]["o1-mini-mystery_blocksworld_3-zero-shot"]["imported"] is True


def test_evaluate_runs_the_pipeline_offline(tmp_path) -> None:
    frame = planbench.evaluate(set="planbench-3", model="optimal", style="zero-shot", out=tmp_path / "run", limit=12)
    assert len(frame) == 12 and frame["correct"].all() and (tmp_path / "run" / "report.html").exists()


def test_export_formats(tmp_path) -> None:
    import_results(ref_path(*O1_MINI), tmp_path / "mini")
    for fmt, out in (("parquet", tmp_path / "x.parquet"), ("jsonl", tmp_path / "x.jsonl"), ("hf", tmp_path / "hf")):
        done = planbench_cli("export", str(tmp_path / "mini"), "--format", fmt, "--out", str(out))
        assert done.returncode == 0, done.stderr
    assert len(pd.read_parquet(tmp_path / "x.parquet")) == 101
    assert len([json.loads(line) for line in (tmp_path / "x.jsonl").read_text().splitlines()]) == 101
    card = (tmp_path / "hf" / "README.md").read_text()
    header = card.split("---")[1]
    assert "config_name: default" in header and "path: data/train-*" in header
    assert len(pd.read_parquet(tmp_path / "hf" / "data" / "train-00000-of-00001.parquet")) == 101


def test_compare_is_paired(tmp_path) -> None:
    """o1-preview vs o1-mini on Mystery-3: McNemar on the discordant pairs, a paired
    bootstrap interval, per length; the CLI prints it."""
    import_results(ref_path(*O1_PREVIEW), tmp_path / "preview")
    import_results(ref_path(*O1_MINI), tmp_path / "mini")
    results = compare(score_run(read_run(tmp_path / "preview")), score_run(read_run(tmp_path / "mini")))
    overall = results[0]
    assert overall.pairs == 100  # o1-mini's file has id 101, o1-preview's does not
    assert overall.a_only > overall.b_only and overall.p_value < 0.001
    assert overall.low < overall.difference < overall.high and overall.low > 0
    assert {r.group for r in results[1:]} == {"length 2", "length 4", "length 6", "length 8"}
    assert mcnemar_exact(0, 0) == 1.0 and mcnemar_exact(5, 0) == pytest.approx(0.0625)
    printed = planbench_cli("compare", str(tmp_path / "preview"), str(tmp_path / "mini"))
    assert printed.returncode == 0 and "McNemar p" in printed.stdout and "length 8" in printed.stdout


def test_intervals_with_several_samples_are_clustered_by_instance() -> None:
    """Five answers to each of 50 instances, all wrong: the interval is that of 50
    instances, not of 250 independent answers (0.0-1.5% before)."""
    rows = [{"part": "p", "id": i, "sample": s, "round": 0, "final": True, "outcome": "invalid", "correct": False,
             "valid": False, "optimal": False, "solvable": True, "cost": None}
            for i in range(50) for s in range(5)]
    table = summarise(rows)
    assert table["ci_high"].iat[0] == pytest.approx(0.0714, abs=1e-3)
    half = [dict(r, correct=r["id"] % 2 == 0, outcome="valid" if r["id"] % 2 == 0 else "invalid") for r in rows]
    wide = summarise(half)
    assert wide["ci_high"].iat[0] - wide["ci_low"].iat[0] > 0.2  # 25 instances right, 25 wrong: n_eff = 50


def test_load_and_export_carry_the_text_when_asked(tmp_path) -> None:
    """with_text: the prompt each answer replied to (PlanBench's own for an imported file,
    the critique for a later round), the answer, the plan read and the gold plan, joined
    to the right row; off by default; CSV keeps multi-line answers whole."""
    from planbench.prompts import prompt_records
    from planbench.sets.instances import load_set
    from planbench.world import encodings

    import_results(ref_path(*O1_MINI), tmp_path / "mini")
    plain = planbench.load(tmp_path / "mini")
    assert not {"prompt", "answer", "gold_plan"} & set(plain.columns)
    frame = planbench.load(tmp_path / "mini", with_text=True)
    mystery = encodings.get("mystery")
    records = {r["id"]: r for r in prompt_records(load_set("planbench-3"), mystery, "zero-shot")}
    recorded = {int(r["instance_id"]): r for r in json.loads(ref_path(*O1_MINI).read_text())["instances"]}
    for row in frame.itertuples():
        if row.id not in records:  # 101: an example only, outside the set's prompts
            assert row.id == 101 and pd.isna(row.prompt)
            continue
        assert row.prompt == records[row.id]["prompt"] == recorded[row.id]["query"]
        assert row.answer == recorded[row.id]["llm_raw_response"]
        gold = load_set("planbench-3").find("planbench-3", row.id).gold("mystery")
        assert row.gold_plan == " ".join(mystery.action_to_pddl(step) for step in gold)
    assert frame["answer"].str.contains("\n").any()
    assert (frame.drop(columns=["prompt", "answer", "gold_plan"]).equals(plain))
    done = planbench_cli("export", str(tmp_path / "mini"), "--format", "csv", "--with-text", "--out",
                         str(tmp_path / "mini.csv"))
    assert done.returncode == 0, done.stderr
    exported = pd.read_csv(tmp_path / "mini.csv")
    assert len(exported) == 101 and list(exported["answer"]) == list(frame["answer"])


def test_later_rounds_carry_the_message_they_answered(tmp_path) -> None:
    frame = planbench.evaluate(set="planbench-3", model="repair:1", style="zero-shot", strategy="backprompt",
                               limit=3, out=tmp_path / "bp", report=False)
    texts = planbench.load(tmp_path / "bp", with_text=True)
    answers = [json.loads(line) for line in (tmp_path / "bp" / "responses.jsonl").read_text().splitlines()]
    later = texts[texts["round"] > 0]
    assert len(later) == sum(1 for a in answers if a["round"] > 0) > 0 and len(frame) == len(texts)
    by_turn = {(a["id"], a["round"]): a for a in answers}
    for row in later.itertuples():
        assert row.prompt == by_turn[(row.id, row.round)]["user_message"]
        assert row.prompt.startswith("The above plan is invalid.")
        assert row.answer == by_turn[(row.id, row.round)]["text"]


def test_summarise_gives_the_figures_of_results_json_for_every_strategy(tmp_path) -> None:
    """A notebook averaging ``correct`` over every row of a back-prompting run counts every
    turn (0.5% where the run's accuracy was 5%, found trying the README's example); a vote's
    majority answer is no row of its own. ``counted`` marks the answers accuracy counts and
    ``planbench.summarise`` gives results.json's figures, for single, back-prompting and vote.
    Counted by hand: the conversations' last answers, and the majority of each instance."""
    runs = {"once": ("single", 1), "back": ("backprompt", 1), "vote": ("vote", 3)}
    for name, (strategy, samples) in runs.items():
        extra = ["--rounds", "3"] if strategy == "backprompt" else []
        done = planbench_cli("run", "--set", "planbench-3", "--style", "zero-shot", "--model", "random:2", "--limit", "40",
                             "--strategy", strategy, "--samples", str(samples), *extra, "--out", str(tmp_path / name))
        assert done.returncode == 0, done.stderr
    scores = planbench.load(*(tmp_path / name for name in runs))
    assert "summarise" in dir(planbench)
    table = planbench.summarise(scores).set_index("run")
    for name in runs:
        figures = scores.attrs["results"][name]["results"]
        assert table.loc[name, "accuracy"] == pytest.approx(figures["accuracy"])
        assert (table.loc[name, "correct"], table.loc[name, "answered"]) == (figures["correct"], figures["answered"])
        rows = scores[scores["run"] == name]
        counted = rows[rows["counted"]]
        if name == "vote":
            by_hand = 0
            for _, group in rows.groupby("id"):
                plans = [p if isinstance(p, str) else "" for p in group.sort_values("sample")["extracted_plan"]]
                winner = max(plans, key=lambda p: (plans.count(p), -plans.index(p)))
                by_hand += bool(group.sort_values("sample")["correct"].iloc[plans.index(winner)])
            assert len(counted) == 40 and int(counted["correct"].sum()) == by_hand == figures["correct"]
        else:
            last = rows.sort_values("round").groupby(["id", "sample"]).tail(1)
            assert sorted(counted.index) == sorted(last.index)
            assert int(last["correct"].sum()) == figures["correct"]
    back = scores[scores["run"] == "back"]
    assert len(back) > 40  # a row per turn: averaging every row is not the accuracy
    with pytest.raises(planbench.errors.InputError, match="by: no column nope"):
        planbench.summarise(scores, ["run", "nope"])
