"""planbench run's options: the prompt options of planbench prompts (a run asks exactly what
prompts writes), settings that would do nothing refused, the help saying what the numbers
mean, and back-prompting's choice for answers with no plan in them."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from openai_server import OpenAIServer
from planbench.prompts.feedback import unreadable_critique
from planbench.runs import read_responses, read_run


def planbench(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "planbench", *args], capture_output=True, text=True, timeout=300,
                          cwd=cwd, env={**os.environ, "OPTIONS_KEY": "sk-options"})


def prompts_of(*args: str) -> list[dict]:
    done = planbench("prompts", *args, "--out", "-")
    assert done.returncode == 0, done.stderr
    return [json.loads(line) for line in done.stdout.splitlines()]


def asked(server: OpenAIServer) -> list[list[dict]]:
    return [body["messages"] for body in server.bodies]


def test_run_asks_what_prompts_writes_with_the_same_options(tmp_path) -> None:
    """--wording 2023, --fix-quirks, --system-text: the messages sent are planbench prompts'
    with the same options, byte for byte, and run.json records them."""
    options = ["--set", "planbench-3", "--style", "zero-shot", "--wording", "2023", "--fix-quirks",
               "--system-text", "You plan carefully."]
    expected = [record["messages"] for record in prompts_of(*options)][:3]
    assert expected[0][0] == {"role": "system", "content": "You plan carefully."}
    assert expected != [record["messages"] for record in prompts_of("--set", "planbench-3", "--style", "zero-shot")][:3]
    with OpenAIServer() as server:
        done = planbench("run", *options, "--model", "gpt-4o-mini", "--base-url", server.base_url, "--limit", "3",
                         "--api-key-env", "OPTIONS_KEY", "--cache-dir", str(tmp_path / "cache"),
                         "--out", str(tmp_path / "run"), "--no-score")
        assert done.returncode == 0, done.stderr
    assert sorted(asked(server), key=json.dumps) == sorted(expected, key=json.dumps)
    info = read_run(tmp_path / "run").info
    recorded = (info["wording"], info["fix_quirks"], info["system"], info["seed"])
    assert recorded == ("2023", True, "You plan carefully.", 0)


def test_seed_chooses_a_generated_sets_examples_as_prompts_does(tmp_path) -> None:
    assert planbench("generate", "--blocks", "3-4", "--count", "8", "--seed", "5", "--out", "gen",
                     cwd=tmp_path).returncode == 0
    seeded = prompts_of("--set", str(tmp_path / "gen"), "--style", "one-shot", "--seed", "3")
    assert [r["example_id"] for r in seeded] != [r["example_id"] for r in prompts_of(
        "--set", str(tmp_path / "gen"), "--style", "one-shot")]
    done = planbench("run", "--set", "gen", "--style", "one-shot", "--seed", "3", "--model", "optimal", "--out", "run",
                     cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    sent = [json.loads(line) for line in (tmp_path / "run" / "prompts.jsonl").read_text().splitlines()]
    assert [(r["id"], r["example_id"], r["messages"]) for r in sent] == [
        (r["id"], r["example_id"], r["messages"]) for r in seeded]


@pytest.mark.parametrize("options, named", [
    (["--strategy", "vote"], "--strategy"),
    (["--strategy", "vote", "--samples", "1"], "--strategy"),
    (["--rounds", "3"], "--rounds"),
    (["--strategy", "vote", "--samples", "3", "--rounds", "2"], "--rounds"),
    (["--strategy", "revise", "--critique-unparseable"], "--critique-unparseable"),
    (["--no-system", "--system-text", "Hello"], "--system-text"),
    (["--wording", "1999"], "1999"),
])
def test_settings_that_would_do_nothing_are_refused(tmp_path, options, named) -> None:
    """Refused in one line naming the option, before anything is written; a dry run too."""
    for dry in ([], ["--dry-run"]):
        done = planbench("run", "--set", "planbench-3", "--style", "zero-shot", "--model", "optimal", *options, *dry,
                         "--out", str(tmp_path / "run"))
        assert done.returncode == 2 and done.stderr.count("\n") == 1 and named in done.stderr, done.stderr
        assert not (tmp_path / "run" / "run.json").exists()


def test_help_says_what_the_numbers_mean() -> None:
    shown = " ".join(planbench("run", "--help").stdout.split())
    shown = re.sub(r"(\w)- (\w)", r"\1-\2", shown)  # words the help wrapped at a hyphen, whole again
    assert "--max-tokens INTEGER RANGE Output tokens per answer at most" in shown and "scored truncated" in shown
    assert "--temperature FLOAT RANGE Sampling temperature" in shown and "none sent" in shown
    assert "the whole --max-tokens of output (1,000 without it)" in shown  # the --dry-run / --max-cost guess
    assert "Stop sending before this many USD are spent" in shown and "--critique-unparseable" in shown
    dry = planbench("run", "--set", "planbench-3", "--style", "zero-shot", "--model", "gpt-4o-mini", "--dry-run",
                    "--strategy", "backprompt", "--rounds", "2")
    assert dry.returncode == 0, dry.stderr
    assert "100 requests" in dry.stdout and "1,000 each, the guess without --max-tokens" in dry.stdout
    assert "up to 2 follow-up round(s)" in dry.stdout


def test_back_prompting_an_answer_with_no_plan(tmp_path) -> None:
    """PlanBench's loop ends a conversation whose answer holds no plan; with
    --critique-unparseable the model is told so, in the critique's words, and answers again."""
    def answer(body: dict) -> str:
        return "I would rather not say." if len(body["messages"]) <= 2 else "(pick-up a)\n(stack a b)"

    for flag, folder in (([], "plain"), (["--critique-unparseable"], "critiqued")):
        with OpenAIServer() as server:
            server.answer = answer
            done = planbench("run", "--set", "planbench-3", "--style", "zero-shot-pddl", "--model", "gpt-4o-mini",
                             "--base-url", server.base_url, "--api-key-env", "OPTIONS_KEY", "--limit", "2",
                             "--strategy", "backprompt", "--rounds", "2", *flag, "--cache-dir", str(tmp_path / "c"),
                             "--out", str(tmp_path / folder), "--no-score")
            assert done.returncode == 0, done.stderr
        rounds = sorted({r["round"] for r in read_responses(read_run(tmp_path / folder))})
        if not flag:
            assert rounds == [0] and server.requests == 2
        else:
            assert rounds[:2] == [0, 1] and server.requests >= 4
            follow_up = server.bodies[-1]["messages"][2]
            assert follow_up == {"role": "user", "content": unreadable_critique(pddl=True)}
            assert follow_up["content"].startswith("The above plan is invalid. No plan could be read from the answer.")
            assert read_run(tmp_path / folder).info["critique_unparseable"] is True
