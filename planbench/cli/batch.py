"""The ``batch`` group: request files for engines planbench does not drive, and their results."""

from __future__ import annotations

from pathlib import Path

import click

from planbench.cli.common import (
    finite,
    main,
    not_empty,
    prompt_options,
    reports_input_errors,
    say,
    system_setting,
    task_and_style,
    task_option,
    writable_file,
)
from planbench.cli.run import score_and_report


@main.group()
def batch() -> None:
    """Batch files for engines planbench does not drive (vLLM's run-batch): export the
    requests, run them there, import the results."""


@batch.command(name="export")
@click.option("--set", "set_name", default=None, help="A bundled set or a generated set's folder.")
@click.option("--encoding", default=None, help="Default: the set's own, else blocksworld.")
@click.option("--style", default=None,
              help="Task 1: zero-shot, one-shot, state-tracking, zero-shot-pddl, one-shot-pddl (tasks 2-8: one-shot).")
@task_option
@click.option("--model", default=None, help="The model name the engine serves (vLLM: its --model or --served-model-name).")
@click.option("--samples", default=1, show_default=True, type=click.IntRange(min=1), help="Answers per prompt.")
@click.option("--strategy", default="single", show_default=True, type=click.Choice(["single", "vote", "revise", "backprompt"]),
              help="Multi-turn strategies export one round at a time (then --from RUN_DIR).")
@click.option("--rounds", default=None, type=click.IntRange(min=0), help="Follow-up messages at most.")
@click.option("--max-tokens", default=None, type=click.IntRange(min=1))
@click.option("--temperature", default=None, type=click.FloatRange(0, 2),
              callback=lambda ctx, param, value: finite(value, "--temperature"))
@click.option("--limit", default=None, type=click.IntRange(min=1), help="Only the first N prompts.")
@prompt_options
@click.option("--from", "run_dir", default=None, type=click.Path(file_okay=False, exists=True),
              help="The next round of a run made by 'batch import' (its settings are used).")
@click.option("--out", required=True, type=click.Path(dir_okay=False), callback=not_empty,
              help="Requests file to write (JSONL); NAME.planbench.json is written beside it.")
@reports_input_errors
def batch_export(set_name, encoding, style, task_name, model, samples, strategy, rounds, max_tokens, temperature, limit, system,
                 system_text, fix_quirks, wording, seed, run_dir, out) -> None:
    """Write a run's requests as a batch input file (OpenAI's format, read by vllm run-batch),
    with the prompt options ``prompts`` and ``run`` take: the same words for the same options."""
    from planbench.run.batch.offline import export_requests
    from planbench.run.execute import check_config
    from planbench.run.runner import RunConfig
    from planbench.runs import refuse_inside_a_run
    from planbench.sets.instances import set_encoding
    from planbench.tasks import canonical

    config = None
    if run_dir is None:
        missing = [name for name, value in (("--set", set_name), ("--model", model)) if not value]
        if not style and canonical(task_name) == "t1":
            missing.insert(1, "--style")
        if missing:
            raise click.UsageError(f"{', '.join(missing)} required (or --from RUN_DIR)")
        task_name, style = task_and_style(task_name, style)
        config = RunConfig(set=set_name, encoding=set_encoding(set_name, encoding), style=style, task=task_name,
                           model=model,
                           samples=samples, strategy=strategy, rounds=rounds, max_tokens=max_tokens,
                           temperature=temperature, limit=limit, system=system_setting(system, system_text),
                           fix_quirks=fix_quirks, wording=wording, seed=seed, engine="batch-files")
        check_config(config, "batch export")
    refuse_inside_a_run(out)
    writable_file(Path(out))
    count, manifest = export_requests(config, Path(out), Path(run_dir) if run_dir else None)
    click.echo(f"wrote {count} requests to {out} (settings in {manifest})")


@batch.command(name="import")
@click.argument("results", type=click.Path(dir_okay=False, exists=True))
@click.option("--out", required=True, type=click.Path(file_okay=False), callback=not_empty,
              help="Run directory: made the first time, appended to for later rounds.")
@click.option("--requests", default=None, type=click.Path(dir_okay=False),
              help="The exported requests file (its manifest is beside it); default: the one manifest beside RESULTS.")
@click.option("--no-score", is_flag=True, help="Do not score and report.")
@reports_input_errors
def batch_import(results: str, out: str, requests: str | None, no_score: bool) -> None:
    """Read a batch output file (OpenAI's format, written by vllm run-batch) into a run directory."""
    from planbench.run.batch.offline import import_results
    from planbench.runs import locked, writable_folder

    with locked(writable_folder(Path(out), "run directory")):
        written, skipped, problems = import_results(Path(results), Path(out), Path(requests) if requests else None)
    for problem in problems:
        say(problem)
    click.echo(f"imported {written} answers into {out}" + (f" ({skipped} skipped)" if skipped else ""))
    if not no_score:
        score_and_report(out)
