"""Two runs on the same instances, compared as a reviewer asks: paired.

Two accuracies with overlapping intervals can still differ clearly when both runs answered
the same problems: what counts is the problems one run gets right and the other wrong.
McNemar's exact test asks whether those discordant pairs are lopsided; a paired bootstrap
(instances resampled, both runs' answers kept together) gives an interval for the
difference. With several samples per instance, samples are paired by index and instances
are the units resampled.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass


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


def pairs(rows_a: list[dict], rows_b: list[dict]) -> list[tuple[tuple, bool, bool, object]]:
    """(instance, right in A, right in B, optimal length) for each answer both runs gave
    (each conversation's last turn; no_response on either side leaves the pair out)."""
    def finals(rows):
        return {(r.get("part"), r.get("id"), r.get("sample", 0)): r for r in rows
                if r.get("final", True) is not False and r.get("outcome") not in (None, "no_response")}

    a, b = finals(rows_a), finals(rows_b)
    return [((key[0], key[1]), bool(a[key].get("correct")), bool(b[key].get("correct")), a[key].get("optimal_length"))
            for key in sorted(set(a) & set(b), key=str)]


def compare(rows_a: list[dict], rows_b: list[dict], by_length: bool = True, resamples: int = 2000,
            seed: int = 0) -> list[Paired]:
    """The overall comparison, then one per optimal plan length (if ``by_length``)."""
    matched = pairs(rows_a, rows_b)
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
    """Percentile interval of the difference, instances resampled with their answers."""
    by_instance: dict = {}
    for instance, x, y, _ in matched:
        by_instance.setdefault(instance, []).append(x - y)
    units = [(sum(v), len(v)) for v in by_instance.values()]
    rng = random.Random(seed)
    differences = []
    for _ in range(resamples):
        total = count = 0
        for _ in range(len(units)):
            s, c = units[rng.randrange(len(units))]
            total += s
            count += c
        differences.append(total / count)
    differences.sort()
    return differences[int(0.025 * resamples)], differences[min(resamples - 1, int(0.975 * resamples))]


def format_table(results: list[Paired], name_a: str, name_b: str) -> str:
    """The comparison as a plain-text table."""
    lines = [f"A = {name_a}", f"B = {name_b}",
             f"{'group':<12} {'pairs':>6} {'A':>7} {'B':>7} {'A-B':>7} {'95% CI (paired bootstrap)':>26} "
             f"{'A only':>7} {'B only':>7} {'McNemar p':>10}"]
    for r in results:
        interval = f"{100 * r.low:+.1f} to {100 * r.high:+.1f}" if r.low == r.low else "n/a"
        lines.append(f"{r.group:<12} {r.pairs:>6} {_pct(r.accuracy_a):>7} {_pct(r.accuracy_b):>7} "
                     f"{_signed(r.difference):>7} {interval:>26} {r.a_only:>7} {r.b_only:>7} {r.p_value:>10.4g}")
    return "\n".join(lines)


def _pct(value: float) -> str:
    return "n/a" if value != value else f"{100 * value:.1f}%"


def _signed(value: float) -> str:
    return "n/a" if value != value else f"{100 * value:+.1f}"
