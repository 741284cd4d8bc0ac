"""Two runs on the same instances, compared as a reviewer asks: paired.

Two accuracies with overlapping intervals can still differ clearly when both runs answered
the same problems: what counts is the problems one run gets right and the other wrong.
McNemar's exact test asks whether those discordant pairs are lopsided; a paired bootstrap
(instances resampled, both runs' answers kept together) gives an interval for the
difference. Each run counts the answers its accuracy counts
(:func:`~planbench.results.metrics.judged_rows`): a vote run its majority answer per instance,
so two such runs pair instance by instance. Runs with several samples per instance pair
sample by sample; samples only one run has are left out, and said to be (:func:`pairing`
describes what is paired). Instances are the units resampled.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Paired:
    """One comparison: pairs, accuracies, the discordant counts and what they mean."""

    group: str
    pairs: int
    accuracy_a: float
    accuracy_b: float
    a_only: int  # right in A, wrong in B
    b_only: int
    p_value: float  # McNemar, exact, two-sided
    low: float  # 95% paired bootstrap interval of accuracy_a - accuracy_b
    high: float

    @property
    def difference(self) -> float:
        return self.accuracy_a - self.accuracy_b


def mcnemar_exact(a_only: int, b_only: int) -> float:
    """Two-sided exact McNemar p-value: the discordant pairs as a fair coin's tosses."""
    n = a_only + b_only
    if n == 0:
        return 1.0
    tail = sum(math.comb(n, i) for i in range(min(a_only, b_only) + 1)) / 2 ** n
    return min(1.0, 2 * tail)


@dataclass(frozen=True)
class Pairing:
    """The answers two runs are compared on, and what that leaves out, in words."""

    matched: list  # (instance, right in A, right in B, optimal length)
    pairs: str  # "pairs: ..."
    left_out: list[str]  # "12 answers of A (samples 1-2)", ...
    samples: list = field(default_factory=list)  # (A's sample, B's sample) of each matched pair: where its answers are


def pairing(rows_a: list[dict], rows_b: list[dict]) -> Pairing:
    """Pair the answers each run's accuracy counts. One per instance on both sides (one
    sample, or a vote): instance by instance. Otherwise sample i with sample i, on the
    samples both have. A pair needs an answer on both sides (no_response leaves it out)."""
    return pair_counted(counted_answers(rows_a), counted_answers(rows_b))


def pair_counted(answers_a: tuple[dict, str], answers_b: tuple[dict, str]) -> Pairing:
    """:func:`pairing` of two runs' :func:`counted_answers` (a report pairing every two of
    its runs reads each run's answers once)."""
    a, what_a = answers_a
    b, what_b = answers_b
    one_each = {s for _, _, s in a} <= {0} and {s for _, _, s in b} <= {0}
    if one_each:
        text = f"pairs: A's {what_a} with B's {what_b}, instance by instance"
        key = lambda unit: unit[:2]  # noqa: E731
    else:
        shared = sorted({s for _, _, s in a} & {s for _, _, s in b})
        text = ("pairs: sample 0 of each instance" if shared == [0] else
                f"pairs: sample i of A with sample i of B on each instance (samples {_span(shared)})")
        for side, what, other in (("A", what_a, "B"), ("B", what_b, "A")):
            if what != "answer":  # a vote beside several samples: its answer takes sample 0's place
                text = f"pairs: {side}'s {what} with {other}'s sample 0 of each instance"
        key = lambda unit: unit  # noqa: E731
    left_out = []
    if not one_each:
        for side, units in (("A", a), ("B", b)):
            extra = sorted({s for _, _, s in units} - set(shared))
            if extra:
                count = sum(1 for unit in units if unit[2] in extra)
                left_out.append(f"{count} answers of {side} (samples {_span(extra)}), which the other run does not have")
    keyed_a = {key(unit): row for unit, row in a.items()}
    keyed_b = {key(unit): row for unit, row in b.items()}
    for side, mine, theirs in (("A", keyed_a, keyed_b), ("B", keyed_b, keyed_a)):
        lonely = [k for k in mine if k not in theirs and (one_each or k[2] in shared)]
        if lonely:
            left_out.append(f"{len(lonely)} answers of {side} to instances the other run did not answer")
    both = sorted(set(keyed_a) & set(keyed_b), key=str)
    matched = [((k[0], k[1]), bool(keyed_a[k].get("correct")), bool(keyed_b[k].get("correct")),
                keyed_a[k].get("optimal_length")) for k in both]
    samples = [(_sample(keyed_a[k]), _sample(keyed_b[k])) for k in both]
    return Pairing(matched, text, left_out, samples)


def _sample(row: dict) -> int:
    sample = row.get("sample")
    return int(sample) if sample is not None and sample == sample else 0


def counted_answers(rows: list[dict]) -> tuple[dict[tuple, dict], str]:
    """The answered answers a run's accuracy counts, by (part, id, slot), and what they are
    in words. A vote's answer per instance takes slot 0."""
    import pandas as pd

    from planbench.results.metrics import is_vote, judged_rows

    frame = pd.DataFrame(rows)
    if frame.empty or "outcome" not in frame:
        return {}, "answer"
    judged = judged_rows(frame)
    judged = judged[judged["outcome"].notna() & (judged["outcome"] != "no_response")]
    if "sample" not in judged:
        judged = judged.assign(sample=0)
    if is_vote(frame):
        samples = _samples_per_instance(frame)
        units = {(r["part"], r["id"], 0): r for r in judged.to_dict("records")}
        return units, f"majority answer of {samples} per instance"
    units = {(r["part"], r["id"], _sample(r)): r for r in judged.to_dict("records")}
    return units, "answer"


def _samples_per_instance(frame) -> int:
    """Samples per instance of a run (the most any instance has)."""
    from planbench.results.metrics import final_rows

    finals = final_rows(frame)
    return int(finals.groupby(["part", "id"], dropna=False).size().max()) if len(finals) else 0


def _span(samples: list[int]) -> str:
    """[1, 2] -> "1-2"; [0, 3] -> "0, 3"."""
    if samples and samples == list(range(samples[0], samples[-1] + 1)) and len(samples) > 1:
        return f"{samples[0]}-{samples[-1]}"
    return ", ".join(str(s) for s in samples)


def compare(rows_a: list[dict], rows_b: list[dict], by_length: bool = True, resamples: int = 2000,
            seed: int = 0) -> list[Paired]:
    """The overall comparison, then one per optimal plan length (if ``by_length``)."""
    return compare_pairs(pairing(rows_a, rows_b).matched, by_length, resamples, seed)


def compare_pairs(matched: list, by_length: bool = True, resamples: int = 2000, seed: int = 0) -> list[Paired]:
    """:func:`compare` of pairs already made (:attr:`Pairing.matched`)."""
    out = [_paired("all", matched, resamples, seed)]
    if by_length:
        lengths = sorted({p[3] for p in matched if p[3] is not None and p[3] == p[3]})
        out += [_paired(f"length {int(length)}", [p for p in matched if p[3] == length], resamples, seed)
                for length in lengths]
        if any(p[3] is None or p[3] != p[3] for p in matched):
            out.append(_paired("no plan", [p for p in matched if p[3] is None or p[3] != p[3]], resamples, seed))
    return out


def _paired(group: str, matched: list, resamples: int, seed: int) -> Paired:
    n = len(matched)
    if not n:
        return Paired(group, 0, math.nan, math.nan, 0, 0, 1.0, math.nan, math.nan)
    a_only = sum(1 for _, x, y, _ in matched if x and not y)
    b_only = sum(1 for _, x, y, _ in matched if y and not x)
    accuracy_a = sum(x for _, x, _, _ in matched) / n
    accuracy_b = sum(y for _, _, y, _ in matched) / n
    low, high = _bootstrap(matched, resamples, seed)
    return Paired(group, n, accuracy_a, accuracy_b, a_only, b_only, mcnemar_exact(a_only, b_only), low, high)


def _bootstrap(matched: list, resamples: int, seed: int) -> tuple[float, float]:
    """Percentile interval of the difference, instances resampled with their answers.
    Drawn as one array of resamples x instances: report.html compares every pair of its
    runs (190 pairs for 20 runs), and a loop in Python took 1.7 s a pair of 600 instances."""
    import numpy as np

    by_instance: dict = {}
    for instance, x, y, _ in matched:
        by_instance.setdefault(instance, []).append(x - y)
    sums = np.array([sum(v) for v in by_instance.values()], dtype=float)
    counts = np.array([len(v) for v in by_instance.values()], dtype=float)
    drawn = np.random.default_rng(seed).integers(0, len(sums), size=(resamples, len(sums)))
    differences = np.sort(sums[drawn].sum(axis=1) / counts[drawn].sum(axis=1))
    return float(differences[int(0.025 * resamples)]), float(differences[min(resamples - 1, int(0.975 * resamples))])


def format_table(results: list[Paired], name_a: str, name_b: str, paired: Pairing | None = None) -> str:
    """The comparison as a plain-text table, under what A and B are (``name_a``, ``name_b``:
    a name, or a run's summary line) and what was paired."""
    lines = [f"A = {name_a}", f"B = {name_b}"]
    if paired is not None:
        lines.append(paired.pairs)
        if paired.left_out:
            lines.append("left out: " + "; ".join(paired.left_out))
    lines.append(f"{'group':<12} {'pairs':>6} {'A':>7} {'B':>7} {'A-B':>7} {'95% CI (paired bootstrap)':>26} "
                 f"{'A only':>7} {'B only':>7} {'McNemar p':>10}")
    for r in results:
        interval = f"{100 * r.low:+.1f} to {100 * r.high:+.1f}" if r.low == r.low else "n/a"
        lines.append(f"{r.group:<12} {r.pairs:>6} {_pct(r.accuracy_a):>7} {_pct(r.accuracy_b):>7} "
                     f"{_signed(r.difference):>7} {interval:>26} {r.a_only:>7} {r.b_only:>7} {r.p_value:>10.4g}")
    return "\n".join(lines)


def _pct(value: float) -> str:
    return "n/a" if value != value else f"{100 * value:.1f}%"


def _signed(value: float) -> str:
    return "n/a" if value != value else f"{100 * value:+.1f}"
