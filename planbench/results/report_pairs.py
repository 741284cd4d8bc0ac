"""report.html's comparison view: every two runs of a report, paired as ``planbench compare``
pairs them (:mod:`planbench.results.compare`: the same pairing, McNemar's p and paired
bootstrap interval, overall and by optimal length), and the instances one run got right
and the other did not, each pointing at both answers.

Only runs of the same task are paired (the same instance asks another question in each);
runs that answered no instance in common are left out. The figures are computed here, once,
in Python; the page shows them and computes none.
"""

from __future__ import annotations

from planbench.results.compare import Paired, compare_pairs, counted_answers, pair_counted


def pair_runs(runs: dict[str, list[dict]], answer_index: dict[tuple, int], resamples: int = 2000) -> list[dict]:
    """One entry per two runs (in the report's order) with answers in common: ``a``, ``b``
    (run indices), ``pairs`` and ``left_out`` (what was paired, in words, as ``compare``
    prints it), ``rows`` (overall, then by length), and ``a_only`` / ``b_only``: the
    instances right in one run and wrong in the other, as [A's answer, B's answer] indices
    into the page's answers. ``answer_index`` maps (run index, part, id, sample) to the
    index of that conversation's last answer."""
    names = list(runs)
    counted = [counted_answers(runs[name]) for name in names]
    tasks = [_task(runs[name]) for name in names]
    out = []
    for a in range(len(names)):
        for b in range(a + 1, len(names)):
            if tasks[a] != tasks[b]:
                continue
            paired = pair_counted(counted[a], counted[b])
            if not paired.matched:
                continue
            results = compare_pairs(paired.matched, True, resamples)
            a_only, b_only = [], []
            for (instance, right_a, right_b, _), (sample_a, sample_b) in zip(paired.matched, paired.samples):
                if right_a == right_b:
                    continue
                answers = [answer_index.get((a, *instance, sample_a)), answer_index.get((b, *instance, sample_b))]
                (a_only if right_a else b_only).append(answers)
            order = lambda pair: pair[0] if pair[0] is not None else -1  # noqa: E731 - answers are in id order
            out.append({"a": a, "b": b, "pairs": paired.pairs, "left_out": paired.left_out,
                        "rows": [_row(r) for r in results],
                        "a_only": sorted(a_only, key=order), "b_only": sorted(b_only, key=order)})
    return out


def _task(rows: list[dict]) -> str:
    return str(next((r.get("task") for r in rows if r.get("task")), None) or "t1")


def _row(result: Paired) -> dict:
    """A row of the comparison table, NaN as None (JSON has no NaN)."""
    plain = lambda v: None if v != v else v  # noqa: E731
    return {"group": result.group, "n": result.pairs, "A": plain(result.accuracy_a), "B": plain(result.accuracy_b),
            "d": plain(result.difference), "lo": plain(result.low), "hi": plain(result.high),
            "ao": result.a_only, "bo": result.b_only, "p": result.p_value}
