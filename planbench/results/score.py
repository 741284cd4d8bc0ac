"""Judge every answer of a run: one row per (instance, sample) in ``scores.csv``.

Outcomes never mix infrastructure failures into model failures (DESIGN.md):
``no_response`` (nothing came back), ``truncated`` (the token limit cut the answer),
``unparseable`` (no plan could be read), ``invalid`` (with the failing step and why, or
the unmet goal), ``valid`` (with ``optimal`` and the excess steps). For task 1 a right answer
is a valid plan (or a refusal where none exists); for tasks 2-8 the task's headline verdict
``correct`` (t3 and t7 answers are ``correct`` / ``incorrect``, not plans), each answer read
both ways. What the rows add up to (accuracy, intervals, cost) is :mod:`planbench.results.metrics`.
"""

from __future__ import annotations

import sys
from pathlib import Path

from planbench.world import encodings
from planbench.errors import InputError
from planbench.kept_sets import run_set, set_location
from planbench.results.texts import latest_answers
from planbench.runs import PROMPTS_FILE, RESPONSES_FILE, Run, asked_prompts, read_responses
from planbench.tasks import canonical
from planbench.tasks import records as tasks
# Task 1's judging lives with task 1 (planbench/tasks/t1_generation.py); its names stay here too.
from planbench.tasks.t1_generation import (EXTRACTORS, LLM_EXTRACTORS, NO_PLAN_MARK, judge,  # noqa: F401
                                           read_answer, read_plan, rule_reading)

OUTCOMES = ("valid", "invalid", "unparseable", "truncated", "no_response", "refused", "false_plan", "false_refusal")
# Verdict and state tasks (t3, t7) say correct / incorrect where plan tasks say valid / invalid.
VERDICT_OUTCOMES = ("correct", "incorrect")
COLUMNS = ["set", "part", "id", "sample", "round", "final", "encoding", "style", "task", "model", "strategy", "blocks",
           "optimal_length", "solvable",
           "outcome", "correct", "plan_length", "valid", "optimal", "excess_steps", "failing_step", "failure_kind",
           "reason",
           "extracted_plan", "candidates", "ambiguous", "extractor", "recorded_verdict", "prompt_tokens",
           "completion_tokens", "reasoning_tokens", "cost", "live_cost", "cached", "latency", "cum_output_tokens", "cum_cost"]
USAGE = ("prompt_tokens", "completion_tokens", "reasoning_tokens")


def score_run(run: Run, extractor: str | None = None, translator: dict | None = None,
              task: str | None = None) -> list[dict]:
    """Rows for every answer of a run; answers that cannot be joined are reported, not lost.

    The run's task (run.json ``task``, default t1) judges each answer: task 1 against the
    instance's own problem, as always; tasks 2-8 against the truth of the prompt it
    answered, the task's prompts built again from the run's settings and joined by (part,
    id), each answer read both ways (``extractor``, and the other reading beside it in
    ``other_correct`` / ``other_reason``). ``translator`` (model, base_url, api_key_env,
    cache_dir) serves ``planbench-llm`` for answers without a recorded translation. ``task``
    names the task of a run whose run.json does not (answers gathered elsewhere); a run that
    records another task is refused in one line (its answers answer other questions)."""
    info = run.info
    if task is not None:
        recorded, task = canonical(info.get("task") or "t1"), canonical(task)
        if "task" in info and recorded != task:
            raise InputError(str(run.folder / "run.json"), 0, f"this run asked {recorded}'s questions; its answers "
                             f"cannot be judged as {task}'s")
        info = dict(info, task=task)
    task = tasks.get(info.get("task"))
    extractor = extractor or info.get("extractor") or "default"
    if extractor not in task.extractors:
        raise InputError(extractor, 0, f"unknown extractor for {task.name} ({task.title}); choose one of: "
                         + ", ".join(task.extractors))
    encoding = encodings.get(info["encoding"])
    responses = read_responses(run)
    if not responses:
        raise InputError(str(run.folder / RESPONSES_FILE), 0, "no answers to score (missing, empty, or no readable line)")
    if task.name == "t1":
        instance_set = run_set(run)
        asked = None
    else:
        asked = tasks.by_instance(task, set_location(run), encoding.name, tasks.run_options(info))
        _check_asked(run, asked)
    latest = latest_answers(responses, info["set"])
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
    for key, response in sorted(latest.items(), key=lambda item: _answer_order(item[0])):
        part = response.get("part") or info["set"]
        prompt = asked.get((part, int(response["id"]))) if asked is not None else None
        instance = prompt.instance if prompt is not None else (
            instance_set.find(part, int(response["id"])) if asked is None else None)
        if instance is None:
            strangers.append(f"{part}/{response['id']}")
            continue
        conversation = key[:3]
        tokens, cost = spent.get(conversation, (0, 0.0))
        tokens += int((response.get("usage") or {}).get("completion_tokens") or 0)
        cost = None if cost is None or turn_cost(response) is None else cost + turn_cost(response)
        spent[conversation] = (tokens, cost)
        recorded = response.get("recorded") or {}
        row = {"set": info["set"], "part": part, "id": instance.id, "sample": response.get("sample", 0),
               "round": key[3], "final": key[3] == last_round[conversation],
               "encoding": encoding.name, "style": info.get("style"), "task": task.name, "model": info.get("model"),
               "strategy": info.get("strategy", "single"),
               "blocks": instance.blocks, "optimal_length": instance.length, "extractor": extractor,
               "recorded_verdict": recorded.get("verdict"),
               **{k: (response.get("usage") or {}).get(k) for k in USAGE},
               "cost": response.get("cost"), "live_cost": response.get("live_cost", response.get("cost")),
               "cached": response.get("cached"), "latency": response.get("latency"),
               "cum_output_tokens": tokens, "cum_cost": cost}
        if prompt is None:
            row.update(judge(response, instance, run.encoding_for(part), rule_reading(extractor), translations.get(key)))
        else:
            row.update(_judge_task(task, response, prompt, encoding, extractor), solvable=instance.solvable)
            row.update({f"recorded_{name}": value for name, value in (recorded.get("verdicts") or {}).items()})
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


def _judge_task(task, response: dict, prompt, encoding, extractor: str) -> dict:
    """A task 2-8 answer read both ways: the columns of ``extractor``'s reading, and the
    other reading's verdict and reason beside them (where they differ, ``planbench show``
    says why and the report counts how often)."""
    row = task.judge_response(response, prompt, encoding, extractor)
    other = task.judge_response(response, prompt, encoding, "planbench" if extractor == "default" else "default")
    row["other_correct"] = bool(other.get("correct"))
    row.update({f"other_{k}": v for k, v in other.items() if k.startswith("correct_")})  # t3's further verdicts
    row["other_reason"] = other.get("reason")
    return row


def _check_asked(run: Run, built: dict) -> None:
    """One line when the prompts a run recorded (prompts.jsonl) are not the prompts this
    version builds: the answers are judged against this version's truth."""
    asked = {(part, number): text for (part, number, _), text in asked_prompts(run.folder).items()}
    differ = tasks.differing(asked, built)
    if differ:
        print(f"planbench: {run.folder / PROMPTS_FILE}: {len(differ)} of {len(asked)} recorded prompt(s) differ from "
              f"the prompts this version builds (first: {differ[0][0]}/{differ[0][1]}); judged against this "
              "version's truth", file=sys.stderr)


def columns_of(rows) -> list[str]:
    """scores.csv's columns: :data:`COLUMNS`, then those a task adds (t3's correct_type,
    t7's states...), in the order its rows give them."""
    keys = rows.columns if hasattr(rows, "columns") else (k for row in rows for k in row)
    extra = dict.fromkeys(k for k in keys if k not in COLUMNS)
    return COLUMNS + list(extra)


# Counts: whole numbers in scores.csv even where some rows have none (pandas would write 100.0).
INTEGER_COLUMNS = ("id", "sample", "round", "blocks", "optimal_length", "plan_length", "excess_steps", "failing_step",
                   "candidates", "prompt_tokens", "completion_tokens", "reasoning_tokens", "cum_output_tokens")
# Twelve significant digits: a cost of $0.000315 is written so, not 0.00031500000000000007 (sums
# of binary fractions); far below a millionth of a cent either way.
FLOAT_FORMAT = "%.12g"


def _answer_order(key: tuple) -> tuple:
    """Rows in the order a reader expects: by part, then instance and sample as numbers
    (1, 2, ..., 10, not 1, 10, 100, 2), then round; an id that is not a number after them."""
    def number(value) -> tuple:
        text = str(value)
        return (0, int(text), "") if text.isdigit() and len(text) < 30 else (1, 0, text)

    part, instance, sample, round_ = key
    return (str(part), number(instance), number(sample), round_)


def write_scores(rows: list[dict], path: Path) -> None:
    import pandas as pd

    frame = pd.DataFrame(rows).reindex(columns=columns_of(rows))
    for column in INTEGER_COLUMNS:
        if column in frame:
            frame[column] = pd.to_numeric(frame[column], errors="coerce").round().astype("Int64")
    frame.to_csv(path, index=False, float_format=FLOAT_FORMAT)
