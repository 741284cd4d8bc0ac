"""Commands on recorded answers: ``import``, ``score``, ``report``, ``compare``, ``export``, ``show``, ``reproduce``."""

from __future__ import annotations

from pathlib import Path

import click

from planbench.cli.common import main, not_empty, print_summary, reports_input_errors
from planbench.errors import InputError


@main.command(name="import")
@click.argument("results", type=click.Path(dir_okay=False))
@click.option("--out", required=True, type=click.Path(file_okay=False),
              help="Run directory to create.", callback=not_empty)
@click.option("--force", is_flag=True, help="If --out holds another run, move it aside (never deleted).")
@reports_input_errors
def import_command(results: str, out: str, force: bool) -> None:
    """Import a PlanBench results file (.json or .json.gz) as a run directory."""
    from planbench.results.importer import import_results
    from planbench.runs import locked, writable_folder

    with locked(writable_folder(Path(out), "run directory")):
        run, problems = import_results(results, out, force)
    for problem in problems:
        click.echo(f"planbench: {problem}", err=True)
    click.echo(f"imported {run.info['model']} ({run.info['set']}, {run.info['encoding']}, {run.info['style']}) into {out}")



@main.command()
@click.argument("run_dirs", nargs=-1, required=True, type=click.Path(file_okay=False))
@click.option("--extractor", default=None, help="default[-lenient], planbench-rule[-2024|-2023], planbench-pddl, planbench-llm[-parens].")
@click.option("--by", default="optimal_length", show_default=True, help="Columns to group the printed table by (comma-separated).")
@click.option("--translator-model", default="gpt-4o", show_default=True, help="Model for planbench-llm translations.")
@click.option("--translator-base-url", default=None, help="Endpoint for planbench-llm translations.")
@click.option("--translator-api-key-env", default="OPENAI_API_KEY", show_default=True)
@reports_input_errors
def score(run_dirs: tuple[str, ...], extractor: str | None, by: str, translator_model: str,
          translator_base_url: str | None, translator_api_key_env: str) -> None:
    """Judge every answer of each run: writes RUN_DIR/scores.csv and prints the summary."""
    from planbench.results.score import COLUMNS, score_run, summarise, write_scores
    from planbench.runs import read_run

    for folder in run_dirs:
        run = read_run(folder)
        translator = {"model": translator_model, "base_url": translator_base_url,
                      "api_key_env": translator_api_key_env, "cache_dir": None}
        rows = score_run(run, extractor, translator)
        write_scores(rows, Path(folder) / "scores.csv")
        print_summary(run.name, rows)
        if by:
            unknown = [c.strip() for c in by.split(",") if c.strip() not in COLUMNS]
            if unknown:
                raise InputError("--by", 0, f"no column {', '.join(unknown)}; columns: {', '.join(COLUMNS)}")
            table = summarise(rows, [c.strip() for c in by.split(",")])
            shown = [*[c.strip() for c in by.split(",")], "answered", "correct", "accuracy", "ci_low", "ci_high"]
            shown += [c for c in ("refusal_rate", "false_plan_rate", "false_refusal_rate") if c in table]
            click.echo(table[shown].to_string(index=False, float_format=lambda v: f"{v:.3f}"))


@main.command()
@click.argument("run_dirs", nargs=-1, required=True, type=click.Path(file_okay=False))
@click.option("--out", required=True, type=click.Path(file_okay=False), callback=not_empty)
@click.option("--extractor", default=None, help="Re-score with this extractor (default: each run's scores.csv, else default).")
@reports_input_errors
def report(run_dirs: tuple[str, ...], out: str, extractor: str | None) -> None:
    """Write report.md and accuracy_by_length.png for one or more runs, side by side."""
    from planbench.results.report import write_report
    from planbench.results.score import score_run
    from planbench.runs import read_run, writable_folder

    writable_folder(Path(out), "report folder")
    runs, sources = {}, {}
    for folder in run_dirs:
        run = read_run(folder)
        if run.name in runs:
            raise InputError(folder, 0, f"two runs are named {run.name!r}; their rows would mix in one report")
        runs[run.name] = score_run(run, extractor)
        sources[run.name] = run
    click.echo(f"wrote {write_report(runs, Path(out), sources=sources)} and report.html")


@main.command()
@click.argument("run_a", type=click.Path(file_okay=False))
@click.argument("run_b", type=click.Path(file_okay=False))
@click.option("--by-length/--overall-only", default=True, show_default=True, help="Also compare per optimal length.")
@click.option("--resamples", default=2000, show_default=True, type=click.IntRange(min=100), help="Bootstrap resamples.")
@reports_input_errors
def compare(run_a: str, run_b: str, by_length: bool, resamples: int) -> None:
    """Two runs on the instances both answered, paired: accuracies, the difference with a
    paired bootstrap interval, and McNemar's exact test on the answers they disagree on."""
    from planbench.results.compare import compare as paired
    from planbench.results.compare import format_table
    from planbench.results.score import score_run
    from planbench.runs import read_run

    first, second = read_run(run_a), read_run(run_b)
    results = paired(score_run(first), score_run(second), by_length, resamples)
    if not results[0].pairs:
        raise InputError(run_b, 0, f"no instance answered by both {first.name} and {second.name}")
    click.echo(format_table(results, first.name, second.name))


@main.command()
@click.argument("run_dirs", nargs=-1, required=True, type=click.Path(file_okay=False))
@click.option("--format", "export_format", default="parquet", show_default=True,
              type=click.Choice(["parquet", "jsonl", "hf"]), help="parquet or jsonl: one file; hf: a datasets folder.")
@click.option("--out", required=True, type=click.Path(), callback=not_empty, help="File (or folder for hf) to write.")
@reports_input_errors
def export(run_dirs: tuple[str, ...], export_format: str, out: str) -> None:
    """Scores of runs, with each run's settings, in formats other tools read."""
    from planbench.results.api import export as write

    click.echo(f"wrote {write(list(run_dirs), out, export_format)}")


@main.command()
@click.argument("run_dir", type=click.Path(file_okay=False))
@click.argument("answer_id", metavar="ID")
@click.option("--sample", default=0, show_default=True, type=click.IntRange(min=0), help="Which sample of the instance.")
@click.option("--full", is_flag=True, help="The whole answer, reasoning included.")
@reports_input_errors
def show(run_dir: str, answer_id: str, sample: int, full: bool) -> None:
    """Why one answer got its verdict: the answer with the plan read from it marked, and
    the validator's trace in the encoding's words. ID is an instance id, or PART/ID where
    a set has several parts with the same ids (planbench-600)."""
    from planbench.results.show import show as show_answer
    from planbench.runs import read_run

    shown = show_answer(read_run(run_dir), answer_id, sample, full)
    click.echo(shown.text())


@main.command()
@click.option("--out", default="planbench-report", show_default=True, type=click.Path(file_okay=False),
              callback=not_empty)
@click.option("--extractor", default="default", show_default=True, help="Extractor to score the recorded answers with.")
@reports_input_errors
def reproduce(out: str, extractor: str) -> None:
    """Score PlanBench's recorded answers (bundled) against the bundled sets, offline."""
    from rich.progress import Progress

    from planbench.resources import data_dir
    from planbench.results.importer import import_results
    from planbench.results.report import write_report
    from planbench.results.score import score_run, write_scores
    from planbench.runs import writable_folder

    writable_folder(Path(out), "report folder")
    files = sorted(data_dir("recorded").glob("*.json.gz"))
    runs, sources = {}, {}
    with Progress(transient=True) as progress:
        task = progress.add_task("scoring recorded answers", total=len(files))
        for path in files:
            folder = Path(out) / "runs" / path.name.removesuffix(".json.gz")
            run, problems = import_results(path, folder)
            for problem in problems:
                progress.console.print(f"planbench: {problem}")
            rows = score_run(run, extractor)
            write_scores(rows, folder / "scores.csv")
            runs[run.name] = rows
            sources[run.name] = run
            progress.advance(task)
        task = progress.add_task("writing the report", total=None)
        report = write_report(runs, Path(out), "PlanBench recorded answers, re-scored by planbench", sources)
    for name, rows in runs.items():
        print_summary(name, rows)
    click.echo(f"wrote {report} and {Path(out) / 'report.html'}")
