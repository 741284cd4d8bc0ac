"""Golden tests: our prompts equal PlanBench's recorded prompts byte for byte."""

from __future__ import annotations

import json
import re
import subprocess
import sys
import time

import pytest

from conftest import REF, problem_from_statement, ref_path
from planbench import encodings
from planbench.errors import InputError
from planbench.results.importer import FOLDERS
from planbench.sets.instances import Instance, load_set
from planbench.world.pddl import parse_problem
from planbench.world.problem import from_spec
from planbench.prompts import (STYLES, PromptOptions, prompt_records, queries_and_examples,
                               randomized_introduction, render, statement)



# (file, instance id): why PlanBench's recorded query is not a prompt it could have sent.
CORRUPTED = {
    ("responses/blocksworld/gpt-4_chat/task_1_plan_generation.json", 12):
        "after the example's [PLAN END] the record holds two PDDL plans with colour names "
        "((unstack blue yellow)...) instead of the query statement; everything before matches",
}


def style_of(name: str) -> str:
    for marker, style in (("state_tracking", "state-tracking"), ("zero_shot_pddl", "zero-shot-pddl"),
                          ("zero_shot", "zero-shot")):
        if marker in name:
            return style
    return "one-shot"


def reference_files() -> list[str]:
    """Every prompt and results file whose prompts are those of a bundled set (the
    unsolvable results are not: see test_unsolvable_prompts_render_byte_identically)."""
    if not REF.is_dir():
        return []
    files = list((REF / "prompts").glob("*/task_1_plan_generation.json")) + list((REF / "responses").glob("**/*.json"))
    return sorted(str(p.relative_to(REF)) for p in files if "unsolvable" not in str(p))


@pytest.mark.parametrize("relative", reference_files())
def test_prompts_are_byte_identical(relative: str) -> None:
    data = json.loads(ref_path(relative).read_text())
    _, part, encoding_name = FOLDERS[relative.split("/")[1]]
    encoding = encodings.get(encoding_name)
    style = style_of(relative)
    # FACTS.md §3.8: PlanBench's 2023 GPT-4 files used older wordings; we reproduce them
    # under wording="2023" (the state-tracking file already has today's introduction).
    # PlanBench's unsolvable PDDL prompts kept the 2023 PDDL wording.
    wording = "2023" if ("gpt-4_chat" in relative and style != "state-tracking") or (
        "unsolvable" in relative and style == "zero-shot-pddl") else "current"
    instance_set = load_set(part if part in ("planbench-hard-110", "planbench-unsolvable") else "planbench-600")
    examples = {i.key: e for i, e in queries_and_examples(instance_set, style)}
    compared = 0
    for record in data["instances"]:
        query = record.get("query")
        if query is None:  # back-prompting files: the first user message
            query = next(m["content"] for m in record["messages"] if m["role"] == "user")
        instance = instance_set.find(part, int(record["instance_id"]))
        ours = render(instance, encoding, style, examples.get(instance.key), wording=wording)
        if (relative, instance.id) in CORRUPTED:
            cut = query.index("[PLAN END]\n") + len("[PLAN END]\n")
            assert ours[:cut] == query[:cut] and ours != query
            continue
        assert ours == query, (relative, record["instance_id"])
        compared += 1
    assert compared >= 20


def test_queries_run_as_planbench_runs_them() -> None:
    instance_set = load_set("planbench-600")
    zero = queries_and_examples(instance_set, "zero-shot")
    one = queries_and_examples(instance_set, "one-shot")
    assert len(zero) == len(one) == 600
    assert {(i.part, i.id) for i, _ in one} == {("planbench-500", i) for i in range(2, 502)} | {
        ("planbench-3", i) for i in range(2, 102)}
    assert all(e.id == i.id - 1 and e.part == i.part for i, e in one)
    tracking = queries_and_examples(instance_set, "state-tracking")
    assert {e.id for _, e in tracking} == {1}  # PlanBench's recorded quirk
    fixed = queries_and_examples(instance_set, "state-tracking", fix_quirks=True)
    assert all(e.id == i.id - 1 for i, e in fixed)


def test_randomized_introduction_of_the_500_set_equals_facts() -> None:
    """FACTS.md §3.9.5 quotes the 500-set's prompt (o1-preview); its file is not shared."""
    facts = ref_path("FACTS.md").read_text()
    section = facts[facts.index("#### 3.9.5"):]
    text = section[section.index("```text\n") + len("```text\n"):]
    intro = text[: text.index("\n[STATEMENT]")]
    assert randomized_introduction(encodings.get("randomized"), "planbench-500") == intro
    instance = load_set("planbench-500").find("planbench-500", 1)
    assert render(instance, encodings.get("randomized"), "zero-shot") == text[: text.index("\n```")]


def test_seeded_encodings_get_a_templated_introduction() -> None:
    encoding = encodings.get("randomized:42")
    instance = load_set("planbench-3").find("planbench-3", 5)
    prompt = render(instance, encoding, "zero-shot")
    assert prompt.startswith("I am playing with a set of objects. Here are the actions I can do\n\n")
    for token in list(encoding.actions.values()) + list(encoding.predicates.values()):
        assert token in prompt
    for word in ("u64y1a9apusmslxb", "attack", "block"):
        assert word not in prompt
    assert prompt == render(instance, encodings.get("randomized:42"), "zero-shot")


def test_zero_shot_pddl_quirks_can_be_fixed() -> None:
    instance = load_set("planbench-hard-110").find("planbench-hard-110", 1)
    encoding = encodings.get("blocksworld")
    quirky = render(instance, encoding, "zero-shot-pddl")
    fixed = render(instance, encoding, "zero-shot-pddl", fix_quirks=True)
    assert "(define(problem BW-rand-6)" in quirky and quirky.count("(") == quirky.count(")") - 1
    assert "(define (problem BW-rand-6)" in fixed and fixed.count("(") == fixed.count(")")
    randomized = render(instance, encodings.get("randomized"), "zero-shot-pddl")
    assert "obfuscated_randomized_blocksworld" not in randomized
    hidden = re.search(r"\(define \(domain ([a-z0-9]{6})\)", randomized).group(1)
    assert f"(:domain {hidden})" in randomized


def test_records_carry_messages_gold_and_system_choice() -> None:
    instance_set = load_set("planbench-3")
    records = prompt_records(instance_set, encodings.get("mystery"), "one-shot")
    first = records[0]
    assert first["id"] == 2 and first["example_id"] == 1 and first["style"] == "one-shot"
    assert first["messages"][0] == {"role": "system", "content": first["system_message"]}
    assert first["messages"][1] == {"role": "user", "content": first["prompt"]}
    assert first["gold_plan_pddl"][0].startswith("(") and "object" in first["gold_plan_text"][0]
    zero = prompt_records(instance_set, encodings.get("mystery"), "zero-shot")
    assert zero[0]["system_message"] is None and len(zero[0]["messages"]) == 1
    custom = prompt_records(instance_set, encodings.get("mystery"), "zero-shot", PromptOptions(system="Be brief."))
    assert custom[0]["messages"][0] == {"role": "system", "content": "Be brief."}


def test_rendering_everything_is_fast() -> None:
    instance_set = load_set("planbench-600")
    start = time.perf_counter()
    count = 0
    for name in ("blocksworld", "mystery", "randomized"):
        for style in STYLES:
            count += len(prompt_records(instance_set, encodings.get(name), style))
    elapsed = time.perf_counter() - start
    assert count == 3 * 5 * 600
    print(f"{count} prompts in {elapsed:.2f} s")  # the target (< 2 s) is measured by scripts/bench_prompts.py


def run(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "planbench", *args], capture_output=True, text=True, timeout=120)


def test_prompts_cli(tmp_path) -> None:
    out = tmp_path / "prompts.jsonl"
    result = run("prompts", "--set", "planbench-3", "--encoding", "randomized", "--style", "zero-shot", "--out", str(out))
    assert result.returncode == 0, result.stderr
    lines = [json.loads(line) for line in out.read_text().splitlines()]
    recorded = json.loads(ref_path("responses", "obfuscated_randomized_blocksworld_3", "o1-mini_chat",
                                   "task_1_plan_generation_zero_shot.json").read_text())["instances"]
    assert len(lines) == 100 and lines[0]["prompt"] == recorded[0]["query"]
    bad = run("prompts", "--set", "planbench-3", "--encoding", "blocksworld", "--style", "few-shot", "--out", str(out))
    assert bad.returncode == 2 and "zero-shot, one-shot, state-tracking, zero-shot-pddl, one-shot-pddl" in bad.stderr
    bad = run("prompts", "--set", "planbench-3", "--encoding", "elvish", "--style", "zero-shot", "--out", str(out))
    assert bad.returncode == 2 and "blocksworld, mystery, randomized" in bad.stderr


def test_missing_gold_plan_for_an_example_names_the_instance(tmp_path) -> None:
    instance_set = load_set("planbench-3")
    manifest = tmp_path / "manifest.jsonl"
    records = [i.to_record() for i in instance_set.instances[:3]]
    for record in records:
        record["plan"] = []
    manifest.write_text("\n".join(json.dumps(r) for r in records) + "\n")
    generated = load_set(str(manifest))
    with pytest.raises(InputError) as info:
        prompt_records(generated, encodings.get("blocksworld"), "one-shot")
    assert "has no gold plan" in str(info.value) and "instance manifest/" in str(info.value)


UNSOLVABLE = "responses/unsolvable_blocksworld/gpt-4o-mini-2024-07-18_chat/"


def test_unsolvable_prompts_render_byte_identically() -> None:
    """PlanBench's GPT-4o-mini unsolvable runs: our prompts for the problems they show are
    byte-identical (NL zero-shot; PDDL in the 2023 wording and the tabbed layout).

    Finding: those runs were not made on the unsolvable problems in PlanBench's repository
    (our planbench-unsolvable): 2 of the 100 NL statements, and 1 of the 20 PDDL problems,
    equal a bundled instance's; the NL and PDDL runs even show different problems under the
    same id. So recorded answers of these two files are judged as refusals or plans (every
    goal they show is unsolvable or not: tests/test_unsolvable.py), not against the bundled
    instance of the same id."""
    encoding = encodings.get("blocksworld")
    bundled = {statement(i, encoding, None) for i in load_set("planbench-unsolvable").scored()}
    records = json.loads(ref_path(UNSOLVABLE + "task_1_plan_generation_zero_shot.json").read_text())["instances"]
    matching = 0
    for record in records:
        query = record["query"]
        problem = problem_from_statement(query, encoding)
        instance = Instance("x", "x", int(record["instance_id"]), problem, (), unsolvable={})
        assert render(instance, encoding, "zero-shot") == query, record["instance_id"]
        matching += query[query.index("\n[STATEMENT]"):] in bundled
    assert len(records) == 100 and matching == 2
    pddl = json.loads(ref_path(UNSOLVABLE + "task_1_plan_generation_zero_shot_pddl.json").read_text())["instances"]
    for record in pddl:
        query = record["query"]
        spec = parse_problem(query[query.index("[QUERY PROBLEM]\n") + len("[QUERY PROBLEM]\n"):], "query")
        problem = from_spec(spec, encoding)
        instance = Instance("x", "x", int(record["instance_id"]), problem, (), unsolvable={}, layout="tabbed")
        assert render(instance, encoding, "zero-shot-pddl", wording="2023") == query, record["instance_id"]
    assert len(pddl) == 20
