"""Every script in scripts/ runs, small, in CI: a benchmark nobody runs rots (bench_validate.py
crashed on the first folder of answers it did not expect, and nothing said so).

Benchmarks run with their small-size options and must print their last line with real
figures. Maintenance scripts (which build the committed data from PlanBench's files) write
into a temporary folder, and what they write must be what is committed.
"""

from __future__ import annotations

import gzip
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from conftest import REF, ROOT, ref_path

SCRIPTS = ROOT / "scripts"

# script -> (its small-size arguments, a pattern its output must match: the figures it exists for)
BENCHMARKS = {
    "bench_validate.py": (["--plans", "30", "--repeat", "1"],
                          r"ours ([\d,]+) plans/s, unified-planning ([\d,]+) plans/s, ratio [\d,]+x"),
    "bench_run.py": (["--requests", "60", "--repeat", "1"],
                     r"runner ([\d,]+) requests/s \(median of 1\), ideal [\d,]+ requests/s"),
    "bench_score.py": (["--repeat", "1"], r"extract \+ validate: cold ([\d,]+) answers/s, warm ([\d,]+) answers/s"),
    "bench_prompts.py": (["--repeat", "1"], r"9000 prompts \(5 styles x 3 encodings x 600\) in ([\d.]+) s"),
    "bench_solve.py": (["--hard", "3", "--fd-cap", "2", "--sizes", "8", "--seeds", "2", "--cap", "10"],
                       r"hard set: ours [\d.]+ s for (3)/3 \(all proven optimal\)"),
}
# Run by their own tests, with assertions on their figures.
TESTED_ELSEWHERE = {
    "bench_tasks.py": "tests/test_tasks_core.py::test_bench_script_runs_small_and_meets_the_prompt_target",
    "report_screenshots.py": "tests/test_report_views.py::test_the_readme_pictures_can_be_taken_again"}
MAINTENANCE = ("bundle_recorded.py", "import_planbench_domains.py", "import_planbench_instances.py",
               "bundle_fd_replans.py")


def run_script(name: str, *args: str) -> subprocess.CompletedProcess:
    done = subprocess.run([sys.executable, str(SCRIPTS / name), *args], capture_output=True, text=True, timeout=300,
                          cwd=ROOT, env={**os.environ, "PLANBENCH_REF": str(REF)})
    assert done.returncode == 0, f"{name} failed:\n{done.stderr[-2000:]}"
    return done


def test_every_script_is_run_by_ci() -> None:
    """A new script is added to one of the lists above, or this fails; a script said to be
    run by another test is named in that test's file."""
    covered = set(BENCHMARKS) | set(TESTED_ELSEWHERE) | set(MAINTENANCE)
    assert {path.name for path in SCRIPTS.glob("*.py")} == covered
    for script, test in TESTED_ELSEWHERE.items():
        path, name = test.split("::")
        text = (ROOT / path).read_text()
        assert f"def {name}(" in text and script in text, test


@pytest.mark.parametrize("name", sorted(BENCHMARKS))
def test_benchmark_runs_small(name: str) -> None:
    if name in ("bench_validate.py",):
        ref_path("responses")
    arguments, pattern = BENCHMARKS[name]
    done = run_script(name, *arguments)
    found = re.search(pattern, done.stdout)
    assert found, f"{name} did not print its figures:\n{done.stdout[-2000:]}"
    assert all(float(figure.replace(",", "")) > 0 for figure in found.groups())


def test_bundle_recorded_makes_the_bundled_files(tmp_path) -> None:
    """Every bundled recorded file is PlanBench's, gzipped as the script does (byte for
    byte: mtime 0)."""
    ref_path("responses")
    run_script("bundle_recorded.py", "--out", str(tmp_path))
    made = {path.name: path for path in (tmp_path / "recorded").glob("*.json.gz")}
    bundled = sorted((ROOT / "recorded").glob("*.json.gz"))
    assert bundled and {path.name for path in bundled} <= set(made)
    for path in bundled:
        assert path.read_bytes() == made[path.name].read_bytes(), path.name
        assert gzip.decompress(path.read_bytes())  # a real gzip file


def test_import_domains_makes_the_committed_domains(tmp_path) -> None:
    """The domain files and the translation prompt are the script's, byte for byte; each
    encoding.yaml holds every value the script derives from PlanBench's configs (tasks
    2-8 added hand-written keys with their sources in comments: kept, not compared)."""
    ref_path("configs")
    run_script("import_planbench_domains.py", "--out", str(tmp_path))
    for name in ("blocksworld", "mystery", "randomized"):
        made = tmp_path / "domains" / name
        committed = ROOT / "domains" / name
        assert (made / "domain.pddl").read_bytes() == (committed / "domain.pddl").read_bytes()
        derived = yaml.safe_load((made / "encoding.yaml").read_text())
        kept = yaml.safe_load((committed / "encoding.yaml").read_text())
        assert {key: kept.get(key) for key in derived} == derived, name
    prompt = Path("planbench") / "answers" / "translation_prompt.txt"
    assert (tmp_path / prompt).read_bytes() == (ROOT / prompt).read_bytes()


def test_import_instances_makes_the_bundled_sets(tmp_path) -> None:
    """The 3-block and unsolvable parts (the quick ones; the script checks each problem
    against PlanBench's PDDL file and each gold plan with our solver) are the bundled files."""
    ref_path("instances")
    done = run_script("import_planbench_instances.py", "--out", str(tmp_path), "--parts",
                      "planbench-3,planbench-unsolvable")
    assert "101 instances" in done.stdout and "100 unsolvable instances" in done.stdout
    for part in ("planbench-3", "planbench-unsolvable"):
        made = (tmp_path / "instances" / f"{part}.jsonl").read_bytes()
        assert made == (ROOT / "instances" / f"{part}.jsonl").read_bytes(), part


def test_bundle_fd_replans_finds_the_bundled_replans(tmp_path) -> None:
    """Fast Downward run as PlanBench ran it on the first six t6 events of planbench-500 in
    both encodings (the whole script takes 15 minutes): every replan it stores where our
    solver chose another optimal plan is one the bundled set holds."""
    pytest.importorskip("up_fast_downward")
    done = run_script("bundle_fd_replans.py", "--out", str(tmp_path), "--parts", "planbench-500", "--events", "6")
    assert "planbench-500 mystery: 12 replans" in done.stdout
    made = [json.loads(line) for line in (tmp_path / "instances" / "planbench-500.jsonl").read_text().splitlines()]
    bundled = {row["id"]: row for row in map(json.loads, (ROOT / "instances" / "planbench-500.jsonl").open())}
    found = [(row["id"], encoding, replan) for row in made for encoding, replans in row.get("replans", {}).items()
             for replan in replans]
    assert found, "no replan differed: the comparison would be empty"
    for number, encoding, replan in found:
        assert replan in bundled[number]["replans"][encoding], (number, encoding)


def test_the_test_server_runs_as_a_process_for_trying_planbench_by_hand() -> None:
    """``python tests/openai_server.py --help`` says how to use it (it was a traceback: "could
    not convert string to float: '--help'"), and started so it serves planbench run."""
    server = ROOT / "tests" / "openai_server.py"
    helped = subprocess.run([sys.executable, str(server), "--help"], capture_output=True, text=True, timeout=60)
    assert helped.returncode == 0 and "latency" in helped.stdout and "--base-url" in helped.stdout
    process = subprocess.Popen([sys.executable, str(server), "0.01"], stdout=subprocess.PIPE, text=True)
    try:
        url = process.stdout.readline().strip()
        assert re.fullmatch(r"http://127\.0\.0\.1:\d+/v1", url)
        from openai import OpenAI

        answer = OpenAI(base_url=url, api_key="any").chat.completions.create(
            model="gpt-4o", messages=[{"role": "user", "content": "plan?"}])
        assert answer.choices[0].message.content.startswith("1. Pick up the red block")
    finally:
        process.kill()
        process.wait(timeout=30)
