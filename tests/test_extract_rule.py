"""PlanBench's rule parsers reproduce PlanBench's recorded rule-based verdicts.

For every results file scored with a rule parser (the README of planbench-ref lists how
each file was judged), the matching generation of our reproduction gives the recorded
verdict on every instance, and the recorded extracted plan on all but the listed ones.
"""

from __future__ import annotations

import json

import pytest

from conftest import ref_path
from planbench import encodings
from planbench.answers import planbench_pddl, planbench_rule
from planbench.sets.instances import load_set
from planbench.world.validate import validate

# file -> (encoding, rule generation that reproduces it). Findings: gpt-4o's one-shot
# Blocksworld file, listed as "mixed generations", is entirely the 2024 variant (strips
# '*', does not cut at [PLAN END]); its 2025 parse would change 49 verdicts.
RULE_FILES = {
    "blocksworld/gpt-4_chat/task_1_plan_generation.json": ("blocksworld", "2023"),
    "blocksworld/gpt-4_chat/task_1_plan_generation_zero_shot.json": ("blocksworld", "2023"),
    "blocksworld/gpt-4o_chat/task_1_plan_generation.json": ("blocksworld", "2024"),
    "blocksworld/gpt-4o_chat/task_1_plan_generation_zero_shot.json": ("blocksworld", "2025"),
    "blocksworld_3/gpt-4o_chat/task_1_plan_generation.json": ("blocksworld", "2025"),
    "blocksworld_3/gpt-4o_chat/task_1_plan_generation_zero_shot.json": ("blocksworld", "2025"),
    "mystery_blocksworld/gpt-4o_chat/task_1_plan_generation.json": ("mystery", "2025"),
    "mystery_blocksworld/gpt-4o_chat/task_1_plan_generation_zero_shot.json": ("mystery", "2023"),
    "mystery_blocksworld_3/gpt-4o_chat/task_1_plan_generation_zero_shot.json": ("mystery", "2025"),
}

# (file, id): why the recorded extracted plan differs from the generation's parse while
# the verdict agrees.
PLAN_TEXT_ANOMALIES = {
    ("blocksworld/gpt-4_chat/task_1_plan_generation.json", 12):
        "the corrupted record (see tests/test_prompts.py CORRUPTED): its answer has no parsable action, "
        "yet a 6-step plan is stored; both are invalid",
    ("mystery_blocksworld/gpt-4o_chat/task_1_plan_generation.json", 97):
        "the answer restates its plan; the stored plan holds one copy, our parse both (16 vs 8 steps); "
        "the verdict agrees",
    ("mystery_blocksworld/gpt-4o_chat/task_1_plan_generation.json", 467):
        "as 97: one copy stored, two parsed (12 vs 6 steps); the verdict agrees",
}


def recorded_plan(text, encoding) -> list[tuple]:
    lines = text if isinstance(text, list) else text.split("\n")
    out = []
    for line in lines:
        words = line.strip().strip("()").split()
        if words:
            out.append((encoding.action_from_pddl(words[0]) or words[0], *map(encoding.object_from_pddl, words[1:])))
    return out


@pytest.mark.parametrize("relative", sorted(RULE_FILES))
def test_rule_parser_reproduces_recorded_verdicts(relative: str) -> None:
    encoding_name, generation = RULE_FILES[relative]
    encoding = encodings.get(encoding_name)
    data = json.loads(ref_path("responses", relative).read_text())
    part = "planbench-3" if relative.split("/")[0].endswith("_3") else "planbench-500"
    instance_set = load_set("planbench-600")
    for record in data["instances"]:
        instance = instance_set.find(part, record["instance_id"])
        plan = planbench_rule(record["llm_raw_response"], encoding, 12, generation)
        verdict = record.get("llm_correct", record.get("correct"))
        assert validate(instance.problem, plan).valid == verdict, (relative, record["instance_id"])
        if (relative, record["instance_id"]) not in PLAN_TEXT_ANOMALIES:
            assert plan == recorded_plan(record["extracted_llm_plan"], encoding), (relative, record["instance_id"])


def test_pddl_rule_reproduces_the_2023_pddl_file() -> None:
    relative = "blocksworld/gpt-4_chat/task_1_plan_generation_zero_shot_pddl.json"
    data = json.loads(ref_path("responses", relative).read_text())
    encoding = encodings.get("blocksworld")
    instance_set = load_set("planbench-500")
    for record in data["instances"]:
        plan = planbench_pddl(record["llm_raw_response"], encoding)
        assert plan == recorded_plan(record["extracted_llm_plan"], encoding)
        assert validate(instance_set.find("planbench-500", record["instance_id"]).problem, plan).valid == record["correct"]


def test_restated_plans_are_parsed_twice_by_the_old_parser() -> None:
    """FACTS.md §5.2: gpt-4o one-shot Blocksworld instance 2 stores the plan twice."""
    data = json.loads(ref_path("responses", "blocksworld/gpt-4o_chat/task_1_plan_generation.json").read_text())
    record = next(r for r in data["instances"] if r["instance_id"] == 2)
    encoding = encodings.get("blocksworld")
    old = planbench_rule(record["llm_raw_response"], encoding, 12, "2024")
    assert len(old) == 12 and old[:6] == old[6:]
