"""PlanBench inside Inspect AI (the planbench/planbench task, run by Inspect's own CLI and
``inspect_ai.eval`` against the local OpenAI server), Inspect logs back into planbench, and
sets exported as Hugging Face datasets."""

from __future__ import annotations

import csv
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from openai_server import OpenAIServer
from planbench.prompts import prompt_records
from planbench.prompts.feedback import critique
from planbench.results.metrics import vote_curve
from planbench.sets.instances import load_set
from planbench.world import encodings
from planbench.world.validate import validate

inspect_ai = pytest.importorskip("inspect_ai")
SECRET = "sk-inspect-test-0123456789"
ROOT = Path(__file__).resolve().parent.parent


def planbench_cli(*args: str):
    """The ``planbench`` command in this process (Inspect is imported once, not per command):
    ``returncode``, ``stdout`` and ``stderr`` as a finished process has them."""
    from click.testing import CliRunner

    from planbench.cli import main

    result = CliRunner().invoke(main, list(args), catch_exceptions=False)
    return subprocess.CompletedProcess(args, result.exit_code, result.stdout, result.stderr)


def inspect_cli(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    """Inspect's own command line, as a user runs it (the task found through the entry point)."""
    environment = {**os.environ, "OPENAI_API_KEY": SECRET, "INSPECT_DISPLAY": "none", "NO_COLOR": "1"}
    return subprocess.run([sys.executable, "-m", "inspect_ai", "eval", *args], capture_output=True, text=True,
                          timeout=300, cwd=cwd, env=environment)


def the_log(folder: Path):
    from inspect_ai.log import read_eval_log

    logs = sorted(folder.glob("*.eval")) + sorted(folder.glob("*.json"))
    assert len(logs) == 1, logs
    return logs[0], read_eval_log(str(logs[0]))


def scores_csv(folder: Path) -> list[dict]:
    with open(folder / "scores.csv", newline="") as handle:
        return list(csv.DictReader(handle))


def user_text(body: dict) -> str:
    return next(m["content"] for m in body["messages"] if m["role"] == "user")


def scripted_answers(set_name: str, encoding_name: str, style: str, script):
    """A server answer per prompt: ``script(instance, gold_actions, n)`` gives the actions of
    the n-th answer to that prompt, written as the style writes plans."""
    encoding = encodings.get(encoding_name)
    instance_set = load_set(set_name)
    by_prompt = {r["prompt"]: instance_set.find(r["part"], r["id"]) for r in prompt_records(instance_set, encoding, style)}
    asked: dict[str, int] = {}

    def answer(body: dict) -> str:
        messages = body["messages"]
        prompt = user_text(body)
        instance = by_prompt[prompt]
        turn = sum(m["role"] == "assistant" for m in messages)
        n = asked.get(prompt, 0) if turn == 0 else turn
        asked[prompt] = asked.get(prompt, 0) + (turn == 0)
        actions = script(instance, instance.gold(encoding.name), n)
        if actions is None:
            return "I would rather not plan today."
        if "pddl" in style:
            return "\n".join(encoding.action_to_pddl(a) for a in actions)
        return "\n".join(encoding.action_to_text(a) for a in actions)
    return answer


def detour(instance, plan) -> list:
    """Two steps that leave the goal as it was, after ``plan``: a third valid plan of another length."""
    blocks = instance.problem.blocks
    for x in blocks:
        for tail in ([("pick-up", x), ("put-down", x)], *[[("unstack", x, y), ("stack", x, y)] for y in blocks]):
            if validate(instance.problem, [*plan, *tail]).valid:
                return tail
    raise AssertionError("no detour")


# ---------------------------------------------------------------- the task in Inspect's CLI, then planbench import


def mixed(instance, gold, n):
    """valid for ids = 0 mod 3, a plan missing its last step for 1 mod 3, no plan for 2 mod 3."""
    kind = instance.id % 3
    return list(gold) if kind == 0 else list(gold[:-1]) if kind == 1 else None


def test_inspect_eval_then_planbench_import_agree(tmp_path) -> None:
    """The done-when of issue 21: Inspect's CLI runs planbench/planbench on 10 instances of
    planbench-3 in Mystery against the local server; the prompts Inspect sent are the ones
    ``planbench prompts`` writes, byte for byte; ``planbench import`` of the log scores every
    answer as Inspect's scorer did, and the report is written."""
    with OpenAIServer() as server:
        server.answer = scripted_answers("planbench-3", "mystery", "zero-shot", mixed)
        done = inspect_cli("planbench/planbench", "--model", "openai/gpt-4o-mini", "--model-base-url", server.base_url,
                           "-T", "set=planbench-3", "-T", "encoding=mystery", "-T", "style=zero-shot",
                           "--limit", "10", "--log-dir", str(tmp_path / "logs"), cwd=tmp_path)
        assert done.returncode == 0, done.stderr[-3000:]
        bodies = list(server.bodies)
    assert len(bodies) == 10

    # the messages Inspect sent are planbench's prompts, byte for byte (no system message for zero-shot)
    assert planbench_cli("prompts", "--set", "planbench-3", "--encoding", "mystery", "--style", "zero-shot",
                         "--out", str(tmp_path / "prompts.jsonl")).returncode == 0
    written = [json.loads(line) for line in (tmp_path / "prompts.jsonl").read_text().splitlines()][:10]
    assert sorted(json.dumps(b["messages"]) for b in bodies) == sorted(json.dumps(r["messages"]) for r in written)

    path, log = the_log(tmp_path / "logs")
    inspect_verdicts = {s.id: s.scores["planbench_scorer"] for s in log.samples}
    by_hand = {f"planbench-3/{i}": ("valid" if i % 3 == 0 else "invalid" if i % 3 == 1 else "unparseable")
               for i in range(1, 11)}
    assert {k: v.metadata["outcome"] for k, v in inspect_verdicts.items()} == by_hand
    assert {k: v.value for k, v in inspect_verdicts.items()} == {k: "C" if o == "valid" else "I"
                                                                 for k, o in by_hand.items()}
    first = load_set("planbench-3").find("planbench-3", 1)
    reason = validate(first.problem, first.gold("mystery")[:-1]).message(encodings.get("mystery"), "pddl")
    assert inspect_verdicts["planbench-3/1"].explanation == f"invalid: {reason}" and "goal" in reason
    assert inspect_verdicts["planbench-3/3"].explanation == f"valid, optimal ({load_set('planbench-3').find('planbench-3', 3).length} steps)"
    metrics = log.results.scores[0].metrics
    assert metrics["accuracy"].value == pytest.approx(3 / 10)  # ids 3, 6, 9
    lengths = {i: load_set("planbench-3").find("planbench-3", i).length for i in range(1, 11)}
    for length in set(lengths.values()):
        asked = [i for i in lengths if lengths[i] == length]
        assert metrics[f"length {length}"].value == pytest.approx(sum(i % 3 == 0 for i in asked) / len(asked))

    imported = planbench_cli("import", str(path), "--out", str(tmp_path / "run"))
    assert imported.returncode == 0, imported.stderr
    assert planbench_cli("score", str(tmp_path / "run")).returncode == 0
    rows = {f"{r['part']}/{r['id']}": r for r in scores_csv(tmp_path / "run")}
    assert {k: r["outcome"] for k, r in rows.items()} == by_hand
    assert {k: r["correct"] == "True" for k, r in rows.items()} == {k: v.value == "C" for k, v in inspect_verdicts.items()}
    assert {k: r["recorded_verdict"] == "True" for k, r in rows.items()} == {k: r["correct"] == "True"
                                                                             for k, r in rows.items()}
    # usage as the server counted it (Inspect's input tokens exclude the 10 cached ones; planbench's include them)
    assert {(r["prompt_tokens"], r["completion_tokens"], r["reasoning_tokens"]) for r in rows.values()} == {("100", "20", "5")}
    info = json.loads((tmp_path / "run" / "run.json").read_text())
    assert (info["set"], info["encoding"], info["style"], info["model"], info["engine"]) == (
        "planbench-3", "mystery", "zero-shot", "gpt-4o-mini", "inspect")
    sent = [json.loads(line)["messages"] for line in (tmp_path / "run" / "prompts.jsonl").read_text().splitlines()]
    assert sent == [r["messages"] for r in written]

    report = planbench_cli("report", str(tmp_path / "run"), "--out", str(tmp_path / "report"))
    assert report.returncode == 0, report.stderr
    assert "30.0" in (tmp_path / "report" / "report.md").read_text()
    assert (tmp_path / "report" / "report.html").stat().st_size > 0
    shown = planbench_cli("show", str(tmp_path / "run"), "1")
    assert shown.returncode == 0 and "invalid" in shown.stdout
    assert planbench_cli("export", str(tmp_path / "run"), "--format", "jsonl", "--out", str(tmp_path / "x.jsonl")).returncode == 0
    exported = [json.loads(x) for x in (tmp_path / "x.jsonl").read_text().splitlines()]
    assert len(exported) == 10 and {x["run_engine"] for x in exported} == {"inspect"}
    for file in (tmp_path / "run").iterdir():
        assert SECRET not in file.read_text(errors="ignore"), file


def test_a_json_log_imports_as_an_eval_log_does(tmp_path, monkeypatch) -> None:
    """``log_format="json"``: the same run directory as from a .eval log, verdicts included."""
    monkeypatch.setenv("OPENAI_API_KEY", SECRET)
    with OpenAIServer() as server:
        server.answer = scripted_answers("planbench-3", "blocksworld", "one-shot", mixed)
        inspect_ai.eval("planbench/planbench", model="openai/gpt-4o-mini", model_base_url=server.base_url,
                        task_args={"style": "one-shot"}, limit=4, log_format="json", log_dir=str(tmp_path / "logs"),
                        display="none")
        system = {b["messages"][0]["content"] for b in server.bodies}
    assert system == {"You are the planner assistant who comes up with correct plans."}  # one-shot sends it
    path, log = the_log(tmp_path / "logs")
    assert path.suffix == ".json"
    assert planbench_cli("import", str(path), "--out", str(tmp_path / "run")).returncode == 0
    assert planbench_cli("score", str(tmp_path / "run")).returncode == 0
    rows = {f"{r['part']}/{r['id']}": r["correct"] == "True" for r in scores_csv(tmp_path / "run")}
    assert rows == {s.id: s.scores["planbench_scorer"].value == "C" for s in log.samples}
    assert sum(rows.values()) == 1  # one-shot asks ids 2..5: only 3 is answered with its plan


def test_a_reasoning_model_gets_no_system_message_as_in_planbench_run(tmp_path, monkeypatch) -> None:
    """One-shot sends PlanBench's system message, but not to a reasoning model unless asked
    (planbench run's rule); Inspect talks to o3-mini through the Responses API."""
    monkeypatch.setenv("OPENAI_API_KEY", SECRET)
    with OpenAIServer() as server:
        for system in (None, True):
            inspect_ai.eval("planbench/planbench", model="openai/o3-mini", model_base_url=server.base_url,
                            task_args={"style": "one-shot", "system": system}, limit=1, log_dir=str(tmp_path / "logs"),
                            display="none")
        asked = [b["input"] for b in server.bodies if isinstance(b.get("input"), list)]
    record = prompt_records(load_set("planbench-3"), encodings.get("blocksworld"), "one-shot")[0]
    assert [[(item["role"], item["content"][0]["text"]) for item in body] for body in asked] == [
        [("user", record["prompt"])], [("developer", record["messages"][0]["content"]), ("user", record["prompt"])]]


# ---------------------------------------------------------------- epochs and planbench's vote


def five_answers(instance, gold, n):
    """Five answers per instance: the plan vote and the verdict vote disagree on instance 1."""
    wrong, valid = list(gold[:-1]), list(gold)
    plans = [valid, valid + detour(instance, gold), valid + detour(instance, gold) * 2]
    return {1: [wrong, wrong, *plans], 2: [plans[0]] * 3 + [wrong] * 2, 3: [wrong] * 3 + plans[:2],
            4: [plans[0]] * 5}[instance.id][n]


def test_epochs_reduce_by_planbench_s_vote(tmp_path, monkeypatch) -> None:
    """``epochs=5``: planbench/vote (the most common plan wins) gives 2 of 4, as planbench's vote
    does on the imported run; Inspect's verdict majority gives 3 of 4 and the mean 13 of 20,
    planbench's accuracy per answer."""
    monkeypatch.setenv("OPENAI_API_KEY", SECRET)
    with OpenAIServer() as server:
        server.answer = scripted_answers("planbench-3", "blocksworld", "zero-shot", five_answers)
        [log] = inspect_ai.eval("planbench/planbench", model="openai/gpt-4o-mini", model_base_url=server.base_url,
                                task_args={"set": "planbench-3"}, limit=4,
                                epochs=inspect_ai.Epochs(5, ["planbench/vote", "majority", "mean"]),
                                log_dir=str(tmp_path / "logs"), display="none")
    assert log.status == "success", log.error
    metrics = {score.reducer: score.metrics["accuracy"].value for score in log.results.scores}
    assert metrics == {"planbench/vote": 0.5, "majority": 0.75, "mean": pytest.approx(13 / 20)}
    assert planbench_cli("import", log.location, "--out", str(tmp_path / "run")).returncode == 0
    info = json.loads((tmp_path / "run" / "run.json").read_text())
    assert (info["samples"], info["strategy"]) == (5, "vote")
    scored = planbench_cli("score", str(tmp_path / "run"))
    assert "2/4 valid = 50.0% (majority of 5 answers per instance" in scored.stdout, scored.stdout
    assert "per answer 13/20 = 65.0%" in scored.stdout, scored.stdout
    rows = [dict(r, correct=r["correct"] == "True", cum_output_tokens=0, cum_cost=0.0) for r in scores_csv(tmp_path / "run")]
    assert vote_curve(rows).iloc[-1]["accuracy"] == 0.5


# ---------------------------------------------------------------- back-prompting as a solver


def test_backprompt_solver_sends_planbench_s_critique(tmp_path, monkeypatch) -> None:
    """``-T strategy=backprompt``: after an invalid plan Inspect sends PlanBench's critique (the
    validator's first error, byte for byte as planbench run sends it) until the plan is
    valid; the imported run has every round, and its final verdicts are Inspect's."""
    monkeypatch.setenv("OPENAI_API_KEY", SECRET)
    hard = load_set("planbench-hard-110")
    blocksworld = encodings.get("blocksworld")

    def until_round_2(instance, gold, n):
        return list(gold) if n >= 2 else [("pick-up", "a"), ("stack", "a", "a")]

    with OpenAIServer() as server:
        server.answer = scripted_answers("planbench-hard-110", "blocksworld", "zero-shot-pddl", until_round_2)
        [log] = inspect_ai.eval("planbench/planbench", model="openai/gpt-4o-mini", model_base_url=server.base_url,
                                task_args={"set": "planbench-hard-110", "style": "zero-shot-pddl",
                                           "strategy": "backprompt"},
                                limit=2, log_dir=str(tmp_path / "logs"), display="none")
        bodies = list(server.bodies)
    assert log.status == "success", log.error
    assert len(bodies) == 6  # 2 conversations x 3 answers
    third = next(b for b in bodies if len(b["messages"]) == 5)
    first_prompt = {r["prompt"]: r for r in prompt_records(hard, blocksworld, "zero-shot-pddl")}[third["messages"][0]["content"]]
    instance = hard.find(first_prompt["part"], first_prompt["id"])
    expected = critique(validate(instance.problem, [("pick-up", "a"), ("stack", "a", "a")]), blocksworld, pddl=True)
    assert third["messages"][2]["content"] == expected == third["messages"][4]["content"]
    assert all(s.scores["planbench_scorer"].value == "C" for s in log.samples)
    assert planbench_cli("import", log.location, "--out", str(tmp_path / "run")).returncode == 0
    scored = planbench_cli("score", str(tmp_path / "run"))
    assert "first try 0/2, after 2 round(s) 2/2" in scored.stdout, scored.stdout
    lines = [json.loads(x) for x in (tmp_path / "run" / "responses.jsonl").read_text().splitlines()]
    assert [(x["round"], x.get("user_message") == expected) for x in lines if x["id"] == instance.id] == [
        (0, False), (1, True), (2, True)]


# ---------------------------------------------------------------- tasks 2-8 through the registry


class CountTheBlocks:
    """A task of the tests' own making (tasks 2-8 land in planbench.tasks from other branches):
    the seam is all the Inspect task uses, so any registered task runs the same way."""

    name, title, words, planbench_file, answer = "t7", "counting", ("counting",), "task_count", "state"

    def prompts(self, instance_set, encoding, options):
        from planbench.tasks import TaskPrompt

        return [TaskPrompt(i, f"How many blocks are in problem {i.id}?", {"blocks": i.blocks})
                for i in instance_set.scored()]

    def judge(self, text, prompt, encoding, extractor="default"):
        said = [int(word) for word in text.split() if word.isdigit()]
        if not said:
            return {"outcome": "unparseable", "correct": False, "reason": "no number"}
        right = said[0] == prompt.truth["blocks"]
        return {"outcome": "correct" if right else "incorrect", "correct": right,
                "reason": f"said {said[0]}, truth {prompt.truth['blocks']}"}


def test_a_registered_task_runs_through_the_same_inspect_task(tmp_path, monkeypatch) -> None:
    from planbench.prompts import SYSTEM_MESSAGE
    from planbench.tasks import REGISTRY

    monkeypatch.setitem(REGISTRY, "t7", CountTheBlocks())
    monkeypatch.setenv("OPENAI_API_KEY", SECRET)
    with OpenAIServer() as server:
        server.answer = lambda body: f"{3 + int(user_text(body).split()[-1].rstrip('?')) % 2} blocks"
        [log] = inspect_ai.eval("planbench/planbench", model="openai/gpt-4o-mini", model_base_url=server.base_url,
                                task_args={"task": "execution", "style": None}, limit=6,
                                log_dir=str(tmp_path / "logs"), display="none")
        bodies = list(server.bodies)
    assert log.status == "success", log.error
    assert {b["messages"][0]["content"] for b in bodies} == {SYSTEM_MESSAGE}  # PlanBench sent it for every task
    verdicts = {s.id: (s.scores["planbench_scorer"].value, s.scores["planbench_scorer"].explanation)
                for s in log.samples}
    assert verdicts == {f"planbench-3/{i}": ("I", "incorrect: said 4, truth 3") if i % 2 else
                        ("C", "correct: said 3, truth 3") for i in range(1, 7)}
    assert log.results.scores[0].metrics["accuracy"].value == 0.5
    assert planbench_cli("import", log.location, "--out", str(tmp_path / "run")).returncode == 0
    info = json.loads((tmp_path / "run" / "run.json").read_text())
    assert (info["task"], info["style"]) == ("t7", None)


# ---------------------------------------------------------------- bad input


def test_bad_task_options_say_which_and_why(tmp_path) -> None:
    """Through Inspect's CLI the message reaches the user; each option's check by name."""
    from planbench.errors import InputError
    from planbench.inspect.task import planbench

    done = inspect_cli("planbench/planbench", "--model", "mockllm/model", "-T", "style=two-shot",
                       "--log-dir", str(tmp_path / "logs"), cwd=tmp_path)
    assert done.returncode != 0
    assert "two-shot: unknown prompt style; choose one of: zero-shot" in done.stdout + done.stderr
    for options, message in (({"task": "t9"}, "unknown task 't9'"), ({"encoding": "klingon"}, "klingon"),
                             ({"set": "planbench-9"}, "unknown instance set"),
                             ({"extractor": "planbench-llm"}, "translates each answer with GPT-4o"),
                             ({"extractor": "regex"}, "unknown extractor 'regex'"),
                             ({"strategy": "vote"}, "use --epochs K"), ({"rounds": -1}, "rounds must be"),
                             ({"task": "t3", "style": "one-shot"}, "style 'one-shot' is for t1")):
        with pytest.raises(InputError, match=message):
            planbench(**options)


def test_logs_that_are_not_planbench_s_are_refused_in_one_line(tmp_path) -> None:
    from inspect_ai import Task
    from inspect_ai.dataset import Sample

    [other] = inspect_ai.eval(Task(dataset=[Sample(input="hi", target="hello")]), model="mockllm/model",
                              log_dir=str(tmp_path / "logs"), display="none")
    done = planbench_cli("import", other.location, "--out", str(tmp_path / "run"))
    assert done.returncode == 2 and done.stderr.count("\n") == 1, done.stderr
    assert "not of planbench/planbench" in done.stderr
    damaged = tmp_path / "damaged.eval"
    damaged.write_bytes(b"PK\x03\x04 not really a zip")
    done = planbench_cli("import", str(damaged), "--out", str(tmp_path / "run"))
    assert done.returncode == 2 and done.stderr.startswith(f"planbench: {damaged}: not a readable Inspect log")
    assert done.stderr.count("\n") == 1
    assert not (tmp_path / "run" / "run.json").exists()


def test_an_import_never_replaces_another_run(tmp_path, monkeypatch) -> None:
    monkeypatch.setenv("OPENAI_API_KEY", SECRET)
    with OpenAIServer() as server:
        [log] = inspect_ai.eval("planbench/planbench", model="openai/gpt-4o-mini", model_base_url=server.base_url,
                                limit=2, log_dir=str(tmp_path / "logs"), display="none")
    run = tmp_path / "run"
    assert planbench_cli("import", log.location, "--out", str(run)).returncode == 0
    assert planbench_cli("import", log.location, "--out", str(run)).returncode == 0  # the same log again: fine
    (run / "run.json").write_text(json.dumps({"set": "planbench-3", "encoding": "blocksworld", "model": "mine"}))
    done = planbench_cli("import", log.location, "--out", str(run))
    assert done.returncode == 2 and "already holds a run" in done.stderr
    assert json.loads((run / "run.json").read_text())["model"] == "mine"
    assert planbench_cli("import", log.location, "--out", str(run), "--force").returncode == 0
    assert [p for p in tmp_path.iterdir() if p.name.startswith("run.replaced-")]


def test_failed_answers_import_as_no_response_and_no_key_reaches_the_run(tmp_path, monkeypatch) -> None:
    """The endpoint refuses the key, quoting it (some do): Inspect records the failure; the import
    scores it no_response (unscored in Inspect too), keeps the answers that came, and writes the
    key nowhere, nor credentials from the endpoint's URL."""
    from inspect_ai.log import write_eval_log

    monkeypatch.setenv("OPENAI_API_KEY", SECRET)
    with OpenAIServer() as server:
        refused = {r["prompt"] for r in prompt_records(load_set("planbench-3"), encodings.get("blocksworld"),
                                                      "zero-shot")[:2]}
        ok = server.handle

        def handle(connection, path, headers, raw):
            body = json.loads(raw or b"{}")
            if user_text(body) in refused:
                message = f"Incorrect API key provided: {headers.get('authorization', '').removeprefix('Bearer ')}"
                return connection.send(401, {"error": {"message": message, "type": "invalid_request_error"}})
            return ok(connection, path, headers, raw)

        server.handle = handle
        [log] = inspect_ai.eval("planbench/planbench", model="openai/gpt-4o-mini", model_base_url=server.base_url,
                                limit=4, fail_on_error=False, log_dir=str(tmp_path / "logs"), display="none")
    assert sum(1 for s in log.samples if s.error) == 2
    log.eval.model_base_url = f"http://user:{SECRET}@127.0.0.1:9/v1?api_key={SECRET}"
    write_eval_log(log, log.location)
    done = planbench_cli("import", log.location, "--out", str(tmp_path / "run"))
    assert done.returncode == 0 and "2 answer(s) failed in Inspect" in done.stderr, done.stderr
    assert planbench_cli("score", str(tmp_path / "run")).returncode == 0
    outcomes = {f"{r['part']}/{r['id']}": r["outcome"] for r in scores_csv(tmp_path / "run")}
    assert outcomes == {s.id: "no_response" if s.error else s.scores["planbench_scorer"].metadata["outcome"]
                        for s in log.samples}
    assert list(outcomes.values()).count("no_response") == 2
    errors = [json.loads(x)["error"] for x in (tmp_path / "run" / "responses.jsonl").read_text().splitlines()]
    assert sorted(e for e in errors if e) == ["Error code: 401 - Incorrect API key provided: [API key]"] * 2
    assert json.loads((tmp_path / "run" / "run.json").read_text())["base_url"] == \
        "http://[redacted]@127.0.0.1:9/v1?api_key=[redacted]"
    for file in (tmp_path / "run").iterdir():
        assert SECRET not in file.read_text(errors="ignore"), file


# ---------------------------------------------------------------- planbench without Inspect


def test_planbench_and_its_cli_never_import_inspect_or_datasets(tmp_path) -> None:
    """The extras stay optional: importing planbench, and the commands that do not need them
    (a PlanBench results file imported, scored, reported), load neither library."""
    recorded = sorted((ROOT / "recorded").glob("*mystery*3*zero_shot*.json.gz"))[0]
    script = f"""
import sys
import planbench, planbench.cli
from planbench.cli import main
for args in (["sets"], ["prompts", "--set", "planbench-3", "--style", "zero-shot", "--out", r"{tmp_path / 'p.jsonl'}"],
             ["import", r"{recorded}", "--out", r"{tmp_path / 'run'}"], ["score", r"{tmp_path / 'run'}"],
             ["report", r"{tmp_path / 'run'}", "--out", r"{tmp_path / 'report'}"]):
    try:
        main(args, standalone_mode=False)
    except SystemExit as stop:
        assert not stop.code, (args, stop.code)
loaded = sorted(m for m in sys.modules if m.split(".")[0] in ("inspect_ai", "datasets"))
print("LOADED", loaded)
"""
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-2000:]
    assert "LOADED []" in done.stdout


# ---------------------------------------------------------------- sets as Hugging Face datasets


def test_an_exported_set_loads_and_matches_the_bundled_set(tmp_path) -> None:
    datasets = pytest.importorskip("datasets")
    done = planbench_cli("sets", "export", "planbench-600", "--format", "hf", "--encoding", "blocksworld",
                         "--encoding", "mystery", "--style", "zero-shot", "--style", "one-shot",
                         "--out", str(tmp_path / "hf"))
    assert done.returncode == 0, done.stderr
    table = datasets.load_from_disk(str(tmp_path / "hf"))
    bundled = load_set("planbench-600")
    expected = []
    for name in ("blocksworld", "mystery"):
        for style in ("zero-shot", "one-shot"):
            expected += [(name, style, r) for r in prompt_records(bundled, encodings.get(name), style)]
    assert len(table) == len(expected) == 2 * (600 + 600)  # one-shot asks 2..501 and 2..101: 600 as well
    for row, (name, style, record) in zip(table, expected):
        instance = bundled.find(row["part"], row["id"])
        canonical = instance.to_record()
        assert (row["encoding"], row["style"], row["part"], row["id"]) == (name, style, record["part"], record["id"])
        assert row["prompt"] == record["prompt"] and row["system_message"] == record["system_message"]
        assert (row["blocks"], row["init"], row["goal"]) == (instance.blocks, canonical["init"], canonical["goal"])
        assert (row["optimal_plan"], row["optimal_length"]) == (canonical["plan"], len(instance.plan))
        assert row["gold_plan_pddl"] == record["gold_plan_pddl"]
    assert "PlanBench" in table.info.description and "valmeekam2023planbench" in table.info.citation
    # a second export into the same folder keeps the first
    again = planbench_cli("sets", "export", "planbench-3", "--out", str(tmp_path / "hf"))
    assert again.returncode == 2 and "is not empty" in again.stderr
    assert len(datasets.load_from_disk(str(tmp_path / "hf"))) == len(expected)


def test_an_exported_unsolvable_set_has_no_plans(tmp_path) -> None:
    datasets = pytest.importorskip("datasets")
    assert planbench_cli("sets", "export", "planbench-unsolvable", "--out", str(tmp_path / "hf")).returncode == 0
    table = datasets.load_from_disk(str(tmp_path / "hf"))
    assert len(table) == 100 and not any(table["solvable"])
    assert set(table["optimal_length"]) == {None} and all(plan == [] for plan in table["optimal_plan"])
