"""What every command shares: the ``planbench`` group, one-line errors, option checks and
the summary line a scored run prints.

Exit status: 0 success (a valid plan), 1 a negative verdict (an invalid plan), 2 bad
input, with a one-line message naming the file and line, never a traceback.
"""

from __future__ import annotations

import os
import sys
from contextlib import contextmanager
from functools import wraps
from pathlib import Path
from typing import Callable

import click

from planbench.errors import InputError, RunError, is_disk_full, write_failed
from planbench.redact import redact


@contextmanager
def output_may_stop():
    """Printing to a reader that may stop reading (``planbench score RUN | head -1``): once
    the pipe is closed, the rest of the output goes nowhere and the command goes on to save
    its work, instead of dying on the closed pipe with nothing saved and nothing said."""
    try:
        yield
    except BrokenPipeError:
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())  # Python's own advice (signal docs)


def say(message: str) -> None:
    """One line on stderr, with any credential in it redacted (errors quote URLs)."""
    click.echo(f"planbench: {redact(message)}", err=True)


def reports_input_errors(command: Callable) -> Callable:
    """Turn InputError into one line on stderr and exit status 2 (a run stopped short: 1).
    A disk that fills where no command expected it is one line too: what was written
    before stays, and the command can run again once there is space."""

    @wraps(command)
    def wrapper(*args, **kwargs):
        try:
            return command(*args, **kwargs)
        except InputError as error:
            say(str(error))
            sys.exit(2)
        except RunError as error:
            say(str(error))
            sys.exit(1)
        except OSError as error:
            if not is_disk_full(error):
                raise
            say(str(write_failed(error, error.filename or "a file", "what was written before it is kept; free space "
                                 "and run the command again")))
            sys.exit(1)

    return wrapper


class OneLineErrors(click.Group):
    """Usage errors as one line ("planbench: --count: 0 is not in the range x>=1"), like
    every other bad input, instead of click's usage block; exit status 2 either way."""

    def main(self, args=None, prog_name=None, complete_var=None, standalone_mode=True, **extra):
        if not standalone_mode:
            return super().main(args, prog_name, complete_var, standalone_mode, **extra)
        try:
            code = super().main(args, prog_name, complete_var, standalone_mode=False, **extra)
        except click.exceptions.NoArgsIsHelpError as error:
            click.echo(error.format_message())
            sys.exit(2)
        except click.UsageError as error:
            where = f"planbench {error.ctx.command_path.split(' ', 1)[1]}: " if error.ctx and " " in error.ctx.command_path else ""
            say(f"{where}{error.format_message()} (--help for usage)")
            sys.exit(2)
        except click.ClickException as error:
            say(error.format_message())
            sys.exit(error.exit_code)
        except click.Abort:
            click.echo("planbench: interrupted", err=True)
            sys.exit(130)
        sys.exit(code if isinstance(code, int) else 0)


@click.group(cls=OneLineErrors, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="planbench")
def main() -> None:
    """Measure whether language models can plan (PlanBench's Blocksworld and its disguises)."""


def not_empty(ctx, param, value):
    """``--out ''`` would mean the current directory: refuse it by name."""
    if value is not None and not str(value).strip():
        raise click.BadParameter("is empty", param_hint=param.opts[0])
    return value


PROMPT_OPTIONS = (
    click.option("--system/--no-system", default=None,
                 help="Send PlanBench's system message, or none (default: as PlanBench did for the style; run: none "
                      "to a reasoning model).",),
    click.option("--system-text", default=None, help="Send this system message instead."),
    click.option("--fix-quirks", is_flag=True,
                 help="Repair PlanBench's prompt quirks (unbalanced PDDL parenthesis, cost line, fixed state-tracking "
                      "example)."),
    click.option("--wording", default="current", show_default=True,
                 help="current, or 2023 (task 1: PlanBench's GPT-4 prompts of 2023), or head (task 3: its released "
                      "files)."),
    click.option("--seed", default=0, show_default=True, type=int,
                 help="Seed for one-shot examples in generated sets (and the draws of tasks 2-8 on sets not "
                      "PlanBench's)."),
)


def prompt_options(command: Callable) -> Callable:
    """What decides the words of a prompt, the same options on ``prompts`` and ``run``: a
    run asks exactly what ``planbench prompts`` writes with the same options."""
    for option in reversed(PROMPT_OPTIONS):
        command = option(command)
    return command


def system_setting(system: bool | None, system_text: str | None) -> bool | str | None:
    """--system / --no-system / --system-text as one setting: True, False, a text, or None
    (the style's default); a text with --no-system contradicts itself and is refused."""
    if system_text is not None:
        if system is False:
            raise click.UsageError("--system-text and --no-system contradict each other")
        if not system_text.strip():
            raise click.BadParameter("is empty", param_hint="--system-text")
        return system_text
    return system


name_option = click.option(
    "--name", default=None, callback=not_empty,
    help="What reports and tables call the run (default: its folder's name); kept in run.json, so two copies "
         "of one run, scored two ways, sit side by side.")


def writable_file(path: Path) -> None:
    """An output file that cannot be written is said before any work, in one line."""
    if not str(path).strip():
        raise InputError("--out", 0, "the output file name is empty")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with path.open("a"):
            pass
    except OSError as error:
        raise InputError(str(path), 0, f"cannot write there: {error.strerror or error}") from None


TASK_HELP = ("PlanBench's task: t1 (plan-generation), t2 (optimality), t3 (verification), t4 (reuse), "
             "t5 (generalization), t6 (replanning), t7 (execution), t8_1 (goal-shuffling), t8_2 (full-to-partial), "
             "t8_3 (partial-to-full).")


def task_option(command: Callable) -> Callable:
    """``--task``, the same on every command that asks or judges."""
    return click.option("--task", "task_name", default="t1", show_default=True, help=TASK_HELP,
                        callback=not_empty)(command)  # '' (a script's unset variable) is not task 1


def task_and_style(task_name: str, style: str | None) -> tuple[str, str]:
    """The task's canonical name and the style it is asked in: task 1 needs ``--style``;
    tasks 2-8 are one-shot (another style is one line)."""
    from planbench.tasks import records

    task = records.get(task_name)
    return task.name, records.task_style(task, style)


def finite(value, option: str):
    """click's FloatRange lets nan and inf through; a limit must be a real number."""
    if value is not None and not (value == value and value != float("inf")):
        raise click.BadParameter(f"{value} is not a finite number", param_hint=option)
    return value


def int_range(text: str, option: str) -> tuple[int, int]:
    """'4-6' or '5' -> (low, high)."""
    try:
        low, dash, high = text.strip().partition("-")
        if dash and not high:
            raise ValueError(text)
        bounds = (int(low), int(high or low))
    except ValueError:
        raise click.BadParameter(f"{text!r} is not a number or a range like 4-6", param_hint=option) from None
    if bounds[0] > bounds[1] or bounds[0] < 1:
        raise click.BadParameter(f"{text!r} is not a range of positive numbers", param_hint=option)
    return bounds



def print_summary(run, rows: list[dict]) -> dict:
    """The run's summary line (:func:`planbench.results.metrics.summary_line`); returns its
    figures."""
    from planbench.results.metrics import run_results, summary_line

    results = run_results(rows, run)
    click.echo(summary_line(run.name, results))
    return results
