"""Reports over one or more scored runs: ``report.md``, ``report.html``, plots and CSVs.

Several runs side by side is the normal case (models, encodings, extractors, strategies),
so every table has one row per run. ``report.md`` holds the tables and links the PNG plots;
``report.html`` is the interactive face of the same runs (:mod:`planbench.results.html`):
every count opens its answers, every answer its verdict. Plots are
:mod:`planbench.results.plots`.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from planbench.errors import write_failed
from planbench.results.metrics import (PLAN_COUNTS, completeness_text, count_applies, dollars, incomplete_words, percent,
                                      run_results, summarise, task_of)
from planbench.results.score import FLOAT_FORMAT, OUTCOMES, VERDICT_OUTCOMES, columns_of

PLOT_FILE = "accuracy_by_length.png"
FAILURE_PLOT = "failures_by_length.png"
EFFORT_PLOT = "accuracy_by_effort.png"


@dataclass
class Section:
    title: str
    text: str = ""
    table: object = None  # a pandas DataFrame, shown without its index


def write_report(runs: dict[str, list[dict]], out: Path, title: str = "planbench report",
                 sources: dict | None = None) -> Path:
    """``report.md``, ``report.html``, the plots (PNG), ``summary.csv`` and
    ``by_optimal_length.csv`` for scored runs (name -> rows); ``sources`` (name -> Run)
    lets report.html open every answer. Returns the Markdown path. A report that cannot
    be written (a full disk) is one error saying the runs are untouched."""
    try:
        return _write_report(runs, out, title, sources)
    except OSError as error:
        raise write_failed(error, error.filename or out, "the runs and their answers are untouched; free space and "
                           "write the report again") from None


def _write_report(runs: dict[str, list[dict]], out: Path, title: str, sources: dict | None) -> Path:
    import pandas as pd

    from planbench.results import plots
    from planbench.results.html import report_data, write_html

    from planbench.results.metrics import judged_rows

    out.mkdir(parents=True, exist_ok=True)
    sources = sources or {}
    overall, by_length, failures, results = [], [], [], {}
    for name, rows in runs.items():
        frame = pd.DataFrame(rows).reindex(columns=columns_of(rows))  # a task's rows lack some columns
        encoding = frame["encoding"].mode().iat[0] if "encoding" in frame and frame["encoding"].notna().any() else ""
        results[name] = run_results(rows, sources.get(name))
        overall.append({"run": name, "encoding": encoding, "task": task_of(frame), **results[name]["results"],
                        **{f"run_{k}": v for k, v in results[name]["completeness"].items()}})
        by_length.append(pd.DataFrame(results[name]["by_optimal_length"]).assign(run=name, encoding=encoding))
        judged = judged_rows(frame) if "outcome" in frame else frame
        kinds = judged.loc[judged["outcome"] == "invalid", "failure_kind"].value_counts() if "outcome" in frame else {}
        if count_applies(task_of(frame), "invalid"):  # a t3 verdict or t7 state is no plan to fail
            failures.append({"run": name, **{k: int(v) for k, v in dict(kinds).items()}})
    overall_frame = pd.DataFrame(overall)
    length_frame = pd.concat(by_length, ignore_index=True)
    failure_table = pd.DataFrame(failures).fillna(0)
    for column in failure_table.columns[1:]:
        failure_table[column] = failure_table[column].astype(int)
    sections = [
        Section("Overall", OVERALL_TEXT + _vote_text(overall_frame) + _incomplete_text(results),
                _overall_table(overall_frame)),
        *_task_sections(runs, overall_frame),
        *_length_sections(runs, length_frame),
        *([Section("Why invalid plans fail", "Counts of the first failure of each invalid plan.", failure_table)]
          if failures else []),
        *_unsolvable_sections(runs, overall_frame),
        *_cost_sections(overall_frame, length_frame),
    ]
    figures = [("Accuracy by optimal plan length", out / PLOT_FILE, plots.plot_accuracy(runs, out / PLOT_FILE)),
               ("What became of the answers, by optimal plan length", out / FAILURE_PLOT,
                plots.plot_failures(runs, out / FAILURE_PLOT))]
    curves = effort_curves(runs)
    sections += _effort_sections(curves) if curves else []
    if plots.has_effort(results):  # every run with counted tokens, strategies or not
        figures.append(("Accuracy against effort", out / EFFORT_PLOT,
                        plots.plot_effort(results, curves, runs, out / EFFORT_PLOT)))
    report = out / "report.md"
    report.write_text(_markdown(title, sections, [(name, path) for name, path, _ in figures]))
    write_html(out / "report.html", report_data(runs, sources, title, results), _sections_html(sections),
               [(name, svg) for name, _, svg in figures])
    overall_frame.to_csv(out / "summary.csv", index=False, float_format=FLOAT_FORMAT)
    length_frame.to_csv(out / "by_optimal_length.csv", index=False, float_format=FLOAT_FORMAT)
    return report


OVERALL_TEXT = ("Accuracy is right answers / answered instances (no_response excluded): a valid plan, or a refusal "
                "where no plan exists (tasks 2-8: right by the task's rule: t2 a valid plan of optimal length, t3 the "
                "right verdict, t7 the exact state); with Wilson 95% intervals (clustered by instance with several "
                "samples). A count that means nothing for a task's answers is blank.")


def _vote_text(overall) -> str:
    if "answer_accuracy" not in overall or overall["answer_accuracy"].isna().all():
        return ""
    return (" For vote runs the accuracy is the majority answer's, one per instance (the same rule as the "
            "majority-vote table); 'per answer' is every answer's, beside it.")


def _incomplete_text(results: dict) -> str:
    notes = [f"{name} ({incomplete_words(r['completeness'])})" for name, r in results.items()
             if completeness_text(r["completeness"])]
    return (" Runs stopped before the end (their figures are over the answers they have; the same command, or "
            "resume, sends the rest): " + ", ".join(notes) + ".") if notes else ""


def _overall_table(overall):
    frame = overall.copy()
    frame["accuracy (95% CI)"] = [f"{percent(a)} ({percent(lo)}-{percent(hi)})"
                                  for a, lo, hi in zip(frame["accuracy"], frame["ci_low"], frame["ci_high"])]
    columns = ["run", "n", "answered", "valid", "optimal", "accuracy (95% CI)"]
    if "answer_accuracy" in frame and frame["answer_accuracy"].notna().any():
        frame["per answer (95% CI)"] = [
            f"{percent(a)} ({percent(lo)}-{percent(hi)})" if a == a else ""
            for a, lo, hi in zip(frame["answer_accuracy"], frame["answer_ci_low"], frame["answer_ci_high"])]
        columns.append("per answer (95% CI)")
    columns += [o for o in OUTCOMES if o != "valid"]
    if "incorrect" in frame and frame["incorrect"].notna().any():  # verdict and state tasks' wrong answers
        frame["incorrect"] = frame["incorrect"].fillna(0).astype(int)
        columns.insert(columns.index("invalid") + 1, "incorrect")
    if "pass_at_k" in frame and frame["pass_at_k"].notna().any():
        frame["pass@k (instances)"] = [f"{percent(p)} (k={k:.0f}, {i:.0f})" if p == p else ""
                                       for p, k, i in zip(frame["pass_at_k"], frame["samples"], frame["instances"])]
        columns += ["pass@k (instances)"]
    if "recorded_accuracy" in frame:
        frame["recorded accuracy"] = frame["recorded_accuracy"].map(percent)
        frame["agreement with recorded"] = frame["agreement"].map(percent)
        columns += ["recorded accuracy", "agreement with recorded"]
    if "run_complete" in frame and (frame["run_complete"] == False).any():  # noqa: E712 - NaN: not known
        frame["complete"] = [("yes" if done else f"incomplete: answered {a:.0f} of {p:.0f}") if done == done else ""
                             for done, a, p in zip(frame["run_complete"], frame["run_answered"], frame["run_planned"])]
        columns.append("complete")
    for column in set(columns) & {*PLAN_COUNTS, *VERDICT_OUTCOMES}:  # blank, not 0, where a count means nothing
        frame[column] = [value if count_applies(task, column) else "" for value, task in zip(frame[column], frame["task"])]
    return frame[columns]


def _length_table(by_length, cell=None):
    """One row per run, one column per optimal plan length ("no plan" for problems without)."""
    cell = cell or (lambda r: f"{percent(r['accuracy'])} ({r['correct']}/{r['answered']})")
    cells = by_length.assign(cell=[cell(r) for _, r in by_length.iterrows()],
                             optimal_length=by_length["optimal_length"].map(
                                 lambda v: "no plan" if v != v or v is None else str(int(v))))
    order = sorted(cells["optimal_length"].unique(), key=lambda v: (v == "no plan", int(v) if v.isdigit() else 0))
    table = cells.pivot(index="run", columns="optimal_length", values="cell").fillna("")[order]
    table = table.reindex(list(dict.fromkeys(by_length["run"])))  # runs in the order given
    table.columns = [str(c) for c in table.columns]
    return table.reset_index()


def _task_sections(runs: dict[str, list[dict]], overall) -> list[Section]:
    """PlanBench's per-task table and how often the two readings disagree (only for reports
    with a run of a task other than 1)."""
    from planbench.results import by_task

    if not by_task.has_tasks(runs):
        return []
    sections = [Section("Tasks", "Accuracy (95% CI) per task, as in PlanBench's tables: a row per model, set and "
                        "encoding; t3 also with the error's type and with its explanation right. Tasks: "
                        + by_task.titles() + ".", by_task.task_table(runs, overall))]
    readings = by_task.readings_table(runs, overall)
    if readings is not None:
        sections.append(Section("Where the two readings differ", "Each answer of tasks 2-8 is read both ways: our "
                                "default reading, judged exactly against what the prompt asks, and PlanBench's own "
                                "evaluator, quirks included ('planbench show RUN ID' says why they differ).", readings))
    return sections


def _length_sections(runs: dict[str, list[dict]], by_length) -> list[Section]:
    """Accuracy by optimal plan length: one table, or one per task when runs of several
    tasks are reported together (a length means another thing in each)."""
    from planbench.results import by_task

    groups = by_task.length_groups(runs)
    if len(groups) <= 1:
        return [Section("Accuracy by optimal plan length", "Cells: accuracy (right/answered).", _length_table(by_length))]
    return [Section(f"Accuracy by optimal plan length: {task}", "Cells: accuracy (right/answered).",
                    _length_table(by_length[by_length["run"].isin(names)]))
            for task, names in groups.items()]


def _unsolvable_sections(runs: dict[str, list[dict]], overall) -> list[Section]:
    """Does the model notice when no plan exists? Per run, and by blocks: the share of
    answers on unsolvable problems that refuse (right) or give a plan anyway, and of
    answers on solvable problems that refuse."""
    if "refusal_rate" not in overall or overall["refusal_rate"].isna().all():
        return []
    import pandas as pd

    columns = ["run", "refused", "false_plan", "false_refusal", "refusal_rate", "false_plan_rate", "false_refusal_rate"]
    table = overall[[c for c in columns if c in overall]].copy()
    for column in ("refusal_rate", "false_plan_rate", "false_refusal_rate"):
        if column in table:
            table[column] = table[column].map(percent)
    by_blocks = []
    for name, rows in runs.items():
        frame = summarise(rows, ["blocks"])
        if "refusal_rate" in frame:
            by_blocks.append(frame.assign(run=name))
    sections = [Section("Problems with no plan", "Refused: said no plan exists (right on unsolvable problems). "
                        "False plan: gave a plan for a problem that has none. False refusal: refused a solvable one.",
                        table)]
    if by_blocks:
        blocks = pd.concat(by_blocks, ignore_index=True)
        blocks = blocks[blocks["refusal_rate"].notna()]
        cells = blocks.assign(cell=[f"{percent(r['refusal_rate'])} refused, {percent(r['false_plan_rate'])} plan"
                                    for _, r in blocks.iterrows()])
        pivot = cells.pivot(index="run", columns="blocks", values="cell").fillna("")
        pivot.columns = [f"{c} blocks" for c in pivot.columns]
        sections.append(Section("Problems with no plan, by blocks", "", pivot.reset_index()))
    return sections


def _cost_sections(overall, by_length) -> list[Section]:
    """Spend per run, per instance and per valid plan, overall and by optimal plan length
    (longer problems cost more tokens and succeed less: the cost of a correct plan grows
    faster than either): every turn of every sample. A run of a model the price table
    lacks says "cost unknown", never $0; imported runs record no cost."""
    unknown = list(overall.loc[overall["cost_known"] == False, "run"]) if "cost_known" in overall else []  # noqa: E712
    notes = ([Section("Cost unknown", "No price for the model of " + ", ".join(unknown) + ": add it with --pricing "
                      "FILE (USD per million input / cached input / output tokens) and score again.")]
             if unknown else [])
    if "cost" not in overall or overall["cost"].isna().all():
        return notes
    priced = overall[overall["cost"].notna()].copy()
    for column in ("cost", "cost_paid_now", "cost_per_instance", "cost_per_valid"):
        priced[column] = priced[column].map(dollars)
    priced = priced.rename(columns={"cost_paid_now": "paid now"})
    columns = ["run", "n", "cost_divisor", "cost", "paid now", "cost_per_instance", "cost_per_valid", "prompt_tokens",
               "completion_tokens", "reasoning_tokens"]
    for column in ("prompt_tokens", "completion_tokens", "reasoning_tokens"):
        priced[column] = priced[column].map(lambda v: f"{v:,.0f}" if v == v else "")
    note = ("USD from the pricing table, for every turn of every sample. Answers from the response cache count at what "
            "they cost when paid; 'paid now' is what the run's own requests cost.")
    if "cost_live" in overall and (overall["cost_live"].fillna(0) != overall["cost"].fillna(0)).any():
        priced["at live prices"] = overall.loc[priced.index, "cost_live"].map(dollars)
        columns.insert(4, "at live prices")
        note += (" Runs through a Batch API are priced at batch prices; 'at live prices' is what the same answers "
                 "would have cost sent one by one.")
    rows = by_length[by_length["cost"].notna()] if "cost" in by_length else by_length.iloc[0:0]
    divisor, per = _per_right(priced["task"] if "task" in priced else None)
    priced["cost_divisor"] = priced["cost_divisor"].map(lambda v: f"{v:.0f}" if v == v else "")
    table = priced[columns].rename(columns={"cost_divisor": divisor, "cost_per_valid": per})
    sections = notes + [Section("Cost", note, table)]
    if len(rows):
        per_length = _length_table(rows, lambda r: f"{dollars(r['cost_per_valid'])} "
                                                   f"({dollars(r['cost_per_instance'])}/instance)")
        sections.append(Section(f"Cost {per} by optimal plan length", "", per_length))
    return sections


def _per_right(tasks) -> tuple[str, str]:
    """The names of the count a run's cost is divided by (metrics' ``cost_divisor``) and of
    the cost per it: task 1's valid plans, tasks 2-8's right answers (a t7 run has no valid
    plan: "valid 0" and "per valid plan" hid what it paid per right answer)."""
    first = [task in (None, "t1") or task != task for task in (tasks if tasks is not None else [])]
    if all(first):
        return "valid", "per valid plan"
    return ("right", "per right answer") if not any(first) else ("valid / right", "per valid plan / right answer")


# ------------------------------------------------------------------ rendering


def _markdown_table(frame) -> str:
    columns = [str(c) for c in frame.columns]
    lines = ["| " + " | ".join(columns) + " |", "|" + "---|" * len(columns)]
    for row in frame.itertuples(index=False):
        lines.append("| " + " | ".join(str(v) for v in row) + " |")
    return "\n".join(lines)


def _markdown(title: str, sections: list[Section], images: list[tuple[str, Path]]) -> str:
    lines = [f"# {title}", ""]
    for section in sections:
        lines += [f"## {section.title}", ""]
        if section.text:
            lines += [section.text, ""]
        if section.table is not None:
            lines += [_markdown_table(section.table), ""]
    for name, path in images:
        lines += [f"![{name.lower()}]({path.name})", ""]
    return "\n".join(lines)


# Sections report.html draws itself, interactively (every count opens its answers).
INTERACTIVE = ("Overall", "Accuracy by optimal plan length")


def _sections_html(sections: list[Section]) -> str:
    """The Markdown report's other sections (cost, rounds, vote, problems with no plan,
    failures) as sections of the page in their own right, each row of a table marked
    with its run so that the page's run filter can show it alone."""
    import html

    parts = []
    for section in sections:
        if section.title in INTERACTIVE:
            continue
        parts.append(f"<section><h2>{html.escape(section.title)}</h2>")
        if section.text:
            parts.append(f"<p class='muted'>{html.escape(section.text)}</p>")
        if section.table is not None:
            parts.append("<div class='scroll'>" + _table_html(section.table) + "</div>")
        parts.append("</section>")
    return "\n".join(parts)


def _table_html(frame) -> str:
    """A table without its index; a row with a ``run`` column says whose it is (data-run)."""
    import html

    columns = [str(c) for c in frame.columns]
    runs = list(frame["run"]) if "run" in frame.columns else [None] * len(frame)
    head = "".join(f"<th>{html.escape(c)}</th>" for c in columns)
    body = "".join(
        (f"<tr data-run='{html.escape(str(run))}'>" if run is not None else "<tr>")
        + "".join(f"<td>{html.escape(str(v))}</td>" for v in row) + "</tr>"
        for run, row in zip(runs, frame.itertuples(index=False)))
    return f"<table class='section'><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


# ------------------------------------------------------------------ effort


def effort_curves(runs: dict[str, list[dict]]) -> dict[str, object]:
    """Per run with more than one answer per instance: accuracy against what it spent.
    Follow-up rounds (back-prompting, revision): one point per round; several samples
    (vote): one point per k, the majority of k answers. Columns: label, x (round or k),
    accuracy, output_tokens, cost."""
    import pandas as pd

    from planbench.results.metrics import by_round, vote_curve

    curves = {}
    for name, rows in runs.items():
        first = rows[0] if rows else {}
        label = f"{first.get('model')} · {first.get('strategy') or 'single'}"
        rounds = by_round(rows)
        if len(rounds) > 1:
            curves[name] = rounds.assign(label=label, step=rounds["round"], kind="round")
            continue
        votes = vote_curve(rows) if len({(r.get('part'), r.get('id'), r.get('sample')) for r in rows}) > len(
            {(r.get('part'), r.get('id')) for r in rows}) else pd.DataFrame()
        if len(votes) > 1:
            curves[name] = votes.assign(label=label, step=votes["k"], kind="k")
    return curves


def _effort_sections(curves: dict[str, object]) -> list[Section]:
    import pandas as pd

    sections = []
    rounds = {name: c for name, c in curves.items() if c["kind"].iat[0] == "round"}
    if rounds:  # conversations of different runs may end after different rounds: a ragged table
        table = pd.DataFrame.from_dict({name: [f"{percent(a)} ({t:,.0f} tok)"
                                               for a, t in zip(c["accuracy"], c["output_tokens"])]
                                        for name, c in rounds.items()}, orient="index")
        table.columns = ["first try" if i == 0 else f"after {i}" for i in range(len(table.columns))]
        sections.append(Section("Accuracy by round", "After each follow-up round (a conversation that ended keeps its "
                                "last answer), with the mean output tokens per conversation spent so far.",
                                table.fillna("").reset_index(names="run")))
    votes = {name: c for name, c in curves.items() if c["kind"].iat[0] == "k"}
    if votes:
        table = pd.DataFrame.from_dict({name: [percent(a) for a in c["accuracy"]] for name, c in votes.items()},
                                       orient="index")
        table.columns = [f"k={k}" for k in range(1, len(table.columns) + 1)]
        sections.append(Section("Majority vote", "Accuracy of the most common plan among k answers, the mean over "
                                "subsets of k of each instance's answers.", table.fillna("").reset_index(names="run")))
    return sections
