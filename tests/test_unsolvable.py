"""Problems with no plan: the exact solvability test, PlanBench's unsolvable set, and what
its recorded runs really asked."""

from __future__ import annotations

import csv
import json
import re
import subprocess
import sys
from collections import deque
from itertools import combinations
from pathlib import Path

import pytest

from conftest import problem_from_statement, ref_path
from planbench import encodings, world
from planbench.answers import extract
from planbench.prompts import render
from planbench.sets.instances import load_set
from planbench.world.pddl import parse_problem
from planbench.world.problem import Problem, from_spec
from planbench.sets.generate import init_atoms
from planbench.world.solve import solve, unsolvable_reason
from planbench.world.validate import validate

FOUR_MINI = "responses/unsolvable_blocksworld/gpt-4o-mini-2024-07-18_chat/"


def reachable_states(blocks: tuple[str, ...]) -> set[int]:
    """Every state of the 4-operator world (it is strongly connected: one start suffices)."""
    problem = Problem("x", blocks, init_atoms(tuple([-1] * len(blocks)), blocks), ())
    w = problem.world
    actions = [(n, x) for n in ("pick-up", "put-down") for x in blocks]
    actions += [(n, x, y) for n in ("stack", "unstack") for x in blocks for y in blocks if x != y]
    seen = {problem.init_state}
    frontier = deque(seen)
    while frontier:
        state = frontier.popleft()
        for action in actions:
            following = w.apply(state, action)
            if following is not None and following not in seen:
                seen.add(following)
                frontier.append(following)
    return seen


@pytest.mark.parametrize("blocks, largest", [(3, 12), (4, 5)])
def test_solvability_is_exact_on_every_small_goal(blocks: int, largest: int) -> None:
    """Every goal of on / ontable atoms (a block on itself included) over 3 blocks, and of
    up to 5 such atoms over 4: unsolvable_reason says None exactly when some reachable
    state satisfies the goal (breadth-first search over all states)."""
    names = tuple(world.block_name(i) for i in range(blocks))
    states = reachable_states(names)
    atoms = [("on", x, y) for x in names for y in names] + [("ontable", x) for x in names]
    w = world.shared(names)
    checked = 0
    for size in range(1, largest + 1):
        for goal in combinations(atoms, size):
            mask = w.state(goal)
            reachable = any(state & mask == mask for state in states)
            problem = Problem("x", names, init_atoms(tuple([-1] * blocks), names), goal)
            reason = unsolvable_reason(problem)
            assert (reason is None) == reachable, (goal, reason)
            if reason is not None:
                assert set(reason.atoms) <= set(goal)
            checked += 1
    assert checked > 4000


def test_the_bundled_unsolvable_set() -> None:
    """PlanBench's 100 unsolvable problems, its ids; each label's construction (split: a
    block in two places or two on one; loop: a cycle) is the reason we find."""
    instances = load_set("planbench-unsolvable").scored()
    assert [i.id for i in instances] == list(range(1, 101))
    assert {i.blocks for i in instances} == {3, 4, 5}
    labels = json.loads(ref_path("instances", "unsolvable_blocksworld",
                                 "unsolvable_blocksworld_all_labels.json").read_text())
    for instance in instances:
        reason = unsolvable_reason(instance.problem)
        assert reason is not None and not instance.solvable and instance.length is None
        label = labels[str(instance.id)]
        assert (reason.kind == "loop") == (label["choice"] == "loop")
        assert ("on", *instance.unsolvable["added"]) in instance.problem.goal
        assert "(" + " ".join(["on", *instance.unsolvable["added"]]) + ")" == label["added_pred"]


def test_what_planbench_s_unsolvable_runs_asked() -> None:
    """Finding: PlanBench's GPT-4o-mini run on 'unsolvable' problems (natural language)
    asked 13 solvable problems among its 100 (42 goals put a block on itself), and three of
    its answers are valid plans for them (ids 6, 7, 88), recorded False like every answer of
    the file; its PDDL run has 2 solvable goals of 20 (ids 3, 19: a repeated atom)."""
    blocksworld = encodings.get("blocksworld")
    records = json.loads(ref_path(FOUR_MINI + "task_1_plan_generation_zero_shot.json").read_text())["instances"]
    kinds, solvable, valid = {}, [], []
    for record in records:
        problem = problem_from_statement(record["query"], blocksworld)
        reason = unsolvable_reason(problem)
        kinds[reason.kind if reason else "solvable"] = kinds.get(reason.kind if reason else "solvable", 0) + 1
        if reason is None:
            solvable.append(int(record["instance_id"]))
            assert solve(problem).length >= 2
            plan = extract(record["llm_raw_response"], blocksworld, len(problem.blocks)).plan
            if validate(problem, plan).valid:
                valid.append(int(record["instance_id"]))
        assert record["llm_correct"] in (False, "False")
    assert kinds == {"self": 42, "two_places": 26, "two_on_one": 12, "loop": 7, "solvable": 13}
    assert valid == [6, 7, 88] and len(solvable) == 13
    pddl = json.loads(ref_path(FOUR_MINI + "task_1_plan_generation_zero_shot_pddl.json").read_text())["instances"]
    solvable_pddl = []
    for record in pddl:
        query = record["query"]
        problem = from_spec(parse_problem(query.split("[QUERY PROBLEM]\n")[1], "query"), blocksworld)
        if unsolvable_reason(problem) is None:
            solvable_pddl.append(int(record["instance_id"]))
    assert solvable_pddl == [3, 19]


def planbench(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "planbench", *args], capture_output=True, text=True, timeout=300)


def test_generated_sets_mix_unsolvable_problems_and_remember_their_encoding(tmp_path) -> None:
    """generate --unsolvable: PlanBench-style variants (split or loop), recorded in the
    manifest; set.json lets prompts, run and solve work without --encoding; the optimal
    model refuses exactly where no plan exists."""
    folder = tmp_path / "set"
    made = planbench("generate", "--blocks", "4-5", "--count", "40", "--seed", "5", "--unsolvable", "0.25",
                     "--encoding", "randomized:7", "--out", str(folder))
    assert made.returncode == 0, made.stderr
    assert "unsolvable:10" in made.stdout
    settings = json.loads((folder / "set.json").read_text())
    assert settings["encoding"] == "randomized:7" and settings["unsolvable"] == 0.25 and settings["seed"] == 5
    instances = load_set(str(folder)).scored()
    unsolvable = [i for i in instances if not i.solvable]
    assert len(unsolvable) == 10 and {i.unsolvable["choice"] for i in unsolvable} == {"split", "loop"}
    for instance in instances:
        reason = unsolvable_reason(instance.problem)
        assert (reason is None) == instance.solvable
        if instance.solvable:
            assert validate(instance.problem, instance.plan).valid
        else:
            assert reason.kind == instance.unsolvable["reason"]
            assert ("on", *instance.unsolvable["added"]) == instance.problem.goal[-1]
    solved = planbench("solve", str(folder / f"instance-{unsolvable[0].id}.pddl"), "--json")
    assert solved.returncode == 3 and json.loads(solved.stdout)["solvable"] is False
    prompts = planbench("prompts", "--set", str(folder), "--style", "zero-shot", "--out", "-")
    assert json.loads(prompts.stdout.splitlines()[0])["encoding"] == "randomized:7"
    run = planbench("run", "--set", str(folder), "--style", "zero-shot", "--model", "optimal", "--out",
                    str(tmp_path / "run"))
    assert run.returncode == 0, run.stderr
    assert "40/40 right" in run.stdout and "refused 10, gave a plan 0" in run.stdout


@pytest.mark.parametrize("answer, solvable, outcome", [
    ("No plan is possible: the goal puts the red block on two blocks.", False, "refused"),
    ("1. Unstack the orange block from the red block\n2. Put down the orange block", False, "false_plan"),
    ("There is no valid plan: the goal cannot be achieved.", True, "false_refusal"),
    ("I tried to unstack the blue block first, but it is not possible to achieve the goal.", False, "refused"),
])
def test_outcomes_where_a_refusal_is_the_answer(answer, solvable, outcome) -> None:
    from planbench.results.score import judge

    instance = next(i for i in load_set("planbench-unsolvable" if not solvable else "planbench-3").scored())
    row = judge({"text": answer}, instance, encodings.get("blocksworld"), "default")
    assert row["outcome"] == outcome and row["correct"] == (outcome == "refused")
    assert row["solvable"] == solvable


RANDOMIZED_FIVE = ("examples/unsolvable_obfuscated_randomized_blocksworld/o1-preview_chat/"
                   "task_1_plan_generation_zero_shot_pddl.first5.json")
RANDOMIZED_FILES = "instances/unsolvable_obfuscated_randomized_blocksworld/generated_basic/"


def _domain_name_masked(prompt: str) -> str:
    """A prompt with its domain name masked: PlanBench drew a random one per prompt, which
    nobody can reproduce. Both places must hold the same name."""
    names = set(re.findall(r"\(domain (\S+)\)", prompt)) | set(re.findall(r"\(:domain (\S+)\)", prompt))
    assert len(names) == 1, names
    return re.sub(r"(\(:?domain )\S+\)", r"\1NAME)", prompt)


def test_randomized_unsolvable_prompts_are_planbench_s_but_for_the_domain_name() -> None:
    """o1-preview's recorded Randomized unsolvable prompts: ours are the same bytes once the
    random domain name is masked (objects a, b, ...; problem instance-N-B)."""
    records = json.loads(ref_path(RANDOMIZED_FIVE).read_text())["instances"]
    instance_set = load_set("planbench-unsolvable")
    randomized = encodings.get("randomized")
    for record in records:
        instance = instance_set.find("planbench-unsolvable", int(record["instance_id"]))
        ours = render(instance, randomized, "zero-shot-pddl")
        assert _domain_name_masked(ours) == _domain_name_masked(record["query"]), record["instance_id"]
    assert len(records) == 5


def test_every_randomized_unsolvable_prompt_asks_planbench_s_instance_file() -> None:
    """All 100, any id and block count: the problem in our prompt is PlanBench's instance
    file as its prompt code cut it ("(define" + text[:-1] + "\\n)"), domain name aside."""
    randomized = encodings.get("randomized")
    instances = load_set("planbench-unsolvable").scored()
    for instance in instances:
        text = ref_path(RANDOMIZED_FILES + f"instance-{instance.id}.pddl").read_text()
        expected = "(define" + text.split("(define")[1][:-1].strip() + "\n)"
        ours = render(instance, randomized, "zero-shot-pddl")
        query = ours.split("[QUERY PROBLEM]\n")[1].removesuffix("\n\n[PLAN]")
        assert _domain_name_masked(query) == _domain_name_masked(expected), instance.id
    assert len(instances) == 100 and {i.blocks for i in instances} == {3, 4, 5}


def _import_and_score(results: Path, out: Path) -> dict[int, dict]:
    done = planbench("import", str(results), "--out", str(out))
    assert done.returncode == 0, done.stderr
    done = planbench("score", str(out))
    assert done.returncode == 0, done.stderr
    with (out / "scores.csv").open() as rows:
        return {int(row["id"]): row for row in csv.DictReader(rows)}


# PlanBench's hand labels of these files (FACTS.md §6.1) and the outcome each one means.
LABELLED_OUTCOME = {1: "refused", 0: "false_plan"}


def test_randomized_unsolvable_answers_import_with_planbench_s_labels(tmp_path) -> None:
    """The five recorded o1-preview answers: one refusal, four plans in a, b, c names
    (`(wio5amhq7814n006 d c)`), read as plans, not unparseable."""
    records = json.loads(ref_path(RANDOMIZED_FIVE).read_text())["instances"]
    rows = _import_and_score(ref_path(RANDOMIZED_FIVE), tmp_path / "run")
    assert {i: rows[i]["outcome"] for i in rows} == {
        int(r["instance_id"]): LABELLED_OUTCOME[r["correct"]] for r in records}
    assert [rows[i]["outcome"] for i in sorted(rows)] == ["refused"] + ["false_plan"] * 4
    assert rows[2]["extracted_plan"].startswith("(wio5amhq7814n006 d c) (kip9uw781pv62umn d)")
    assert json.loads((tmp_path / "run" / "run.json").read_text())["pddl_objects"] == "{name}"


def test_import_reads_the_objects_its_prompts_show(tmp_path) -> None:
    """The same answers asked with objects o0, o1, ... (as PlanBench's other Randomized
    prompts name them): the importer reads the names from each prompt, so the plans are
    read in those names; a plan in names the prompt did not show is not a plan."""
    data = json.loads(ref_path(RANDOMIZED_FIVE).read_text())
    renamed = {f" {letter}": f" o{index}" for index, letter in enumerate("abcde")}

    def rename(text: str) -> str:
        return re.sub(r" ([a-e])(?=[ )])", lambda m: renamed[" " + m.group(1)], text)

    for record in data["instances"]:
        head, problem = record["query"].split("[QUERY PROBLEM]\n")
        record["query"] = head + "[QUERY PROBLEM]\n" + rename(problem)
        record["llm_raw_response"] = rename(record["llm_raw_response"])
    folder = tmp_path / "unsolvable_obfuscated_randomized_blocksworld" / "o1-preview_chat"
    folder.mkdir(parents=True)
    results = folder / "task_1_plan_generation_zero_shot_pddl.json"
    results.write_text(json.dumps(data))
    assert "(:objects o0 o1 o2 o3 )" in data["instances"][0]["query"]
    rows = _import_and_score(results, tmp_path / "run")
    assert [rows[i]["outcome"] for i in sorted(rows)] == ["refused"] + ["false_plan"] * 4
    assert rows[2]["extracted_plan"].startswith("(wio5amhq7814n006 o3 o2)")
    assert json.loads((tmp_path / "run" / "run.json").read_text())["pddl_objects"] == "o{index}"


def test_score_by_length_prints_lengths_as_integers_and_none_where_no_plan_exists(tmp_path) -> None:
    """``score --by optimal_length,blocks`` on a set with problems that have no plan: each
    length as the whole number it is (it printed 2.000), "none" for the unsolvable groups
    (NaN), and each group's count of answers as counted from scores.csv."""
    cli = [sys.executable, "-m", "planbench"]
    assert subprocess.run([*cli, "generate", "--blocks", "3-4", "--count", "20", "--unsolvable", "0.3", "--seed", "1",
                           "--out", str(tmp_path / "gen")], capture_output=True).returncode == 0
    assert subprocess.run([*cli, "run", "--set", str(tmp_path / "gen"), "--style", "zero-shot", "--model", "random:1",
                           "--out", str(tmp_path / "run"), "--no-score"], capture_output=True).returncode == 0
    done = subprocess.run([*cli, "score", str(tmp_path / "run"), "--by", "optimal_length,blocks"],
                          capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    start = next(n for n, line in enumerate(lines) if line.split()[:2] == ["optimal_length", "blocks"])
    printed = {(row.split()[0], row.split()[1]): int(row.split()[2]) for row in lines[start + 1:]}
    counted: dict[tuple[str, str], int] = {}
    for row in csv.DictReader(open(tmp_path / "run" / "scores.csv")):
        key = (row["optimal_length"] or "none", row["blocks"])
        counted[key] = counted.get(key, 0) + 1
    assert printed == counted and any(length == "none" for length, _ in printed)
    assert ".000 " not in " ".join(f"{a} {b} " for a, b in printed) and "NaN" not in done.stdout
