"""The default extractor: agreement with PlanBench's GPT-4o-translated verdicts, and
properties that must hold for any text."""

from __future__ import annotations

import csv
import json
import subprocess
import sys
import time
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from conftest import CORPUS, REF, problem_from_statement, ref_path
from planbench import encodings
from planbench.answers import extract
from planbench.results.score import read_plan
from planbench.world.solve import unsolvable_reason
from planbench.results.importer import FOLDERS, import_results
from planbench.sets.instances import load_set
from planbench.prompts import plan_text
from planbench.world.problem import Problem
from planbench.world.validate import validate

DISAGREEMENTS = json.loads((Path(__file__).parent / "data" / "default_extractor_disagreements.json").read_text())
PARTS = {"_3": "planbench-3"}


def translated_files() -> list[str]:
    """Every file of ../shared whose recorded verdicts came from GPT-4o translation (its
    records keep ``raw_translation``), on a solvable bundled set."""
    if not (REF / "responses").is_dir():
        return []
    out = []
    for path in sorted((REF / "responses").glob("*/*/*.json")):
        folder = path.parts[-3]
        if folder not in FOLDERS or "backprompting" in path.name:
            continue
        head = path.read_text()[:200_000]
        if '"raw_translation"' in head:
            out.append(str(path.relative_to(REF / "responses")))
    return out


@pytest.mark.parametrize("relative", translated_files())
def test_agreement_with_translated_verdicts(relative: str) -> None:
    """The corpus test: per file, our verdict on the answer against PlanBench's GPT-4o-
    translated one. Every disagreement is listed in tests/data with who is right and
    why; the figures are printed at the end of the test session."""
    _, part, encoding_name = FOLDERS[relative.split("/")[0]]
    encoding = encodings.get(encoding_name)
    instance_set = load_set("planbench-unsolvable" if part == "planbench-unsolvable" else "planbench-600")
    listed = {(d["file"], d["id"]): d for d in DISAGREEMENTS if d["file"] == relative}
    agree = total = 0
    for record in json.loads(ref_path("responses", relative).read_text())["instances"]:
        if "llm_correct" not in record:
            continue
        recorded = {"True": True, "False": False}.get(record["llm_correct"], record["llm_correct"])
        if part == "planbench-unsolvable":  # asked other problems than the bundled ones (test_prompts)
            problem = problem_from_statement(record["query"], encoding)
        else:
            problem = instance_set.find(part, int(record["instance_id"])).problem
        reading = extract(record["llm_raw_response"], encoding, len(problem.blocks))
        plan = reading.plan
        if unsolvable_reason(problem) is not None:
            ours = reading.failure == "no_plan_claimed"  # on an unsolvable goal only a refusal is right
        else:
            ours = validate(problem, plan).valid if plan else False
        total += 1
        if ours == recorded:
            agree += 1
            assert (relative, record["instance_id"]) not in listed, "listed as a disagreement but agrees"
        else:
            entry = listed.get((relative, record["instance_id"]))
            assert entry is not None, (relative, record["instance_id"], "an unlisted disagreement",
                                       [encoding.action_to_pddl(a) for a in plan])
            assert (entry["recorded"], entry["ours"]) == (recorded, ours)
            assert entry["our_plan"] == [encoding.action_to_pddl(a) for a in plan]
            assert entry["right"] == "ours" and entry["why"]
    CORPUS[relative] = (agree, total, len(listed))
    assert total >= 99
    assert agree / total >= 0.94, (agree, total)
    assert total - agree == len(listed)


def test_pooled_agreement() -> None:
    """Over every translated file: at least 98% raw agreement, and every disagreement is
    adjudicated in our favour (each file's test checks that). The raw figure cannot reach
    99% on these files: 21 of their 1,302 recorded verdicts are wrong (translation faults,
    and solvable problems in the unsolvable run), listed in tests/data."""
    files = translated_files()
    if not files:
        pytest.skip("PlanBench reference data not found")
    for relative in files:
        if relative not in CORPUS:
            test_agreement_with_translated_verdicts(relative)
    agree = sum(a for a, _, _ in CORPUS.values())
    total = sum(t for _, t, _ in CORPUS.values())
    assert agree / total >= 0.98, (agree, total)


EXTRACTOR_NAMES = ["default", "default-lenient", "planbench-rule", "planbench-rule-2024", "planbench-rule-2023", "planbench-pddl"]
REPEATED = st.builds(lambda phrase, n, sep: sep.join([phrase] * n),
                     st.sampled_from(["put down the blue block is not correct", "(unstack a b)", "1. Unstack red from blue",
                                      "**", "- ", "then", "attack object a from", "[PLAN]", "(", "object_0"]),
                     st.integers(1, 3000), st.sampled_from([" ", "\n", ", ", ""]))


@settings(max_examples=300, deadline=None)
@given(st.one_of(st.text(max_size=400), REPEATED), st.sampled_from(["blocksworld", "mystery", "randomized", "randomized:3"]),
       st.sampled_from(EXTRACTOR_NAMES))
def test_every_extractor_is_total(text: str, encoding_name: str, extractor: str) -> None:
    """Any text, long repetitions included (models loop): a plan or a typed failure,
    never an exception."""
    plan, failure = read_plan(text, encodings.get(encoding_name), extractor)
    assert failure is not None or plan


def _seconds(text: str, encoding) -> float:
    """The faster of two readings: a loaded machine slows one, rarely both."""
    times = []
    for _ in range(2):
        started = time.perf_counter()
        extract(text, encoding, 4)
        times.append(time.perf_counter() - started)
    return min(times)


def test_long_answers_extract_in_linear_time() -> None:
    """Four times the text takes about four times as long (a quadratic reading: sixteen; twelve allows for noise),
    whatever the machine's load; and a megabyte stays within seconds."""
    blocksworld = encodings.get("blocksworld")
    for unit, count in [("put down the blue block is not correct ", 6_000), ("unstack the red block from the blue block, ", 6_000),
                        ("1. Unstack the red block from the blue block\n   - it is clear\n", 4_000), ("(", 120_000)]:
        def text(times: int) -> str:
            return unit * count * times + (")" * count * times if unit == "(" else "")
        small, large = _seconds(text(1), blocksworld), _seconds(text(4), blocksworld)
        assert large < 12 * max(small, 0.01), (unit, small, large)
        assert large < 5.0, (unit, large)


NOISE_BEFORE = [
    "", "Sure! Here is the plan:\n\n", "<think>\nLet me check: unstack the cyan block first? No.\n</think>\n",
    "Let me think step by step about the initial state.\nThe goal requires a new tower.\n\n**Plan:**\n",
    "[PLAN]\n",
]
NOISE_AFTER = ["", "\n[PLAN END]", "\n\nThis plan achieves the goal.", "\n\nLet me verify: each step is legal."]
FORMATS = ["{n}. {step}", "- {step}", "**Step {n}:** {step}", "{step}", "{n}) {step}.", "Step {n}: {Step}"]


@settings(max_examples=200, deadline=None)
@given(st.integers(0, 599), st.sampled_from(["blocksworld", "mystery", "randomized", "randomized:11"]),
       st.sampled_from(FORMATS), st.sampled_from(NOISE_BEFORE), st.sampled_from(NOISE_AFTER),
       st.booleans(), st.booleans())
def test_rendered_plans_in_noise_are_recovered(index, encoding_name, fmt, before, after, pddl, upper) -> None:
    instance = load_set("planbench-600").scored()[index]
    encoding = encodings.get(encoding_name)
    plan = instance.plan
    steps = [encoding.action_to_pddl(a) for a in plan] if pddl else plan_text(plan, encoding).splitlines()
    lines = [fmt.format(n=n, step=s, Step=s[:1].upper() + s[1:]) for n, s in enumerate(steps, 1)]
    text = before + "\n".join(lines) + after
    if upper:
        text = text.upper()
    assert extract(text, encoding).plan == plan


LAYOUTS = {  # whole-plan layouts models use besides one step per line
    "table": lambda steps: "| Step | Action |\n|---|---|\n" + "\n".join(f"| {n} | {s} |" for n, s in enumerate(steps, 1)),
    "json": lambda steps: "```json\n" + json.dumps({"plan": steps}) + "\n```",
    "json-lines": lambda steps: json.dumps(steps, indent=2),
    "arrows": lambda steps: " -> ".join(steps),
    "unicode-arrows": lambda steps: " → ".join(steps),
    "then": lambda steps: "First, " + ", then ".join(steps) + ".",
    "sentences": lambda steps: " ".join(s[:1].upper() + s[1:] + "." for s in steps),
    "inline-numbered": lambda steps: "My plan: " + ", ".join(f"({n}) {s}" for n, s in enumerate(steps, 1)) + ".",
    "commas": lambda steps: "Final answer: " + ", ".join(steps),
    "latex-boxed": lambda steps: "$\\boxed{\\text{" + ", ".join(steps).replace("_", "\\_") + "}}$",
    "latex-array": lambda steps: ("\\[\n\\boxed{\n\\begin{array}{l}\n"
                                  + " \\\\\n".join(f"\\text{{{n}. {s}}}" for n, s in enumerate(steps, 1))
                                  + "\n\\end{array}\n}\n\\]"),
}


@settings(max_examples=200, deadline=None)
@given(st.integers(0, 599), st.sampled_from(["blocksworld", "mystery", "randomized", "randomized:11"]),
       st.sampled_from(sorted(LAYOUTS)), st.sampled_from(NOISE_BEFORE), st.sampled_from(NOISE_AFTER), st.booleans())
def test_plans_laid_out_as_tables_json_and_chains(index, encoding_name, layout, before, after, pddl) -> None:
    instance = load_set("planbench-600").scored()[index]
    encoding = encodings.get(encoding_name)
    plan = instance.plan
    steps = [encoding.action_to_pddl(a) for a in plan] if pddl else plan_text(plan, encoding).splitlines()
    assert extract(before + LAYOUTS[layout](steps) + after, encoding).plan == plan


BLOCKSWORLD, MYSTERY, RANDOMIZED = "blocksworld", "mystery", "randomized"
# (encoding, blocks, answer, plan): each a layout models use (issue 10's table), not one file.
LAYOUT_CASES = [
    (BLOCKSWORLD, 4, "1. **Unstack** the red block from the blue block\n2. **Put down** the red block",
     "(unstack a b)(put-down a)"),
    (BLOCKSWORLD, 4, "1. Unstack red from blue\n   *Your hand is empty, so you can unstack red from blue.*\n2. Put down red",
     "(unstack a b)(put-down a)"),
    (BLOCKSWORLD, 4, "Plan:\n1. pick up the orange block\n2. stack it on the yellow block\n\nSummary:\n"
     "1. pick up the orange block\n2. stack the orange block on top of the yellow block", "(pick-up c)(stack c d)"),
    (BLOCKSWORLD, 4, "```\n(unstack b c)\n(put-down b)\n```", "(unstack b c)(put-down b)"),
    (BLOCKSWORLD, 4, "Unstack(Red, Blue)\nPutDown(Red)", "(unstack a b)(put-down a)"),
    (BLOCKSWORLD, 4, "1. Pick up the red block\n2. Put it down", "(pick-up a)(put-down a)"),
    (BLOCKSWORLD, 4, "6. Stack the yellow block on the blue block is not correct, so put down the yellow block",
     "(put-down d)"),
    # gpt-4 zero-shot PDDL BW id 149: a plan sketched in PDDL comments is not the plan.
    (BLOCKSWORLD, 4, "; Proposed plan:\n; 1. pick up block b\n; 2. put block b down on block c\n\n(plan\n  (pick-up b)\n"
     "  (stack b c)\n)", "(pick-up b)(stack b c)"),
    # gpt-4 zero-shot BW id 327: remarks in parentheses after each step.
    (BLOCKSWORLD, 4, "1. Unstack the orange block from the blue block. (Now holding the orange block)\n"
     "2. Put down the orange block on the table.", "(unstack c b)(put-down c)"),
    # The plan, then restated under a heading after one blank line: one plan, not two.
    (BLOCKSWORLD, 4, "1. **Unstack the blue block from the orange block.**\n2. **Put down the blue block.**\n\n"
     "**Actions in the plan:**\n- **Unstack** the blue block from the orange block.\n- **Put down** the blue block.",
     "(unstack b c)(put-down b)"),
    (BLOCKSWORLD, 4, "1. Unstack blue from orange\n2. Put down blue\n\nSo, the actions in order are:\n"
     "1. Unstack blue from orange\n2. Put down blue", "(unstack b c)(put-down b)"),
    (MYSTERY, 3, "1. Attack b\n2. Overcome b from a\n\nAnswer: attack b; then overcome b from a", "(attack b)(overcome b a)"),
    (MYSTERY, 3, "1. **Feast a from c**\n   - Preconditions:\n     - Craves a c (true)\n\n2. **Succumb a**\n\n"
     "By following these steps you reach the goal.\n\n**Plan Summary:**\n- Feast a from c\n- Succumb a",
     "(feast a c)(succumb a)"),
    # Explanation, verification and final-state sections name actions but are not the plan.
    (BLOCKSWORLD, 4, "1. Unstack Blue from Orange\n2. Put down Blue\n\n**Explanation:**\n"
     "- First, move Blue from Orange to the table so Orange is clear.\n- Then pick up Orange.", "(unstack b c)(put-down b)"),
    (BLOCKSWORLD, 4, "1. Unstack blue from orange\n2. Put down blue\n\n**Final State:**\n"
     "**Stack 1:** Orange block with red on top\n- Stack red on orange", "(unstack b c)(put-down b)"),
    (MYSTERY, 3, "The plan is:\n1. Feast c from b\n2. Succumb c\n\n**Explanation of Each Step:**\n"
     "- **Feast c from b**: uses the craving of c for b.\n- **Attack a** and **Succumb c** restore harmony.",
     "(feast c b)(succumb c)"),
    # Commentary on the step line itself.
    (BLOCKSWORLD, 4, "7. **Pick up Red**: The Red block is on the table and clear. Pick up the Red block.", "(pick-up a)"),
    (BLOCKSWORLD, 4, "1. Pick up C (since it's clear)\n2. Put down C (since it's held)", "(pick-up c)(put-down c)"),
    (BLOCKSWORLD, 4, "1. Pick up the orange block (from on top of the blue block).", "(unstack c b)"),
    # Step labels that are not actions.
    (RANDOMIZED, 4, "1. Perform wio5amhq7814n006 object_2 object_3.\n2. Perform kip9uw781pv62umn object_2.",
     "(wio5amhq7814n006 o2 o3)(kip9uw781pv62umn o2)"),
    (MYSTERY, 3, "- **First Action:** Attack object b\n- **Second Action:** Overcome object b from object a",
     "(attack b)(overcome b a)"),
    (MYSTERY, 3, "**Answer**: Perform the Feast action on object a from object c, then perform the Overcome action on "
     "object a from object b.", "(feast a c)(overcome a b)"),
    # One-shot answers that go on after [PLAN END]: PlanBench's cut.
    (BLOCKSWORLD, 4, "unstack the blue block from on top of the orange block\nput down the blue block\n[PLAN END]\n\n"
     "1. I unstacked the blue block because it was on the orange block.\n2. I put down the red block.",
     "(unstack b c)(put-down b)"),
    (BLOCKSWORLD, 4, "unstack the blue block from on top of the orange block\nput down the blue block\n[PLAN END]\n\n"
     "[STATEMENT]\nAs initial conditions I have that, the red block is clear.\nMy plan is as follows:\n\n[PLAN]\n"
     "pick up the red block\nstack the red block on top of the blue block\n[PLAN END]", "(unstack b c)(put-down b)"),
    # Letters: unique initials of the problem's colours, or ones the answer defines.
    (BLOCKSWORLD, 5, "1. UNSTACK R W\n2. PUT DOWN R", "(unstack a e)(put-down a)"),
    (BLOCKSWORLD, 4, "1. Unstack Y from O\n2. Put down Y", "(unstack d c)(put-down d)"),
    (BLOCKSWORLD, 13, "The black block (K) is on the blue block (B).\n1. Unstack K from B\n2. Put down K",
     "(unstack g b)(put-down g)"),
    # Several Randomized actions on one line; subscripts; italics; a held block named by a pronoun.
    (RANDOMIZED, 4, "wio5amhq7814n006 object_1 object_0 kip9uw781pv62umn object_1 u64y1a9apusmslxb object_2",
     "(wio5amhq7814n006 o1 o0)(kip9uw781pv62umn o1)(u64y1a9apusmslxb o2)"),
    (RANDOMIZED, 4, "1. wio5amhq7814n006 object₁ object₀\n2. kip9uw781pv62umn object₁",
     "(wio5amhq7814n006 o1 o0)(kip9uw781pv62umn o1)"),
    (MYSTERY, 3, "1. Attack _a_\n2. Overcome _a_ from _b_", "(attack a)(overcome a b)"),
    (BLOCKSWORLD, 4, "1. Pick up red and stack it onto blue\n2. Pick up orange and stack it on red",
     "(pick-up a)(stack a b)(pick-up c)(stack c a)"),
    # Step headers whose sub-items are the steps; headings that are steps.
    (BLOCKSWORLD, 4, "**Step 1:**\n- Unstack the red block from the blue block\n- Put down the red block\n\n**Step 2:**\n"
     "- Pick up the blue block\n- Stack the blue block on the orange block", "(unstack a b)(put-down a)(pick-up b)(stack b c)"),
    (BLOCKSWORLD, 4, "### Step 1: Unstack the red block from the blue block\nThis frees the blue block. Now we can pick "
     "up the blue block later.\n\n### Step 2: Put down the red block\nThe hand is empty again.", "(unstack a b)(put-down a)"),
    # Reasoning, then a corrected plan: the last one is the answer.
    (BLOCKSWORLD, 4, "Let me try: 1. Pick up red 2. Stack red on blue.\nWait, red is under orange. Corrected plan:\n"
     "1. Unstack orange from red\n2. Put down orange\n3. Pick up red\n4. Stack red on blue",
     "(unstack c a)(put-down c)(pick-up a)(stack a b)"),
    # Markdown's lazy numbering: every item "1.".
    (BLOCKSWORLD, 4, "1. Unstack red from blue\n1. Put down red\n1. Pick up blue", "(unstack a b)(put-down a)(pick-up b)"),
    # A remark on efficiency is not a refusal.
    (BLOCKSWORLD, 4, "1. Unstack red from blue\n2. Put down red\n\nIt is not possible to achieve this in fewer steps.",
     "(unstack a b)(put-down a)"),
    # A comma in prose does not start a step (o1-mini Randomized-3 id 40 says no plan exists).
    (BLOCKSWORLD, 4, "There is no plan. However, pick up the red block requires a clear hand, so no.", ""),
]


@pytest.mark.parametrize("encoding_name, blocks, text, expected", LAYOUT_CASES)
def test_layouts_models_use(encoding_name, blocks, text, expected) -> None:
    encoding = encodings.get(encoding_name)
    assert "".join(encoding.action_to_pddl(a) for a in extract(text, encoding, blocks).plan) == expected


@pytest.mark.parametrize("text", [
    "I tried unstacking the red block from the blue block, then putting down the red block, but it fails. There is "
    "no plan possible: the goal is unreachable.",
    "1. Unstack red from blue\n2. Put down red\n\nHowever, the goal asks for blue on red and red on blue, a cycle. "
    "Therefore no valid plan exists.",
    "**Conclusion:** It is **not possible** to achieve the goal with these actions.",
    "1. Attack object a\n\nNo plans can reach this goal: object a would have to crave itself.",
])
def test_refusals_even_after_tried_actions(text) -> None:
    """An answer that says no plan exists, after any actions it tried, refuses."""
    assert extract(text, encodings.get("blocksworld"), 4).failure == "no_plan_claimed"


def test_candidates_are_recorded_with_their_spans() -> None:
    text = ("1. Unstack blue from orange\n2. Put down blue\n\n**Verification:**\n1. Unstack blue from orange: ok\n\n"
            "**Final plan:**\n- Unstack blue from orange\n- Put down red")
    result = extract(text, encodings.get("blocksworld"), 4)
    kinds = [c.kind for c in result.candidates]
    assert kinds == ["neutral", "explanatory", "plan"]
    assert result.chosen == 2 and result.ambiguous  # the first and last plans differ
    start, end = result.span
    assert text[start:end] == "- Unstack blue from orange\n- Put down red"
    assert not extract("1. Unstack blue from orange\n\nPlan:\n- Unstack blue from orange",
                       encodings.get("blocksworld"), 4).ambiguous


def test_randomized_objects_written_with_a_space() -> None:
    randomized = encodings.get("randomized")
    steps = [randomized.action_to_text(a).replace("_", " ") for a in [("unstack", "b", "k"), ("put-down", "b")]]
    assert extract("\n".join(steps), randomized).plan == (("unstack", "b", "k"), ("put-down", "b"))


def test_typed_failures() -> None:
    blocksworld = encodings.get("blocksworld")
    assert extract("", blocksworld).failure == "empty"
    assert extract("There is no plan possible: the goal is unreachable.", blocksworld).failure == "no_plan_claimed"
    assert extract("I like turtles.", blocksworld).failure == "no_actions"


# ------------------------------------------------------------------ issue 18: more layouts
def more_layouts() -> list[dict]:
    """One real answer per layout (../shared/planbench-ref/examples/more-layouts.jsonl)."""
    path = REF / "examples" / "more-layouts.jsonl"
    return [json.loads(line) for line in path.read_text().splitlines() if line.strip()] if path.is_file() else []


@pytest.mark.parametrize("example", more_layouts(), ids=lambda example: example["layout"][:48])
def test_shared_layout_examples(example: dict) -> None:
    """Each shared example reads as the plan it means, which validates as recorded."""
    encoding = encodings.get(example["encoding"])
    instance = load_set("planbench-600").find(example["set"], int(example["instance_id"]))
    reading = extract(example["answer"], encoding, instance.blocks)
    assert reading.failure is None
    assert "\n".join(encoding.action_to_pddl(a) for a in reading.plan) == example["plan"]
    assert validate(instance.problem, reading.plan).valid == example["recorded_valid"]


STEP_BLOCKS = [  # a plan written only as step blocks: a bold step line, labelled sub-bullets, '---'
    (BLOCKSWORLD, 4, "Here is how to reach the goal.\n\n---\n\n**Step 1: Unstack the orange block from the red block**\n\n"
     "- **Preconditions:**\n  - The orange block is clear\n  - The hand is empty\n- **After Action State:**\n"
     "  - Holding the orange block\n  - The red block is clear\n\n---\n\n**Step 2: Put down the orange block**\n\n"
     "- **Preconditions:** holding the orange block\n- **Explanation:** Stack it later on the yellow block? No: it "
     "stays on the table.\n\n---\n\n**Step 3: Pick up the red block**\n\n- **Postconditions:**\n  - Holding the red block"
     "\n\n---\n\n**Step 4: Stack the red block on top of the yellow block**\n\n- **Effects:**\n"
     "  - The red block is on the yellow block\n\n---\n\nThe goal is reached.",
     "(unstack c a)(put-down c)(pick-up a)(stack a d)"),
    (RANDOMIZED, 4, "**1. wio5amhq7814n006 object_1 object_0**\n\n- **Preconditions:**\n  - b6e9q4r60gagvdcn object_1 "
     "object_0\n  - tv30k33pzoulql6w object_1\n- **Effects:**\n  - Adds: a46zhwykn6jvbabk object_1\n\n---\n\n"
     "**2. kip9uw781pv62umn object_1**\n\n- **Postconditions:**\n  - af9tse23ljclsqad object_1\n\n---\n\n"
     "**3. u64y1a9apusmslxb object_0**\n\n- **After Action State:** a46zhwykn6jvbabk object_0\n",
     "(wio5amhq7814n006 o1 o0)(kip9uw781pv62umn o1)(u64y1a9apusmslxb o0)"),
    (MYSTERY, 4, "__1. Attack object c__\n\n* __Preconditions:__ province object c, planet object c, harmony\n"
     "* __Effects:__ pain object c\n\n___\n\n__2. Overcome object c from object d__\n\n* __Explanation:__ Overcome "
     "needs pain object c, which step 1 gave.\n",
     "(attack c)(overcome c d)"),
    (BLOCKSWORLD, 4, "**1. Unstack the red block from the blue block**\n\n**Explanation:**\nUnstack the red block first so "
     "that the blue block is clear.\n\n**2. Put down the red block**\n\n**Explanation:**\nPut down the red block to "
     "free the hand.\n\n**3. Pick up the blue block**", "(unstack a b)(put-down a)(pick-up b)"),
    (MYSTERY, 4, "**Step 1: Feast object d from object c**\n\n**Preconditions:**\n- Object d craves object c\n- Harmony"
     "\n\n**Effects:**\n- Pain object d\n\n---\n\n**Step 2: Succumb object d**\n\n**Preconditions:**\n- Pain object d"
     "\n\n---\n\n**Step 3: Attack object c**\n\n**Effects:**\n- Pain object c", "(feast d c)(succumb d)(attack c)"),
    (BLOCKSWORLD, 4, "### 1. Unstack the red block from the blue block\n**Effects:** holding red\n\n**After Action State:**\n"
     "- red in hand\n\n### 2. Put down the red block\n**Effects:** hand empty\n", "(unstack a b)(put-down a)"),
    (MYSTERY, 4, "#### Step 1 – Attack object c\n- Preconditions: province c\n\n#### Step 2 – Overcome object c from "
     "object a\n- Effects: craves c a", "(attack c)(overcome c a)"),
]
COMPACT_THEN_WALKTHROUGH = [  # a compact plan, then each step walked through under its own heading
    (BLOCKSWORLD, 4, "**Plan:**\n1. Unstack the blue block from the orange block\n2. Put down the blue block\n"
     "3. Pick up the orange block\n4. Stack the orange block on top of the blue block\n\nLet us go through each step.\n\n"
     "**Step 1:** Unstack the blue block from the orange block\n\n**Preconditions:**\n- The blue block is clear.\n\n"
     "**Resulting state:** holding the blue block.\n\n**Step 2:** Put down the blue block\n\n**Resulting state:** the "
     "blue block is on the table.\n\n**Step 3:** Pick up the orange block\n\n**Step 4:** Stack the orange block on top "
     "of the blue block\n\n**Resulting state:** the orange block is on the blue block.",
     "(unstack b c)(put-down b)(pick-up c)(stack c b)"),
    (RANDOMIZED, 4, "1. u64y1a9apusmslxb object_2\n2. j4gv801gnu2it0yj object_2 object_0\n\n"
     "### Action 1: u64y1a9apusmslxb object_2\n\n**Preconditions:**\n- tv30k33pzoulql6w object_2 (True)\n\n"
     "**After Action 1:**\n- a46zhwykn6jvbabk object_2 is now True.\n\n---\n\n### Action 2: j4gv801gnu2it0yj object_2 "
     "object_0\n\n**After Action 2:**\n- b6e9q4r60gagvdcn object_2 object_0 is now True (goal).",
     "(u64y1a9apusmslxb o2)(j4gv801gnu2it0yj o2 o0)"),
    (MYSTERY, 4, "1. Feast d from a\n2. Succumb d\n\n#### Action 1: **Feast** d from a\n**Effects:**\n- Pain d\n\n"
     "#### Action 2: **Succumb** d\n**Effects:**\n- Harmony\n",
     "(feast d a)(succumb d)"),
    (BLOCKSWORLD, 4, "1. Unstack the red block from the blue block\n2. Put down the red block\n\n### Step 1\nUnstack the "
     "red block from the blue block.\n\n**Preconditions:**\n- The red block is clear.\n\n### Step 2\nPut down the red "
     "block.\n\n**Result:**\n- The hand is empty.", "(unstack a b)(put-down a)"),
    (MYSTERY, 4, "1. Feast b from a\n2. Succumb b\n\n**Step 1: Feast b from a**\n\n**Preconditions:**\n- craves b a\n\n"
     "**Step 2: Succumb b**\n\n**Preconditions:**\n- pain b\n", "(feast b a)(succumb b)"),
    (MYSTERY, 4, "- Feast b from a\n- Succumb b\n\n### Action 1: Feast b from a\n\n**Preconditions:**\n- craves b a\n\n"
     "### Action 2: Succumb b\n\n**Preconditions:**\n- pain b\n", "(feast b a)(succumb b)"),
]
BRACKETED_INITIALS = [  # blocks named with a bracketed initial, the steps then using it
    (BLOCKSWORLD, 5, "1. Unstack the white block (W) from the red block (R).\n2. Put down the white block (W).",
     "(unstack e a)(put-down e)"),
    (BLOCKSWORLD, 13, "Blocks: the black block (K), the blue block (B), the brown block (N).\n\n1. **Unstack K from B**\n"
     "2. **Stack** the black block (K) on top of the brown block (N).", "(unstack g b)(stack g m)"),
    (BLOCKSWORLD, 4, "To put the orange block (O) on the red block (R):\n\n- Pick up the orange block (O)\n"
     "- Stack the orange block (O) on the red block (R)", "(pick-up c)(stack c a)"),
    (BLOCKSWORLD, 13, "Let Y (yellow), K (black) and B (blue).\n1. Unstack K from B\n2. Stack K on Y",
     "(unstack g b)(stack g d)"),
    (BLOCKSWORLD, 4, "**Plan**\n\n1. Unstack (Y) from (B)\n2. Put down (Y)", "(unstack d b)(put-down d)"),
]
FUNCTION_CALLS = [  # steps written as function calls with underscored names
    (BLOCKSWORLD, 4, "1. `PickUp(red_block)`\n2. `Stack(red_block, blue_block)`", "(pick-up a)(stack a b)"),
    (BLOCKSWORLD, 8, "- unstack(cyan_block, black_block)\n- put_down(cyan_block)\n- pick_up(black_block)",
     "(unstack h g)(put-down h)(pick-up g)"),
    (BLOCKSWORLD, 4, "1. **Unstack(YellowBlock, OrangeBlock)**\n   - Take the yellow block off the orange one.\n"
     "2. **PutDown(YellowBlock)**", "(unstack d c)(put-down d)"),
    (MYSTERY, 4, "1. Feast(object_b, object_a)\n2. Succumb(object_b)", "(feast b a)(succumb b)"),
    (RANDOMIZED, 4, "1. wio5amhq7814n006(object_1, object_0)\n2. kip9uw781pv62umn(object_1)",
     "(wio5amhq7814n006 o1 o0)(kip9uw781pv62umn o1)"),
    (BLOCKSWORLD, 4, "1. PickUp(block_orange)\n2. Stack(block_orange, block_red)", "(pick-up c)(stack c a)"),
]
INLINE_BULLETS = [  # a one-line final answer, inline bullets joined by "then"
    (BLOCKSWORLD, 4, "1. Unstack red from blue\n2. Put down red\n\n**Final answer:** • Unstack the red block from the "
     "blue block then • Put down the red block then • Pick up the blue block",
     "(unstack a b)(put-down a)(pick-up b)"),
    (RANDOMIZED, 4, "Answer: ◦ u64y1a9apusmslxb object_0  then  ◦ j4gv801gnu2it0yj object_0 object_1",
     "(u64y1a9apusmslxb o0)(j4gv801gnu2it0yj o0 o1)"),
    (MYSTERY, 4, "**Answer:**\n\n▪ Attack c then ▪ Overcome c from a", "(attack c)(overcome c a)"),
    (MYSTERY, 4, "**Answer:** • Feast b from c • Overcome b from d", "(feast b c)(overcome b d)"),
]
ACTION_SUB_BULLET = [  # an 'Action:' sub-bullet restating its step
    (BLOCKSWORLD, 4, "1. **Unstack the red block from the blue block**\n   - **Preconditions:** the red block is clear.\n"
     "   - **Action:**\n     - Unstack the red block from on top of the blue block.\n   - **Result:** holding red.\n"
     "2. **Put down the red block**\n   - **Action:** Put down the red block on the table.",
     "(unstack a b)(put-down a)"),
    (RANDOMIZED, 4, "1. **wio5amhq7814n006 object_0 object_2**\n   - *Preconditions:*\n     - tv30k33pzoulql6w object_0\n"
     "   - *Action:*\n     - Perform wio5amhq7814n006 object_0 object_2.\n\n2. **kip9uw781pv62umn object_0**\n"
     "   - *Action:*\n     - Perform kip9uw781pv62umn object_0.",
     "(wio5amhq7814n006 o0 o2)(kip9uw781pv62umn o0)"),
]
NEGATED_FACTS = [  # state lists after the plan with negated facts: not a refusal
    (MYSTERY, 4, "1. Attack object c\n2. Overcome object c from object a\n\n**State after step 2:**\n- Harmony\n"
     "- No Planet object c\n- No Pain object c\n- Not Province object a", "(attack c)(overcome c a)"),
    (MYSTERY, 4, "### Plan\n1. Feast object b from object d\n2. Succumb object b\n\n### Resulting State\n"
     "- **No Planet object d**\n- **No Harmony** after step 1", "(feast b d)(succumb b)"),
    (BLOCKSWORLD, 4, "1. Unstack the blue block from the red block\n2. Put down the blue block\n\nNo planning beyond "
     "these two steps is needed.", "(unstack b a)(put-down b)"),
]
ISSUE_18_LAYOUTS = (STEP_BLOCKS + COMPACT_THEN_WALKTHROUGH + BRACKETED_INITIALS + FUNCTION_CALLS + INLINE_BULLETS
                    + ACTION_SUB_BULLET + NEGATED_FACTS)


@pytest.mark.parametrize("encoding_name, blocks, text, expected", ISSUE_18_LAYOUTS)
def test_issue_18_layouts_in_other_words(encoding_name, blocks, text, expected) -> None:
    """The shared examples' layouts in other wording, encodings and colours."""
    encoding = encodings.get(encoding_name)
    reading = extract(text, encoding, blocks)
    assert reading.failure is None
    assert "".join(encoding.action_to_pddl(a) for a in reading.plan) == expected


# ------------------------------------------------------------------ issue 18: read what is written
# (answer, the default reading, the default-lenient reading): an action is read as the model wrote
# it; a missing argument is filled only where the answer leaves one reading (the block in hand).
AS_WRITTEN = [
    # Gemini-1.5-pro's "unstack from the table": an unstack, which the validator rejects.
    ("1. Unstack the red block from the table\n2. Stack the red block on top of the blue block",
     "(unstack a table)(stack a b)", "(pick-up a)(stack a b)"),
    ("Unstack the yellow block from on top of the table, then stack it on the orange block.",
     "(unstack d table)(stack d c)", "(pick-up d)(stack d c)"),
    # No source: nothing in the answer says where red is.
    ("1. Unstack red block\n2. Put down red block", "(unstack a)(put-down a)", "(pick-up a)(put-down a)"),
    ("1. Pick up the red block\n2. Stack the red block on the table", "(pick-up a)(stack a table)", "(pick-up a)"),
    # The hand holds one block: the one reading of a step that leaves it out.
    ("1. Pick up the red block\n2. Put down", "(pick-up a)(put-down a)", "(pick-up a)(put-down a)"),
    ("1. Unstack the orange block from the blue block\n2. Stack onto the yellow block",
     "(unstack c b)(stack c d)", "(unstack c b)(stack c d)"),
    ("1. Pick up red\n2. Stack it on blue", "(pick-up a)(stack a b)", "(pick-up a)(stack a b)"),
    # Everyday verbs name a motion; its blocks say which action does it.
    ("1. Pick up the red block from the blue block\n2. Place the red block on the orange block",
     "(unstack a b)(stack a c)", "(unstack a b)(stack a c)"),
    ("Remove the yellow block from the table. Put it on the red block.", "(pick-up d)(stack d a)",
     "(pick-up d)(stack d a)"),
    # A sentence after the step is not one of its objects.
    ("7. Pick up the orange block. The orange block is now clear and on the table.", "(pick-up c)", "(pick-up c)"),
    ("1. Pick up the yellow and orange block", "(pick-up d c)", "(unstack d c)"),
    # PDDL is read as written.
    ("(pick-up a b)\n(stack a c)", "(pick-up a b)(stack a c)", "(unstack a b)(stack a c)"),
    ("(unstack b table)\n(put-down b)", "(unstack b table)(put-down b)", "(pick-up b)(put-down b)"),
]


@pytest.mark.parametrize("text, strict, lenient", AS_WRITTEN)
def test_actions_are_read_as_written(text: str, strict: str, lenient: str) -> None:
    blocksworld = encodings.get("blocksworld")
    assert "".join(blocksworld.action_to_pddl(a) for a in extract(text, blocksworld, 4).plan) == strict
    assert "".join(blocksworld.action_to_pddl(a) for a in extract(text, blocksworld, 4, lenient=True).plan) == lenient


def test_mystery_and_randomized_steps_are_kept_as_written() -> None:
    mystery, randomized = encodings.get("mystery"), encodings.get("randomized")
    assert extract("(feast a x)\n(succumb a)", mystery, 4).plan == (("unstack", "a", "x"), ("put-down", "a"))
    assert extract("(feast a x)\n(succumb a)", mystery, 4, lenient=True).plan == (("put-down", "a"),)
    assert extract("1. Feast object b\n2. Succumb object b", mystery, 4).plan == (("unstack", "b"), ("put-down", "b"))
    assert extract("1. Feast object b\n2. Succumb object b", mystery, 4, lenient=True).plan == (("put-down", "b"),)
    assert extract("wio5amhq7814n006 object_1\nkip9uw781pv62umn object_1", randomized, 4).plan == \
        (("unstack", "b"), ("put-down", "b"))


def test_a_step_as_written_fails_with_a_reason_that_says_what_is_wrong() -> None:
    """Red and blue on the table, goal red on blue: the lenient reading repairs the plan into a
    valid one; read as written it fails at step 1 and says why."""
    blocksworld = encodings.get("blocksworld")
    problem = Problem("two", ("a", "b"), (("ontable", "a"), ("ontable", "b"), ("clear", "a"), ("clear", "b"),
                                          ("handempty",)), (("on", "a", "b"),))
    text = "1. Unstack the red block from the table\n2. Stack the red block on top of the blue block"
    assert validate(problem, extract(text, blocksworld, 2, lenient=True).plan).valid
    plan = extract(text, blocksworld, 2).plan
    assert blocksworld.action_to_text(plan[0]) == "unstack the red block from on top of the table"  # as shown in reports
    result = validate(problem, plan)
    assert (result.valid, result.failure.step, result.failure.kind) == (False, 1, "unknown_object")
    for form in ("pddl", "text", "canonical"):
        assert result.message(blocksworld, form) == (
            "The plan is invalid. Step 1, (unstack a table), treats the table as a block: unstack takes a block "
            "from on top of another block; a block on the table is picked up.")
    missing = validate(problem, extract("1. Unstack red block\n2. Stack red on blue", blocksworld, 2).plan)
    assert missing.message(blocksworld) == "The plan is invalid. Step 1, (unstack a): unstack takes 2 object(s), not 1."


def test_default_lenient_is_its_own_extractor_in_scores_csv(tmp_path) -> None:
    """GPT-4's one-shot Blocksworld answers, scored both ways: exactly two plans differ, the two
    (read by hand) whose only fault is "unstack the X block from the table" (id 385: step 9; id 389:
    steps 5 and 7). Read as written they fail there, as PlanBench recorded; the lenient reading
    repairs them into valid plans, and scores.csv says which extractor made each number."""
    source = ref_path("responses", "blocksworld", "gpt-4_chat", "task_1_plan_generation.json")
    import_results(source, tmp_path / "run")
    for extractor in ("default", "default-lenient"):
        done = subprocess.run([sys.executable, "-m", "planbench", "score", str(tmp_path / "run"), "--extractor", extractor],
                              capture_output=True, text=True, timeout=300)
        assert done.returncode == 0, done.stderr
        (tmp_path / f"{extractor}.csv").write_text((tmp_path / "run" / "scores.csv").read_text())
    strict, lenient = (list(csv.DictReader((tmp_path / f"{name}.csv").open())) for name in ("default", "default-lenient"))
    assert {row["extractor"] for row in strict} == {"default"} and {row["extractor"] for row in lenient} == {"default-lenient"}
    differ = {row["id"]: (row, other) for row, other in zip(strict, lenient) if row["outcome"] != other["outcome"]}
    assert sorted(differ) == ["385", "389"]
    for row, other in differ.values():
        assert (row["outcome"], other["outcome"], row["recorded_verdict"]) == ("invalid", "valid", "False")
        assert "treats the table as a block" in row["reason"] and "(unstack" in row["reason"]
    assert float(differ["385"][0]["failing_step"]) == 9 and float(differ["389"][0]["failing_step"]) == 5
