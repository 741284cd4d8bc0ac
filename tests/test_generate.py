"""The generator: uniform states, PlanBench-style goals, reproducible, deduplicated, balanced."""

from __future__ import annotations

import json
import random
import subprocess
import sys
from collections import Counter

from plans import random_problems
from planbench.sets.generate import canonical_key, lah, random_towers
from planbench.sets.instances import load_set
from planbench.world.problem import Problem
from planbench.world.validate import validate


def test_lah_numbers_count_all_states() -> None:
    # FACTS: 13 states of 3 blocks, 73 of 4, 501 of 5.
    assert [sum(lah(n, k) for k in range(1, n + 1)) for n in (3, 4, 5)] == [13, 73, 501]


def test_states_are_uniform() -> None:
    rng = random.Random(0)
    draws = 73 * 400
    counts = Counter(tuple(sorted(tuple(t) for t in random_towers(4, rng))) for _ in range(draws))
    assert len(counts) == 73
    expected = draws / 73
    chi2 = sum((c - expected) ** 2 / expected for c in counts.values())
    assert chi2 < 120, chi2  # 72 degrees of freedom: p < 0.001 above ~116


def test_goals_are_on_atoms_of_a_state_and_never_already_true() -> None:
    for problem in random_problems(random.Random(3), 300, 3, 7):
        assert problem.goal and all(atom[0] == "on" for atom in problem.goal)
        assert problem.init_state & problem.goal_mask != problem.goal_mask


def rename(problem: Problem, rng: random.Random) -> Problem:
    names = list(problem.blocks)
    rng.shuffle(names)
    mapping = dict(zip(problem.blocks, names))
    def move(atoms):
        return tuple((a[0], *(mapping[x] for x in a[1:])) for a in atoms)
    return Problem(problem.name, problem.blocks, move(problem.init), move(problem.goal))


def test_key_is_invariant_under_renaming_and_separates_different_problems() -> None:
    rng = random.Random(9)
    for problem in random_problems(random.Random(9), 150, 3, 6):
        assert canonical_key(problem) == canonical_key(rename(problem, rng))
    # PlanBench's main set: 240 distinct structures among 501 instances (FACTS.md §4.1).
    main = load_set("planbench-500").instances
    assert len({canonical_key(i.problem) for i in main}) == 240


def run(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "planbench", *args], capture_output=True, text=True, timeout=300)


def test_generate_cli_is_reproducible_and_complete(tmp_path) -> None:
    first, second, other = tmp_path / "a", tmp_path / "b", tmp_path / "c"
    for out, seed in ((first, "7"), (second, "7"), (other, "8")):
        result = run("generate", "--blocks", "3-6", "--count", "60", "--seed", seed, "--encoding", "mystery",
                     "--out", str(out))
        assert result.returncode == 0, result.stderr
    manifest = (first / "manifest.jsonl").read_text()
    assert manifest == (second / "manifest.jsonl").read_text()
    assert manifest != (other / "manifest.jsonl").read_text()
    records = [json.loads(line) for line in manifest.splitlines()]
    assert len(records) == 60 and {r["seed"] for r in records} == {7}
    assert set(records[0]) >= {"id", "blocks", "init", "goal", "plan", "length", "seed"}
    assert "(define (domain mystery-4ops)" in (first / "domain.pddl").read_text()
    assert "(craves" in (first / "instance-1.pddl").read_text()
    generated = load_set(str(first))
    assert len({(i.problem.init, i.problem.goal) for i in generated.instances}) == 60
    for instance in generated.instances:
        assert 3 <= instance.blocks <= 6
        assert validate(instance.problem, instance.plan).valid
    solved = run("solve", str(first / "instance-3.pddl"), "--json")
    assert json.loads(solved.stdout)["length"] == generated.find(generated.name, 3).length


def test_generate_balanced_by_length_and_unique_up_to_renaming(tmp_path) -> None:
    out = tmp_path / "balanced"
    result = run("generate", "--blocks", "6-8", "--lengths", "10-16", "--per-length", "5", "--seed", "1",
                 "--unique-up-to-renaming", "--out", str(out))
    assert result.returncode == 0, result.stderr
    instances = load_set(str(out)).instances
    assert Counter(i.length for i in instances) == {10: 5, 12: 5, 14: 5, 16: 5}
    assert len({canonical_key(i.problem) for i in instances}) == len(instances)


def test_generate_rejects_bad_ranges(tmp_path) -> None:
    result = run("generate", "--blocks", "6-4", "--out", str(tmp_path / "x"))
    assert result.returncode == 2 and "--blocks" in result.stderr


def test_sets_lists_counts_and_histograms() -> None:
    result = run("sets")
    assert result.returncode == 0
    assert "planbench-600: 600 instances" in result.stdout
    assert "optimal length: 2:47 4:85 6:154 8:153 10:113 12:46 14:1 16:1" in result.stdout
    assert "planbench-hard-110: 110 instances" in result.stdout
