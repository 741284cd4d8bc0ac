"""The runner against a real local OpenAI-compatible server, through the real SDK."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from openai_server import OpenAIServer
from planbench.run.execute import execute
from planbench.run.runner import RunConfig
from planbench.runs import read_responses, read_run
from planbench.results.metrics import dollars
from planbench.results.report import write_report
from planbench.results.score import score_run

SECRET = "sk-test-secret-9f8e7d6c5b4a"


def config(server: OpenAIServer, tmp_path: Path, **overrides) -> RunConfig:
    values = dict(set="planbench-3", encoding="blocksworld", style="zero-shot", model="gpt-4o-mini",
                  base_url=server.base_url, api_key_env="PLANBENCH_TEST_KEY", concurrency=8, limit=10,
                  max_attempts=6, timeout=1.0, backoff=0.01, cache_dir=str(tmp_path / "cache"))
    values.update(overrides)
    return RunConfig(**values)


@pytest.fixture(autouse=True)
def key(monkeypatch):
    monkeypatch.setenv("PLANBENCH_TEST_KEY", SECRET)


def test_answers_land_with_usage_and_cost(tmp_path) -> None:
    with OpenAIServer() as server:
        tally = execute(config(server, tmp_path), tmp_path / "run", show_progress=False)
    assert tally.done == 10 and tally.errors == 0 and server.requests == 10
    responses = read_responses(read_run(tmp_path / "run"))
    assert len(responses) == 10
    first = responses[0]
    assert first["text"].startswith("1. Pick up") and first["finish_reason"] == "stop"
    assert first["usage"] == {"prompt_tokens": 100, "completion_tokens": 20, "reasoning_tokens": 5, "cached_tokens": 10}
    # gpt-4o-mini: 90 fresh x 0.15 + 10 cached x 0.075 + 20 x 0.60 per million tokens.
    assert abs(first["cost"] - (90 * 0.15 + 10 * 0.075 + 20 * 0.60) / 1e6) < 1e-12
    assert server.authorizations == {f"Bearer {SECRET}"}
    rows = score_run(read_run(tmp_path / "run"))
    assert {r["outcome"] for r in rows} <= {"valid", "invalid"}
    write_report({"run": rows}, tmp_path / "report")
    report = (tmp_path / "report" / "report.md").read_text()
    valid = sum(r["valid"] for r in rows)
    cost = sum(r["cost"] for r in rows)
    assert abs(cost - 10 * first["cost"]) < 1e-12
    per_valid = dollars(cost / valid) if valid else "n/a"
    assert "## Cost" in report  # cost, paid now (all of it: nothing came from the cache), per instance, per valid plan
    assert f"| run | 10 | {valid} | {dollars(cost)} | {dollars(cost)} | {dollars(cost / 10)} | {per_valid} |" in report


def test_faults_are_retried_and_succeed(tmp_path) -> None:
    with OpenAIServer(script=["429", "500", "drop", "slow"], slow_seconds=2.5) as server:
        tally = execute(config(server, tmp_path, limit=6), tmp_path / "run", show_progress=False)
    assert tally.done == 6 and tally.errors == 0
    assert server.requests == 6 * 5  # four faults, then the answer
    attempts = [r["attempts"] for r in read_responses(read_run(tmp_path / "run"))]
    assert attempts == [5] * 6


def test_permanent_failure_is_no_response(tmp_path) -> None:
    with OpenAIServer(script=["500"] * 10) as server:
        tally = execute(config(server, tmp_path, limit=3, max_attempts=3), tmp_path / "run", show_progress=False)
    assert tally.errors == 3 and server.requests == 9
    responses = read_responses(read_run(tmp_path / "run"))
    assert all(r["error"].startswith("InternalServerError 500") and r["text"] is None for r in responses)
    assert {r["outcome"] for r in score_run(read_run(tmp_path / "run"))} == {"no_response"}


def test_a_refused_key_is_not_retried_and_not_written(tmp_path) -> None:
    with OpenAIServer(script=["401"] * 5) as server:
        tally = execute(config(server, tmp_path, limit=2), tmp_path / "run", show_progress=False)
    assert tally.errors == 2 and server.requests == 2  # a 401 is final: not retried
    errors = [r["error"] for r in read_responses(read_run(tmp_path / "run"))]
    assert all(e.startswith("AuthenticationError 401") and "[API key]" in e for e in errors), errors
    assert SECRET not in (tmp_path / "run" / "responses.jsonl").read_text()


def test_rpm_spaces_requests(tmp_path) -> None:
    """--rpm 240 at concurrency 8: one request every 0.25 s at most, retries included. The
    spacing is checked between every pair of arrivals, not only neighbours: k intervals
    apart, at least k x 0.25 s apart, less one allowance of 0.15 s for a request that left
    late on a loaded machine (so neighbours at least 0.1 s apart, the ten over 2.1 s); a
    client that did not pace would send the first eight at once."""
    interval, late = 60 / 240, 0.15
    with OpenAIServer(script=["429"]) as server:  # each prompt's first attempt is refused
        execute(config(server, tmp_path, limit=5, rpm=240), tmp_path / "run", show_progress=False)
    arrivals = server.arrivals
    assert len(arrivals) == 10
    short = [(i, j, round(arrivals[j] - arrivals[i], 3)) for i in range(10) for j in range(i + 1, 10)
             if arrivals[j] - arrivals[i] < (j - i) * interval - late]
    assert not short, short


def test_an_answer_that_is_not_json_is_no_response_with_the_reason(tmp_path) -> None:
    with OpenAIServer(script=["html"] * 10) as server:
        tally = execute(config(server, tmp_path, limit=2, max_attempts=2), tmp_path / "run", show_progress=False)
    assert tally.errors == 2
    errors = [r["error"] for r in read_responses(read_run(tmp_path / "run"))]
    assert all("not a JSON object" in e for e in errors), errors
    assert {r["outcome"] for r in score_run(read_run(tmp_path / "run"))} == {"no_response"}


def test_truncated_answers_are_truncated(tmp_path) -> None:
    with OpenAIServer() as server:
        server.finish_reason = "length"
        execute(config(server, tmp_path, limit=2), tmp_path / "run", show_progress=False)
    assert {r["outcome"] for r in score_run(read_run(tmp_path / "run"))} == {"truncated"}


def test_a_reasoning_model_that_thought_to_the_limit_is_truncated_and_paid_once(tmp_path) -> None:
    """No text and finish_reason 'length': the tokens were spent thinking. That is
    ``truncated`` (not no_response), its cost is recorded, and a resume does not pay again."""
    with OpenAIServer() as server:
        server.finish_reason = "length"
        server.answer = lambda body: None
        execute(config(server, tmp_path, limit=2), tmp_path / "run", show_progress=False)
        execute(config(server, tmp_path, limit=2), tmp_path / "run", show_progress=False)
        assert server.requests == 2
    answers = read_responses(read_run(tmp_path / "run"))
    assert len(answers) == 2 and all(r["cost"] > 0 and r["error"] is None for r in answers)
    assert {r["outcome"] for r in score_run(read_run(tmp_path / "run"))} == {"truncated"}


def test_resume_and_cache(tmp_path) -> None:
    with OpenAIServer() as server:
        execute(config(server, tmp_path, limit=5), tmp_path / "run", show_progress=False)
        execute(config(server, tmp_path, limit=8), tmp_path / "run", show_progress=False)
        assert server.requests == 8  # the second run sent only the three missing prompts
        asked = [json.loads(line) for line in (tmp_path / "run" / "prompts.jsonl").read_text().splitlines()]
        answered = read_responses(read_run(tmp_path / "run"))
        assert [a["id"] for a in asked] == list(range(1, 9))  # the first five kept, three added
        assert {a["request"] for a in asked} == {r["request"] for r in answered}
        assert server.bodies[0]["messages"] == asked[0]["messages"]
        execute(config(server, tmp_path, limit=8), tmp_path / "other", show_progress=False)
        assert server.requests == 8  # a new run directory reuses the cache
    assert sum(r["cached"] for r in read_responses(read_run(tmp_path / "other"))) == 8
    with pytest.raises(Exception) as info:
        with OpenAIServer() as server:
            execute(config(server, tmp_path, limit=8, style="one-shot"), tmp_path / "run", show_progress=False)
    assert "holds a different run" in str(info.value)


def test_default_endpoint_answers_are_cached_too(tmp_path, monkeypatch) -> None:
    """No --base-url (OpenAI's own endpoint, or OPENAI_BASE_URL): the paid case. Its answers
    are cached under the endpoint the SDK resolved, so a second run asks nothing."""
    with OpenAIServer() as server:
        monkeypatch.setenv("OPENAI_BASE_URL", server.base_url)
        execute(config(server, tmp_path, base_url=None, limit=4), tmp_path / "first", show_progress=False)
        execute(config(server, tmp_path, base_url=None, limit=4), tmp_path / "second", show_progress=False)
        assert server.requests == 4
    second = read_responses(read_run(tmp_path / "second"))
    assert all(r["cached"] for r in second) and len(second) == 4


def test_a_line_cut_short_does_not_swallow_the_next_answer(tmp_path) -> None:
    with OpenAIServer() as server:
        execute(config(server, tmp_path, limit=3), tmp_path / "run", show_progress=False)
        path = tmp_path / "run" / "responses.jsonl"
        path.write_bytes(path.read_bytes() + b'{"part": "planbench-3", "id": 4, "te')  # killed mid-line
        execute(config(server, tmp_path, limit=6), tmp_path / "run", show_progress=False)
        assert server.requests == 6
    answers = read_responses(read_run(tmp_path / "run"))
    assert sorted(r["id"] for r in answers) == [1, 2, 3, 4, 5, 6]


def test_resume_command_reads_run_json(tmp_path) -> None:
    """planbench resume RUN_DIR: the settings from run.json, only the missing answers sent."""
    with OpenAIServer() as server:
        execute(config(server, tmp_path, limit=6, max_tokens=321), tmp_path / "run", show_progress=False)
        path = tmp_path / "run" / "responses.jsonl"
        path.write_text("".join(path.read_text().splitlines(keepends=True)[:2]))  # four answers lost
        shutil.rmtree(tmp_path / "cache")  # and not cached: they must be asked again
        env = {**os.environ, "PLANBENCH_TEST_KEY": SECRET}
        result = subprocess.run([sys.executable, "-m", "planbench", "resume", str(tmp_path / "run"), "--no-score"],
                                env=env, capture_output=True, text=True, timeout=120)
        assert result.returncode == 0, result.stderr
        assert server.requests == 10  # exactly the four lost, asked as run.json says
        assert all(body["max_tokens"] == 321 for body in server.bodies[6:])
    assert sorted(r["id"] for r in read_responses(read_run(tmp_path / "run"))) == [1, 2, 3, 4, 5, 6]
    bad = subprocess.run([sys.executable, "-m", "planbench", "resume", str(tmp_path)], capture_output=True, text=True)
    assert bad.returncode == 2 and "run.json" in bad.stderr


def test_killed_run_resumes_with_exactly_the_missing_requests(tmp_path) -> None:
    out = tmp_path / "run"
    command = [sys.executable, "-m", "planbench", "run", "--set", "planbench-3", "--style", "zero-shot",
               "--model", "gpt-4o-mini", "--api-key-env", "PLANBENCH_TEST_KEY", "--concurrency", "4",
               "--cache-dir", str(tmp_path / "cache"), "--no-score", "--out", str(out)]
    env = {**os.environ, "PLANBENCH_TEST_KEY": SECRET}
    with OpenAIServer(latency=0.05) as server:
        first = subprocess.Popen([*command, "--base-url", server.base_url], env=env,
                                 stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.time() + 60
        while time.time() < deadline:
            path = out / "responses.jsonl"
            if path.exists() and len(path.read_text().splitlines()) >= 30:
                break
            time.sleep(0.02)
        first.send_signal(signal.SIGKILL)
        first.wait()
        time.sleep(0.5)  # requests the killed process had already sent reach the server's count
        saved = len(read_responses(read_run(out)))
        before = server.requests
        assert 30 <= saved < 100
        second = subprocess.run([*command, "--base-url", server.base_url], env=env, capture_output=True, text=True,
                                timeout=120)
        assert second.returncode == 0, second.stderr
        assert server.requests - before == 100 - saved
    answers = read_responses(read_run(out))
    assert len({(r["part"], r["id"]) for r in answers}) == 100 == len(answers)
    for path in [*out.rglob("*"), *(tmp_path / "cache").rglob("*")]:
        if path.is_file():
            assert SECRET not in path.read_text(errors="ignore"), path


def test_dead_endpoint_is_no_response_not_a_crash(tmp_path) -> None:
    with OpenAIServer() as server:
        url = server.base_url
    tally = execute(config(server, tmp_path, base_url=url, limit=2, max_attempts=2), tmp_path / "run",
                    show_progress=False)
    assert tally.errors == 2
    errors = [r["error"] for r in read_responses(read_run(tmp_path / "run"))]
    # named by its cause: the SDK's aiohttp transport raises APITimeoutError for a refused connection
    assert all(e == "cannot connect to the endpoint: connection refused (nothing listens at that address)"
               for e in errors), errors


EACH = (90 * 0.15 + 10 * 0.075 + 20 * 0.60) / 1e6  # gpt-4o-mini, the server's usage


def test_max_cost_stops_sending(tmp_path) -> None:
    """Each request reserves its expected cost first, so the run stops at the limit, not
    past it: ten answers' worth buys ten answers."""
    with OpenAIServer() as server:
        tally = execute(config(server, tmp_path, limit=20, concurrency=1, max_tokens=20, max_cost=10.5 * EACH),
                        tmp_path / "run", show_progress=False)
    assert tally.stopped_for_cost and tally.done == 10 == server.requests
    assert sum(r["cost"] for r in read_responses(read_run(tmp_path / "run"))) <= 10.5 * EACH
    with pytest.raises(Exception, match="--max-cost needs this model's prices"):
        with OpenAIServer() as server:
            execute(config(server, tmp_path, model="my-local-model", max_cost=1.0), tmp_path / "local",
                    show_progress=False)


def test_offline_models_and_dry_run(tmp_path) -> None:
    result = subprocess.run([sys.executable, "-m", "planbench", "run", "--set", "planbench-3", "--style", "one-shot",
                             "--model", "optimal", "--out", str(tmp_path / "optimal")], capture_output=True, text=True)
    assert result.returncode == 0 and "100/100 valid = 100.0%" in result.stdout
    assert (tmp_path / "optimal" / "report.md").exists()
    dry = subprocess.run([sys.executable, "-m", "planbench", "run", "--set", "planbench-600", "--style", "zero-shot",
                          "--model", "o1-preview", "--max-tokens", "2000", "--dry-run"], capture_output=True, text=True)
    assert dry.returncode == 0 and dry.stdout.startswith("600 requests") and "$" in dry.stdout
    missing = subprocess.run([sys.executable, "-m", "planbench", "run", "--set", "planbench-3", "--style", "zero-shot",
                              "--model", "gpt-4o", "--api-key-env", "NO_SUCH_KEY_VAR", "--out", str(tmp_path / "x")],
                             capture_output=True, text=True)
    assert missing.returncode == 2 and "NO_SUCH_KEY_VAR" in missing.stderr


def test_worker_processes_share_the_files(tmp_path) -> None:
    """High concurrency spreads requests over processes; each answer lands once, whole,
    even when it is longer than a file buffer (24 KB here)."""
    with OpenAIServer(latency=0.01) as server:
        server.answer = lambda body: "1. Pick up the red block\n" * 1000
        tally = execute(config(server, tmp_path, limit=100, concurrency=64, workers=2), tmp_path / "run",
                        show_progress=False)
        assert tally.done == 100 and tally.errors == 0 and server.requests == 100
    lines = (tmp_path / "run" / "responses.jsonl").read_text().splitlines()
    answers = [json.loads(line) for line in lines]
    assert sorted(a["id"] for a in answers) == list(range(1, 101))
    cache_lines = next((tmp_path / "cache").glob("*.jsonl")).read_text().splitlines()
    assert len({json.loads(line)["key"] for line in cache_lines}) == 100


def test_responses_api(tmp_path) -> None:
    """--api responses: the Responses endpoint, its usage fields, and its incomplete status."""
    with OpenAIServer() as server:
        tally = execute(config(server, tmp_path, limit=3, api="responses", max_tokens=300), tmp_path / "run",
                        show_progress=False)
        assert tally.done == 3 and tally.errors == 0
        assert set(server.paths) == {"/v1/responses"}
        assert server.bodies[0]["max_output_tokens"] == 300 and "input" in server.bodies[0]
        server.finish_reason = "length"
        execute(config(server, tmp_path, limit=2, api="responses"), tmp_path / "cut", show_progress=False)
    first = read_responses(read_run(tmp_path / "run"))[0]
    assert first["text"].startswith("1. Pick up") and first["finish_reason"] == "stop"
    assert first["usage"] == {"prompt_tokens": 100, "completion_tokens": 20, "reasoning_tokens": 5, "cached_tokens": 10}
    assert {r["outcome"] for r in score_run(read_run(tmp_path / "cut"))} == {"truncated"}


def test_reasoning_models_get_their_parameters(tmp_path) -> None:
    """A reasoning model: max_completion_tokens, effort passed through, no temperature or
    system message unless asked; a chat model: max_tokens, the temperature given."""
    with OpenAIServer() as server:
        execute(config(server, tmp_path, model="o3-mini", limit=1, max_tokens=5000, reasoning_effort="high"),
                tmp_path / "reasoning", show_progress=False)
        execute(config(server, tmp_path, limit=1, max_tokens=700, temperature=0.0), tmp_path / "chat",
                show_progress=False)
    reasoning, chat = server.bodies
    assert reasoning["max_completion_tokens"] == 5000 and "max_tokens" not in reasoning
    assert reasoning["reasoning_effort"] == "high" and "temperature" not in reasoning
    assert [m["role"] for m in reasoning["messages"]] == ["user"]
    assert chat["max_tokens"] == 700 and chat["temperature"] == 0.0 and chat["model"] == "gpt-4o-mini"


def test_max_cost_holds_across_worker_processes(tmp_path) -> None:
    """Workers share one budget, in-flight requests included: at concurrency 64 the run
    ends within the limit, not 64 answers past it."""
    with OpenAIServer(latency=0.01) as server:
        tally = execute(config(server, tmp_path, limit=100, samples=3, concurrency=64, workers=2, max_tokens=20,
                               max_cost=80.5 * EACH), tmp_path / "run", show_progress=False)
    costs = [r["cost"] for r in read_responses(read_run(tmp_path / "run"))]
    assert tally.stopped_for_cost and server.requests == len(costs) < 300
    assert 78 * EACH <= sum(costs) <= 80.5 * EACH


def test_a_dead_worker_is_reported_and_its_answers_kept(tmp_path) -> None:
    """A worker process killed mid-run: the run ends with status 1 and a message saying the
    answers are saved, rather than waiting forever; the same command then finishes the run."""
    out = tmp_path / "run"
    command = [sys.executable, "-m", "planbench", "run", "--set", "planbench-3", "--style", "zero-shot",
               "--model", "gpt-4o-mini", "--api-key-env", "PLANBENCH_TEST_KEY", "--concurrency", "64",
               "--samples", "3", "--workers", "2", "--cache-dir", str(tmp_path / "cache"), "--no-score",
               "--out", str(out)]
    env = {**os.environ, "PLANBENCH_TEST_KEY": SECRET}
    with OpenAIServer(latency=0.2) as server:
        run = subprocess.Popen([*command, "--base-url", server.base_url], env=env, stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, text=True)
        children: list[str] = []
        deadline = time.time() + 60
        while time.time() < deadline and not (children and (out / "responses.jsonl").exists()):
            path = Path(f"/proc/{run.pid}/task/{run.pid}/children")
            children = path.read_text().split() if path.exists() else []
            time.sleep(0.05)
        os.kill(int(children[0]), signal.SIGKILL)
        stdout, stderr = run.communicate(timeout=120)
        assert run.returncode == 1, stderr
        assert "exited with code -9" in stderr and "saved" in stderr
        saved = len(read_responses(read_run(out)))
        assert 0 < saved < 300
        again = subprocess.run([*command, "--base-url", server.base_url], env=env, capture_output=True, text=True,
                               timeout=120)
        assert again.returncode == 0, again.stderr
    assert len({(r["id"], r["sample"]) for r in read_responses(read_run(out))}) == 300


def _ctrl_c_as_in_a_terminal() -> None:
    """Ctrl-C's default action in the child, as a shell's foreground job has it. Where pytest
    itself runs in the background of a script (``pytest &``), POSIX has SIGINT ignored, the
    child inherits that, and it rightly ignores the signal this test sends."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)


@pytest.mark.parametrize("workers", ["1", "2"])
def test_ctrl_c_stops_cleanly_and_resumes(tmp_path, workers) -> None:
    """Ctrl-C (SIGINT to the terminal's process group): exit status 130, one line saying
    where the answers are, no traceback; every line on disk whole; the rerun completes."""
    out = tmp_path / "run"
    command = [sys.executable, "-m", "planbench", "run", "--set", "planbench-3", "--style", "zero-shot",
               "--model", "gpt-4o-mini", "--api-key-env", "PLANBENCH_TEST_KEY", "--concurrency", "64",
               "--workers", workers, "--cache-dir", str(tmp_path / "cache"), "--no-score", "--out", str(out)]
    env = {**os.environ, "PLANBENCH_TEST_KEY": SECRET}
    with OpenAIServer() as server:
        # The first 20 requests are answered at once, the rest held for a minute: the run is
        # surely mid-way when the signal arrives, however loaded the machine.
        server.latency_of = lambda number: 0.01 if number < 20 else 60.0
        run = subprocess.Popen([*command, "--base-url", server.base_url], env=env, stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, text=True, start_new_session=True,
                               preexec_fn=_ctrl_c_as_in_a_terminal)
        deadline = time.time() + 60
        path = out / "responses.jsonl"
        while time.time() < deadline and not (path.exists() and path.read_bytes().count(b"\n") == 20):
            time.sleep(0.02)
        os.killpg(run.pid, signal.SIGINT)
        _, stderr = run.communicate(timeout=60)
        assert run.returncode == 130, stderr
        assert "interrupted" in stderr and "Traceback" not in stderr
        lines = (out / "responses.jsonl").read_text().splitlines()
        assert len(lines) == 20 and all(json.loads(line)["text"] for line in lines)
        server.latency_of = None
        again = subprocess.run([*command, "--base-url", server.base_url], env=env, capture_output=True, text=True,
                               timeout=120)
        assert again.returncode == 0, again.stderr
    assert len({r["id"] for r in read_responses(read_run(out))}) == 100
