"""Every number a paper would quote, the same wherever it is shown (issue 20).

Accuracy, its interval, pass@k, the vote, cost, tokens and "answered n of N" come from one
computation in the results stage; these tests run real runs (the real OpenAI SDK against
``tests/openai_server.py``) and check the CLI's lines, scores, ``report.md``,
``summary.csv``, ``results.json`` and ``compare`` against counts made here by hand.
The HTML page's numbers are checked in Chromium in ``tests/test_report_browser.py``.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
from itertools import count
from pathlib import Path

import pandas as pd
import pytest

from handmade import hand_made_run
from openai_server import OpenAIServer
from planbench.world import encodings
from planbench.sets.instances import load_set

# The test server's usage for every answer: 100 prompt tokens (10 of them cached), 20 output.
# gpt-4o's prices (USD per million): input 2.50, cached input 1.25, output 10.00.
ANSWER_COST = (90 * 2.50 + 10 * 1.25 + 20 * 10.00) / 1_000_000  # $0.0004375


def planbench_cli(*args: str, env: dict | None = None) -> subprocess.CompletedProcess:
    environment = {**os.environ, "OPENAI_API_KEY": "sk-test-numbers", **(env or {})}
    return subprocess.run([sys.executable, "-m", "planbench", *args], capture_output=True, text=True, timeout=300,
                          env=environment)


def run_args(server: OpenAIServer, out: Path, cache: Path, *extra: str, model: str = "gpt-4o") -> list[str]:
    return ["run", "--set", "planbench-3", "--style", "zero-shot", "--model", model, "--base-url", server.base_url,
            "--out", str(out), "--cache-dir", str(cache), *extra]


def summary_line(stdout: str, name: str) -> str:
    return next(line for line in stdout.splitlines() if line.startswith(f"{name}:"))


def tally_line(stdout: str) -> str:
    """The run's own line: answers, cache, errors, requests, tokens, spend."""
    return next(line for line in stdout.splitlines() if line.split(" ", 1)[0].isdigit() and " answers (" in line)


def results_file(folder: Path) -> dict:
    return json.loads((folder / "results.json").read_text())


def markdown_row(report: Path, section: str, run: str) -> str:
    """The row of ``run`` in a section's table of report.md."""
    text = report.read_text().split(f"## {section}\n", 1)[1].split("\n## ", 1)[0]
    return next(line for line in text.splitlines() if line.startswith(f"| {run} |"))


# ------------------------------------------------------------------ 1. cost of strategies


def test_revise_costs_every_round_of_every_conversation(tmp_path) -> None:
    """``--strategy revise --rounds 3`` on 4 instances: 16 answers, every one paid. The spend
    printed by the run, the summary, scores, report.md, results.json, compare and the effort
    curve all say 16 x $0.0004375 = $0.0070 (before: $0.0018, the final turns only)."""
    with OpenAIServer() as server:
        done = planbench_cli(*run_args(server, tmp_path / "rev", tmp_path / "cache", "--strategy", "revise",
                                       "--rounds", "3", "--limit", "4"))
        assert done.returncode == 0, done.stderr
        assert server.answered == 16
    spent = 16 * ANSWER_COST
    assert f"${spent:.4f}" == "$0.0070"
    assert tally_line(done.stdout).endswith("1,920 tokens, $0.0070")  # what the run paid: 16 x 120 tokens
    assert "cost $0.0070" in summary_line(done.stdout, "rev")
    overall = results_file(tmp_path / "rev")["results"]
    assert overall["cost"] == pytest.approx(spent)
    assert overall["completion_tokens"] == 16 * 20 and overall["prompt_tokens"] == 16 * 100
    assert overall["cost_per_instance"] == pytest.approx(spent / 4)
    assert "| $0.0070 |" in markdown_row(tmp_path / "rev" / "report.md", "Cost", "rev")
    assert pd.read_csv(tmp_path / "rev" / "summary.csv")["cost"].iat[0] == pytest.approx(spent)
    assert pd.read_csv(tmp_path / "rev" / "scores.csv")["cost"].sum() == pytest.approx(spent)  # a row per turn

    compared = planbench_cli("compare", str(tmp_path / "rev"), str(tmp_path / "rev"))
    assert compared.returncode == 0, compared.stderr
    assert "cost $0.0070" in compared.stdout

    from planbench.results.report import effort_curves
    from planbench.results.score import score_run
    from planbench.runs import read_run

    curve = effort_curves({"rev": score_run(read_run(tmp_path / "rev"))})["rev"]
    assert list(curve["cost"]) == pytest.approx([ANSWER_COST * k for k in (1, 2, 3, 4)])  # per conversation
    assert list(curve["output_tokens"]) == [20, 40, 60, 80]


# ------------------------------------------------------------------ 2. cached answers


def test_a_cached_answer_carries_the_cost_it_had_when_paid(tmp_path) -> None:
    """The same 8 requests twice, through one cache: the second run's answers cost what they
    cost the first time ($0.0035 for 8), and it paid $0 of it now (before: $0.0000)."""
    with OpenAIServer() as server:
        first = planbench_cli(*run_args(server, tmp_path / "first", tmp_path / "cache", "--limit", "8"))
        second = planbench_cli(*run_args(server, tmp_path / "second", tmp_path / "cache", "--limit", "8"))
        assert first.returncode == 0 and second.returncode == 0, first.stderr + second.stderr
        assert server.answered == 8
    cost = 8 * ANSWER_COST
    assert "cost $0.0035" in summary_line(first.stdout, "first")
    line = summary_line(second.stdout, "second")
    assert "cost $0.0035" in line and "paid now $0.0000" in line
    assert tally_line(second.stdout).startswith("8 answers (8 from cache")
    assert tally_line(second.stdout).endswith("$0.0035 (paid now $0.0000)")  # the run's own line: nothing sent
    scores = pd.read_csv(tmp_path / "second" / "scores.csv")
    assert list(scores["cost"]) == pytest.approx([ANSWER_COST] * 8) and scores["cached"].all()
    again = results_file(tmp_path / "second")["results"]
    assert again["cost"] == pytest.approx(cost) and again["cost_paid_now"] == 0.0


def test_an_unpriced_model_is_cost_unknown_everywhere(tmp_path) -> None:
    """A model the price table lacks, run twice through one cache: "cost unknown" in every
    line, report and results.json, never $0.0000 (before: the cached run said $0.0000)."""
    with OpenAIServer() as server:
        outputs = [planbench_cli(*run_args(server, tmp_path / name, tmp_path / "cache", "--limit", "3",
                                           model="acme-planner-1"))
                   for name in ("once", "twice")]
    for name, done in zip(("once", "twice"), outputs):
        assert done.returncode == 0, done.stderr
        assert "$0.0000" not in done.stdout + done.stderr
        assert "cost unknown" in tally_line(done.stdout) and "cost unknown" in summary_line(done.stdout, name)
        report = (tmp_path / name / "report.md").read_text()
        assert "Cost unknown" in report and "$0.0000" not in report
        overall = results_file(tmp_path / name)["results"]
        assert overall["cost"] is None and overall["cost_known"] is False
        assert overall["completion_tokens"] == 3 * 20  # tokens are known


def test_an_offline_model_costs_nothing_in_every_line(tmp_path) -> None:
    """The repair model says how many tokens it used, and it runs here: $0, in the run's
    tally and in its summary alike (the summary said "cost unknown" after a tally of $0.0000)."""
    done = planbench_cli("run", "--set", "planbench-3", "--style", "zero-shot", "--model", "repair:1", "--limit", "5",
                         "--out", str(tmp_path / "repair"))
    assert done.returncode == 0, done.stderr
    assert "$0.0000" in tally_line(done.stdout) and "tokens" in tally_line(done.stdout)
    assert "cost $0.0000" in summary_line(done.stdout, "repair") and "cost unknown" not in done.stdout
    overall = results_file(tmp_path / "repair")["results"]
    assert overall["cost"] == 0 and overall["cost_known"] is True and overall["completion_tokens"] > 0


# ------------------------------------------------------------------ 3. intervals, one computation


def test_one_cost_prints_the_same_whatever_order_it_was_summed_in() -> None:
    """Answers of $0.0002, $0.0002 and $0.00045 cost $0.00085: summed in one order that is
    0.0008500000000000001 ("$0.0009"), in the other 0.00085 ("$0.0008"): two tables of one
    report showed both. Every cost prints as metrics.dollars prints it, rounded first."""
    from planbench.results.metrics import dollars

    one, other = (0.0002 + 0.0002) + 0.00045, 0.0002 + (0.0002 + 0.00045)
    assert one != other and f"{one:.4f}" != f"{other:.4f}"  # the float sums do differ
    assert dollars(one) == dollars(other) == dollars(0.00085)
    assert dollars(float("nan")) == "n/a" and dollars(1234.5) == "$1,234"


def test_the_summary_line_report_and_results_json_share_one_interval(tmp_path) -> None:
    """Five wrong answers to each of 100 instances: every output gives the interval of 100
    instances, 0.0-3.7% (Wilson at n = 100: 3.8416 / 103.8416), never that of 500
    independent answers (0.0-0.8%)."""
    folder = hand_made_run(tmp_path / "wrong", lambda instance, sample: False, samples=5)
    done = planbench_cli("score", str(folder), "--by", "")
    assert done.returncode == 0, done.stderr
    assert "0/500 valid = 0.0% (95% CI 0.0-3.7)" in summary_line(done.stdout, "wrong")
    assert "pass@5 0.0% of 100 instances" in summary_line(done.stdout, "wrong")
    overall = results_file(folder)["results"]
    assert overall["ci_high"] == pytest.approx(3.8416 / 103.8416) and overall["interval"] == "clustered by instance"
    reported = planbench_cli("report", str(folder), "--out", str(tmp_path / "report"))
    assert reported.returncode == 0, reported.stderr
    assert "0.0% (0.0%-3.7%)" in markdown_row(tmp_path / "report" / "report.md", "Overall", "wrong")


# ------------------------------------------------------------------ 4. vote


def voting_server_answer(right_in_three):
    """The server's answer: for each prompt, its 1st, 2nd, 3rd... answers are the optimal
    plan or the plan without its first step, in the pattern ``right_in_three(instance)``
    gives (e.g. (True, True, False)); repeated for later requests of the same prompt."""
    from planbench.prompts import prompt_records

    planbench_3 = load_set("planbench-3")
    blocksworld = encodings.get("blocksworld")
    by_prompt = {r["messages"][-1]["content"]: planbench_3.find(r["part"], r["id"])
                 for r in prompt_records(planbench_3, blocksworld, "zero-shot")}
    served: dict[str, count] = {}

    def answer(body: dict) -> str:
        prompt = body["messages"][-1]["content"]
        instance = by_prompt[prompt]
        pattern = right_in_three(instance)
        right = pattern[next(served.setdefault(prompt, count())) % len(pattern)]
        plan = list(instance.plan) if right else list(instance.plan)[1:]
        return "\n".join(f"{n}. {blocksworld.action_to_text(a)}" for n, a in enumerate(plan, 1))
    return answer


FIRST_SIX = [instance.id for instance in load_set("planbench-3").scored()[:6]]


def two_of_three(instance) -> tuple:
    """Instances 1-4 of the first six: two right answers of three (the vote is right);
    the other two: one of three (the vote is wrong)."""
    return (True, True, False) if FIRST_SIX.index(instance.id) < 4 else (True, False, False)


def test_vote_headline_is_the_voted_answer_per_instance(tmp_path) -> None:
    """``--strategy vote --samples 3`` on 6 instances, answers scripted by hand: the vote is
    right on 4 (66.7%), the answers on 10 of 18 (55.6%), pass@3 6 of 6. The summary line,
    report.md, summary.csv, the length table and results.json give the voted 4/6 with the
    per-answer figure beside it, labelled (before: 10/18 = 55.6% as the headline)."""
    with OpenAIServer() as server:
        server.answer = voting_server_answer(two_of_three)
        done = planbench_cli(*run_args(server, tmp_path / "vote", tmp_path / "cache", "--strategy", "vote",
                                       "--samples", "3", "--limit", "6", "--concurrency", "1"))
        assert done.returncode == 0, done.stderr
    line = summary_line(done.stdout, "vote")
    assert "4/6 valid = 66.7% (majority of 3 answers" in line
    assert "per answer 10/18 = 55.6%" in line and "pass@3 100.0% of 6 instances" in line
    overall = results_file(tmp_path / "vote")["results"]
    assert (overall["correct"], overall["answered"], overall["answer_correct"], overall["answers"]) == (4, 6, 10, 18)
    assert overall["accuracy"] == pytest.approx(4 / 6) and overall["answer_accuracy"] == pytest.approx(10 / 18)
    row = markdown_row(tmp_path / "vote" / "report.md", "Overall", "vote")
    assert "66.7%" in row and "55.6%" in row
    assert "per answer" in (tmp_path / "vote" / "report.md").read_text().split("## Overall", 1)[1].split("\n|")[1]
    summary = pd.read_csv(tmp_path / "vote" / "summary.csv")
    assert summary["accuracy"].iat[0] == pytest.approx(4 / 6)
    lengths = {instance.id: instance.length for instance in load_set("planbench-3").scored()[:6]}
    by_length = pd.read_csv(tmp_path / "vote" / "by_optimal_length.csv").set_index("optimal_length")
    for length in set(lengths.values()):  # the plots and the length table count votes too
        ids = [i for i, L in lengths.items() if L == length]
        assert by_length.loc[length, "answered"] == len(ids)
        assert by_length.loc[length, "correct"] == sum(FIRST_SIX.index(i) < 4 for i in ids)


def test_compare_pairs_voted_answers_and_says_what_it_pairs(tmp_path) -> None:
    """A vote run against a single run of the same 6 instances pairs instance by instance
    (the vote's answer with the single answer); a 3-sample run without vote against a
    1-sample run pairs sample 0 and names the 12 answers it leaves out."""
    with OpenAIServer() as server:
        server.answer = voting_server_answer(two_of_three)
        for name, extra in (("vote", ("--strategy", "vote", "--samples", "3")), ("three", ("--samples", "3"))):
            done = planbench_cli(*run_args(server, tmp_path / name, tmp_path / "cache", *extra, "--limit", "6",
                                           "--concurrency", "1", "--no-score"))
            assert done.returncode == 0, done.stderr
    with OpenAIServer() as server:
        server.answer = voting_server_answer(lambda instance: (True,))  # always right
        done = planbench_cli(*run_args(server, tmp_path / "single", tmp_path / "cache2", "--limit", "6", "--no-score"))
        assert done.returncode == 0, done.stderr
    voted = planbench_cli("compare", str(tmp_path / "vote"), str(tmp_path / "single"), "--overall-only")
    assert voted.returncode == 0, voted.stderr
    assert "pairs: A's majority answer of 3 per instance with B's answer" in voted.stdout
    overall = next(line for line in voted.stdout.splitlines() if line.startswith("all "))
    assert overall.split()[1:4] == ["6", "66.7%", "100.0%"]
    samples = planbench_cli("compare", str(tmp_path / "three"), str(tmp_path / "single"), "--overall-only")
    assert samples.returncode == 0, samples.stderr
    assert "pairs: sample 0 of each instance" in samples.stdout
    assert "left out: 12 answers of A (samples 1-2)" in samples.stdout


# ------------------------------------------------------------------ 6. incomplete runs


def test_a_run_stopped_by_max_cost_is_marked_incomplete(tmp_path) -> None:
    """--max-cost $0.002 at one request at a time: 4 answers of $0.0004375 fit, the fifth
    would pass it (the first reserved ~$0.0009 from --max-tokens 50). The summary, report,
    results.json and compare say "answered 4 of 10"."""
    with OpenAIServer() as server:
        done = planbench_cli(*run_args(server, tmp_path / "short", tmp_path / "cache", "--limit", "10",
                                       "--max-cost", "0.002", "--max-tokens", "50", "--concurrency", "1"))
        assert done.returncode == 0, done.stderr
        assert server.answered == 4
    assert "incomplete: answered 4 of 10" in summary_line(done.stdout, "short")
    completeness = results_file(tmp_path / "short")["completeness"]
    assert completeness == {"planned": 10, "answered": 4, "complete": False}
    assert "incomplete: answered 4 of 10" in (tmp_path / "short" / "report.md").read_text()
    compared = planbench_cli("compare", str(tmp_path / "short"), str(tmp_path / "short"))
    assert "incomplete: answered 4 of 10" in compared.stdout


def test_a_run_whose_every_request_failed_names_the_error(tmp_path) -> None:
    """Nothing listens on the port: the run exits 1 naming "connection refused" (the SDK's
    aiohttp transport calls it a timeout), and no "nan%" anywhere."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    done = planbench_cli("run", "--set", "planbench-3", "--style", "zero-shot", "--model", "gpt-4o", "--base-url",
                         f"http://127.0.0.1:{port}/v1", "--limit", "3", "--max-attempts", "1", "--out",
                         str(tmp_path / "dead"), "--cache-dir", str(tmp_path / "cache"))
    assert done.returncode == 1, done.stdout + done.stderr
    assert "nan" not in (done.stdout + done.stderr).lower()
    last = done.stderr.strip().splitlines()[-1]
    assert last.startswith("planbench: every request failed (3 of 3)") and "connection refused" in last.lower()
    assert "timed out" not in last
    errors = [json.loads(line)["error"] for line in (tmp_path / "dead" / "responses.jsonl").read_text().splitlines()]
    assert len(errors) == 3 and all("connection refused" in error.lower() for error in errors)


# ------------------------------------------------------------------ 8. rounds of different lengths


def test_report_of_conversations_that_ended_after_different_rounds(tmp_path) -> None:
    """Back-prompting with 1 and with 14 rounds, and revision with 2, side by side (before:
    ValueError: All arrays must be of the same length). The offline repair model makes two
    mistakes and fixes the step each critique names: back-prompting is right after round 2,
    revision (told nothing) never."""
    for name, extra in (("bp1", ("--strategy", "backprompt", "--rounds", "1")), ("bp14", ("--strategy", "backprompt")),
                        ("rv2", ("--strategy", "revise", "--rounds", "2"))):
        done = planbench_cli("run", "--set", "planbench-hard-110", "--style", "zero-shot-pddl", "--model", "repair:3",
                             "--limit", "5", "--out", str(tmp_path / name), "--no-score", *extra)
        assert done.returncode == 0, done.stderr
    reported = planbench_cli("report", *(str(tmp_path / n) for n in ("bp1", "bp14", "rv2")), "--out",
                             str(tmp_path / "report"))
    assert reported.returncode == 0, reported.stderr
    report = tmp_path / "report" / "report.md"
    cells = {name: [c.strip().split(" (")[0] for c in markdown_row(report, "Accuracy by round", name).split("|")[2:-1]]
             for name in ("bp1", "bp14", "rv2")}
    assert cells == {"bp1": ["0.0%", "0.0%", ""], "bp14": ["0.0%", "0.0%", "100.0%"], "rv2": ["0.0%", "0.0%", "0.0%"]}


# ------------------------------------------------------------------ 14. results.json


def test_results_json_holds_metrics_settings_and_versions(tmp_path) -> None:
    """``planbench score`` writes results.json beside scores.csv: the overall figures with
    their interval (as the summary line prints them), by optimal length, the settings and
    the versions; planbench.load carries the same figures in ``attrs``."""
    import planbench

    folder = hand_made_run(tmp_path / "hand", lambda instance, sample: instance.id % 4 == 0)
    done = planbench_cli("score", str(folder))
    assert done.returncode == 0, done.stderr
    document = results_file(folder)
    overall = document["results"]
    assert (overall["correct"], overall["answered"], overall["n"]) == (25, 100, 100)  # ids 4, 8, ..., 100
    low, high = overall["ci_low"], overall["ci_high"]
    assert f"25/100 valid = 25.0% (95% CI {100 * low:.1f}-{100 * high:.1f})" in summary_line(done.stdout, "hand")
    assert overall["interval"] == "Wilson"
    by_length = {row["optimal_length"]: row for row in document["by_optimal_length"]}
    lengths = {instance.id: instance.length for instance in load_set("planbench-3").scored()}
    for length, row in by_length.items():
        ids = [i for i, L in lengths.items() if L == length]
        assert (row["answered"], row["correct"]) == (len(ids), sum(i % 4 == 0 for i in ids))
    assert document["settings"]["model"] == "hand" and document["settings"]["set"] == "planbench-3"
    assert set(document["versions"]) >= {"planbench", "python", "pandas"}
    assert document["scored"]["extractor"] == "default"
    assert planbench.load(folder).attrs["results"]["hand"]["results"]["accuracy"] == overall["accuracy"]
