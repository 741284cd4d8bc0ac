"""The bundled official sets: counts, lengths, and identity with PlanBench's files."""

from __future__ import annotations

import json
from collections import Counter

import pytest

from conftest import load_json, ref_path
from planbench import encodings
from planbench import problem as problems
from planbench.errors import InputError
from planbench.sets.instances import from_record, load_set, read_jsonl
from planbench.world.validate import validate

# FACTS.md §0 item 4, §4.2, §4.4.
EXPECTED = {
    "planbench-600": (600, {2: 47, 4: 85, 6: 154, 8: 153, 10: 113, 12: 46, 14: 1, 16: 1}),
    "planbench-500": (500, {2: 30, 4: 56, 6: 114, 8: 139, 10: 113, 12: 46, 14: 1, 16: 1}),
    "planbench-3": (100, {2: 17, 4: 29, 6: 40, 8: 14}),
    "planbench-hard-110": (110, {**{n: 10 for n in range(20, 38, 2)}, 38: 9, 40: 11}),
}


@pytest.mark.parametrize("name", EXPECTED)
def test_set_sizes_and_length_histograms(name: str) -> None:
    instance_set = load_set(name)
    count, lengths = EXPECTED[name]
    assert len(instance_set.scored()) == count
    assert dict(instance_set.lengths()) == lengths
    for instance in instance_set.instances:
        assert validate(instance.problem, instance.plan).valid, instance.key
        for plan in instance.plans.values():
            result = validate(instance.problem, plan)
            assert result.valid and result.length == instance.length, instance.key


def test_hard_set_blocks_and_instance_43() -> None:
    hard = load_set("planbench-hard-110")
    assert Counter(i.blocks for i in hard.scored()) == {6: 1, 7: 1, 8: 7, 9: 14, 10: 13, 11: 12, 12: 13, 13: 18, 14: 21, 15: 10}
    assert hard.find("planbench-hard-110", 43).length == 40


@pytest.mark.parametrize("part, folder, ids", [
    ("planbench-500", "blocksworld", range(1, 502)),
    ("planbench-3", "blocksworld_3", range(1, 102)),
    ("planbench-hard-110", "blocksworld_hard", range(1, 111)),
])
def test_bundled_problems_are_planbench_files(part: str, folder: str, ids: range) -> None:
    instance_set = load_set("planbench-600" if part != "planbench-hard-110" else part)
    bw = encodings.get("blocksworld")
    for i in ids:
        instance = instance_set.find(part, i)
        extra = {"planbench-500": 501, "planbench-3": 101}.get(part)
        assert instance is not None and instance.extra == (i == extra)
        original = ref_path("instances", folder, f"instance-{i}.pddl").read_text()
        assert problems.to_pddl(instance.problem, bw).strip() == original.strip(), (part, i)


@pytest.mark.parametrize("part, folder", [("planbench-500", "mystery_blocksworld"), ("planbench-3", "mystery_blocksworld_3")])
def test_mystery_instance_i_is_blocksworld_instance_i_renamed(part: str, folder: str) -> None:
    """FACTS.md §4.3: PlanBench's Mystery files are the Blocksworld ones, renamed."""
    instance_set = load_set("planbench-600")
    mystery = encodings.get("mystery")
    for instance in (i for i in instance_set.instances if i.part == part):
        path = ref_path("instances", folder, f"instance-{instance.id}.pddl")
        read = problems.read_problem(path, mystery)
        assert (read.blocks, read.init, read.goal) == (instance.problem.blocks, instance.problem.init, instance.problem.goal)
        assert problems.to_pddl(instance.problem, mystery).strip() == path.read_text().strip()


def test_randomized_gold_plans_are_for_the_renamed_instances() -> None:
    """FACTS.md §4.3: Randomized instance i is Blocksworld instance i with a->o0, b->o1...;
    PlanBench's recorded Randomized gold plans must be valid (and optimal) on ours."""
    data = json.loads(ref_path("responses", "obfuscated_randomized_blocksworld_3", "o1-mini_chat",
                               "task_1_plan_generation_zero_shot.json").read_text())
    randomized = encodings.get("randomized")
    instance_set = load_set("planbench-3")
    differing = 0
    for record in data["instances"]:
        instance = instance_set.find("planbench-3", record["instance_id"])
        steps = [tuple(line.strip("()").split()) for line in record["ground_truth_plan"].split("\n") if line.strip()]
        plan = [(randomized.action_from_pddl(s[0]), *map(randomized.object_from_pddl, s[1:])) for s in steps]
        result = validate(instance.problem, plan)
        assert result.valid and result.length == instance.length
        assert instance.gold("randomized") == tuple(plan)
        differing += tuple(plan) != instance.plan
    assert differing == 11  # FACTS.md §4.3: 11 of 100 differ from the renamed Blocksworld gold


def test_bad_instance_files_name_file_and_line(tmp_path) -> None:
    good = load_set("planbench-3").instances[0].to_record()
    path = tmp_path / "manifest.jsonl"
    path.write_text(json.dumps(good) + "\n" + '{"id": 2, "blocks": 3, "init": [["a"]' + "\n")
    with pytest.raises(InputError) as info:
        read_jsonl(path, "x")
    assert str(info.value).startswith(f"{path}:2: not JSON")
    bad = dict(good, goal=[["a", "z"]])
    with pytest.raises(InputError) as info:
        from_record(bad, "x", "m.jsonl")
    assert "m.jsonl#1" in str(info.value)
    with pytest.raises(InputError) as info:
        load_set("planbench-700")
    assert "planbench-600" in str(info.value)


# FACTS-tasks.md §6 item 2: PlanBench's generalization instances (plan-bench/instances/blocksworld/generated).
GENERALIZATION_BLOCKS = {3: 52, 4: 64, 5: 50, 6: 48, 7: 45, 8: 59, 9: 43, 10: 66, 11: 37, 12: 36}


def test_generalization_set_is_planbench_files() -> None:
    """All 501 files round-trip byte for byte (their own layout, their own block names);
    ids 2-501 are scored (PlanBench's t5 queries), id 1 is the first query's example."""
    generalization = load_set("planbench-generalization")
    bw = encodings.get("blocksworld")
    assert len(generalization.instances) == 501
    assert [i.id for i in generalization.scored()] == list(range(2, 502))
    assert Counter(i.blocks for i in generalization.scored()) == GENERALIZATION_BLOCKS
    for instance in generalization.instances:
        original = ref_path("instances", "blocksworld_generalization", f"instance-{instance.id}.pddl").read_text()
        assert problems.to_pddl(instance.problem, bw, instance.layout) == original.rstrip("\n"), instance.id
        # all blocks on the table, the goal one tower of them all: the only optimal plan
        # builds it bottom up, two actions per block above the bottom one.
        assert all(atom[0] != "on" for atom in instance.problem.init)
        assert len(instance.problem.goal) == instance.blocks - 1
        result = validate(instance.problem, instance.plan)
        assert result.valid and instance.length == 2 * (instance.blocks - 1), instance.id


def test_generalization_plans_are_planbench_t5_golds() -> None:
    """The bundled plans (our solver's) are the Fast Downward plans PlanBench's t5 file shows."""
    generalization = load_set("planbench-generalization")
    bw = encodings.get("blocksworld")
    colours = {bw.object_to_text(name).split()[0]: name for name in "abcdefghijkl"}
    data = load_json("prompts", "blocksworld_3", "task_5_plan_generalization.json")
    for record in data["instances"]:
        steps = [line.strip("()").split() for line in record["ground_truth_plan"].splitlines() if line.strip()]
        gold = tuple((step[0], *(colours[word] for word in step[1:])) for step in steps)
        assert generalization.find("planbench-generalization", record["instance_id"]).plan == gold


def test_readers_know_every_name_a_problem_uses() -> None:
    """Generalization instance 2 has 7 blocks named among a..k: a reader of its answers
    must know 11 names ("the silver block" is k), not the first 7."""
    instance = load_set("planbench-generalization").find("planbench-generalization", 2)
    assert (instance.blocks, instance.problem.name_span) == (7, 11)
    assert load_set("planbench-3").find("planbench-3", 5).problem.name_span == 3
    from planbench.answers.extract import extract

    plan = extract("pick up the silver block\nstack the silver block on top of the cyan block\n[PLAN END]",
                   encodings.get("blocksworld"), instance.problem.name_span).plan
    assert plan == (("pick-up", "k"), ("stack", "k", "h"))
