"""Judge every answer of a run: one row per (instance, sample) in ``scores.csv``.

Outcomes never mix infrastructure failures into model failures (DESIGN.md):
``no_response`` (nothing came back), ``truncated`` (the token limit cut the answer),
``unparseable`` (no plan could be read), ``invalid`` (with the failing step and why, or
the unmet goal), ``valid`` (with ``optimal`` and the excess steps). What the rows add up
to (accuracy, intervals, cost) is :mod:`planbench.results.metrics`.
"""

from __future__ import annotations

import sys
from pathlib import Path

from planbench.world import encodings
from planbench.errors import InputError
from planbench.answers import Extraction, extract, planbench_pddl, planbench_rule
from planbench.sets.instances import load_set
from planbench.runs import RESPONSES_FILE, Run, read_responses
from planbench.answers.translate import postprocess
from planbench.world.validate import validate

EXTRACTORS = ("default", "planbench-rule", "planbench-rule-2024", "planbench-rule-2023", "planbench-pddl",
              "planbench-llm", "planbench-llm-parens")
LLM_EXTRACTORS = ("planbench-llm", "planbench-llm-parens")
NO_PLAN_MARK = "no plan possible"
OUTCOMES = ("valid", "invalid", "unparseable", "truncated", "no_response", "refused", "false_plan", "false_refusal")
COLUMNS = ["set", "part", "id", "sample", "round", "final", "encoding", "style", "model", "strategy", "blocks",
           "optimal_length", "solvable",
           "outcome", "correct", "plan_length", "valid", "optimal", "excess_steps", "failing_step", "failure_kind",
           "reason",
           "extracted_plan", "candidates", "ambiguous", "extractor", "recorded_verdict", "prompt_tokens",
           "completion_tokens", "reasoning_tokens", "cost", "live_cost", "cached", "latency", "cum_output_tokens", "cum_cost"]
USAGE = ("prompt_tokens", "completion_tokens", "reasoning_tokens")


def read_plan(text: str, encoding, extractor: str, translation: str | None = None,
              blocks: int = 26) -> tuple[tuple, str | None]:
    """(plan, failure kind or None) with the named extractor."""
    plan, failure, _ = read_answer(text, encoding, extractor, translation, blocks)
    return plan, failure


def read_answer(text: str, encoding, extractor: str, translation: str | None = None,
                blocks: int = 26) -> tuple[tuple, str | None, Extraction | None]:
    """(plan, failure kind or None, the default extractor's full reading or None)."""
    if extractor in LLM_EXTRACTORS:
        if translation is None:
            return (), "no_translation", None
        if NO_PLAN_MARK in translation.lower():  # the translator's refusal, as PlanBench tests it
            return (), "no_plan_claimed", None
        plan = tuple(postprocess(translation, encoding, parens_only=extractor == "planbench-llm-parens"))
        return plan, (None if plan else "no_actions"), None
    if extractor == "default":
        result = extract(text, encoding, blocks)
        return result.plan, result.failure, result
    if NO_PLAN_MARK in text.lower():  # PlanBench's own refusal test (validate_plan_unsolvable)
        return (), "no_plan_claimed", None
    if extractor.startswith("planbench-rule"):
        generation = extractor.rsplit("-", 1)[1] if extractor.count("-") == 2 else "2025"
        plan = tuple(planbench_rule(text, encoding, 12, generation))
    elif extractor == "planbench-pddl":
        plan = tuple(planbench_pddl(text, encoding))
    else:
        raise InputError(extractor, 0, "unknown extractor; choose one of: " + ", ".join(EXTRACTORS))
    return plan, (None if plan else "no_actions"), None


def judge(response: dict, instance, encoding, extractor: str, translation: str | None = None) -> dict:
    """One row of scores.csv for one answer. On a problem with no plan the right answer is
    a refusal (``refused``); any plan is a ``false_plan``. On a solvable problem a refusal
    is a ``false_refusal``. ``correct`` is a valid plan, or a refusal where none exists."""
    row = _judge(response, instance, encoding, extractor, translation)
    row["solvable"] = instance.solvable
    if not instance.solvable:
        if row["outcome"] in ("valid", "invalid"):
            row.update(outcome="false_plan", valid=False, optimal=False, excess_steps=None,
                       reason="a plan for a problem that has none" + (f" ({row['reason']})" if row["reason"] else ""))
        elif row["failure_kind"] == "no_plan_claimed":
            row.update(outcome="refused", reason="said no plan exists, rightly")
    elif row["failure_kind"] == "no_plan_claimed":
        row.update(outcome="false_refusal", reason="said no plan exists, but one does")
    row["correct"] = row["outcome"] in ("valid", "refused")
    return row


def _judge(response: dict, instance, encoding, extractor: str, translation: str | None = None) -> dict:
    row = {"outcome": None, "plan_length": None, "valid": False, "optimal": False, "excess_steps": None,
           "failing_step": None, "failure_kind": None, "reason": None, "extracted_plan": None, "candidates": None,
           "ambiguous": None}
    text = response.get("text")
    if response.get("finish_reason") == "length" and not response.get("error"):
        row.update(outcome="truncated", reason="the answer hit the token limit")
        return row
    if not text or not str(text).strip():
        row.update(outcome="no_response", reason=response.get("error") or "empty answer")
        return row
    plan, failure, reading = read_answer(str(text), encoding, extractor, translation, instance.blocks)
    if reading is not None:
        row.update(candidates=len(reading.candidates), ambiguous=reading.ambiguous)
    row["extracted_plan"] = " ".join(_pddl_step(encoding, a) for a in plan) or None
    if not plan:
        row.update(outcome="unparseable", failure_kind=failure, reason=f"no plan could be read ({failure})")
        return row
    result = validate(instance.problem, plan)
    row["plan_length"] = len(plan)
    if result.valid and instance.solvable:
        row.update(outcome="valid", valid=True, optimal=len(plan) == instance.length,
                   excess_steps=len(plan) - instance.length)
    else:
        row.update(outcome="invalid", failing_step=result.failure.step, failure_kind=result.failure.kind,
                   reason=result.message(encoding, "pddl"))
    return row


def _pddl_step(encoding, action: tuple) -> str:
    """A step in the encoding's PDDL names; a step the extractor could not name (an
    unknown action from a translation) as written."""
    try:
        return encoding.action_to_pddl(action)
    except KeyError:
        return "(" + " ".join(str(part).lstrip("?") for part in action) + ")"


def score_run(run: Run, extractor: str | None = None, translator: dict | None = None) -> list[dict]:
    """Rows for every answer of a run; answers that cannot be joined are reported, not lost.

    ``translator`` (model, base_url, api_key_env, cache_dir) serves ``planbench-llm`` for
    answers without a recorded translation."""
    info = run.info
    extractor = extractor or info.get("extractor") or "default"
    if extractor not in EXTRACTORS:
        raise InputError(extractor, 0, "unknown extractor; choose one of: " + ", ".join(EXTRACTORS))
    encoding = encodings.get(info["encoding"])
    instance_set = load_set(info["set"])
    responses = read_responses(run)
    if not responses:
        raise InputError(str(run.folder / RESPONSES_FILE), 0, "no answers to score (missing, empty, or no readable line)")
    latest: dict[tuple, dict] = {}
    for response in responses:  # a resumed run appends retries: the last answer counts
        key = (response.get("part"), response.get("id"), response.get("sample", 0), int(response.get("round") or 0))
        if key not in latest or not response.get("error") or latest[key].get("error"):
            latest[key] = response
    last_round: dict[tuple, int] = {}
    for part, number, sample, round_ in latest:
        last_round[(part, number, sample)] = max(round_, last_round.get((part, number, sample), 0))
    spent: dict[tuple, tuple[int, float | None]] = {}  # per conversation: output tokens and cost so far
    translations: dict[tuple, str | None] = {}
    if extractor in LLM_EXTRACTORS:
        translations = {key: (r.get("recorded") or {}).get("raw_translation") for key, r in latest.items()}
        missing = {key: latest[key]["text"] for key, value in translations.items()
                   if value is None and latest[key].get("text")}
        if missing:
            settings = {"model": "gpt-4o", "base_url": None, "api_key_env": "OPENAI_API_KEY", "cache_dir": None,
                        **(translator or {})}
            from planbench.run.translations import translate

            translations.update(translate(missing, **settings))
    rows = []
    strangers = []
    for key, response in sorted(latest.items(), key=lambda item: tuple(str(k) for k in item[0][:3]) + (item[0][3],)):
        part = response.get("part") or info["set"]
        instance = instance_set.find(part, int(response["id"]))
        if instance is None:
            strangers.append(f"{part}/{response['id']}")
            continue
        conversation = key[:3]
        tokens, cost = spent.get(conversation, (0, 0.0))
        tokens += int((response.get("usage") or {}).get("completion_tokens") or 0)
        cost = None if cost is None or turn_cost(response) is None else cost + turn_cost(response)
        spent[conversation] = (tokens, cost)
        row = {"set": info["set"], "part": part, "id": instance.id, "sample": response.get("sample", 0),
               "round": key[3], "final": key[3] == last_round[conversation],
               "encoding": encoding.name, "style": info.get("style"), "model": info.get("model"),
               "strategy": info.get("strategy", "single"),
               "blocks": instance.blocks, "optimal_length": instance.length, "extractor": extractor,
               "recorded_verdict": (response.get("recorded") or {}).get("verdict"),
               **{k: (response.get("usage") or {}).get(k) for k in USAGE},
               "cost": response.get("cost"), "live_cost": response.get("live_cost", response.get("cost")),
               "cached": response.get("cached"), "latency": response.get("latency"),
               "cum_output_tokens": tokens, "cum_cost": cost}
        row.update(judge(response, instance, encoding, extractor, translations.get(key)))
        rows.append(row)
    if strangers:
        message = (f"{len(strangers)} answer(s) are for instances not in set {info['set']} "
                   f"({', '.join(strangers[:5])}{', ...' if len(strangers) > 5 else ''}); not scored")
        if not rows:
            raise InputError(str(run.folder / RESPONSES_FILE), 0, message)
        print(f"planbench: {run.folder / RESPONSES_FILE}: {message}", file=sys.stderr)
    return rows


def turn_cost(response: dict) -> float | None:
    """What one turn cost: its recorded cost; nothing for a request that used no tokens (a
    failed one); None (unknown) for an answer without a price, or one never priced (imported
    from PlanBench's files, which record no cost)."""
    if "cost" not in response or response["cost"] is not None:
        return response.get("cost")
    usage = response.get("usage") or {}
    return None if any(usage.get(k) for k in ("prompt_tokens", "completion_tokens")) else 0.0


def write_scores(rows: list[dict], path: Path) -> None:
    import pandas as pd

    pd.DataFrame(rows).reindex(columns=COLUMNS).to_csv(path, index=False)
