"""The ``prompts`` command: PlanBench's prompts for a set, as JSON lines."""

from __future__ import annotations

import json
from pathlib import Path

import click

from planbench.cli.common import (main, not_empty, prompt_options, reports_input_errors, system_setting, task_and_style,
                                  task_option, writable_file)
from planbench.errors import write_failed
from planbench.world import encodings


@main.command()
@click.option("--set", "set_name", required=True, help="A bundled set (planbench sets) or a generated set's folder.")
@click.option("--encoding", default=None,
              help="blocksworld, mystery, randomized, randomized:<seed> (default: the set's own, else blocksworld).")
@click.option("--style", default=None,
              help="Task 1: zero-shot, one-shot, state-tracking, zero-shot-pddl or one-shot-pddl (tasks 2-8: one-shot).")
@task_option
@prompt_options
@click.option("--out", required=True, type=click.Path(dir_okay=False),
              help="JSON-lines file to write ('-' for stdout).", callback=not_empty)
@reports_input_errors
def prompts(set_name: str, encoding: str, style: str | None, task_name: str, system: bool | None,
            system_text: str | None, fix_quirks: bool, wording: str, seed: int, out: str) -> None:
    """Write PlanBench's prompts of a task for a set, one JSON line per question."""
    from planbench.prompts import PromptOptions, check_style
    from planbench.runs import refuse_inside_a_run
    from planbench.sets.instances import load_set, set_encoding
    from planbench.tasks import records

    task_name, style = task_and_style(task_name, style)
    if task_name == "t1":
        check_style(style)
    chosen = encodings.get(set_encoding(set_name, encoding))
    if out != "-":
        refuse_inside_a_run(out)
        writable_file(Path(out))
    options = PromptOptions(system=system_setting(system, system_text), fix_quirks=fix_quirks, seed=seed,
                            wording=wording)
    written = records.records(records.get(task_name), load_set(set_name), chosen, style, options)
    text = "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in written)
    if out == "-":
        click.echo(text, nl=False)
    else:
        try:
            Path(out).write_text(text, encoding="utf-8")
        except OSError as error:
            raise write_failed(error, out, "free space and write them again") from None
        what = style if task_name == "t1" else task_name
        click.echo(f"wrote {len(written)} prompts ({chosen.name}, {what}) to {out}", err=True)
