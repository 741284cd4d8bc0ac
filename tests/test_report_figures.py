"""The report's figures tell runs apart and say what they show (issue 20, item 13), checked on
matplotlib's own artists: a colour per model and a line style per way of asking, run names
where two runs of a panel would read alike, axis labels and counts on the failure bars, one
panel as wide as it needs, and accuracy against tokens and dollars for every run. Where the
legend lands on the page, and the run filter on the figures, is checked in Chromium
(tests/test_report_views.py). Runs are written by hand (tests/handmade.py) and scored for real."""

from __future__ import annotations

from collections import Counter

import pytest

from handmade import hand_made_run
from planbench.results import plots
from planbench.results.metrics import run_results
from planbench.results.report import effort_curves
from planbench.results.score import score_run
from planbench.runs import read_run
from planbench.sets.instances import load_set

INSTANCES = load_set("planbench-3").scored()


def scored(folder) -> list[dict]:
    return score_run(read_run(folder))


def artists_of(figure, run: int) -> list:
    """The artists the figure drew for run number ``run`` (by the id the page filters on)."""
    return [a for axis in figure.axes for a in axis.get_children()
            if (a.get_gid() or "").startswith(f"{figure.axes[0].get_gid().split('.')[0]}.run{run}.")]


def test_a_colour_per_model_and_a_line_style_per_way_of_asking(tmp_path) -> None:
    """Two models, each asked zero-shot; one also one-shot, the other also by a vote: the
    colour follows the model, the line style the way of asking (style and strategy)."""
    made = {"a-zero": ("model-a", "zero-shot", "single", 1), "a-one": ("model-a", "one-shot", "single", 1),
            "b-zero": ("model-b", "zero-shot", "single", 1), "b-vote": ("model-b", "zero-shot", "vote", 3)}
    runs = {name: scored(hand_made_run(tmp_path / name, lambda i, s: i.id % 3 == 0, samples=samples,
                                       strategy=strategy, model=model, style=style))
            for name, (model, style, strategy, samples) in made.items()}
    figure = plots.figure_accuracy(runs)
    lines = {name: next(a for a in artists_of(figure, n) if a.__class__.__name__ == "Line2D")
             for n, name in enumerate(runs)}
    colour = {name: line.get_color() for name, line in lines.items()}
    dashes = {name: str(line.get_linestyle()) + str(getattr(line, "_dash_pattern", "")) for name, line in lines.items()}
    assert colour["a-zero"] == colour["a-one"] and colour["b-zero"] == colour["b-vote"]
    assert colour["a-zero"] != colour["b-zero"]
    assert dashes["a-zero"] == dashes["b-zero"]
    assert len({dashes["a-zero"], dashes["a-one"], dashes["b-vote"]}) == 3
    legend = [t.get_text() for t in figure.legends[0].get_texts()]
    assert legend == ["model-a · zero-shot", "model-a · one-shot", "model-b · zero-shot", "model-b · zero-shot · vote"]


def test_run_names_where_two_runs_of_a_panel_read_alike(tmp_path) -> None:
    """Two runs of one model, style and set (a re-run, say) share a panel: each legend entry
    says its run's name. The same label in different panels stays plain."""
    runs = {name: scored(hand_made_run(tmp_path / name, lambda i, s: i.id % 2 == 0)) for name in ("monday", "tuesday")}
    legend = [t.get_text() for t in plots.figure_accuracy(runs).legends[0].get_texts()]
    assert legend == ["hand · zero-shot (monday)", "hand · zero-shot (tuesday)"]
    assert plots.labels(runs, {"monday": {"3 blocks"}, "tuesday": {"4-5 blocks"}}) == {
        "monday": "hand · zero-shot", "tuesday": "hand · zero-shot"}


def test_failure_bars_have_axis_labels_and_their_counts(tmp_path) -> None:
    """Each bar of the failure figure is headed by the number of answers it splits (the
    instances of planbench-3 at that optimal length, counted here), panels name their axes."""
    runs = {"half": scored(hand_made_run(tmp_path / "half", lambda i, s: i.id % 2 == 0))}
    figure = plots.figure_failures(runs)
    (axis,) = figure.axes
    by_length = Counter(instance.length for instance in INSTANCES)
    assert [t.get_text() for t in axis.texts] == [str(by_length[length]) for length in sorted(by_length)]
    assert axis.get_xlabel() == "optimal plan length" and axis.get_ylabel() == "% of answers"
    assert [t.get_text() for t in figure.legends[0].get_texts()] == ["valid", "unmet_precondition"]


def test_one_panel_is_as_wide_as_it_needs(tmp_path) -> None:
    """A report of one run: each figure's single panel takes most of the figure's width (the
    failure figure once drew one panel on a quarter of a four-panel-wide page)."""
    runs = {"one": scored(hand_made_run(tmp_path / "one", lambda i, s: True, tokens=40))}
    results = {"one": run_results(runs["one"])}
    for figure in (plots.figure_accuracy(runs), plots.figure_failures(runs),
                   plots.figure_effort(results, effort_curves(runs), runs)):
        figure.canvas.draw()
        (axis,) = figure.axes
        assert axis.get_position().width > 0.6, figure.texts


def test_accuracy_against_tokens_and_dollars_for_every_run(tmp_path) -> None:
    """The effort figure places every run with counted tokens, not only strategies: a single
    run at its accuracy and output tokens per instance, a 3-answer vote at 3 x its answers'
    tokens with the line of k = 1, 2 leading to it. Accuracies and tokens counted by hand:
    'once' is right on 60 of 100 instances at 30 tokens each, priced $0.001 an answer;
    'vote' right on the first four of six instances (two answers of three right), 20 tokens
    an answer; 'free' has no price. Without a priced run there is no dollar panel."""
    first_six = [instance.id for instance in INSTANCES[:6]]
    runs = {"once": scored(hand_made_run(tmp_path / "once", lambda i, s: i.id <= INSTANCES[59].id, tokens=30,
                                         cost=0.001)),
            "vote": scored(hand_made_run(tmp_path / "vote", lambda i, s: s < (2 if first_six.index(i.id) < 4 else 1),
                                         samples=3, strategy="vote", count=6, tokens=20, model="voter")),
            "free": scored(hand_made_run(tmp_path / "free", lambda i, s: False, count=10, tokens=50, model="free"))}
    results = {name: run_results(rows) for name, rows in runs.items()}
    figure = plots.figure_effort(results, effort_curves(runs), runs)
    tokens_axis, cost_axis = figure.axes
    assert tokens_axis.get_xscale() == cost_axis.get_xscale() == "log"
    expected = {0: (30, 60.0), 1: (60, 100 * 4 / 6), 2: (50, 0.0)}  # run: (tokens per instance, accuracy %)
    for run, (x, y) in expected.items():
        points = [a for a in artists_of(figure, run) if a.axes is tokens_axis and a.__class__.__name__ == "Line2D"
                  and len(a.get_xdata()) == 1 and a.get_marker() not in (None, "None", "")]
        assert points and points[0].get_xdata()[0] == pytest.approx(x) and points[0].get_ydata()[0] == pytest.approx(y)
    curve = [a for a in artists_of(figure, 1) if a.axes is tokens_axis and len(getattr(a, "get_xdata", list)()) == 3]
    assert list(curve[0].get_xdata()) == pytest.approx([20, 40, 60])  # k = 1, 2, 3 answers
    priced = [a for a in artists_of(figure, 0) if a.axes is cost_axis and a.__class__.__name__ == "Line2D"]
    assert priced and priced[0].get_xdata()[0] == pytest.approx(0.001)  # one answer per instance at $0.001
    assert not [a for a in artists_of(figure, 2) if a.axes is cost_axis]  # cost unknown: not drawn at $0
    unpriced = {"free": runs["free"]}
    assert len(plots.figure_effort({"free": results["free"]}, {}, unpriced).axes) == 1


def test_t2_plans_longer_than_optimal_are_their_own_share(tmp_path) -> None:
    """Task 2 asks for an optimal plan: a valid plan longer than optimal is a wrong answer, so
    the failure figure stacks it apart from the right ones (GPT-4's recorded t2 answers: 7 of
    100). The bar heights are the shares counted here from the scores."""
    from pathlib import Path

    from planbench.results.importer import import_results

    recorded = Path(__file__).resolve().parent.parent / "recorded"
    run, _ = import_results(recorded / "blocksworld_3__gpt-4_chat__task_2_plan_optimality.json.gz", tmp_path / "t2")
    rows = score_run(run)
    figure = plots.figure_failures({"t2": rows})
    legend = [t.get_text() for t in figure.legends[0].get_texts()]
    assert legend[:2] == ["valid", "valid, longer than optimal"]
    (axis,) = figure.axes
    lengths = sorted({r["optimal_length"] for r in rows})
    heights = [round(p.get_height(), 6) for p in axis.patches]
    for share, test in (("valid", lambda r: r["correct"]),
                        ("valid, longer than optimal", lambda r: r["outcome"] == "valid" and not r["correct"])):
        by_hand = [round(100 * sum(test(r) for r in rows if r["optimal_length"] == n)
                         / sum(r["optimal_length"] == n for r in rows), 6) for n in lengths]
        start = legend.index(share) * len(lengths)
        assert heights[start:start + len(lengths)] == by_hand, share
    assert sum(r["outcome"] == "valid" and not r["correct"] for r in rows) == 7


def test_t5_panels_name_the_generalization_problems_it_asks(tmp_path) -> None:
    """PlanBench asked t5 from its generalization problems whatever the set: its "3-block"
    file's answers keep the part planbench-3 but are about 3-12 blocks (counted here from
    the scores). The panels said "3 blocks"; they name the problems asked."""
    from pathlib import Path

    from planbench.results.importer import import_results

    recorded = Path(__file__).resolve().parent.parent / "recorded"
    run, _ = import_results(recorded / "blocksworld_3__gpt-4_chat__task_5_plan_generalization.json.gz", tmp_path / "t5")
    rows = score_run(run)
    blocks = sorted({r["blocks"] for r in rows})
    assert {r["part"] for r in rows} == {"planbench-3"} and len(blocks) > 1
    family = f"generalization ({blocks[0]}-{blocks[-1]} blocks)"
    (accuracy,) = plots.figure_accuracy({"t5": rows}).axes
    assert accuracy.get_title() == f"{family} · blocksworld · t5"
    (failures,) = plots.figure_failures({"t5": rows}).axes
    assert failures.get_title().endswith(f"\n{family} · blocksworld")
