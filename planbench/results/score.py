"""Judge every answer of a run: one row per (instance, sample) in ``scores.csv``.

Outcomes never mix infrastructure failures into model failures (DESIGN.md):
``no_response`` (nothing came back), ``truncated`` (the token limit cut the answer),
``unparseable`` (no plan could be read), ``invalid`` (with the failing step and why, or
the unmet goal), ``valid`` (with ``optimal`` and the excess steps). Accuracy is valid /
answered (everything but no_response), with a Wilson 95% interval.
"""

from __future__ import annotations

import math
import sys
from pathlib import Path

from planbench.world import encodings
from planbench.errors import InputError
from planbench.answers import Extraction, extract, planbench_pddl, planbench_rule
from planbench.sets.instances import load_set
from planbench.runs import RESPONSES_FILE, Run, read_responses
from planbench.answers.translate import postprocess
from planbench.world.validate import validate

EXTRACTORS = ("default", "default-lenient", "planbench-rule", "planbench-rule-2024", "planbench-rule-2023",
              "planbench-pddl", "planbench-llm", "planbench-llm-parens")
LLM_EXTRACTORS = ("planbench-llm", "planbench-llm-parens")
NO_PLAN_MARK = "no plan possible"
OUTCOMES = ("valid", "invalid", "unparseable", "truncated", "no_response", "refused", "false_plan", "false_refusal")
COLUMNS = ["set", "part", "id", "sample", "round", "final", "encoding", "style", "model", "strategy", "blocks",
           "optimal_length", "solvable",
           "outcome", "correct", "plan_length", "valid", "optimal", "excess_steps", "failing_step", "failure_kind",
           "reason",
           "extracted_plan", "candidates", "ambiguous", "extractor", "recorded_verdict", "prompt_tokens",
           "completion_tokens", "reasoning_tokens", "cost", "live_cost", "latency", "cum_output_tokens", "cum_cost"]
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
    if extractor in ("default", "default-lenient"):  # lenient: repairs the default does not make (answers.steps)
        result = extract(text, encoding, blocks, lenient=extractor == "default-lenient")
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
        cost = None if cost is None or response.get("cost") is None else cost + response["cost"]
        spent[conversation] = (tokens, cost)
        row = {"set": info["set"], "part": part, "id": instance.id, "sample": response.get("sample", 0),
               "round": key[3], "final": key[3] == last_round[conversation],
               "encoding": encoding.name, "style": info.get("style"), "model": info.get("model"),
               "strategy": info.get("strategy", "single"),
               "blocks": instance.blocks, "optimal_length": instance.length, "extractor": extractor,
               "recorded_verdict": (response.get("recorded") or {}).get("verdict"),
               **{k: (response.get("usage") or {}).get(k) for k in USAGE},
               "cost": response.get("cost"), "live_cost": response.get("live_cost", response.get("cost")),
               "latency": response.get("latency"),
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


def write_scores(rows: list[dict], path: Path) -> None:
    import pandas as pd

    pd.DataFrame(rows).reindex(columns=COLUMNS).to_csv(path, index=False)


def wilson(successes: int, n: int, z: float = 1.96) -> tuple[float, float]:
    """Wilson score interval for a proportion (95% by default)."""
    if n == 0:
        return (math.nan, math.nan)
    p = successes / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n)
    # At p = 0 or 1 the bounds equal p exactly in arithmetic but not always in floating point.
    return (max(0.0, min(p, centre - half)), min(1.0, max(p, centre + half)))


def summarise(rows: list[dict], by: list[str] | None = None):
    """Accuracy table (pandas DataFrame): n, counts per outcome, accuracy and its interval,
    optimal rate; grouped by any columns (optimal_length, blocks, encoding, model...).
    With several samples per instance, accuracy is per answer (pass@1) and ``pass_at_k``
    the share of instances with at least one valid plan among their k samples."""
    import pandas as pd

    frame = final_rows(pd.DataFrame(rows).reindex(columns=COLUMNS))
    groups = frame.groupby(by, dropna=False) if by else [((), frame)]
    out = []
    for key, group in groups:
        key = key if isinstance(key, tuple) else (key,)
        counts = group["outcome"].value_counts()
        answered = int(len(group) - counts.get("no_response", 0))
        valid = int(counts.get("valid", 0))
        correct = valid + int(counts.get("refused", 0))
        low, high = wilson(correct, answered)
        entry = dict(zip(by or [], key))
        entry.update(n=len(group), answered=answered, **{o: int(counts.get(o, 0)) for o in OUTCOMES},
                     correct=correct, accuracy=correct / answered if answered else math.nan, ci_low=low, ci_high=high,
                     optimal=int(group["optimal"].fillna(False).astype(bool).sum()))
        entry.update(_refusal_rates(group))
        samples = group.groupby(["part", "id"], dropna=False)["correct"]
        if samples.size().max() > 1:  # several samples per instance: pass@k over instances
            per_instance = samples.agg(lambda v: bool(v.fillna(False).astype(bool).any()))
            entry.update(instances=len(per_instance), samples=int(samples.size().max()),
                         pass_at_k=float(per_instance.mean()))
            entry["ci_low"], entry["ci_high"] = clustered_interval(group)
        if group["cost"].notna().any():  # priced runs: what the answers cost, and per valid plan
            cost = float(group["cost"].fillna(0).sum())
            entry.update(cost=cost, cost_per_answer=cost / len(group), cost_per_valid=cost / valid if valid else math.nan,
                         **{k: int(group[k].fillna(0).sum()) for k in USAGE})
        if "live_cost" in group and group["live_cost"].notna().any():  # batch answers: the same at live prices
            entry["cost_live"] = float(group["live_cost"].fillna(0).sum())
        if group["recorded_verdict"].notna().any():
            recorded = group["recorded_verdict"].dropna().astype(bool)
            entry["recorded_accuracy"] = recorded.sum() / len(group)
            entry["agreement"] = (recorded == group.loc[recorded.index, "correct"].fillna(False).astype(bool)).mean()
        out.append(entry)
    return pd.DataFrame(out)


def clustered_interval(group) -> tuple[float, float]:
    """A 95% interval for accuracy when each instance has several answers: they are not
    independent (an instance one sample gets right, the others mostly get right too), so
    the interval is Wilson's at the effective number of answers, n p(1-p) / (the variance
    of the mean estimated with instances as clusters), never more than the answers and never
    fewer than the instances' count when every instance agrees with itself."""
    answered = group[group["outcome"] != "no_response"]
    right = answered["correct"].fillna(False).astype(bool)
    n = len(answered)
    if n == 0:
        return (math.nan, math.nan)
    p = right.mean()
    per_instance = right.groupby([answered["part"], answered["id"]], dropna=False).agg(["sum", "count"])
    m = len(per_instance)
    if m < 2:
        return wilson(int(right.sum()), n)
    residuals = per_instance["sum"] - p * per_instance["count"]
    variance = m / (m - 1) * float((residuals ** 2).sum()) / n ** 2
    effective = min(n, p * (1 - p) / variance) if variance > 0 and 0 < p < 1 else m
    return _wilson_fraction(p, max(effective, 1.0))


def _wilson_fraction(p: float, n: float, z: float = 1.96) -> tuple[float, float]:
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n)
    return (max(0.0, min(p, centre - half)), min(1.0, max(p, centre + half)))


def final_rows(frame):
    """Each conversation's last turn (every row of a run without follow-ups): the answer a
    strategy ends with. Rows written before rounds existed count as final."""
    if "final" not in frame or frame["final"].isna().all():
        return frame
    return frame[frame["final"].map(lambda v: v is not False and v != "False")]


def by_round(rows: list[dict]):
    """Accuracy after 0, 1, ..., N follow-up rounds (a conversation that ended earlier keeps
    its last answer), with the mean output tokens and cost per conversation spent so far:
    back-prompting's and revision's curve of accuracy against effort."""
    import pandas as pd

    frame = pd.DataFrame(rows).reindex(columns=COLUMNS)
    frame = frame[frame["round"].notna()]
    if frame.empty:
        return pd.DataFrame()
    frame["round"] = frame["round"].astype(int)
    out = []
    for round_ in range(int(frame["round"].max()) + 1):
        upto = frame[frame["round"] <= round_]
        latest = upto.sort_values("round").groupby(["part", "id", "sample"], dropna=False).tail(1)
        answered = latest[latest["outcome"] != "no_response"]
        correct = int(answered["correct"].fillna(False).astype(bool).sum())
        low, high = wilson(correct, len(answered))
        out.append({"round": round_, "answered": len(answered), "correct": correct,
                    "accuracy": correct / len(answered) if len(answered) else math.nan, "ci_low": low, "ci_high": high,
                    "output_tokens": float(latest["cum_output_tokens"].fillna(0).mean()),
                    "cost": float(latest["cum_cost"].mean()) if latest["cum_cost"].notna().any() else math.nan})
    return pd.DataFrame(out)


def vote_curve(rows: list[dict], most_subsets: int = 2000, seed: int = 0):
    """Majority-vote accuracy for k = 1..K answers per instance, estimated from the K
    answers as the mean over their subsets of size k (all of them, or ``most_subsets``
    drawn at random when there are more). The vote is over plans compared after
    extraction, in canonical actions; a refusal is a plan of its own; ties go to the plan
    that came first (lowest sample)."""
    import itertools
    import random

    import pandas as pd

    frame = final_rows(pd.DataFrame(rows).reindex(columns=COLUMNS))
    frame = frame[frame["outcome"] != "no_response"]
    if frame.empty:
        return pd.DataFrame()
    rng = random.Random(seed)
    per_instance = []
    for _, group in frame.sort_values("sample").groupby(["part", "id"], dropna=False):
        answers = [(_vote_key(r), bool(r["correct"]), float(r["cum_output_tokens"] or 0),
                    float(r["cum_cost"]) if r["cum_cost"] == r["cum_cost"] and r["cum_cost"] is not None else math.nan)
                   for _, r in group.iterrows()]
        per_instance.append(answers)
    largest = max(len(a) for a in per_instance)
    out = []
    for k in range(1, largest + 1):
        hits, tokens, cost, instances = 0.0, 0.0, 0.0, 0
        for answers in per_instance:
            if len(answers) < k:
                continue
            total = math.comb(len(answers), k)
            subsets = (itertools.combinations(range(len(answers)), k) if total <= most_subsets
                       else (tuple(sorted(rng.sample(range(len(answers)), k))) for _ in range(most_subsets)))
            right = count = 0
            for subset in subsets:
                right += _majority_is_correct([answers[i] for i in subset])
                count += 1
            hits += right / count
            tokens += sum(a[2] for a in answers) / len(answers) * k
            cost += sum(a[3] for a in answers) / len(answers) * k
            instances += 1
        out.append({"k": k, "instances": instances, "accuracy": hits / instances if instances else math.nan,
                    "output_tokens": tokens / instances if instances else math.nan,
                    "cost": cost / instances if instances else math.nan})
    return pd.DataFrame(out)


def _vote_key(row) -> str:
    if row["outcome"] in ("refused", "false_refusal"):
        return "refusal"
    return str(row["extracted_plan"]) if row["extracted_plan"] == row["extracted_plan"] else f"none:{row['outcome']}"


def _majority_is_correct(answers: list[tuple]) -> bool:
    counts: dict[str, int] = {}
    for answer in answers:
        counts[answer[0]] = counts.get(answer[0], 0) + 1
    best = max(counts.values())
    winner = next(answer[0] for answer in answers if counts[answer[0]] == best)  # the first of the most common
    return next(answer[1] for answer in answers if answer[0] == winner)


def _refusal_rates(group) -> dict:
    """On problems with no plan: the share of answers that refuse (right) and that give a
    plan anyway; on solvable problems, the share that refuse (wrongly). Only when the
    group has problems with no plan, or refusals."""
    solvable = group["solvable"].map(lambda v: v is not False and v == v)
    unsolvable = group[~solvable & (group["outcome"] != "no_response")]
    solved = group[solvable & (group["outcome"] != "no_response")]
    out = {}
    if len(unsolvable):
        out["refusal_rate"] = float((unsolvable["outcome"] == "refused").mean())
        out["false_plan_rate"] = float((unsolvable["outcome"] == "false_plan").mean())
    if len(unsolvable) or (group["outcome"] == "false_refusal").any():
        out["false_refusal_rate"] = float((solved["outcome"] == "false_refusal").mean()) if len(solved) else math.nan
    return out
