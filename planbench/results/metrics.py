"""The one computation behind every number a paper would quote about a run: accuracy and
its interval, pass@k, the vote, cost and tokens, and whether the run is complete.

The CLI's summary line, ``summary.csv``, ``report.md``, ``report.html``, ``compare``,
``results.json`` and ``planbench.load`` all take their figures from here, so no two of them
can disagree (report.html once computed its own interval: 0.0-0.8% beside the CLI's 0.0-3.7%).

- Which answers count: each conversation's last turn (:func:`final_rows`); with
  ``--strategy vote``, the majority answer of each instance's samples (:func:`voted_rows`),
  with the per-answer accuracy beside it.
- The interval: Wilson's 95%, clustered by instance when an instance has several answers
  that count (:func:`clustered_interval`).
- Cost and tokens: every turn of every sample (a strategy's whole conversation), each
  answer at what it cost when paid, cached ones included; "paid now" apart; a model
  without a price is "cost unknown", never $0.
- Complete or not: the conversations a run asked for against those that were finished
  (:func:`completeness`), so a run stopped by ``--max-cost``, Ctrl-C or errors says so.
"""

from __future__ import annotations

import math
from collections import Counter
from typing import Sequence

from planbench.errors import InputError
from planbench.results.score import OUTCOMES, USAGE, VERDICT_OUTCOMES, columns_of
from planbench.runs import PROMPTS_FILE, Run, read_json_lines


# ------------------------------------------------------------------ intervals


def wilson(successes: int, n: int, z: float = 1.96) -> tuple[float, float]:
    """Wilson score interval for a proportion (95% by default)."""
    if n == 0:
        return (math.nan, math.nan)
    return _wilson_fraction(successes / n, n, z)


def _wilson_fraction(p: float, n: float, z: float = 1.96) -> tuple[float, float]:
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n)
    # At p = 0 or 1 the bounds equal p exactly in arithmetic but not always in floating point.
    return (max(0.0, min(p, centre - half)), min(1.0, max(p, centre + half)))


def clustered_interval(group) -> tuple[float, float]:
    """A 95% interval for accuracy when each instance has several answers: they are not
    independent (an instance one sample gets right, the others mostly get right too), so
    the interval is Wilson's at the effective number of answers, n p(1-p) / (the variance
    of the mean estimated with instances as clusters), never more than the answers and never
    fewer than the instances' count when every instance agrees with itself."""
    answered = group[group["outcome"] != "no_response"]
    right = headline(answered)
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


# ------------------------------------------------------------------ which answers count


def final_rows(frame):
    """Each conversation's last turn (every row of a run without follow-ups): the answer a
    strategy ends with. Rows written before rounds existed count as final."""
    if "final" not in frame or frame["final"].isna().all():
        return frame
    return frame[frame["final"].map(lambda v: v is not False and v != "False")]


def is_vote(frame) -> bool:
    """A run whose answer per instance is the majority of its samples (``--strategy vote``)."""
    return "strategy" in frame and bool((frame["strategy"] == "vote").any())


def voted_rows(frame):
    """One row per instance of a vote run: the answer its majority plan came from. Plans
    are compared after extraction, a refusal is a plan of its own, ties go to the plan that
    came first (lowest sample); answers that never came back do not vote (an instance
    without any keeps its first, a no_response). The same rule as :func:`vote_curve`."""
    import pandas as pd

    frame = final_rows(frame)
    if frame.empty:
        return frame
    chosen = []
    for _, group in frame.sort_values("sample", kind="stable").groupby(["part", "id"], dropna=False, sort=False):
        voters = group[group["outcome"] != "no_response"]
        if voters.empty:
            chosen.append(group.index[0])
            continue
        keys = [vote_key(outcome, plan) for outcome, plan in zip(voters["outcome"], voters["extracted_plan"])]
        chosen.append(voters.index[majority(keys)])
    return frame.loc[pd.Index(chosen)]


def judged_rows(frame):
    """The answers a run's accuracy counts: the voted answer per instance for a vote run,
    else each conversation's last turn. Tables, plots and compare all count these."""
    return voted_rows(frame) if is_vote(frame) else final_rows(frame)


# ------------------------------------------------------------------ the summary table


def summarise(rows, by: list[str] | None = None, option: str = "by"):
    """Accuracy table (pandas DataFrame), one row per group of ``by`` (optimal_length,
    blocks, encoding, model...): n, counts per outcome, accuracy and its interval
    (``interval`` names which), optimal; pass@k with several samples per instance; for a
    vote run, the per-answer figures beside the voted ones (``answer_*``); cost and tokens
    of every turn of every sample in the group (``cost_known`` False: a model without a
    price, and ``cost`` NaN)."""
    import pandas as pd

    frame = rows if isinstance(rows, pd.DataFrame) else pd.DataFrame(rows)
    frame = frame.reindex(columns=columns_of(frame))
    unknown = [column for column in by or [] if column not in frame.columns]
    if unknown:  # ``option``: what the caller called the grouping (the CLI's --by)
        raise InputError(option, 0, f"no column {', '.join(unknown)}; columns: {', '.join(frame.columns)}")
    groups = frame.groupby(by, dropna=False) if by else [((), frame)]
    out = []
    for key, group in groups:
        key = key if isinstance(key, tuple) else (key,)
        entry = dict(zip(by or [], key))
        entry.update(_accuracy(group))
        entry.update(_spend(group, entry["valid"] if task_of(group) == "t1" else entry["correct"]))
        out.append(entry)
    return pd.DataFrame(out)


def _accuracy(group) -> dict:
    """The counts and rates of the answers that count, and, with several per instance,
    pass@k and (for a vote) the per-answer figures."""
    answers = final_rows(group)
    voting = is_vote(group)
    entry = _counts(voted_rows(answers) if voting else answers)
    per_instance = answers.groupby(["part", "id"], dropna=False)["correct"]
    samples = int(per_instance.size().max()) if len(answers) else 0
    if samples > 1:  # several samples per instance: pass@k over instances
        right = per_instance.agg(lambda v: bool(v.map(_true).any()))
        entry.update(instances=len(right), samples=samples, pass_at_k=float(right.mean()))
        low, high = clustered_interval(answers)
        if voting:
            counted = _counts(answers)
            entry.update(answers=counted["answered"], answer_correct=counted["correct"],
                         answer_accuracy=counted["accuracy"], answer_ci_low=low, answer_ci_high=high)
        else:
            entry.update(ci_low=low, ci_high=high, interval="clustered by instance")
    return entry


def _counts(judged) -> dict:
    counts = judged["outcome"].value_counts()
    answered = int(len(judged) - counts.get("no_response", 0))
    correct = int(headline(judged[judged["outcome"] != "no_response"]).sum())
    low, high = wilson(correct, answered)
    entry = dict(n=len(judged), answered=answered, **{o: int(counts.get(o, 0)) for o in OUTCOMES},
                 correct=correct, accuracy=correct / answered if answered else math.nan, ci_low=low, ci_high=high,
                 interval="Wilson", optimal=int(judged["optimal"].map(_true).sum()))
    entry.update(_refusal_rates(judged))
    entry.update(_task_verdicts(judged, answered))
    if judged["recorded_verdict"].notna().any():
        recorded = judged["recorded_verdict"].dropna().map(_true)
        entry["recorded_accuracy"] = recorded.sum() / len(judged)
        entry["agreement"] = (recorded == judged.loc[recorded.index, "correct"].map(_true)).mean()
    return entry


PLAN_COUNTS = ("valid", "optimal", "invalid", "refused", "false_plan", "false_refusal")


def count_applies(task: str | None, column: str) -> bool:
    """Whether an outcome count means anything for a task's answers: the plan counts
    (valid, optimal, invalid, refusals) where the answer is a plan, correct/incorrect where
    it is a verdict or a state (t3, t7). Tables leave the others blank: a t7 run's
    "valid 0" read as if no state was right."""
    from planbench.tasks import records as tasks

    plan = tasks.get(task or "t1").answer == "plan"
    if column in VERDICT_OUTCOMES:
        return not plan
    return plan if column in PLAN_COUNTS else True


def task_of(frame) -> str:
    """The task a frame's rows answer (``t1`` for rows written before tasks existed)."""
    tasks = frame["task"].dropna() if "task" in frame else ()
    return str(tasks.iloc[0]) if len(tasks) else "t1"


def _spend(group, valid: int) -> dict:
    """Tokens and cost of every turn of every sample in the group: what the answers cost
    when paid (answers from the cache included), what was paid now, per instance and per
    valid plan; output tokens per instance. Nothing when no answer used tokens or has a cost (imported runs); cost
    unknown when an answer that used tokens has no price."""
    import pandas as pd

    usage = group[list(USAGE)].apply(pd.to_numeric, errors="coerce")
    cost = pd.to_numeric(group["cost"], errors="coerce")
    used = cost.notna() | (usage.fillna(0) > 0).any(axis=1)
    if not used.any():
        return {}
    entry: dict = {k: int(usage[k].fillna(0).sum()) for k in USAGE}
    instances = len(group[["part", "id"]].drop_duplicates())
    # The effort figure's x: output tokens an instance took, every sample and round of it.
    entry["output_tokens_per_instance"] = entry["completion_tokens"] / instances if instances else math.nan
    entry["cost_known"] = bool(cost[used].notna().all())
    if not entry["cost_known"]:
        entry["cost"] = math.nan
        return entry
    total = float(cost.fillna(0).sum())
    fresh = ~group["cached"].map(_true)
    entry.update(cost=total, cost_paid_now=float(cost[fresh].fillna(0).sum()),
                 cost_per_instance=total / instances if instances else math.nan,
                 cost_per_valid=total / valid if valid else math.nan,
                 cost_divisor=valid)  # what cost_per_valid divides by: valid plans (t1), right answers (t2-t8)
    live = pd.to_numeric(group["live_cost"], errors="coerce")
    if live.notna().any():  # batch answers: the same at live prices
        entry["cost_live"] = float(live.fillna(0).sum())
    return entry


def _refusal_rates(group) -> dict:
    """On problems with no plan: the share of answers that refuse (right) and that give a
    plan anyway; on solvable problems, the share that refuse (wrongly). Only when the
    group has problems with no plan, or refusals."""
    solvable = group["solvable"].map(lambda v: v is not False and v == v and v != "False")
    unsolvable = group[~solvable & (group["outcome"] != "no_response")]
    solved = group[solvable & (group["outcome"] != "no_response")]
    out = {}
    if len(unsolvable):
        out["refusal_rate"] = float((unsolvable["outcome"] == "refused").mean())
        out["false_plan_rate"] = float((unsolvable["outcome"] == "false_plan").mean())
    if len(unsolvable) or (group["outcome"] == "false_refusal").any():
        out["false_refusal_rate"] = float((solved["outcome"] == "false_refusal").mean()) if len(solved) else math.nan
    return out


def truths(column):
    """A verdict column as booleans: missing is False, and "True"/"False" read back from a
    CSV are what they say (not both True, as ``astype(bool)`` would have them)."""
    return column.map(_true)


def headline(frame):
    """Each row's headline verdict: its ``correct`` (the task's), or, for a row that has
    none, task 1's (a valid plan, or a refusal where no plan exists)."""
    fallback = frame["outcome"].isin(("valid", "refused"))
    return truths(frame["correct"]).where(frame["correct"].notna(), fallback)


def _task_verdicts(group, answered: int) -> dict:
    """What tasks 2-8 add to a summary, only where their rows are: the answers judged
    incorrect (t3, t7), each further verdict (t3's ``correct_type``, ``correct_explanation``:
    count and ``accuracy_type``...), the recorded ones, and how often the other reading
    gives another verdict (``readings_differ``)."""
    out: dict = {}
    asked = group[group["outcome"] != "no_response"]
    if (group["outcome"] == "incorrect").any():
        out["incorrect"] = int((group["outcome"] == "incorrect").sum())
    for column in group.columns:
        if column.startswith("correct_") and asked[column].notna().any():
            count = int(truths(asked[column]).sum())
            out[column] = count
            out["accuracy_" + column.removeprefix("correct_")] = count / answered if answered else math.nan
        if column.startswith("recorded_correct_") and asked[column].notna().any():
            out["recorded_accuracy_" + column.removeprefix("recorded_correct_")] = (
                truths(asked[column]).sum() / len(group))
    if "other_correct" in group and asked["other_correct"].notna().any():
        known = asked[asked["other_correct"].notna()]
        out["readings_differ"] = int((truths(known["other_correct"]) != truths(known["correct"])).sum())
        for column in [c for c in group.columns if c.startswith("other_correct")]:  # the other reading's verdicts
            out[column] = int(truths(asked[column]).sum())
            further = column.removeprefix("other_correct")  # t3: "_type", "_explanation"
            if further and "correct" + further in group:
                both = asked[asked[column].notna() & asked["correct" + further].notna()]
                out["readings_differ" + further] = int((truths(both[column]) != truths(both["correct" + further])).sum())
    return out


def _true(value) -> bool:
    """A boolean cell as pandas may hold it: bool, NaN, or text read back from a CSV."""
    if isinstance(value, str):
        return value.strip().lower() == "true"
    try:
        return bool(value) and bool(value == value)
    except TypeError:  # pandas' NA
        return False


# ------------------------------------------------------------------ effort: rounds and votes


def by_round(rows):
    """Accuracy after 0, 1, ..., N follow-up rounds (a conversation that ended earlier keeps
    its last answer), with the mean output tokens and cost per conversation spent so far:
    back-prompting's and revision's curve of accuracy against effort."""
    import pandas as pd

    frame = pd.DataFrame(rows)
    frame = frame.reindex(columns=columns_of(frame))
    frame = frame[frame["round"].notna()]
    if frame.empty:
        return pd.DataFrame()
    frame["round"] = frame["round"].astype(int)
    out = []
    for round_ in range(int(frame["round"].max()) + 1):
        upto = frame[frame["round"] <= round_]
        latest = upto.sort_values("round").groupby(["part", "id", "sample"], dropna=False).tail(1)
        answered = latest[latest["outcome"] != "no_response"]
        correct = int(answered["correct"].map(_true).sum())
        low, high = wilson(correct, len(answered))
        out.append({"round": round_, "answered": len(answered), "correct": correct,
                    "accuracy": correct / len(answered) if len(answered) else math.nan, "ci_low": low, "ci_high": high,
                    "output_tokens": float(latest["cum_output_tokens"].fillna(0).mean()),
                    "cost": float(latest["cum_cost"].mean()) if latest["cum_cost"].notna().all() else math.nan})
    return pd.DataFrame(out)


def vote_curve(rows, most_subsets: int = 2000, seed: int = 0):
    """Majority-vote accuracy for k = 1..K answers per instance, estimated from the K
    answers as the mean over their subsets of size k (all of them, or ``most_subsets``
    drawn at random when there are more). The vote is over plans compared after
    extraction, in canonical actions; a refusal is a plan of its own; ties go to the plan
    that came first (lowest sample)."""
    import itertools
    import random

    import pandas as pd

    frame = pd.DataFrame(rows)
    frame = final_rows(frame.reindex(columns=columns_of(frame)))
    frame = frame[frame["outcome"] != "no_response"]
    if frame.empty:
        return pd.DataFrame()
    rng = random.Random(seed)
    per_instance = []
    for _, group in frame.sort_values("sample").groupby(["part", "id"], dropna=False):
        answers = [(vote_key(r["outcome"], r["extracted_plan"]), _true(r["correct"]), float(r["cum_output_tokens"] or 0),
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


def vote_key(outcome: str, plan) -> str:
    """What a vote compares: the plan read (after extraction, so layouts do not split
    votes), a refusal as one answer of its own, an answer with no plan as its outcome."""
    if outcome in ("refused", "false_refusal"):
        return "refusal"
    return str(plan) if plan == plan and plan is not None and plan != "" else f"none:{outcome}"


def majority(keys: Sequence[str]) -> int:
    """The index of the answer a vote picks: the first (lowest sample) of the most common
    keys. planbench's one rule of the vote: the voted answers of a run, the vote curve and
    the Inspect reducer all pick with it."""
    counts = Counter(keys)
    best = max(counts.values())
    return next(index for index, key in enumerate(keys) if counts[key] == best)


def _majority_is_correct(answers: list[tuple]) -> bool:
    return answers[majority([answer[0] for answer in answers])][1]


# ------------------------------------------------------------------ complete or not


def completeness(run: Run) -> dict:
    """``planned``: the conversations a run made by ``planbench run`` asked for (its
    prompts.jsonl, within its ``--limit``); ``answered``: those finished, their last answer
    back and nothing more to send (a conversation cut off mid-way, or whose last request
    failed, is not); ``complete``. Empty for runs that do not record what they asked
    (imports of PlanBench's files)."""
    from planbench.kept_sets import set_location
    from planbench.run.strategies import make_strategy
    from planbench.run.turns import done_turns, finished

    path = run.folder / PROMPTS_FILE
    if run.info.get("imported") or not path.exists():
        return {}
    try:
        strategy = make_strategy(run.info.get("strategy") or "single", run.info.get("rounds"),
                                 bool(run.info.get("critique_unparseable")))
    except (ValueError, TypeError):
        return {}
    asked: dict[tuple, dict] = {}
    instances: list[tuple] = []
    for _, item, problem in read_json_lines(path):
        if problem is not None or not isinstance(item, dict) or not {"part", "id", "sample"} <= set(item):
            continue
        if (item["part"], item["id"]) not in instances:
            instances.append((item["part"], item["id"]))
        asked.setdefault((item["part"], item["id"], item["sample"]), item)
    limit = run.info.get("limit")
    if isinstance(limit, int) and not isinstance(limit, bool) and limit > 0:  # a resume with a smaller --limit
        kept = set(instances[:limit])
        asked = {key: item for key, item in asked.items() if key[:2] in kept}
    turns = done_turns(run.folder)
    try:
        source = set_location(run)  # back-prompting reads the instance to know whether it would go on
        answered = sum(finished({**item, "set_source": source}, key[2], turns.get(key, {}), strategy)
                       for key, item in asked.items())
    except (InputError, OSError, KeyError, ValueError, TypeError):  # back-prompting's set cannot be read from here
        return {}
    return {"planned": len(asked), "answered": answered, "complete": answered == len(asked)}


# ------------------------------------------------------------------ one run, every figure


def run_results(rows: list[dict], run: Run | None = None) -> dict:
    """Every figure quoted about one run, as plain values (NaN where there is none): the
    overall summary, by optimal length, by round, the majority-vote curve, completeness.
    ``results.json`` is this, with the run's settings and versions."""
    import pandas as pd

    results = {"task": task_of(pd.DataFrame(rows)), "results": _plain_row(summarise(rows).iloc[0].to_dict()),
               "completeness": completeness(run) if run is not None else {},
               "by_optimal_length": [_plain_row(r) for r in summarise(rows, ["optimal_length"]).to_dict("records")]}
    rounds = by_round(rows)
    if len(rounds) > 1:
        results["by_round"] = [_plain_row(r) for r in rounds.to_dict("records")]
    if results["results"].get("samples", 1) > 1:
        results["majority_vote"] = [_plain_row(r) for r in vote_curve(rows).to_dict("records")]
    return results


def _plain_row(row: dict) -> dict:
    """A row of figures as plain values; token counts as whole numbers (a column with a gap
    sums to 100.0 in pandas)."""
    out = {str(k): _plain(v) for k, v in row.items()}
    for key, value in out.items():
        if key.endswith("_tokens") and isinstance(value, float) and value.is_integer():
            out[key] = int(value)
    return out


def _plain(value):
    """numpy and pandas scalars as Python's (JSON has no int64), missing values as NaN."""
    import pandas as pd

    if hasattr(value, "item"):
        value = value.item()
    if value is None or value is pd.NA:
        return math.nan
    return value


# ------------------------------------------------------------------ one run, one line


def percent(value: float) -> str:
    return "n/a" if value is None or value != value else f"{100 * value:.1f}%"


def dollars(value: float) -> str:
    """``$0.0014``; ``$1,234`` from $100 up; below $0.0001 two significant digits (``$0.0000025``),
    as a cheap model's cost per instance is not $0.0000, which reads as free. Rounded to 10
    decimals first: the same cost summed in another order (0.0013499999999999999 or
    0.0013500000000000001) must print the same in every table."""
    if value is None or value != value:
        return "n/a"
    value = round(value, 10)
    if value >= 100:
        return f"${value:,.0f}"
    if 0 < value < 0.0001:
        return f"${value:.{1 - math.floor(math.log10(value))}f}"
    return f"${value:.4f}"


def interval_text(low: float, high: float) -> str:
    """``95% CI 16.5-35.9`` (percent), or ``no interval`` when nothing was answered."""
    return "no interval" if low != low else f"95% CI {100 * low:.1f}-{100 * high:.1f}"


def summary_line(name: str, results: dict) -> str:
    """A run in one line, as ``score``, ``run`` and ``reproduce`` print it and ``compare``
    heads its table: right / answered with the interval (the vote's, with the per-answer
    figure beside it), the outcomes, pass@k, rounds, cost, and whether it is complete."""
    o = results["results"]
    task = results.get("task") or "t1"
    what = "valid" if "refusal_rate" not in o else "right (valid plans and refusals where no plan exists)"
    if task != "t1":
        what = f"right ({task})"
    vote = o.get("answer_accuracy") is not None
    if o["answered"]:
        how = f"majority of {o['samples']} answers per instance, " if vote else ""
        line = (f"{name}: {o['correct']}/{o['answered']} {what} = {percent(o['accuracy'])} "
                f"({how}{interval_text(o['ci_low'], o['ci_high'])})")
    else:
        line = f"{name}: nothing answered, no accuracy"
    if vote:
        line += (f"; per answer {o['answer_correct']}/{o['answers']} = {percent(o['answer_accuracy'])} "
                 f"({interval_text(o['answer_ci_low'], o['answer_ci_high'])})")
    wrong = f"incorrect {o.get('incorrect', 0)}" if _says_verdicts(task, o) else f"invalid {o['invalid']}"
    line += ((f"; optimal {o['optimal']}" if task in ("t1", "t2") else "")
             + (f"; valid, not optimal {o['valid'] - o['optimal']}" if task == "t2" else "")  # wrong for t2
             + f"; {wrong}, unparseable {o['unparseable']}, truncated {o['truncated']}, no response {o['no_response']}")
    for further in ("type", "explanation"):  # t3's verdicts with the error's type, with its explanation
        if f"correct_{further}" in o:
            line += f"; with {further} {o[f'correct_{further}']}/{o['answered']}"
    if "readings_differ" in o:
        further = [f"{name.removeprefix('readings_differ_')} on {o[name]}" for name in o
                   if name.startswith("readings_differ_")]  # t3's type and explanation verdicts
        line += f"; the two readings' verdicts differ on {o['readings_differ']}" + (
            f" ({', '.join(further)})" if further else "")
    if "refusal_rate" in o:
        line += (f"; no plan exists: refused {o['refused']}, gave a plan {o['false_plan']}; "
                 f"refused a solvable problem {o['false_refusal']}")
    elif o.get("false_refusal"):
        line += f"; said no plan exists (one does) {o['false_refusal']}"
    if "recorded_accuracy" in o:
        line += f"; recorded {percent(o['recorded_accuracy'])}, agreement {percent(o['agreement'])}"
    if o.get("pass_at_k") == o.get("pass_at_k") and o.get("pass_at_k") is not None:
        line += f"; pass@{o['samples']} {percent(o['pass_at_k'])} of {o['instances']} instances"
    rounds = results.get("by_round")
    if rounds:
        first, last = rounds[0], rounds[-1]
        line += (f"; first try {first['correct']}/{first['answered']}, after {len(rounds) - 1} round(s) "
                 f"{last['correct']}/{last['answered']}")
    return line + cost_text(o, "valid plan" if task == "t1" else "right answer") + completeness_text(
        results.get("completeness") or {})


def _says_verdicts(task: str, o: dict) -> bool:
    """Whether a run's answers are verdicts or states (t3, t7: correct / incorrect), not plans."""
    from planbench.tasks import REGISTRY

    return "incorrect" in o or (task in REGISTRY and REGISTRY[task].answer != "plan")


def cost_text(o: dict, right: str = "valid plan") -> str:
    """``; cost $0.0070, $0.0018 per instance, $0.0035 per valid plan (paid now $0.0000)``."""
    if o.get("cost_known") is False:
        return "; cost unknown (no price for this model)"
    if o.get("cost") is None or o["cost"] != o["cost"]:
        return ""
    text = f"; cost {dollars(o['cost'])}, {dollars(o['cost_per_instance'])} per instance"
    if o["cost_per_valid"] == o["cost_per_valid"]:
        text += f", {dollars(o['cost_per_valid'])} per {right}"
    notes = []
    if abs(o["cost_paid_now"] - o["cost"]) > 1e-12:
        notes.append(f"paid now {dollars(o['cost_paid_now'])}")
    live = o.get("cost_live")
    if live is not None and live == live and abs(live - o["cost"]) > 1e-12:
        notes.append(f"{dollars(live)} at live prices")
    return text + (f" ({'; '.join(notes)})" if notes else "")


def completeness_text(completeness: dict) -> str:
    """``; incomplete: answered 4 of 10 (...)``, or nothing for a complete run."""
    if not completeness or completeness["complete"]:
        return ""
    return f"; {incomplete_words(completeness)} (the same command, or resume, sends the rest)"


def incomplete_words(completeness: dict) -> str:
    return f"incomplete: answered {completeness['answered']} of {completeness['planned']}"
