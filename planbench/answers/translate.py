"""PlanBench's LLM extraction: ask a model (GPT-4o in PlanBench) to translate an answer
into a PDDL plan, then post-process it exactly as PlanBench did (FACTS.md §5.3).

This is how PlanBench scored its reasoning-model results; it is reported under its own
extractor name, ``planbench-llm`` (or ``planbench-llm-parens``, the post-processing of
the LLaMA-3.1-405B file). Recorded translations (``raw_translation`` in
PlanBench's files) are reused without a call, as PlanBench itself did, so re-scoring
released files is deterministic; new translations are requested by
:mod:`planbench.run.translations` (this module sends nothing).
"""

from __future__ import annotations

import re
from pathlib import Path

from planbench.world import blocks as world
from planbench.world.encodings import Encoding

PROMPT = (Path(__file__).with_name("translation_prompt.txt")).read_text()
BLOCKSWORLD_NAMES = {"unstack": "unstack", "stack": "stack", "pick-up": "pick-up", "put-down": "put-down",
                     "pickup": "pick-up", "putdown": "put-down", "put_down": "put-down", "pick_up": "pick-up"}


def translation_query(answer: str) -> str:
    return PROMPT + "\n\n[RAW TEXT]\n" + answer + "\n\n[PDDL PLAN]"


def postprocess(translation: str, encoding: Encoding, parens_only: bool = False) -> list[tuple]:
    """PlanBench's post-processing of a translation into canonical actions.

    ``parens_only`` is the other version seen in the released files (extractor
    ``planbench-llm-parens``): for Blocksworld it reads only lines that begin with ``(``
    and keeps digits, so ``1. (unstack red blue)`` and prose steps are dropped. It
    reproduces every stored plan of the LLaMA-3.1-405B file (500/500), where §5.3's
    rule reproduces 467; the o1-mini files need §5.3's rule (it reads the prose steps)."""
    if "[PDDL PLAN]" in translation:
        plan = translation.split("[PDDL PLAN]")[1].split("[PDDL PLAN END]")[0].strip()
    else:
        plan = translation.split("[PDDL PLAN END]")[0].strip()
    plan = plan.lower()
    if encoding.name == "blocksworld":
        lines = _blocksworld_lines(plan, encoding, parens_only)
    elif encoding.name == "mystery":
        lines = []
        for line in plan.replace("object_", "").split("\n"):
            if "no plan possible" in line:
                lines.append("(no plan possible)")
                continue
            line = re.sub(r"\d", "", line.replace(".", "").replace("*", "")).strip()
            if line.startswith("(") and "pddl plan" not in line:
                lines.append("(" + line.strip("()") + ")")
    else:
        lines = []
        for line in plan.replace("object_", "o").split("\n"):
            line = line.replace(".", "").strip()
            if "no plan possible" in line:
                lines.append("(no plan possible)")
            elif line.startswith("("):
                lines.append(line)
    actions = []
    for line in lines:
        words = line.strip("()").split()
        if not words:
            continue
        name = encoding.action_from_pddl(words[0])
        actions.append((name if name else "?" + words[0], *(encoding.object_from_pddl(w) for w in words[1:])))
    return actions


def _blocksworld_lines(plan: str, encoding: Encoding, parens_only: bool = False) -> list[str]:
    colours = encoding.data["objects"]["compact"]
    lines = []
    for line in plan.split("\n"):
        if parens_only and not line.strip().startswith("("):
            continue
        line = line.replace("(", "").replace(")", "").replace(".", "")
        line = (line if parens_only else re.sub(r"\d", "", line)).strip()
        if not line or line == "no plan possible":
            continue
        name, *tokens = line.split()
        if name not in BLOCKSWORLD_NAMES:
            continue
        objects = []
        for token in tokens:
            letter = next((world.block_name(i) for i, c in enumerate(colours) if c in token), None)
            if letter:
                objects.append(letter)
        lines.append("(" + " ".join([BLOCKSWORLD_NAMES[name], *objects]) + ")")
    return lines
