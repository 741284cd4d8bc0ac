"""Reports over one or more scored runs: ``report.md`` and PNG plots.

Several runs side by side is the normal case (models, encodings, extractors), so every
table and the plot of accuracy against optimal plan length have one line per run.
"""

from __future__ import annotations

from pathlib import Path

from planbench.score import OUTCOMES, summarise


def _percent(value: float) -> str:
    return "n/a" if value != value else f"{100 * value:.1f}%"


def _table(frame, columns: list[str]) -> str:
    lines = ["| " + " | ".join(columns) + " |", "|" + "---|" * len(columns)]
    for _, row in frame.iterrows():
        lines.append("| " + " | ".join(str(row[c]) for c in columns) + " |")
    return "\n".join(lines)


def write_report(runs: dict[str, list[dict]], out: Path, title: str = "planbench report") -> Path:
    """``report.md`` and ``accuracy_by_length.png`` for scored runs (name -> rows)."""
    import pandas as pd

    out.mkdir(parents=True, exist_ok=True)
    overall, by_length, failures = [], [], []
    for name, rows in runs.items():
        summary = summarise(rows).assign(run=name)
        overall.append(summary)
        by_length.append(summarise(rows, ["optimal_length"]).assign(run=name))
        frame = pd.DataFrame(rows)
        kinds = frame.loc[frame["outcome"] == "invalid", "failure_kind"].value_counts()
        failures.append({"run": name, **kinds.to_dict()})
    overall_frame = pd.concat(overall, ignore_index=True)
    length_frame = pd.concat(by_length, ignore_index=True)

    overall_frame["accuracy (95% CI)"] = [
        f"{_percent(a)} ({_percent(lo)}-{_percent(hi)})"
        for a, lo, hi in zip(overall_frame["accuracy"], overall_frame["ci_low"], overall_frame["ci_high"])]
    columns = ["run", "n", "answered", "valid", "optimal", "accuracy (95% CI)", *[o for o in OUTCOMES if o != "valid"]]
    if "recorded_accuracy" in overall_frame:
        overall_frame["recorded accuracy"] = overall_frame["recorded_accuracy"].map(_percent)
        overall_frame["agreement with recorded"] = overall_frame["agreement"].map(_percent)
        columns += ["recorded accuracy", "agreement with recorded"]
    lines = [f"# {title}", "", "Accuracy is valid plans / answered instances (no_response excluded), with Wilson 95% intervals.",
             "", "## Overall", "", _table(overall_frame, columns), "", "## Accuracy by optimal plan length", ""]
    pivot = length_frame.assign(cell=[f"{_percent(a)} ({v}/{n})" for a, v, n in
                                      zip(length_frame["accuracy"], length_frame["valid"], length_frame["answered"])])
    table = pivot.pivot(index="run", columns="optimal_length", values="cell").fillna("")
    table.columns = [str(c) for c in table.columns]
    lines += [_table(table.reset_index(), ["run", *table.columns]), "", "## Why invalid plans fail", ""]
    failure_frame = pd.DataFrame(failures).fillna(0)
    lines += [_table(failure_frame, list(failure_frame.columns)), ""]
    lines += _cost_section(overall_frame, length_frame)
    lines += ["![accuracy by optimal length](accuracy_by_length.png)", ""]
    report = out / "report.md"
    report.write_text("\n".join(lines))
    plot_accuracy(length_frame, out / "accuracy_by_length.png")
    overall_frame.to_csv(out / "summary.csv", index=False)
    length_frame.to_csv(out / "by_optimal_length.csv", index=False)
    return report


def _dollars(value: float) -> str:
    return "n/a" if value != value else f"${value:.4f}" if value < 100 else f"${value:,.0f}"


def _cost_section(overall, by_length) -> list[str]:
    """Spend per run, per answer and per valid plan, overall and by optimal plan length
    (longer problems cost more tokens and succeed less: the cost of a correct plan grows
    faster than either). Empty for runs without prices (imported, offline)."""
    if "cost" not in overall or overall["cost"].isna().all():
        return []
    priced = overall[overall["cost"].notna()].copy()
    for column in ("cost", "cost_per_answer", "cost_per_valid"):
        priced[column] = priced[column].map(_dollars)
    columns = ["run", "n", "valid", "cost", "cost_per_answer", "cost_per_valid", "prompt_tokens",
               "completion_tokens", "reasoning_tokens"]
    lines = ["## Cost", "", "USD from the pricing table (cached answers cost nothing again).", "",
             _table(priced, columns), "", "Cost per valid plan by optimal plan length:", ""]
    rows = by_length[by_length["cost"].notna()]
    cells = rows.assign(cell=[f"{_dollars(c)} ({_dollars(a)}/answer)" for c, a in
                              zip(rows["cost_per_valid"], rows["cost_per_answer"])])
    table = cells.pivot(index="run", columns="optimal_length", values="cell").fillna("")
    table.columns = [str(c) for c in table.columns]
    return lines + [_table(table.reset_index(), ["run", *table.columns]), ""]


def plot_accuracy(length_frame, path: Path) -> None:
    """Accuracy against optimal plan length, one line per run, with Wilson intervals."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    figure, axes = plt.subplots(figsize=(9, 5.5))
    for name, group in length_frame.groupby("run", sort=False):
        group = group.sort_values("optimal_length")
        x = group["optimal_length"].astype(float)
        y = group["accuracy"] * 100
        errors = [y - group["ci_low"] * 100, group["ci_high"] * 100 - y]
        axes.errorbar(x, y, yerr=errors, marker="o", capsize=3, label=str(name))
    axes.set_xlabel("optimal plan length (actions)")
    axes.set_ylabel("accuracy (% valid plans)")
    axes.set_ylim(-2, 102)
    axes.grid(alpha=0.3)
    axes.legend(fontsize=7, loc="best")
    figure.tight_layout()
    figure.savefig(path, dpi=120)
    plt.close(figure)
