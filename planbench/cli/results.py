"""Commands on recorded answers: ``import``, ``score``, ``report``, ``compare``, ``export``, ``show``, ``reproduce``."""

from __future__ import annotations

from pathlib import Path

import click

from planbench.cli.common import main, name_option, not_empty, output_may_stop, print_summary, reports_input_errors, say
from planbench.errors import InputError


@main.command(name="import")
@click.argument("results", type=click.Path(dir_okay=False))
@click.option("--out", required=True, type=click.Path(file_okay=False),
              help="Run directory to create.", callback=not_empty)
@click.option("--force", is_flag=True, help="If --out holds another run, move it aside (never deleted).")
@name_option
@reports_input_errors
def import_command(results: str, out: str, force: bool, name: str | None) -> None:
    """Import a PlanBench results file (.json or .json.gz), or an Inspect AI log of the
    planbench/planbench task (.eval or .json), as a run directory."""
    from planbench.inspect.logs import import_log, is_inspect_log
    from planbench.results.importer import import_results
    from planbench.runs import locked, named, writable_folder

    read = import_log if is_inspect_log(results) else import_results
    with locked(writable_folder(Path(out), "run directory")):
        run, problems = read(results, out, force)
        run = named(run, name)
    for problem in problems:
        say(problem)
    task = run.info.get("task") or "t1"
    asked = run.info.get("style") if task == "t1" else task  # tasks 2-8 are asked in their one way
    click.echo(f"imported {run.info['model']} ({run.info['set']}, {run.info['encoding']}, {asked}) into {out}")



@main.command()
@click.argument("run_dirs", nargs=-1, required=True, type=click.Path(file_okay=False))
@click.option("--extractor", default=None,
              help="default or planbench (every task); task 1 also default-lenient, planbench-rule[-2024|-2023], "
                   "planbench-pddl, planbench-llm[-parens].")
@click.option("--task", "task_name", default=None,
              help="The task the answers are for, where run.json does not say (it must agree where it does).")
@click.option("--by", default="optimal_length", show_default=True, help="Columns to group the printed table by (comma-separated).")
@click.option("--translator-model", default="gpt-4o", show_default=True, help="Model for planbench-llm translations.")
@click.option("--translator-base-url", default=None, help="Endpoint for planbench-llm translations.")
@click.option("--translator-api-key-env", default="OPENAI_API_KEY", show_default=True)
@name_option
@reports_input_errors
def score(run_dirs: tuple[str, ...], extractor: str | None, task_name: str | None, by: str, translator_model: str,
          translator_base_url: str | None, translator_api_key_env: str, name: str | None) -> None:
    """Judge every answer of each run: writes RUN_DIR/scores.csv and RUN_DIR/results.json
    and prints the summary."""
    from planbench.results.metrics import summarise
    from planbench.results.results_file import save_scores
    from planbench.results.score import score_run
    from planbench.runs import named, read_run, scored_with, write_info

    if name is not None and len(run_dirs) > 1:
        raise InputError("--name", 0, f"names one run; {len(run_dirs)} were given")
    for folder in run_dirs:
        run = named(read_run(folder), name)
        translator = {"model": translator_model, "base_url": translator_base_url,
                      "api_key_env": translator_api_key_env, "cache_dir": None}
        rows = score_run(run, extractor, translator, task_name)
        if task_name and "task" not in run.info:  # said once, known to report, show and compare after
            run = write_info(run, {**run.info, "task": rows[0]["task"]})
        run = scored_with(run, extractor)  # and the reading, likewise
        with output_may_stop():
            print_summary(run, rows)
            if by:
                keys = [c.strip() for c in by.split(",")]
                table = summarise(rows, keys, "--by")
                shown = [*keys, "answered", "correct", "accuracy", "ci_low", "ci_high"]
                shown += [c for c in ("refusal_rate", "false_plan_rate", "false_refusal_rate") if c in table]
                click.echo(_grouped_table(table[shown], keys))
        save_scores(run, rows)  # last: a run directory that is read-only still prints its scores


def _grouped_table(table, keys: list[str]) -> str:
    """The --by table as text: whole-number keys as integers (an optimal length of 2, not
    2.000), a key a group lacks as "none" (no plan exists), rates to three decimals, a rate
    that does not apply to a group as "-"."""
    import pandas as pd

    table = table.copy()
    for key in keys:
        values = table[key]
        if pd.api.types.is_numeric_dtype(values) and values.notna().any() and (values.dropna() % 1 == 0).all():
            table[key] = values.astype("Int64").astype("string").fillna("none")
    return table.to_string(index=False, float_format=lambda v: f"{v:.3f}", na_rep="-")


@main.command()
@click.argument("run_dirs", nargs=-1, required=True, type=click.Path(file_okay=False))
@click.option("--out", required=True, type=click.Path(file_okay=False), callback=not_empty)
@click.option("--extractor", default=None, help="Re-score with this extractor (default: the one each run was scored "
              "with, kept in its run.json by 'score --extractor'; else default).")
@reports_input_errors
def report(run_dirs: tuple[str, ...], out: str, extractor: str | None) -> None:
    """Write OUT/report.html (open it in a browser: every answer with the validator's walk,
    filters, figures) and report.md beside it, with the figures (PNG) and summary.csv and
    by_optimal_length.csv, for one or more runs side by side."""
    from planbench.results.report import write_report
    from planbench.results.score import score_run
    from planbench.runs import read_run, refuse_inside_a_run, writable_folder

    refuse_inside_a_run(out)
    writable_folder(Path(out), "report folder")
    runs, sources = {}, {}
    for folder in run_dirs:
        run = read_run(folder)
        if run.name in runs:
            raise InputError(folder, 0, f"two runs are named {run.name!r} (a copied run directory keeps its name); "
                             f"their rows would mix in one report: name one with 'planbench score {folder} --name NEW'")
        runs[run.name] = score_run(run, extractor)
        sources[run.name] = run
    markdown = write_report(runs, Path(out), sources=sources)
    click.echo(f"wrote {markdown.with_name('report.html')} and {markdown}")


@main.command()
@click.argument("run_a", type=click.Path(file_okay=False))
@click.argument("run_b", type=click.Path(file_okay=False))
@click.option("--by-length/--overall-only", default=True, show_default=True, help="Also compare per optimal length.")
@click.option("--resamples", default=2000, show_default=True, type=click.IntRange(min=100), help="Bootstrap resamples.")
@reports_input_errors
def compare(run_a: str, run_b: str, by_length: bool, resamples: int) -> None:
    """Two runs on the instances both answered, paired: accuracies, the difference with a
    paired bootstrap interval, and McNemar's exact test on the answers they disagree on.
    Each run is headed by its summary line (cost, and whether it is complete), and what is
    paired, and left out, is said."""
    from planbench.results.compare import compare_pairs, format_table, pairing
    from planbench.results.metrics import run_results, summary_line
    from planbench.results.score import score_run
    from planbench.runs import read_run

    first, second = read_run(run_a), read_run(run_b)
    tasks = [run.info.get("task") or "t1" for run in (first, second)]
    if tasks[0] != tasks[1]:
        raise InputError(run_b, 0, f"{first.name} answered {tasks[0]}'s questions and {second.name} {tasks[1]}'s: "
                         "compare pairs answers to the same questions (runs of one task)")
    rows_a, rows_b = score_run(first), score_run(second)
    paired = pairing(rows_a, rows_b)
    results = compare_pairs(paired.matched, by_length, resamples)
    if not results[0].pairs:
        raise InputError(run_b, 0, f"no instance answered by both {first.name} and {second.name}")
    click.echo(format_table(results, summary_line(first.name, run_results(rows_a, first)),
                            summary_line(second.name, run_results(rows_b, second)), paired))


@main.command()
@click.argument("run_dirs", nargs=-1, required=True, type=click.Path(file_okay=False))
@click.option("--format", "export_format", default="parquet", show_default=True,
              type=click.Choice(["parquet", "jsonl", "csv", "hf"]),
              help="parquet, jsonl or csv: one file; hf: a datasets folder.")
@click.option("--with-text", is_flag=True,
              help="Also each answer's words: the prompt it replied to, the answer, and the gold plan beside the plan "
                   "read (several times the size).")
@click.option("--out", required=True, type=click.Path(), callback=not_empty, help="File (or folder for hf) to write.")
@reports_input_errors
def export(run_dirs: tuple[str, ...], export_format: str, with_text: bool, out: str) -> None:
    """Scores of runs, with each run's settings, in formats other tools read."""
    from planbench.results.api import export as write

    click.echo(f"wrote {write(list(run_dirs), out, export_format, with_text)}")


@main.command()
@click.argument("run_dir", type=click.Path(file_okay=False))
@click.argument("answer_id", metavar="ID")
@click.option("--sample", default=0, show_default=True, type=click.IntRange(min=0), help="Which sample of the instance.")
@click.option("--full", is_flag=True, help="The whole answer, reasoning included.")
@click.option("--round", "round_", default=None, type=click.IntRange(min=0),
              help="Which turn of a conversation (back-prompting, revise: 0 is the first answer). Default: the last.")
@reports_input_errors
def show(run_dir: str, answer_id: str, sample: int, full: bool, round_: int | None) -> None:
    """Why one answer got its verdict: the answer with the plan read from it marked, and
    the validator's trace in the encoding's words. ID is an instance id, or PART/ID where
    a set has several parts with the same ids (planbench-600)."""
    from planbench.results.show import show as show_answer
    from planbench.runs import read_run

    shown = show_answer(read_run(run_dir), answer_id, sample, full, round_)
    click.echo(shown.text())


@main.command()
@click.option("--out", default="planbench-report", show_default=True, type=click.Path(file_okay=False),
              callback=not_empty)
@click.option("--extractor", default="default", show_default=True,
              help="Reading to score the recorded answers with: default or planbench (every task); task 1 also "
                   "planbench-rule[-2024|-2023], planbench-pddl, planbench-llm[-parens].")
@reports_input_errors
def reproduce(out: str, extractor: str) -> None:
    """Score PlanBench's recorded answers (bundled, tasks 1-8) against the bundled sets, offline."""
    from rich.progress import Progress

    from planbench.resources import data_dir
    from planbench.results.importer import describe, import_results, load_results, run_name
    from planbench.results.report import write_report
    from planbench.results.results_file import save_scores
    from planbench.results.score import score_run
    from planbench.runs import named, refuse_inside_a_run, scored_with, writable_folder

    refuse_inside_a_run(out)
    writable_folder(Path(out), "report folder")
    files = sorted(data_dir("recorded").glob("*.json.gz"))
    runs, sources = {}, {}
    with Progress(transient=True) as progress:
        task = progress.add_task("scoring recorded answers", total=len(files))
        for path in files:
            try:  # each run in a folder named as the run, so the names in the report are what show takes
                name = run_name(describe(path, load_results(path)))
                folder = Path(out) / "runs" / (name if name not in runs else path.name.removesuffix(".json.gz"))
                run, problems = import_results(path, folder)
            except InputError as error:  # a task this installation lacks: said, and the others scored
                progress.console.print(f"planbench: {error}; skipped")
                progress.advance(task)
                continue
            run = named(run, folder.name)
            for problem in problems:
                progress.console.print(f"planbench: {problem}")
            rows = score_run(run, reading(run, extractor))
            run = scored_with(run, reading(run, extractor))  # planbench report/show on runs/ read it so too
            save_scores(run, rows)
            runs[run.name] = rows
            sources[run.name] = run
            progress.advance(task)
        task = progress.add_task("writing the report", total=None)
        report = write_report(runs, Path(out), "PlanBench recorded answers, re-scored by planbench", sources)
    for name, rows in runs.items():
        print_summary(sources[name], rows)
    figures = task_figures(runs)
    if figures:
        click.echo(figures)
    click.echo(f"wrote {Path(out) / 'report.html'} and {report}")


def reading(run, extractor: str) -> str:
    """The extractor a recorded run is scored with: task 1's any; tasks 2-8 know two
    readings (``default``, ``planbench``), and task 1's names for PlanBench's are its."""
    if (run.info.get("task") or "t1") == "t1" or extractor in ("default", "planbench"):
        return extractor
    return "planbench"


def task_figures(runs: dict[str, list[dict]]) -> str | None:
    """GPT-4's 3-block figures per task, in each reading, as PlanBench's paper gives them
    (t3: binary / with type / with explanation), from the scores just computed."""
    from planbench.results.by_task import counts, task_of
    from planbench.results.metrics import summarise
    from planbench.tasks import NAMES

    figures: dict[str, dict[str, str]] = {}
    for rows in runs.values():
        first = rows[0] if rows else {}
        if (first.get("model"), first.get("set"), first.get("encoding")) != ("gpt-4", "planbench-3", "blocksworld"):
            continue
        if task_of(rows) == "t1" and first.get("style") != "one-shot":
            continue
        entry = summarise(rows).iloc[0]
        for reading, figure in counts(rows, entry).items():
            figures.setdefault(reading, {})[task_of(rows)] = f"{figure}" + (
                "" if entry["answered"] == 100 else f" of {int(entry['answered'])}")
    lines = [f"GPT-4 on PlanBench's 3-block set, right answers per task, of 100 ({reading} reading): "
             + ", ".join(f"{task} {found[task]}" for task in sorted(found, key=NAMES.index))
             for reading, found in sorted(figures.items()) if len(found) > 1]
    return "\n".join(lines) or None
