"""PlanBench's own rule-based extractors, reproduced exactly (``planbench-rule*``, ``planbench-pddl``).

PlanBench's published verdicts depend on how text became a plan (FACTS.md §5): its rule
parser changed over time, and each generation left its mark on released files. These
functions reproduce each generation so that published rule-based numbers can be
re-derived; the default extractor for free-form answers is :mod:`planbench.answers.extract`.

Every extractor returns canonical actions (``("stack", "a", "b")``); the validator then
judges them exactly as VAL would have judged PlanBench's extracted plan file.
"""

from __future__ import annotations

from planbench.world import blocks as world
from planbench.world.encodings import Encoding

Action = tuple

# FACTS.md §5.1-5.2: HEAD (2025) cuts at "### plan:" / [PLAN] ... [PLAN END] and strips
# "*"; a 2024 variant strips "*" without cutting; the 2023 parser does neither.
RULE_GENERATIONS = ("2025", "2024", "2023")


def _object_names(encoding: Encoding, blocks: int) -> list[tuple[str, str]]:
    """(NL name, canonical block) in ``encoded_objects`` order: a, b, c, ..."""
    return [(encoding.object_to_text(world.block_name(i)), world.block_name(i)) for i in range(blocks)]


def _action_phrases(encoding: Encoding) -> list[tuple[str, str]]:
    """PlanBench's ``AD``: the first word of each action's template, or the action's PDDL
    name with '-' as ' ' when that word is part of it ("pick up" for pick-up)."""
    phrases = []
    for action in world.ACTIONS:
        name = encoding.actions[action]
        word = encoding.action_text[action].split(" ")[0]
        phrases.append((name, name.replace("-", " ") if word in name else word))
    return phrases


def planbench_rule(text: str, encoding: Encoding, blocks: int = 12, generation: str = "2025") -> list[Action]:
    """PlanBench's rule-based NL parser (``text_to_plan_blocksworld``), one generation.

    Keyword-as-token action detection, object names found by substring and ordered by
    position, one action per line, lines with the wrong number of objects dropped; no
    deduplication, so a restated plan is parsed twice (FACTS.md §5.1 steps 1-11).
    ``blocks`` is how many object names PlanBench's config listed (12 for its sets).
    """
    if generation not in RULE_GENERATIONS:
        raise ValueError(f"unknown rule-parser generation {generation!r}: {', '.join(RULE_GENERATIONS)}")
    text = text.lower().strip()
    if generation == "2025":
        if "### plan:" in text:
            text = text.split("### plan:", 1)[1]
        if "[plan]" in text:
            text = text.split("[plan]", 1)[1]
            if "[plan end]" in text:
                text = text.split("[plan end]", 1)[0]
    for name, phrase in _action_phrases(encoding):
        text = text.replace(phrase, name)
    names = _object_names(encoding, blocks)
    order = [encoding.actions[a] for a in world.ACTIONS]  # the domain file's order
    plan: list[Action] = []
    for line in text.split("\n"):
        line = line.strip()
        if generation != "2023":
            line = line.replace("*", "")
        tokens = line.split()
        found = next((a for a in order if a in tokens), None)
        if found is None:
            continue
        positions = sorted((line.index(n), block) for n, block in names if n in line)
        action = encoding.action_from_pddl(found)
        if len(positions) != world.ACTION_ARITY[action]:
            continue
        plan.append((action, *(block for _, block in positions)))
    return plan


def planbench_pddl(text: str, encoding: Encoding) -> list[Action]:
    """PlanBench's PDDL-answer extraction (``save_gpt3_response``, FACTS.md §5.4): on each
    line up to one with [PLAN END], the text between the first '(' and the first ')',
    kept when its first word is an action of the domain. Arguments are kept as written,
    so a wrong arity or an unknown object reaches the validator, as it reached VAL."""
    plan: list[Action] = []
    for line in text.split("\n"):
        if "[PLAN END]" in line:
            break
        if "(" not in line or ")" not in line:
            continue
        inner = line[line.index("(") + 1: line.index(")")] if line.index("(") < line.index(")") else ""
        words = inner.split()
        if not words:
            continue
        action = encoding.action_from_pddl(words[0].lower())
        if action is None:
            continue
        plan.append((action, *(encoding.object_from_pddl(w.lower()) for w in words[1:])))
    return plan


def readable_plan(plan: list[Action] | tuple[Action, ...], encoding: Encoding) -> str:
    """The rule parser's *readable* output, which PlanBench's recorded task files store as
    ``extracted_llm_plan`` (FACTS-tasks.md §2.5): the PDDL action name and each object's text
    name without " block" ("(stack red orange)", "(feast object a object b)"), one a line."""
    return "".join("(" + " ".join([encoding.actions[a[0]], *(encoding.object_to_text(b).replace(" block", "")
                                                              for b in a[1:])]) + ")\n" for a in plan)
