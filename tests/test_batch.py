"""Batch runs: OpenAI's Batch API (the local test server speaks /v1/files and /v1/batches,
driven through the real SDK) and batch files for vLLM's run-batch."""

from __future__ import annotations

import csv
import hashlib
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import openai
import pytest

import planbench

from openai_server import OpenAIServer
from planbench.errors import InputError
from planbench.run.batch.ledger import Ledger
from planbench.run.execute import execute, prepare
from planbench.run.runner import RunConfig
from planbench.results.score import score_run, write_scores
from planbench.runs import read_responses, read_run

SECRET = "sk-test-batch-5e4d3c2b1a"
WRONG = "1. Pick up the red block\n2. Stack the red block on top of the blue block"
IGNORED = {"cost", "live_cost", "latency", "cum_cost"}  # what a batch answer may differ in from a live one


@pytest.fixture(autouse=True)
def key(monkeypatch):
    monkeypatch.setenv("PLANBENCH_TEST_KEY", SECRET)


def config(server: OpenAIServer, tmp_path: Path, name: str = "cache", **overrides) -> RunConfig:
    values = dict(set="planbench-3", encoding="blocksworld", style="zero-shot", model="gpt-4o-mini",
                  base_url=server.base_url, api_key_env="PLANBENCH_TEST_KEY", timeout=5.0, backoff=0.01,
                  cache_dir=str(tmp_path / name), engine="openai-batch", poll_seconds=0.01)
    values.update(overrides)
    return RunConfig(**values)


def answers_of(base: RunConfig):
    """A server answer per prompt: the optimal plan for a third, a plan missing a step for a
    third, a wrong plan for the rest; after a follow-up message always the optimal plan."""
    gold = {}
    for record in prepare(RunConfig(**{**base.__dict__, "limit": None})):
        user = [m for m in record["messages"] if m["role"] == "user"][0]["content"]
        gold[user] = record["gold_plan_pddl" if "pddl" in record["style"] else "gold_plan_text"]

    def answer(body: dict) -> str:
        messages = body["messages"]
        user = [m for m in messages if m["role"] == "user"][0]["content"]
        plan = gold[user]
        choice = int(hashlib.sha256(user.encode()).hexdigest(), 16) % 3
        if any(m["role"] == "assistant" for m in messages) or choice == 0:
            return "\n".join(plan)
        return "\n".join(plan[1:]) if choice == 1 else WRONG
    return answer


def scores(folder: Path) -> list[dict]:
    with open(folder / "scores.csv", newline="") as handle:
        rows = [{k: v for k, v in row.items() if k not in IGNORED} for row in csv.DictReader(handle)]
    return sorted(rows, key=lambda r: (r["part"], int(r["id"]), int(r["sample"]), int(r["round"])))


def cli(*args: str, env: dict | None = None) -> subprocess.CompletedProcess:
    environment = {**os.environ, "PLANBENCH_TEST_KEY": SECRET, **(env or {})}
    return subprocess.run([sys.executable, "-m", "planbench", *args], capture_output=True, text=True, env=environment)


def test_a_600_prompt_batch_run_scores_as_the_live_run(tmp_path) -> None:
    """The same answers through the Batch API and live give the same scores.csv (bar cost
    and latency); batch answers cost half, and say what they would have cost live."""
    with OpenAIServer() as server:
        base = config(server, tmp_path, set="planbench-600")
        server.answer = answers_of(base)
        live = cli("run", "--set", "planbench-600", "--style", "zero-shot", "--model", "gpt-4o-mini", "--base-url",
                   server.base_url, "--api-key-env", "PLANBENCH_TEST_KEY", "--out", str(tmp_path / "live"),
                   "--cache-dir", str(tmp_path / "live-cache"))
        assert live.returncode == 0, live.stderr
        batch = cli("run", "--set", "planbench-600", "--style", "zero-shot", "--model", "gpt-4o-mini", "--base-url",
                    server.base_url, "--api-key-env", "PLANBENCH_TEST_KEY", "--out", str(tmp_path / "batch"),
                    "--cache-dir", str(tmp_path / "batch-cache"), "--batch", "--poll-seconds", "0.01",
                    "--batch-max-requests", "250")
        assert batch.returncode == 0, batch.stderr
        assert len(server.batch_custom_ids) == 600 and set(server.batch_custom_ids.values()) == {1}
        assert server.batch_calls[("POST", "batches")] == 3  # 600 requests, 250 per file
    ours, theirs = scores(tmp_path / "batch"), scores(tmp_path / "live")
    assert len(ours) == 600 and ours == theirs
    assert {r["outcome"] for r in ours} >= {"valid", "invalid"}
    live_lines = read_responses(read_run(tmp_path / "live"))
    batch_lines = read_responses(read_run(tmp_path / "batch"))
    live_cost = sum(line["cost"] for line in live_lines)
    assert abs(sum(line["cost"] for line in batch_lines) - live_cost / 2) < 1e-9
    assert abs(sum(line["live_cost"] for line in batch_lines) - live_cost) < 1e-9
    assert {line["batch"] for line in batch_lines} == {"batch_2", "batch_4", "batch_6"}
    assert "at live prices" in batch.stdout and SECRET not in (tmp_path / "batch" / "batch" / "batches.jsonl").read_text()
    report = (tmp_path / "batch" / "report.md").read_text()
    assert "| at live prices |" in report and f"${live_cost:.4f}" in report
    frame = planbench.load(tmp_path / "batch")
    assert frame["live_cost"].dtype == "float64" and abs(frame["live_cost"].sum() - live_cost) < 1e-9
    assert set(frame["run_engine"]) == {"openai-batch"}


def test_killed_after_submission_resumes_without_submitting_again(tmp_path) -> None:
    """SIGKILL once the batch is submitted and being worked on; ``planbench resume`` polls
    the recorded batch and collects it: every custom_id reached the server once."""
    with OpenAIServer() as server:
        server.batch_per_poll = 5
        args = ["run", "--set", "planbench-3", "--style", "zero-shot", "--model", "gpt-4o-mini", "--base-url",
                server.base_url, "--api-key-env", "PLANBENCH_TEST_KEY", "--out", str(tmp_path / "run"), "--cache-dir",
                str(tmp_path / "cache"), "--batch", "--poll-seconds", "0.05", "--no-score"]
        process = subprocess.Popen([sys.executable, "-m", "planbench", *args], start_new_session=True,
                                   env={**os.environ, "PLANBENCH_TEST_KEY": SECRET},
                                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            batches = list(server.batches.values())
            if batches and len(batches[0]["done"]) >= 10:
                break
            time.sleep(0.01)
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()
        ledger = Ledger(tmp_path / "run")
        assert [e["stage"] for e in ledger.files().values()] == ["submitted"]
        assert not (tmp_path / "run" / "responses.jsonl").exists() or not read_responses(read_run(tmp_path / "run"))
        resumed = cli("resume", str(tmp_path / "run"))
        assert resumed.returncode == 0, resumed.stderr
        assert server.batch_calls[("POST", "batches")] == 1 and server.batch_calls[("POST", "files")] == 1
        assert len(server.batch_custom_ids) == 100 and set(server.batch_custom_ids.values()) == {1}
    lines = read_responses(read_run(tmp_path / "run"))
    assert len(lines) == 100 and len({(line["part"], line["id"]) for line in lines}) == 100
    assert "100 answers (0 from cache, 0 errors, 0 requests" in resumed.stdout  # collected, nothing sent
    assert (tmp_path / "run" / "scores.csv").exists()


def test_a_collection_cut_short_is_finished_without_duplicates(tmp_path) -> None:
    """Killed while writing a collected batch's answers (the ledger has no 'collected', the
    last answer is half a line): run again, it downloads again and writes only what is missing."""
    with OpenAIServer() as server:
        execute(config(server, tmp_path, limit=40), tmp_path / "run", show_progress=False)
        ledger = Ledger(tmp_path / "run")
        kept = [line for line in ledger.path.read_text().splitlines() if '"collected"' not in line]
        ledger.path.write_text("\n".join(kept) + "\n")
        responses = tmp_path / "run" / "responses.jsonl"
        data = responses.read_bytes().split(b"\n")
        responses.write_bytes(b"\n".join(data[:25]) + b"\n" + data[25][:40])
        tally = execute(config(server, tmp_path, limit=40), tmp_path / "run", show_progress=False)
        assert server.batch_calls[("POST", "batches")] == 1 and tally.done == 15
    lines = read_responses(read_run(tmp_path / "run"), report=lambda line: None)
    assert sorted(line["id"] for line in lines) == list(range(1, 41))


def test_an_upload_whose_batch_id_was_not_recorded_is_found_not_made_again(tmp_path) -> None:
    """Killed between creating a batch and recording its id: the ledger has the upload; the
    batch is looked up by its input file, never created twice."""
    with OpenAIServer() as server:
        execute(config(server, tmp_path, limit=20), tmp_path / "run", show_progress=False)
        ledger = Ledger(tmp_path / "run")
        kept = [line for line in ledger.path.read_text().splitlines() if '"event": "uploaded"' in line
                or '"event": "written"' in line]
        ledger.path.write_text("\n".join(kept) + "\n")
        (tmp_path / "run" / "responses.jsonl").unlink()
        tally = execute(config(server, tmp_path, "other-cache", limit=20), tmp_path / "run", show_progress=False)
        assert tally.done == 20 and server.batch_calls[("POST", "batches")] == 1
        assert server.batch_calls[("GET", "batches")] == 1  # the lookup
        assert set(server.batch_custom_ids.values()) == {1}


def test_expired_and_failed_requests_go_in_a_new_batch(tmp_path) -> None:
    """A batch that expires after 30 of 40 answers, and two answers that failed with a 500
    the first time: those 12 go in a second batch; a request refused (400) is not sent again."""
    with OpenAIServer() as server:
        server.batch_expire_after = 30
        order: list[str] = []

        def fault(custom_id: str, body: dict, times: int) -> int | None:
            if custom_id not in order:
                order.append(custom_id)
            position = order.index(custom_id)
            if position == 3:
                return 400
            return 500 if times == 1 and position in (5, 6) else None
        server.batch_fault = fault
        tally = execute(config(server, tmp_path, limit=40), tmp_path / "run", show_progress=False)
        sent = server.batch_custom_ids
        assert server.batch_calls[("POST", "batches")] == 2
        assert sorted(sent.values()) == [1] * 28 + [2] * 12 and sent[order[3]] == 1
    ledger = Ledger(tmp_path / "run").files()
    assert [e["status"] for e in ledger.values()] == ["expired", "completed"]
    lines = read_responses(read_run(tmp_path / "run"))
    errors = [line["error"] for line in lines if line["error"]]
    assert len(errors) == 13 and sum("batch_expired" in e for e in errors) == 10 and sum("HTTP 500" in e for e in errors) == 2
    assert [e for e in errors if "HTTP 400" in e] == ["batch HTTP 400: scripted status 400"]
    assert tally.done == 52 and tally.errors == 13
    rows = score_run(read_run(tmp_path / "run"))
    assert sum(r["outcome"] == "no_response" for r in rows) == 1 and len(rows) == 40


def test_failed_requests_can_be_retried_live(tmp_path) -> None:
    """Five answers the batch failed (503) are sent live after it, not in a second batch."""
    with OpenAIServer() as server:
        unlucky: set[str] = set()

        def fault(custom_id: str, body: dict, times: int) -> int | None:
            if len(unlucky) < 5:
                unlucky.add(custom_id)
            return 503 if custom_id in unlucky else None
        server.batch_fault = fault
        execute(config(server, tmp_path, limit=30, batch_retry="live"), tmp_path / "run", show_progress=False)
        assert server.paths["/v1/chat/completions"] == 5 and server.batch_calls[("POST", "batches")] == 1
    lines = read_responses(read_run(tmp_path / "run"))
    assert len({line["id"] for line in lines if not line["error"]}) == 30


def test_a_cancelled_batch_is_collected_and_the_rest_sent_again(tmp_path) -> None:
    with OpenAIServer() as server:
        server.batch_per_poll = 4
        args = ["run", "--set", "planbench-3", "--style", "zero-shot", "--model", "gpt-4o-mini", "--base-url",
                server.base_url, "--api-key-env", "PLANBENCH_TEST_KEY", "--out", str(tmp_path / "run"), "--cache-dir",
                str(tmp_path / "cache"), "--batch", "--poll-seconds", "0.05", "--no-score", "--limit", "40"]
        process = subprocess.Popen([sys.executable, "-m", "planbench", *args], env={**os.environ,
                                   "PLANBENCH_TEST_KEY": SECRET}, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and not (server.batches and len(list(server.batches.values())[0]["done"]) >= 8):
            time.sleep(0.01)
        client = openai.OpenAI(api_key="x", base_url=server.base_url)
        client.batches.cancel(list(server.batches)[0])
        out, err = process.communicate(timeout=60)
        assert process.returncode == 0, err
    statuses = [e["status"] for e in Ledger(tmp_path / "run").files().values()]
    assert statuses == ["cancelled", "completed"]
    lines = [line for line in read_responses(read_run(tmp_path / "run")) if not line["error"]]
    assert sorted(line["id"] for line in lines) == list(range(1, 41))


def test_a_batch_that_fails_validation_says_where(tmp_path) -> None:
    with OpenAIServer() as server:
        server.batch_reject = "the model does not exist or you do not have access"
        with pytest.raises(InputError) as info:
            execute(config(server, tmp_path, limit=5), tmp_path / "run", show_progress=False)
    message = str(info.value)
    assert "requests-000.jsonl" in message and ":1:" in message and "failed validation" in message
    assert "does not exist" in message and not read_responses(read_run(tmp_path / "run"))


def test_max_cost_is_checked_on_the_estimate_before_anything_is_submitted(tmp_path) -> None:
    with OpenAIServer() as server:
        tally = execute(config(server, tmp_path, max_cost=0.001, max_tokens=1000), tmp_path / "run",
                        show_progress=False)
        assert tally.stopped_for_cost and tally.done == 0
        assert not server.batch_calls  # nothing uploaded, nothing created
        result = cli("run", "--set", "planbench-3", "--style", "zero-shot", "--model", "gpt-4o-mini", "--base-url",
                     server.base_url, "--api-key-env", "PLANBENCH_TEST_KEY", "--out", str(tmp_path / "run2"),
                     "--batch", "--max-cost", "0.001", "--max-tokens", "1000", "--no-score")
        assert result.returncode == 0 and "stopped at --max-cost" in result.stdout
        assert "passes --max-cost $0.001: nothing submitted" in result.stderr and not server.batch_calls
        dry = cli("run", "--set", "planbench-3", "--style", "zero-shot", "--model", "gpt-4o-mini", "--batch",
                  "--max-tokens", "1000", "--dry-run")
        assert "at batch prices" in dry.stdout


def test_back_prompting_goes_one_batch_per_round(tmp_path) -> None:
    """Round 0 in one batch, the critiques of its invalid plans in the next: the same
    conversations, and scores, as the live run."""
    with OpenAIServer() as server:
        base = config(server, tmp_path, strategy="backprompt", limit=30)
        server.answer = answers_of(base)
        execute(base, tmp_path / "batch", show_progress=False)
        rounds = [entry["rounds"] for entry in Ledger(tmp_path / "batch").files().values()]
        assert rounds == [[0], [1]]
        execute(config(server, tmp_path, "live-cache", strategy="backprompt", limit=30, engine="live"),
                tmp_path / "live", show_progress=False)
    for name in ("batch", "live"):
        write_scores(score_run(read_run(tmp_path / name)), tmp_path / name / "scores.csv")
    ours, theirs = scores(tmp_path / "batch"), scores(tmp_path / "live")
    assert ours == theirs and max(int(r["round"]) for r in ours) == 1
    assert sum(r["outcome"] == "valid" and r["final"] == "True" for r in ours) == 30 > sum(
        r["outcome"] == "valid" and r["round"] == "0" for r in ours)


def test_a_dead_endpoint_is_one_clear_line_and_nothing_is_lost(tmp_path) -> None:
    with OpenAIServer() as server:
        dead, port = config(server, tmp_path, limit=5, max_attempts=1), server.port
    with pytest.raises(InputError) as info:
        execute(dead, tmp_path / "run", show_progress=False)  # the server is gone
    assert "cannot upload" in str(info.value) and "nothing was submitted" in str(info.value)
    assert SECRET not in str(info.value)
    assert [e["stage"] for e in Ledger(tmp_path / "run").files().values()] == ["written"]
    with OpenAIServer(port=port) as server:  # back: the written file is set aside and the requests sent once
        tally = execute(config(server, tmp_path, limit=5), tmp_path / "run", show_progress=False)
        assert tally.done == 5 and set(server.batch_custom_ids.values()) == {1}
    assert [e["stage"] for e in Ledger(tmp_path / "run").files().values()] == ["abandoned", "collected"]


def test_a_ledger_edited_by_hand_is_read_around_not_crashed_on(tmp_path, capsys) -> None:
    with OpenAIServer() as server:
        execute(config(server, tmp_path, limit=5), tmp_path / "run", show_progress=False)
        ledger = Ledger(tmp_path / "run")
        with open(ledger.path, "a") as out:
            out.write('{"event": "submitted", "file": "requests-009.jsonl"}\nnot json\n[1, 2]\n'
                      '{"event": "submitted", "file": "../../elsewhere.jsonl", "batch_id": "b", "input_file_id": "f"}\n'
                      '{"event": "collected", "file": "requests-000.jsonl"}\n')
        tally = execute(config(server, tmp_path, limit=5), tmp_path / "run", show_progress=False)
        assert tally.done == 0 and server.batch_calls[("POST", "batches")] == 1
    err = capsys.readouterr().err
    assert all(f"batches.jsonl:{n}: not a batch ledger event: skipped" in err for n in (5, 6, 7, 8))
