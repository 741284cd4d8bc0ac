"""The pieces every PlanBench task shares, against PlanBench's own task files.

- the state renderer S writes every INIT and GOAL sentence of the t2 and t7 prompt files;
- the introductions (plain, with costs, Mystery's older one) open every t2, t3 and t7 prompt;
- the draws replay every t7 prefix (mode R in Blocksworld, mode H in Mystery);
- plan judging, PlanBench's way, reproduces every recorded t2 verdict and extraction.
"""

from __future__ import annotations

import re

import pytest

from planbench.prompts.statements import (domain_intro, fill_template, plan_block, state_text, statement_atoms,
                                          validation_message)
from planbench.tasks.draws import HEAD, RECORDED, SEEDED, Draws, draw_mode, random_prefix_execution
from planbench.tasks.judging import judge_plan, read_plan, readable_plan
from planbench.world import encodings
from planbench.world.validate import validate
from task_files import agreement, instance, part_and_encoding, prompt_files, records, response_files

INIT = re.compile(r"As initial conditions I have that, (.*?)\.\n")
GOAL = re.compile(r"My goal is to have that (.*?)\. I want to minimize")


@pytest.mark.parametrize("relative", prompt_files("task_2_plan_optimality") + prompt_files("task_7_plan_execution"))
def test_state_renderer_writes_every_init_and_goal_sentence(relative: str) -> None:
    part, encoding = part_and_encoding(relative)
    for record in records(relative):
        shown = [instance(part, i) for i in (*record["example_instance_ids"], record["instance_id"])]
        assert INIT.findall(record["query"]) == [state_text(i.problem.init, encoding) for i in shown]
        if "task_2" in relative:
            assert GOAL.findall(record["query"]) == [state_text(i.problem.goal, encoding) for i in shown]
    agreement(relative, len(records(relative)), len(records(relative)))


def test_state_and_statement_orders_agree_on_planbench_sets() -> None:
    """FACTS-tasks §2.3: with one-letter objects S and T list atoms in the same order."""
    for encoding in (encodings.get("blocksworld"), encodings.get("mystery")):
        for part, number in (("planbench-500", 7), ("planbench-3", 3)):
            problem = instance(part, number).problem
            assert state_text(problem.init, encoding) == statement_atoms(problem.init, encoding)


def test_state_renderer_sorts_by_planbench_names_not_by_text() -> None:
    """Mystery sorts ``craves_b_a`` < ``harmony`` < ``planet_a``: by PDDL names, so the order
    differs from the sentences' alphabetical order."""
    encoding = encodings.get("mystery")
    atoms = [("ontable", "a"), ("handempty",), ("on", "b", "a"), ("clear", "b")]
    assert state_text(atoms, encoding) == "object b craves object a, harmony, planet object a and province object b"
    assert state_text([], encoding) == "" and state_text([("handempty",)], encoding) == "harmony"


def test_plan_blocks_and_fill_template() -> None:
    encoding = encodings.get("blocksworld")
    plan = (("unstack", "a", "b"), ("put-down", "a"))
    assert plan_block(plan, encoding) == ("\nunstack the red block from on top of the blue block\n"
                                          "put down the red block\n[PLAN END]\n")
    assert plan_block((), encoding) == "\n[PLAN END]\n"
    assert plan_block(plan[:1], encoding, "[ACTION SEQUENCE END]").endswith("blue block\n[ACTION SEQUENCE END]\n")
    text = fill_template("the red block is clear ", "the red block is on top of the blue block", "")
    assert text == ("\n[STATEMENT]\nAs initial conditions I have that, the red block is clear.\nMy goal is to have "
                    "that the red block is on top of the blue block.\n\nMy plan is as follows:\n\n[PLAN]")
    assert "on the table" in fill_template("ontable", "x", None) and "What is the plan" in fill_template("a", "b", None)


@pytest.mark.parametrize("relative", prompt_files("task_2_plan_optimality") + prompt_files("task_7_plan_execution")
                         + prompt_files("task_3_plan_verification") + response_files("task_3_plan_verification"))
def test_introductions_open_every_prompt(relative: str) -> None:
    part, encoding = part_and_encoding(relative)
    kind = "cost" if "task_2" in relative else "pre-27b0c44" if "responses" in relative else "plain"
    intro = domain_intro(encoding, part, kind)
    assert all(r["query"].startswith(intro + "\n[STATEMENT]\n") for r in records(relative))


def test_older_mystery_introduction_differs_only_in_the_overcome_line() -> None:
    mystery = encodings.get("mystery")
    old, new = domain_intro(mystery, "planbench-3", "pre-27b0c44"), domain_intro(mystery, "planbench-3")
    assert [line for line in old.splitlines() if line not in new.splitlines()] == [
        "    Once Overcome action is performed the following will be true: Harmony, Pain object, Object Craves other object."]
    blocksworld = encodings.get("blocksworld")
    assert domain_intro(blocksworld, "planbench-3", "pre-27b0c44") == domain_intro(blocksworld, "planbench-3")


def test_encodings_without_texts_get_the_obfuscated_template_with_costs() -> None:
    encoding = encodings.get("randomized:7")
    cost = domain_intro(encoding, "", "cost")
    token = encoding.actions["pick-up"].capitalize()
    assert f"{token} object_0. It takes 1 minute to do the {token} action.\n" in cost
    assert cost.count("It takes 1 minute") == 4 and "It takes" not in domain_intro(encoding, "")


def _shown_prefixes(query: str) -> list[int]:
    return [block.count("\n") - 1 for block in re.findall(r"\[ACTION SEQUENCE\](.*?)\[ACTION SEQUENCE END\]", query, re.S)]


@pytest.mark.parametrize("relative", prompt_files("task_7_plan_execution"))
def test_draws_replay_every_t7_prefix(relative: str) -> None:
    """Mode R (Blocksworld) couples every prefix to all draws before it; mode H (Mystery)
    reseeds at each Executor. Both replayed from the first instance reproduce the file."""
    part, encoding = part_and_encoding(relative)
    by_query = {r["instance_id"]: _shown_prefixes(r["query"]) for r in records(relative)}
    first = instance(part, 1)
    mode = draw_mode(first, encoding)
    assert mode == (HEAD if encoding.name == "mystery" else RECORDED)
    draws = Draws(mode, "t7")
    agreed = 0
    for start in range(1, max(by_query)):
        drawn = []
        for number in (start, start + 1):
            draws.executor()
            drawn.append(random_prefix_execution(draws, len(instance(part, number).gold(encoding.name))))
        agreed += drawn == by_query[start + 1]
    assert agreed == len(by_query)
    agreement(relative, agreed, len(by_query))


def test_seeded_draws_depend_on_the_instance_only() -> None:
    one, two = instance("planbench-3", 4), instance("planbench-3", 9)
    assert draw_mode(one, encodings.get("blocksworld")) == RECORDED
    assert draw_mode(one, encodings.get("mystery"), recorded=True) == RECORDED
    assert draw_mode(one, encodings.get("blocksworld"), recorded=False) == HEAD
    first, second = Draws(SEEDED, "t7", seed=3), Draws(SEEDED, "t7", seed=3)
    first.query(one)
    a = [first.choice(range(100)) for _ in range(5)]
    second.query(two)
    second.choice(range(100))
    second.query(one)
    assert [second.choice(range(100)) for _ in range(5)] == a
    other = Draws(SEEDED, "t7", seed=4)
    other.query(one)
    assert [other.choice(range(100)) for _ in range(5)] != a
    assert random_prefix_execution(first, 1) == 1 and random_prefix_execution(first, 0) == 0


def test_validation_messages_in_planbench_words() -> None:
    """The quirks of ``get_validation_message``: one precondition has no space after
    "invalid.", several have one; no trailing newline on invalid messages."""
    encoding = encodings.get("blocksworld")
    problem = instance("planbench-3", 1).problem  # c on b on a; goal a on b, c on a
    one = validate(problem, [("pick-up", "b")])
    assert validation_message(one.failure, encoding) == (
        "The above plan is invalid. The following action at step 1 has unmet preconditions:\npick up the blue block\n"
        "The unmet preconditions are:\nthe blue block is clear and the blue block is on the table")
    single = validate(problem, [("unstack", "c", "b"), ("put-down", "c"), ("stack", "a", "c")])
    assert validation_message(single.failure, encoding) == (
        "The above plan is invalid.The following action at step 3 has an unmet precondition:\n"
        "stack the red block on top of the orange block\nThe unmet precondition is:\nthe hand is currently holding red block")
    goal = validate(problem, [("unstack", "c", "b")])
    assert validation_message(goal.failure, encoding) == (
        "The above plan is invalid. These are the unmet goal conditions:\n"
        "the red block is on top of the blue block and the orange block is on top of the red block")
    assert validation_message(None, encoding) == "The above plan is valid.\n"


@pytest.mark.parametrize("relative", response_files("task_2_plan_optimality"))
def test_planbench_plan_judging_reproduces_recorded_t2_verdicts(relative: str) -> None:
    part, encoding = part_and_encoding(relative)
    agreed = default_agreed = 0
    for record in records(relative):
        query = instance(part, record["instance_id"])
        row = judge_plan(record["llm_raw_response"], query.problem, encoding, "planbench", query.length,
                         require_optimal=True)
        plan, _ = read_plan(record["llm_raw_response"], encoding, query.blocks, "planbench")
        assert readable_plan(plan, encoding) == record["extracted_llm_plan"], record["instance_id"]
        agreed += row["correct"] == record["llm_correct"]
        default = judge_plan(record["llm_raw_response"], query.problem, encoding, "default", query.length, True)
        default_agreed += default["correct"] == record["llm_correct"]
    assert agreed == len(records(relative))
    agreement(relative + " (planbench)", agreed, len(records(relative)))
    agreement(relative + " (default)", default_agreed, len(records(relative)))
