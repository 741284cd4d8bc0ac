"""Batch files for engines planbench does not drive: ``batch export`` writes what vLLM's
run-batch reads, ``batch import`` reads what it writes (checked against vLLM's schema)."""

from __future__ import annotations

import csv
import json
import subprocess
import sys
import time
from pathlib import Path

from planbench.run.execute import prepare
from planbench.run.runner import RunConfig
from planbench.runs import read_responses, read_run
from vllm_batch_schema import (BatchRequestInput, BatchRequestOutput, BatchResponseData, ChatCompletionResponse,
                               ChatCompletionResponseChoice, ChatMessage, UsageInfo)

MODEL = "meta-llama/Llama-3.1-8B-Instruct"
WRONG = "1. Pick up the red block\n2. Stack the red block on top of the blue block"


def cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "planbench", *args], capture_output=True, text=True)


def requests_in(path: Path) -> list[BatchRequestInput]:
    return [BatchRequestInput.model_validate_json(line) for line in path.read_text().splitlines()]


def gold_answers(style: str = "zero-shot") -> dict[str, str]:
    """The optimal plan's text by the prompt's user message."""
    records = prepare(RunConfig(set="planbench-3", encoding="blocksworld", style=style, model=MODEL))
    return {[m for m in r["messages"] if m["role"] == "user"][0]["content"]: "\n".join(r["gold_plan_text"])
            for r in records}


def vllm_output(requests: list[BatchRequestInput], answer, failing: set[str] = frozenset()) -> str:
    """Results as vLLM's run-batch writes them: one ``BatchRequestOutput`` JSON per line,
    an answer, or for a request it could not run status 400 with the error as a string."""
    lines = []
    for number, request in enumerate(requests):
        if request.custom_id in failing:
            output = BatchRequestOutput(id=f"vllm-{number}", custom_id=request.custom_id, error="prompt too long",
                                        response=BatchResponseData(status_code=400, request_id=f"vllm-batch-{number}"))
        else:
            body = ChatCompletionResponse(
                id=f"chatcmpl-{number}", created=int(time.time()), model=MODEL,
                choices=[ChatCompletionResponseChoice(index=0, message=ChatMessage(role="assistant",
                                                                                 content=answer(request)))],
                usage=UsageInfo(prompt_tokens=300, completion_tokens=40, total_tokens=340))
            output = BatchRequestOutput(id=f"vllm-{number}", custom_id=request.custom_id, error=None,
                                        response=BatchResponseData(request_id=f"vllm-batch-{number}", body=body))
        lines.append(output.model_dump_json())
    return "\n".join(lines) + "\n"


def test_export_is_vllm_s_batch_input_and_import_reads_its_output(tmp_path) -> None:
    out = tmp_path / "here" / "requests.jsonl"
    exported = cli("batch", "export", "--set", "planbench-3", "--style", "zero-shot", "--model", MODEL,
                   "--max-tokens", "2000", "--temperature", "0", "--out", str(out))
    assert exported.returncode == 0, exported.stderr
    requests = requests_in(out)  # every line is a valid vLLM BatchRequestInput
    assert len(requests) == 100 and len({r.custom_id for r in requests}) == 100
    assert {r.body.max_tokens for r in requests} == {2000} and {r.body.model for r in requests} == {MODEL}
    manifest = json.loads((tmp_path / "here" / "requests.planbench.json").read_text())
    assert manifest["requests"] == 100 and manifest["config"]["engine"] == "batch-files"

    gold = gold_answers()
    users = {r.custom_id: r.body.messages[-1].content for r in requests}
    valid_ones = {r.custom_id for r in requests[:60]}
    answer = lambda request: gold[users[request.custom_id]] if request.custom_id in valid_ones else WRONG  # noqa: E731
    elsewhere = tmp_path / "gpu-machine"
    elsewhere.mkdir()
    results = elsewhere / "results.jsonl"
    results.write_text(vllm_output(requests, answer, failing={requests[-1].custom_id}))
    for line in results.read_text().splitlines():
        BatchRequestOutput.model_validate_json(line)

    lost = cli("batch", "import", str(results), "--out", str(tmp_path / "run"))
    assert lost.returncode == 2 and "--requests" in lost.stderr and "manifest" in lost.stderr
    imported = cli("batch", "import", str(results), "--requests", str(out), "--out", str(tmp_path / "run"))
    assert imported.returncode == 0, imported.stderr
    assert "imported 100 answers" in imported.stdout and "60/99 valid" in imported.stdout  # no_response is not an answer
    with open(tmp_path / "run" / "scores.csv", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert sum(r["outcome"] == "valid" for r in rows) == 60 and sum(r["outcome"] == "no_response" for r in rows) == 1
    lines = read_responses(read_run(tmp_path / "run"))
    failed = [line for line in lines if line["error"]]
    assert len(failed) == 1 and failed[0]["error"] == "batch HTTP 400: prompt too long"
    assert {line["usage"]["prompt_tokens"] for line in lines if not line["error"]} == {300}
    assert all(line["cost"] is None for line in lines)  # a local model has no price: cost unknown

    again = cli("batch", "import", str(results), "--requests", str(out), "--out", str(tmp_path / "run"), "--no-score")
    assert again.returncode == 0 and "imported 0 answers" in again.stdout
    assert "100 result(s)" in again.stderr and len(read_responses(read_run(tmp_path / "run"))) == 100
    resumed = cli("resume", str(tmp_path / "run"))
    assert resumed.returncode == 2 and "batch export --from" in resumed.stderr


def test_back_prompting_exports_round_by_round(tmp_path) -> None:
    exported = cli("batch", "export", "--set", "planbench-3", "--style", "zero-shot", "--model", MODEL, "--strategy",
                   "backprompt", "--limit", "10", "--out", str(tmp_path / "round0.jsonl"))
    assert exported.returncode == 0, exported.stderr
    first = requests_in(tmp_path / "round0.jsonl")
    (tmp_path / "out0.jsonl").write_text(vllm_output(first, lambda request: WRONG))
    imported = cli("batch", "import", str(tmp_path / "out0.jsonl"), "--out", str(tmp_path / "run"), "--no-score")
    assert imported.returncode == 0, imported.stderr

    following = cli("batch", "export", "--from", str(tmp_path / "run"), "--out", str(tmp_path / "round1.jsonl"))
    assert following.returncode == 0, following.stderr
    second = requests_in(tmp_path / "round1.jsonl")
    assert len(second) == len(read_responses(read_run(tmp_path / "run"))) == 10
    assert all([m.role for m in r.body.messages] == ["user", "assistant", "user"] for r in second)
    assert all(r.body.messages[1].content == WRONG for r in second)
    assert all(r.body.messages[2].content.startswith("The above plan is invalid.") for r in second)

    gold = gold_answers()
    (tmp_path / "out1.jsonl").write_text(vllm_output(second, lambda r: gold[r.body.messages[0].content]))
    done = cli("batch", "import", str(tmp_path / "out1.jsonl"), "--out", str(tmp_path / "run"))
    assert done.returncode == 0, done.stderr
    assert "first try 0/10, after 1 round(s) 10/10" in done.stdout
    finished = cli("batch", "export", "--from", str(tmp_path / "run"), "--out", str(tmp_path / "round2.jsonl"))
    assert finished.returncode == 2 and "nothing to export" in finished.stderr


def test_a_truncated_results_file_keeps_every_whole_line(tmp_path) -> None:
    out = tmp_path / "requests.jsonl"
    assert cli("batch", "export", "--set", "planbench-3", "--style", "zero-shot", "--model", MODEL, "--limit", "5",
               "--out", str(out)).returncode == 0
    text = vllm_output(requests_in(out), lambda request: WRONG)
    (tmp_path / "results.jsonl").write_text(text[: len(text) - 50])  # the copy stopped short
    imported = cli("batch", "import", str(tmp_path / "results.jsonl"), "--out", str(tmp_path / "run"), "--no-score")
    assert imported.returncode == 0 and "imported 4 answers" in imported.stdout
    assert "results.jsonl:5: not a batch result line" in imported.stderr


def test_export_takes_the_prompt_options_prompts_and_run_take(tmp_path) -> None:
    """--wording 2023, --fix-quirks, --system-text on ``batch export``: each request carries
    the messages ``planbench prompts`` writes with the same options, and the run made by the
    import records them (scoring reads the prompts the model was asked)."""
    options = ["--set", "planbench-3", "--style", "zero-shot", "--wording", "2023", "--fix-quirks",
               "--system-text", "You plan carefully."]
    written = cli("prompts", *options, "--out", str(tmp_path / "prompts.jsonl"))
    assert written.returncode == 0, written.stderr
    expected = sorted(json.dumps(json.loads(line)["messages"]) for line in
                      (tmp_path / "prompts.jsonl").read_text().splitlines())
    out = tmp_path / "requests.jsonl"
    exported = cli("batch", "export", *options, "--model", MODEL, "--out", str(out))
    assert exported.returncode == 0, exported.stderr
    requests = requests_in(out)
    sent = sorted(json.dumps([m.model_dump(exclude_none=True) for m in r.body.messages]) for r in requests)
    assert sent == expected and '"You plan carefully."' in sent[0]
    results = tmp_path / "results.jsonl"
    results.write_text(vllm_output(requests, lambda request: WRONG))
    imported = cli("batch", "import", str(results), "--requests", str(out), "--out", str(tmp_path / "run"), "--no-score")
    assert imported.returncode == 0, imported.stderr
    info = read_run(tmp_path / "run").info
    assert (info["wording"], info["fix_quirks"], info["system"]) == ("2023", True, "You plan carefully.")
