"""Plots that compare runs: accuracy by optimal length, what became of the answers, effort.

Small multiples, one panel per set family (3 blocks, 4-5 blocks, the hard set, a generated
set) and encoding, so that a 3-block run and a hard-set run never share an axis. Runs are
told apart the same way in every figure: a colour and marker per model, a line style per
way of asking (prompt style and strategy), legends from the runs' settings (model · style ·
strategy) with the run's name added where two runs of one panel would read alike. Legends
sit outside the data, below the panels; a figure is as wide as its panels. Points resting
on fewer than ``MIN_INSTANCES`` answers are drawn hollow (a single answer is 0% or 100%).

Every figure's numbers are :mod:`planbench.results.metrics`'s. Each figure is written as
PNG (beside the report) and returned as SVG (inside report.html), where every artist of a
run has the id ``<figure>.run<index>.<n>`` (index: the run's place in the report) so that
the page's run filter can show one run alone; panels are ``<figure>.panel<n>`` with their
data area ``<figure>.panel<n>.area``, the legend ``<figure>.legend``.
"""

from __future__ import annotations

import io
import itertools
from pathlib import Path

MIN_INSTANCES = 5
MARKERS = "osD^vP*Xh<>p"
# Line styles in the order the ways of asking (style, strategy) first appear.
DASHES = ("-", "--", ":", "-.", (0, (5, 1, 1, 1, 1, 1)), (0, (1, 3)), (0, (8, 2)), (0, (3, 1, 3, 1, 1, 1)))
FAMILIES = {"planbench-3": "3 blocks", "planbench-500": "4-5 blocks", "planbench-hard-110": "hard set (6-15 blocks)",
            "planbench-unsolvable": "unsolvable", "planbench-generalization": "generalization (3-12 blocks)"}
# Outcome and failure kind shown in the stacked shares, in stacking order, with colours (tasks 2-8
# judge answers correct or incorrect).
SHARES = (("valid", "#2b7a0b"), ("correct", "#2b7a0b"), ("valid, longer than optimal", "#9ccc65"),
          ("unmet_precondition", "#e07b39"), ("incorrect", "#e07b39"),
          ("goal_not_reached", "#d4a72c"), ("other invalid", "#b58bb5"), ("unparseable", "#9e9e9e"), ("truncated", "#5b7db1"),
          ("refused", "#1c6e6e"), ("false_plan", "#b3261e"), ("false_refusal", "#7f1d1d"))
LEGEND_SIZE = 7.5


def _new_figure(**options):
    """A ``matplotlib.figure.Figure`` of its own, drawn when saved, without pyplot: pyplot
    (and the ``matplotlib.use("Agg")`` it needed) would switch a notebook's backend, so its
    own plots stopped showing after ``planbench.evaluate``, and is not safe off the main
    thread (``evaluate_async`` writes the report in one). Nothing else holds the figure, so
    dropping it frees it: no ``close``."""
    from matplotlib.figure import Figure

    return Figure(**options)


def family(part: str | None, task: str | None = None) -> str:
    """A panel's problems. t5 on a bundled set asks PlanBench's generalization problems,
    keeping the part of PlanBench's file (its "3-block" file is about 3-12 blocks)."""
    if task == "t5" and part in FAMILIES:
        return FAMILIES["planbench-generalization"]
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
    parts.append(task_of(first))
    return " · ".join(p for p in parts if p)


def task_of(row: dict) -> str:
    """The PlanBench task of a score row, "" for plan generation (t1, every run before tasks)."""
    task = row.get("task")
    return "" if task in (None, "", "t1") or task != task else str(task)


def labels(runs: dict[str, list[dict]], panels: dict[str, set]) -> dict[str, str]:
    """Each run's legend label; where two runs sharing a panel (``panels``: name -> the
    panels it is drawn in) would read alike, each says its name too."""
    plain = {name: label(rows, name) for name, rows in runs.items()}
    out = dict(plain)
    for name in runs:
        if any(other != name and plain[other] == plain[name] and panels.get(other, set()) & panels.get(name, set())
               for other in runs):
            out[name] = f"{plain[name]} ({name})"
    return out


def _styles(runs: dict[str, list[dict]]) -> dict[str, dict]:
    """A colour and marker per model, a line style per way of asking (style and strategy)."""
    import matplotlib

    first = {name: rows[0] if rows else {} for name, rows in runs.items()}
    models = list(dict.fromkeys(str(row.get("model") or name) for name, row in first.items()))
    ways = list(dict.fromkeys(_way(row) for row in first.values()))
    palette = matplotlib.colormaps["tab10"].colors + matplotlib.colormaps["Dark2"].colors
    out = {}
    for name, row in first.items():
        index = models.index(str(row.get("model") or name))
        out[name] = {"color": palette[index % len(palette)], "marker": MARKERS[index % len(MARKERS)],
                     "linestyle": DASHES[ways.index(_way(row)) % len(DASHES)]}
    return out


def _way(row: dict) -> tuple:
    return (row.get("style"), row.get("strategy") or "single")


def _title(figure, text: str) -> None:
    """The figure's title, wrapped to its width: a one-panel figure is narrower than the
    sentence, and an SVG cuts off what runs past its edge."""
    import textwrap

    width = max(30, int(figure.get_figwidth() * 11))
    figure.suptitle(textwrap.fill(text, width), fontsize=10)


def _tag(artist, figure_key: str, runs: list[int], n: int) -> None:
    """The id the page's run filter reads: ``<figure>.run3.run7.<n>`` (the runs it draws)."""
    artist.set_gid(f"{figure_key}." + "".join(f"run{r}." for r in runs) + str(n))


def _panels(count: int, columns: int, width: float, height: float, figure_key: str, **kwargs):
    """A grid of ``count`` panels, each ``width`` x ``height`` inches, in a figure no
    bigger than they need (room below for the legend); unused cells are removed."""
    rows = (count + columns - 1) // columns
    figure = _new_figure(figsize=(width * columns, height * rows + 0.9), layout="constrained")
    axes = figure.subplots(rows, columns, squeeze=False, **kwargs)
    for n, axis in enumerate(axes.flat):
        if n >= count:
            axis.remove()
            continue
        axis.set_gid(f"{figure_key}.panel{n}")
        axis.patch.set_gid(f"{figure_key}.panel{n}.area")
    return figure, list(axes.flat)[:count]


def _legend(figure, entries: dict[str, tuple], figure_key: str, title: str | None = None) -> None:
    """One legend for the whole figure, below the panels (never on the data): ``entries``
    label -> (handle, run indices)."""
    if not entries:
        return
    longest = max(len(text) for text in entries)
    entry_points = 32 + longest * LEGEND_SIZE * 0.55
    columns = max(1, min(len(entries), int(figure.get_figwidth() * 72 * 0.95 // entry_points)))
    legend = figure.legend([handle for handle, _ in entries.values()], list(entries), loc="outside lower center",
                           ncol=columns, fontsize=LEGEND_SIZE, frameon=False, title=title,
                           title_fontsize=LEGEND_SIZE)
    legend.set_gid(f"{figure_key}.legend")
    for n, (handle, text, (_, runs)) in enumerate(zip(legend.legend_handles, legend.get_texts(), entries.values())):
        _tag(handle, f"{figure_key}.key", runs, n)
        _tag(text, f"{figure_key}.label", runs, n)


def _save(figure, path: Path) -> str:
    """The PNG at ``path``; the SVG returned, its text as text (not a path per glyph: a
    third smaller, quicker for the browser to draw, and searchable in the page)."""
    import matplotlib

    figure.savefig(path, dpi=110)
    buffer = io.StringIO()
    with matplotlib.rc_context({"svg.fonttype": "none"}):
        figure.savefig(buffer, format="svg")
    svg = buffer.getvalue()
    return svg[svg.index("<svg"):]


# ------------------------------------------------------------------ accuracy by optimal length


def plot_accuracy(runs: dict[str, list[dict]], path: Path) -> str:
    return _save(figure_accuracy(runs), path)


def figure_accuracy(runs: dict[str, list[dict]]):
    """Accuracy against optimal plan length, a panel per set family and encoding; points
    and bands are summarise's (the table's interval, clustered by instance with several
    samples)."""
    import pandas as pd

    from planbench.results.metrics import summarise

    frames = []
    for name, rows in runs.items():
        panel_of = [(family(r.get("part"), r.get("task")), r.get("encoding"), task_of(r)) for r in rows]
        for fam, encoding, task in dict.fromkeys(panel_of):
            mine = [r for r, panel in zip(rows, panel_of) if panel == (fam, encoding, task)]
            frames.append(summarise(mine, ["optimal_length"]).assign(run=name, family=fam, encoding=encoding,
                                                                     task=task))
    data = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()
    data = data[data["optimal_length"].notna()] if len(data) else data
    # Plan generation's panels first, then each other task's (a length means another thing in each).
    panels = sorted(set(zip(data.get("family", []), data.get("encoding", []), data.get("task", []))),
                    key=lambda panel: (panel[2] != "", panel[2], panel[0], panel[1])) or [("", "", "")]
    index = {name: n for n, name in enumerate(runs)}
    names = labels(runs, {name: set(zip(group["family"], group["encoding"], group["task"]))
                          for name, group in data.groupby("run", sort=False)} if len(data) else {})
    styles = _styles(runs)
    figure, axes = _panels(len(panels), min(3, len(panels)), 5.2, 3.9, "accuracy", sharey=True)
    entries: dict[str, tuple] = {}
    counter = itertools.count()
    for axis, (fam, encoding, task) in zip(axes, panels):
        panel = data[(data["family"] == fam) & (data["encoding"] == encoding) & (data["task"] == task)] \
            if len(data) else data
        for name, group in panel.groupby("run", sort=False):
            group = group.sort_values("optimal_length")
            x = group["optimal_length"].astype(float)
            y = 100 * group["accuracy"]
            style = styles[name]
            solid = group["answered"] >= MIN_INSTANCES
            # The line joins only well-supported points, so a lone 0%/100% answer cannot draw a spike.
            line, = axis.plot(x, y.where(solid), color=style["color"], linestyle=style["linestyle"], linewidth=1.4,
                              marker=style["marker"], markersize=5, zorder=3)
            band = axis.fill_between(x, 100 * group["ci_low"].where(solid), 100 * group["ci_high"].where(solid),
                                     color=style["color"], alpha=0.12, linewidth=0)
            hollow = axis.scatter(x[~solid], y[~solid], facecolors="none", edgecolors=style["color"],
                                  marker=style["marker"], s=26, zorder=3)
            for artist in (line, band, hollow):
                _tag(artist, "accuracy", [index[name]], next(counter))
            handle, runs_of = entries.get(names[name], (line, []))
            entries[names[name]] = (handle, sorted(set(runs_of) | {index[name]}))
        lengths = sorted(panel["optimal_length"].dropna().astype(int).unique()) if len(panel) else []
        if 0 < len(lengths) <= 24:
            axis.set_xticks(lengths)
        axis.set_title(" · ".join(p for p in (fam, encoding, task) if p) or "all runs", fontsize=10)
        axis.set_xlabel("optimal plan length (actions)")
        axis.set_ylim(-3, 103)
        axis.grid(alpha=0.3)
    for n, axis in enumerate(axes):
        if n % min(3, len(panels)) == 0:
            axis.set_ylabel("accuracy (%)")
    _legend(figure, entries, "accuracy")
    _title(figure, f"Accuracy by optimal plan length (bands: 95% interval; hollow, no band: fewer than "
                   f"{MIN_INSTANCES} answers)")
    return figure


# ------------------------------------------------------------------ what became of the answers


def plot_failures(runs: dict[str, list[dict]], path: Path) -> str:
    return _save(figure_failures(runs), path)


def figure_failures(runs: dict[str, list[dict]]):
    """What became of the answers each run's accuracy counts, by optimal length: stacked
    shares (valid, each failure kind, unparseable, refusals...), a panel per run, the
    number of answers above each bar."""
    import pandas as pd

    from planbench.results.metrics import judged_rows

    shown = {}
    for name, rows in runs.items():
        frame = judged_rows(pd.DataFrame(rows)) if rows else pd.DataFrame()
        frame = frame[frame["outcome"] != "no_response"] if len(frame) else frame
        if len(frame):
            shown[name] = frame
    names = labels(runs, {name: {(family(f["part"].iat[0], f["task"].iat[0] if "task" in f else None),
                                  f["encoding"].iat[0])} for name, f in shown.items()})
    columns = min(4, len(shown)) or 1
    figure, axes = _panels(max(1, len(shown)), columns, 4.0, 3.3, "failures", sharey=True)
    index = {name: n for n, name in enumerate(runs)}
    handles: dict[str, tuple] = {}
    for n, (axis, (name, frame)) in enumerate(zip(axes, shown.items())):
        axis.set_gid(f"failures.run{index[name]}.panel{n}")
        kind = frame.apply(_share_kind, axis=1)
        lengths = frame["optimal_length"].map(lambda v: "none" if v != v or v is None else str(int(v)))
        counts = pd.crosstab(lengths, kind)
        order = sorted(counts.index, key=lambda v: (v == "none", int(v) if v.isdigit() else 0))
        counts = counts.reindex(order)
        totals = counts.sum(axis=1)
        table = counts.div(totals, axis=0)
        bottom = [0.0] * len(table)
        for share, colour in SHARES:
            if share in table:
                values = list(100 * table[share])
                bars = axis.bar(range(len(table)), values, bottom=bottom, color=colour, width=0.85)
                handles.setdefault(share, (bars, []))
                bottom = [b + v for b, v in zip(bottom, values)]
        small = len(table) > 12
        for x, total in enumerate(totals):
            axis.text(x, 101.5, f"{total}", ha="center", va="bottom", fontsize=5.5 if small else 6.5,
                      rotation=90 if small else 0, color="#444")
        axis.set_xticks(range(len(table)), table.index, fontsize=7, rotation=90 if len(table) > 12 else 0)
        axis.set_xlabel("optimal plan length", fontsize=8)
        first = frame.iloc[0]
        axis.set_title(f"{names[name]}\n{family(first.get('part'), first.get('task'))} · {first.get('encoding')}",
                       fontsize=8)
        axis.set_ylim(0, 112 if small else 108)
        axis.set_yticks(range(0, 101, 20))
        if n % columns == 0:
            axis.set_ylabel("% of answers", fontsize=8)
    _legend(figure, {share: handles[share] for share, _ in SHARES if share in handles}, "failures")
    _title(figure, "What became of the answers, by optimal plan length (% of the answers accuracy counts; "
                   "above each bar: how many)")
    return figure


def _share_kind(row) -> str:
    outcome = row["outcome"]
    if outcome == "valid" and task_of(row) == "t2" and not row.get("correct"):
        return "valid, longer than optimal"  # t2 asks for an optimal plan: this one is wrong
    if outcome == "invalid":
        kind = row.get("failure_kind")
        return kind if kind in ("unmet_precondition", "goal_not_reached") else "other invalid"
    return outcome


# ------------------------------------------------------------------ effort: the Epoch AI view


def plot_effort(results: dict[str, dict], curves: dict[str, object], runs: dict[str, list[dict]],
                path: Path) -> str:
    return _save(figure_effort(results, curves, runs), path)


def has_effort(results: dict[str, dict]) -> bool:
    """A run spent output tokens that were counted (imports of PlanBench's files did not)."""
    return any((r["results"].get("output_tokens_per_instance") or 0) > 0 for r in results.values())


def figure_effort(results: dict[str, dict], curves: dict[str, object], runs: dict[str, list[dict]]):
    """Accuracy against output tokens per instance and against dollars per instance (log
    scales), every run of the report on one pair of axes: a point per run (its accuracy, with
    its interval, over what an instance cost it, every sample and round), and for runs that
    spend more per instance (rounds of feedback or revision, k answers voted) the line of
    their cheaper steps leading to it. ``results``: :func:`~planbench.results.metrics.run_results`
    per run; ``curves``: :func:`~planbench.results.report.effort_curves`. The cost panel is
    drawn only when a run has a price; runs without counted tokens are named, not drawn."""
    priced = any(r["results"].get("cost_per_instance") == r["results"].get("cost_per_instance")
                 and r["results"].get("cost_per_instance") is not None for r in results.values())
    measures = [("output_tokens_per_instance", "output_tokens", "output tokens per instance (log scale)")]
    if priced:
        measures.append(("cost_per_instance", "cost", "cost per instance, USD (log scale)"))
    figure, axes = _panels(len(measures), len(measures), 5.6, 4.2, "effort", sharey=True)
    names = labels(runs, {name: {"all"} for name in runs})
    styles = _styles(runs)
    index = {name: n for n, name in enumerate(runs)}
    entries: dict[str, tuple] = {}
    counter = itertools.count()
    missing = []
    for axis, (key, curve_key, what) in zip(axes, measures):
        for name, figures in results.items():
            o = figures["results"]
            x = o.get(key)
            if x is None or x != x or x <= 0:
                if key == "output_tokens_per_instance":
                    missing.append(name)
                continue
            style = styles[name]
            y, low, high = 100 * o["accuracy"], 100 * o["ci_low"], 100 * o["ci_high"]
            point = axis.errorbar([x], [y], yerr=[[max(0.0, y - low)], [max(0.0, high - y)]], color=style["color"],
                                  marker=style["marker"], markersize=6, capsize=3, linewidth=1, zorder=3)
            drawn = list(point.get_children())
            curve = curves.get(name)
            if curve is not None and curve[curve_key].notna().all() and (curve[curve_key] > 0).all():
                drawn += axis.plot(curve[curve_key], 100 * curve["accuracy"], color=style["color"],
                                   linestyle=style["linestyle"], marker=style["marker"], markersize=3.5, linewidth=1.2,
                                   alpha=0.9)
                step_name = "k=" if curve["kind"].iat[0] == "k" else "r"
                drawn += [axis.annotate(f"{step_name}{step}", (cx, cy), fontsize=6, xytext=(3, -8),
                                        textcoords="offset points", color=style["color"])
                          for step, cx, cy in zip(curve["step"], curve[curve_key], 100 * curve["accuracy"])]
            for artist in drawn:
                _tag(artist, "effort", [index[name]], next(counter))
            entries.setdefault(names[name], (_key_handle(style), [index[name]]))
        axis.set_xscale("log")
        _plain_log_ticks(axis, "$" if curve_key == "cost" else "")
        axis.set_xlabel(what)
        axis.grid(alpha=0.3, which="both")
        axis.set_ylim(-2, 102)
    axes[0].set_ylabel("accuracy (%)")
    _legend(figure, entries, "effort")
    note = f"; no token counts: {', '.join(missing)}" if missing else ""
    _title(figure, "Accuracy against effort, every run (bars: 95% interval; lines: rounds r of feedback or revision, "
                   f"or k answers voted, leading to the run's point){note}")
    return figure


def _plain_log_ticks(axis, unit: str) -> None:
    """Log-scale ticks as plain numbers (300, 2,000, $0.001), minor ones at 2 and 5 only:
    matplotlib writes 3x10^2 between decades."""
    import math

    from matplotlib.ticker import FuncFormatter

    def text(value: float, _=None, every: bool = True) -> str:
        if value <= 0:
            return ""
        lead = round(value / 10 ** math.floor(math.log10(value) + 1e-9))
        if not every and lead not in (2, 5):
            return ""
        return f"{unit}{value:,.0f}" if value >= 1 else f"{unit}{value:.6f}".rstrip("0").rstrip(".")

    axis.xaxis.set_major_formatter(FuncFormatter(text))
    axis.xaxis.set_minor_formatter(FuncFormatter(lambda v, p: text(v, p, every=False)))
    axis.tick_params(axis="x", which="minor", labelsize=7)


def _key_handle(style: dict):
    """A legend key showing a run's colour, marker and line style."""
    from matplotlib.lines import Line2D

    return Line2D([], [], color=style["color"], marker=style["marker"], linestyle=style["linestyle"], markersize=5)
