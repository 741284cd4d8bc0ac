"""Plots that compare runs: accuracy by optimal length, failure kinds by length, effort.

Small multiples, one panel per set family (3 blocks, 4-5 blocks, the hard set, a generated
set) and encoding, so that a 3-block run and a hard-set run never share an axis; one colour
and marker per model, one line style per prompt style, legends from the runs' settings
(model · style · strategy), Wilson bands, and points resting on fewer than
``MIN_INSTANCES`` answers drawn hollow (a single answer is 0% or 100%). Each figure is
written as PNG (beside the report) and returned as SVG (inside report.html).
"""

from __future__ import annotations

import io
from pathlib import Path

MIN_INSTANCES = 5
MARKERS = "osD^vP*Xh<>p"
LINESTYLES = {"zero-shot": "-", "one-shot": "--", "state-tracking": ":", "zero-shot-pddl": "-.",
              "one-shot-pddl": (0, (5, 1, 1, 1, 1, 1))}
FAMILIES = {"planbench-3": "3 blocks", "planbench-500": "4-5 blocks", "planbench-hard-110": "hard set (6-15 blocks)",
            "planbench-unsolvable": "unsolvable"}
# Outcome and failure kind shown in the stacked shares, in stacking order, with colours.
SHARES = (("valid", "#2b7a0b"), ("unmet_precondition", "#e07b39"), ("goal_not_reached", "#d4a72c"),
          ("other invalid", "#b58bb5"), ("unparseable", "#9e9e9e"), ("truncated", "#5b7db1"),
          ("refused", "#1c6e6e"), ("false_plan", "#b3261e"), ("false_refusal", "#7f1d1d"))


def _pyplot():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def family(part: str | None) -> str:
    return FAMILIES.get(part or "", f"generated: {part}" if part else "")


def label(rows: list[dict], name: str) -> str:
    """A run's name in a legend: what it is, not where it is."""
    if not rows:
        return name
    first = rows[0]
    strategy = first.get("strategy") or "single"
    parts = [str(first.get("model") or name), str(first.get("style") or "")]
    if strategy != "single":
        parts.append(strategy)
    if first.get("extractor") and first.get("extractor") != "default":
        parts.append(first["extractor"])
    return " · ".join(p for p in parts if p)


def _styles(runs: dict[str, list[dict]]) -> dict[str, dict]:
    import matplotlib

    models = list(dict.fromkeys(str(rows[0].get("model")) if rows else name for name, rows in runs.items()))
    palette = matplotlib.colormaps["tab20"].colors + matplotlib.colormaps["Dark2"].colors
    out = {}
    for name, rows in runs.items():
        model = str(rows[0].get("model")) if rows else name
        index = models.index(model)
        style = rows[0].get("style") if rows else None
        out[name] = {"color": palette[(2 * index) % 20] if index < 10 else palette[20 + index % 8],
                     "marker": MARKERS[index % len(MARKERS)], "linestyle": LINESTYLES.get(style, "-")}
    return out


def _title(figure, text: str) -> None:
    """The figure's title, wrapped to its width: a one-panel figure is narrower than the
    sentence, and an SVG cuts off what runs past its edge."""
    import textwrap

    width = max(30, int(figure.get_figwidth() * 11))
    figure.suptitle(textwrap.fill(text, width), fontsize=10)


def _save(figure, path: Path) -> str:
    figure.savefig(path, dpi=110)
    buffer = io.StringIO()
    figure.savefig(buffer, format="svg")
    _pyplot().close(figure)
    svg = buffer.getvalue()
    return svg[svg.index("<svg"):]


def plot_accuracy(runs: dict[str, list[dict]], path: Path) -> str:
    """Accuracy against optimal plan length, a panel per set family and encoding."""
    import pandas as pd

    from planbench.results.metrics import summarise

    plt = _pyplot()
    frames = []
    for name, rows in runs.items():  # a panel per set family and encoding; its figures are summarise's
        panel_of = [(family(r.get("part")), r.get("encoding")) for r in rows]
        for fam, encoding in dict.fromkeys(panel_of):
            mine = [r for r, panel in zip(rows, panel_of) if panel == (fam, encoding)]
            frames.append(summarise(mine, ["optimal_length"]).assign(run=name, family=fam, encoding=encoding))
    data = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()
    data = data[data["optimal_length"].notna()] if len(data) else data
    panels = sorted(set(zip(data.get("family", []), data.get("encoding", [])))) or [("", "")]
    columns = min(3, len(panels))
    rows_count = (len(panels) + columns - 1) // columns
    figure, axes = plt.subplots(rows_count, columns, figsize=(5.6 * columns, 4.4 * rows_count), squeeze=False,
                                sharey=True)
    styles = _styles(runs)
    for axis, (fam, encoding) in zip(axes.flat, panels):
        panel = data[(data["family"] == fam) & (data["encoding"] == encoding)] if len(data) else data
        for name, group in panel.groupby("run", sort=False):
            group = group.sort_values("optimal_length")
            x = group["optimal_length"].astype(float)
            y = 100 * group["accuracy"]
            style = styles[name]
            solid = group["answered"] >= MIN_INSTANCES
            # The line joins only well-supported points, so a lone 0%/100% answer cannot draw a spike.
            axis.plot(x, y.where(solid), color=style["color"], linestyle=style["linestyle"], linewidth=1.4,
                      marker=style["marker"], markersize=5, zorder=3, label=label(runs[name], name))
            # The band is the table's interval (clustered by instance with several samples).
            axis.fill_between(x, 100 * group["ci_low"].where(solid), 100 * group["ci_high"].where(solid),
                              color=style["color"], alpha=0.12, linewidth=0)
            axis.scatter(x[~solid], y[~solid], facecolors="none", edgecolors=style["color"], marker=style["marker"],
                         s=26, zorder=3)
        lengths = sorted(panel["optimal_length"].dropna().astype(int).unique()) if len(panel) else []
        if 0 < len(lengths) <= 24:
            axis.set_xticks(lengths)
        axis.set_title(f"{fam} · {encoding}" if fam else encoding or "all runs", fontsize=10)
        axis.set_xlabel("optimal plan length (actions)")
        axis.set_ylim(-3, 103)
        axis.grid(alpha=0.3)
        if axis.get_legend_handles_labels()[0]:
            axis.legend(fontsize=6.5, loc="best", framealpha=0.85)
    for axis in axes.flat[len(panels):]:
        axis.set_visible(False)
    for axis in axes[:, 0]:
        axis.set_ylabel("accuracy (%)")
    _title(figure, f"Accuracy by optimal plan length (bands: 95% Wilson; hollow, no band: fewer than {MIN_INSTANCES} "
                    "answers)")
    figure.tight_layout()
    return _save(figure, path)


def plot_failures(runs: dict[str, list[dict]], path: Path) -> str:
    """What became of the answers, by optimal length: stacked shares per run (valid, each
    failure kind, unparseable, refusals...)."""
    import pandas as pd

    from planbench.results.metrics import judged_rows

    plt = _pyplot()
    names = list(runs)
    columns = min(4, len(names)) or 1
    rows_count = (len(names) + columns - 1) // columns or 1
    figure, axes = plt.subplots(rows_count, columns, figsize=(4.2 * columns, 3.5 * rows_count), squeeze=False,
                                sharey=True)
    for axis, name in zip(axes.flat, names):
        frame = judged_rows(pd.DataFrame(runs[name]))
        frame = frame[frame["outcome"] != "no_response"] if len(frame) else frame
        if not len(frame):
            axis.set_visible(False)
            continue
        kind = frame.apply(_share_kind, axis=1)
        lengths = frame["optimal_length"].map(lambda v: "none" if v != v or v is None else str(int(v)))
        table = pd.crosstab(lengths, kind, normalize="index")
        order = sorted(table.index, key=lambda v: (v == "none", int(v) if v.isdigit() else 0))
        table = table.reindex(order)
        bottom = [0.0] * len(table)
        for share, colour in SHARES:
            if share in table:
                values = list(100 * table[share])
                axis.bar(range(len(table)), values, bottom=bottom, color=colour, label=share, width=0.85)
                bottom = [b + v for b, v in zip(bottom, values)]
        axis.set_xticks(range(len(table)), table.index, fontsize=7, rotation=90 if len(table) > 12 else 0)
        first = runs[name][0]
        axis.set_title(f"{label(runs[name], name)}\n{family(first.get('part'))} · {first.get('encoding')}", fontsize=8)
        axis.set_ylim(0, 100)
    for axis in axes.flat[len(names):]:
        axis.set_visible(False)
    handles = {}
    for axis in axes.flat:
        for handle, text in zip(*axis.get_legend_handles_labels()):
            handles.setdefault(text, handle)
    if handles:
        figure.legend(handles.values(), handles.keys(), loc="lower center", ncol=min(len(handles), 9), fontsize=7)
    _title(figure, "What became of the answers, by optimal plan length (% of answered)")
    figure.tight_layout(rect=(0, 0.06, 1, 0.96))
    return _save(figure, path)


def _share_kind(row) -> str:
    outcome = row["outcome"]
    if outcome == "invalid":
        kind = row.get("failure_kind")
        return kind if kind in ("unmet_precondition", "goal_not_reached") else "other invalid"
    return outcome


def plot_effort(curves: dict[str, object], runs: dict[str, list[dict]], path: Path) -> str:
    """Accuracy against mean output tokens per instance (log scale), and against dollars
    where the run was priced: one line per model and strategy, one point per round or k."""
    plt = _pyplot()
    figure, (by_tokens, by_cost) = plt.subplots(1, 2, figsize=(13, 5), sharey=True)
    styles = _styles(runs)
    for name, curve in curves.items():
        style = styles.get(name, {})
        kwargs = {"color": style.get("color"), "marker": style.get("marker", "o"), "label": curve["label"].iat[0]}
        by_tokens.plot(curve["output_tokens"].clip(lower=1), curve["accuracy"] * 100, **kwargs)
        if curve["cost"].notna().any():
            by_cost.plot(curve["cost"], curve["accuracy"] * 100, **kwargs)
    for axes, what in ((by_tokens, "mean output tokens per instance"), (by_cost, "mean cost per instance (USD)")):
        axes.set_xscale("log")
        axes.set_xlabel(what)
        axes.grid(alpha=0.3, which="both")
        if axes.get_lines():
            axes.legend(fontsize=7)
        else:
            axes.text(0.5, 0.5, "no priced runs", ha="center", va="center", transform=axes.transAxes)
    by_tokens.set_ylabel("accuracy (%)")
    by_tokens.set_ylim(-2, 102)
    _title(figure, "Accuracy against effort (points: rounds of feedback or revision; k answers voted)")
    figure.tight_layout()
    return _save(figure, path)
