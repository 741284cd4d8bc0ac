"""Strategies: back-prompting (PlanBench's critique, byte for byte), revision, majority
vote; conversations kept turn by turn, resumed without sending a finished turn again."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from conftest import ref_path
from openai_server import OpenAIServer
from planbench import encodings
from planbench.answers import planbench_pddl
from planbench.results.importer import import_results
from planbench.sets.instances import load_set
from planbench.prompts.feedback import REVISION_REQUEST, critique
from planbench.run.execute import execute
from planbench.run.runner import RunConfig
from planbench.runs import read_responses, read_run
from planbench.results.metrics import by_round, completeness, vote_curve
from planbench.results.score import score_run
from planbench.world.validate import validate

LOG = ("blocksworld_hard", "gpt-4o-mini-2024-07-18_chat", "task_1_plan_generation_backprompting_zero_shot_pddl.json")
SECRET = "sk-test-strategies"


@pytest.fixture(autouse=True)
def key(monkeypatch):
    monkeypatch.setenv("PLANBENCH_TEST_KEY", SECRET)


def test_our_critique_is_planbench_s_for_every_recorded_feedback() -> None:
    """Every feedback message of PlanBench's GPT-4o-mini back-prompting log (110, singular
    and plural forms) equals our critique of the plan it answers."""
    blocksworld = encodings.get("blocksworld")
    hard = load_set("planbench-hard-110")
    compared = plural = 0
    for record in json.loads(ref_path("responses", *LOG).read_text())["instances"]:
        problem = hard.find("planbench-hard-110", int(record["instance_id"])).problem
        messages = [m for m in record["messages"] if m["role"] != "system"]
        for answer, following in zip(messages, messages[1:]):
            if answer["role"] == "assistant":
                ours = critique(validate(problem, planbench_pddl(answer["content"], blocksworld)), blocksworld)
                assert ours == following["content"], record["instance_id"]
                compared += 1
                plural += "preconditions are" in ours
    assert compared == 110 and plural == 4


def test_back_prompting_logs_import_as_turns(tmp_path) -> None:
    """Each round of a recorded conversation is a turn; first-try and final verdicts come
    out of scoring and agree with the recorded ones (0/110 and 0/110 for GPT-4o-mini)."""
    run, problems = import_results(ref_path("responses", *LOG), tmp_path / "log")
    assert problems == [] and run.info["strategy"] == "backprompt"
    responses = read_responses(read_run(tmp_path / "log"))
    assert len(responses) == 220 and {r["round"] for r in responses} == {0, 1}
    assert all(r["user_message"].startswith("The above plan is invalid.") for r in responses if r["round"] == 1)
    rows = score_run(read_run(tmp_path / "log"))
    rounds = by_round(rows)
    assert list(rounds["correct"]) == [0, 0] and list(rounds["answered"]) == [110, 110]
    assert all(r["recorded_verdict"] == r["correct"] for r in rows)


def config(server: OpenAIServer, tmp_path: Path, **overrides) -> RunConfig:
    values = dict(set="planbench-hard-110", encoding="blocksworld", style="zero-shot-pddl", model="gpt-4o-mini",
                  base_url=server.base_url, api_key_env="PLANBENCH_TEST_KEY", concurrency=4, limit=4,
                  max_attempts=3, timeout=5.0, backoff=0.01, cache_dir=str(tmp_path / "cache"))
    values.update(overrides)
    return RunConfig(**values)


def scripted(valid_from_round: int):
    """A server's answer: an invalid plan until the conversation reaches ``valid_from_round``,
    then the optimal one."""
    from planbench.prompts import prompt_records

    hard = load_set("planbench-hard-110")
    blocksworld = encodings.get("blocksworld")
    by_prompt = {r["messages"][-1]["content"]: hard.find(r["part"], r["id"])
                 for r in prompt_records(hard, blocksworld, "zero-shot-pddl")}

    def answer(body: dict) -> str:
        messages = body["messages"]
        round_ = sum(m["role"] == "assistant" for m in messages)
        instance = by_prompt[next(m["content"] for m in messages if m["role"] == "user")]
        if round_ >= valid_from_round:
            return "\n".join(blocksworld.action_to_pddl(a) for a in instance.plan)
        return "(pick-up a)\n(stack a a)"
    return answer


def test_backprompt_sends_planbench_s_critique_until_valid(tmp_path) -> None:
    with OpenAIServer() as server:
        server.answer = scripted(valid_from_round=2)
        tally = execute(config(server, tmp_path, strategy="backprompt"), tmp_path / "run", show_progress=False)
        assert tally.done == 12 and server.requests == 12  # 4 conversations x 3 turns
    third = [b for b in server.bodies if sum(m["role"] == "assistant" for m in b["messages"]) == 2][0]
    roles = [m["role"] for m in third["messages"]]
    assert roles == ["user", "assistant", "user", "assistant", "user"]  # the whole history, no system message
    assert third["messages"][2]["content"].startswith("The above plan is invalid. The following action at step 1 has "
                                                      "an unmet precondition:\npick-up a\n")
    assert third["messages"][2]["content"].endswith("Do not provide anything else in your answer.\n\n[PLAN]")
    rows = score_run(read_run(tmp_path / "run"))
    assert len(rows) == 12 and list(by_round(rows)["correct"]) == [0, 0, 4]
    assert all(r["cum_output_tokens"] == 20 * (r["round"] + 1) for r in rows)


def test_revise_asks_again_without_a_verdict(tmp_path) -> None:
    with OpenAIServer() as server:
        execute(config(server, tmp_path, strategy="revise", rounds=2), tmp_path / "run", show_progress=False)
        assert server.requests == 12
    last = server.bodies[-1]["messages"]
    assert last[-1]["content"] == REVISION_REQUEST and "invalid" not in json.dumps(last)


def test_a_killed_conversation_resumes_without_sending_a_finished_turn(tmp_path) -> None:
    """Killed during round 3 (SIGKILL, no goodbye): the same command finishes every
    conversation; no turn that was on disk is sent again, and each is on disk once."""
    with OpenAIServer(latency=0.15) as server:
        server.answer = scripted(valid_from_round=5)
        args = [sys.executable, "-m", "planbench", "run", "--set", "planbench-hard-110", "--style", "zero-shot-pddl",
                "--model", "gpt-4o-mini", "--base-url", server.base_url, "--strategy", "backprompt", "--rounds", "6",
                "--limit", "6", "--concurrency", "6", "--out", str(tmp_path / "run"), "--cache-dir",
                str(tmp_path / "cache"), "--no-score"]
        environment = {**os.environ, "OPENAI_API_KEY": "sk-test"}
        process = subprocess.Popen(args, env=environment, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                                   start_new_session=True)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            rounds = [sum(m["role"] == "assistant" for m in b["messages"]) for b in list(server.bodies)]
            if rounds.count(3) >= 3:
                break
            time.sleep(0.02)
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()
        before = [json.loads(line) for line in (tmp_path / "run" / "responses.jsonl").read_text().splitlines()
                  if line.strip().endswith("}")]
        recorded_requests = {line["request"] for line in before}
        sent_before = len(server.bodies)
        assert 0 < len(before) < 36 and any(line["round"] == 3 for line in server_rounds(server))
        killed = completeness(read_run(tmp_path / "run"))  # conversations cut mid-way are not answered
        assert killed["planned"] == 6 and killed["answered"] < 6 and killed["complete"] is False
        resumed = subprocess.run(args, env=environment, capture_output=True, text=True, timeout=120)
        assert resumed.returncode == 0, resumed.stderr
        assert completeness(read_run(tmp_path / "run")) == {"planned": 6, "answered": 6, "complete": True}
        after = [json.loads(line) for line in (tmp_path / "run" / "responses.jsonl").read_text().splitlines()]
        base_url = server.base_url
    turns = [(a["id"], a["round"]) for a in after]
    assert len(turns) == len(set(turns)) == 36  # 6 conversations x rounds 0-5, each once
    assert {_key_of(b, base_url) for b in server.bodies[:sent_before]} >= recorded_requests  # keys as the runner's
    sent_after = [_key_of(b, base_url) for b in server.bodies[sent_before:]]
    assert sent_after and not set(sent_after) & recorded_requests  # nothing on disk was sent again
    assert len(sent_after) <= 36 - len(before) + 6  # the rest, and at most the turns that were in flight
    assert {a["request"] for a in after} >= recorded_requests


def server_rounds(server: OpenAIServer) -> list[dict]:
    return [{"round": sum(m["role"] == "assistant" for m in b["messages"])} for b in list(server.bodies)]


def _key_of(body: dict, base_url: str) -> str:
    from planbench.run.cache import cache_key

    parameters = RunConfig(set="", encoding="", style="", model="gpt-4o-mini").parameters()
    return cache_key("gpt-4o-mini", base_url, body["messages"], parameters, 0)


def test_repair_model_and_max_cost_count_every_turn(tmp_path) -> None:
    """Offline: the repair model fixes the step each critique names, so back-prompting
    succeeds where revision does not; --max-cost holds across turns."""
    base = dict(set="planbench-hard-110", encoding="blocksworld", style="zero-shot-pddl", model="repair:3",
                limit=10, cache_dir=str(tmp_path / "cache"))
    execute(RunConfig(**base, strategy="backprompt"), tmp_path / "bp", show_progress=False)
    execute(RunConfig(**base, strategy="revise", rounds=2), tmp_path / "rv", show_progress=False)
    backprompt = by_round(score_run(read_run(tmp_path / "bp")))
    revise = by_round(score_run(read_run(tmp_path / "rv")))
    assert backprompt["accuracy"].iloc[0] == 0 and backprompt["accuracy"].iloc[-1] == 1.0
    assert list(revise["accuracy"]) == [0.0, 0.0, 0.0]
    assert (backprompt["output_tokens"].diff().dropna() > 0).all()


def test_majority_vote_over_plans() -> None:
    """Ties go to the plan that came first; a refusal is a plan of its own; the curve is
    the mean over subsets."""
    def row(sample, plan, correct, outcome="valid"):
        return {"part": "p", "id": 1, "sample": sample, "round": 0, "final": True, "outcome": outcome,
                "extracted_plan": plan, "correct": correct, "cum_output_tokens": 10, "cum_cost": None}

    rows = [row(0, "(a)", True), row(1, "(b)", False, "invalid"), row(2, "(b)", False, "invalid"),
            row(3, None, False, "refused")]
    curve = vote_curve(rows)
    assert list(curve["k"]) == [1, 2, 3, 4]
    assert curve["accuracy"].iloc[0] == pytest.approx(0.25)
    # pairs: (a,b) x2 -> a first: right; (a,refusal) -> a: right; (b,b) -> b; (b,refusal) x2 -> b
    assert curve["accuracy"].iloc[1] == pytest.approx(3 / 6)
    assert curve["accuracy"].iloc[3] == 0.0  # b twice beats a once
    assert curve["output_tokens"].iloc[1] == 20


def test_critique_in_the_encoding_s_natural_language() -> None:
    """For natural-language prompts, PlanBench's words with the encoding's names (its
    get_validation_message: text templates, conditions sorted, the [PLAN] tag request)."""
    instance = load_set("planbench-3").find("planbench-3", 1)
    mystery = encodings.get("mystery")
    result = validate(instance.problem, [("pick-up", "a")])
    text = critique(result, mystery, pddl=False)
    assert text == ("The above plan is invalid. The following action at step 1 has an unmet precondition:\n"
                    "attack object a\nThe unmet precondition is:\nprovince object a Please provide the plan between "
                    "[PLAN] and [PLAN END] tags.")
    goal = critique(validate(instance.problem, []), encodings.get("blocksworld"), pddl=False)
    assert goal.startswith("The above plan is invalid.  These are the unmet goal conditions:\nthe red block is on "
                           "top of the blue block and the orange block is on top of the red block")


def test_back_prompting_a_problem_with_no_plan_stops_after_one_answer(tmp_path) -> None:
    """PlanBench back-prompted solvable problems only: on a problem with no plan the
    conversation ends after its first answer, a false plan as much as a refusal; solvable
    problems of the same run go on to later rounds (the README says so)."""
    made = subprocess.run([sys.executable, "-m", "planbench", "generate", "--blocks", "3-4", "--count", "30",
                           "--unsolvable", "0.3", "--seed", "2", "--out", str(tmp_path / "gen")],
                          capture_output=True, text=True)
    assert made.returncode == 0, made.stderr
    config = RunConfig(set=str(tmp_path / "gen"), encoding="blocksworld", style="zero-shot", model="random:1",
                       strategy="backprompt", rounds=3)
    execute(config, tmp_path / "run", show_progress=False)
    lines = read_responses(read_run(tmp_path / "run"))
    turns: dict[int, int] = {}
    for line in lines:
        turns[line["id"]] = turns.get(line["id"], 0) + 1
    unsolvable = {i.id for i in load_set(str(tmp_path / "gen")).instances if not i.solvable}
    asked = set(turns)
    assert asked & unsolvable and asked - unsolvable
    assert all(turns[i] == 1 for i in asked & unsolvable)
    assert any(turns[i] > 1 for i in asked - unsolvable)
