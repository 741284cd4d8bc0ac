"""What every command shares: the ``planbench`` group, one-line errors, option checks and
the summary line a scored run prints.

Exit status: 0 success (a valid plan), 1 a negative verdict (an invalid plan), 2 bad
input, with a one-line message naming the file and line, never a traceback.
"""

from __future__ import annotations

import sys
from functools import wraps
from pathlib import Path
from typing import Callable

import click

from planbench.errors import InputError, RunError


def reports_input_errors(command: Callable) -> Callable:
    """Turn InputError into one line on stderr and exit status 2 (a run stopped short: 1)."""

    @wraps(command)
    def wrapper(*args, **kwargs):
        try:
            return command(*args, **kwargs)
        except InputError as error:
            click.echo(f"planbench: {error}", err=True)
            sys.exit(2)
        except RunError as error:
            click.echo(f"planbench: {error}", err=True)
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
            click.echo(f"planbench: {where}{error.format_message()} (--help for usage)", err=True)
            sys.exit(2)
        except click.ClickException as error:
            click.echo(f"planbench: {error.format_message()}", err=True)
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
    return click.option("--task", "task_name", default="t1", show_default=True, help=TASK_HELP)(command)


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



def _answer_of(task: str) -> str:
    from planbench.tasks import REGISTRY

    return REGISTRY[task].answer if task in REGISTRY else "plan"


def print_summary(name: str, rows: list[dict], unpriced_ok: bool = True) -> None:
    from planbench.results.score import summarise

    overall = summarise(rows).iloc[0]
    counts = ("valid", "correct", "answered", "optimal", "invalid", "unparseable", "truncated", "no_response", "refused",
              "false_plan", "false_refusal")
    overall = {k: (int(v) if k in counts else v) for k, v in overall.items()}
    task = (rows[0].get("task") if rows else None) or "t1"
    what = "valid" if "refusal_rate" not in overall else "right (valid plans and refusals where no plan exists)"
    if task != "t1":
        what = f"right ({task})"
    verdicts = "incorrect" in overall or (task != "t1" and _answer_of(task) != "plan")
    wrong = f"incorrect {int(overall.get('incorrect', 0))}" if verdicts else f"invalid {overall['invalid']}"
    line = (f"{name}: {overall['correct']}/{overall['answered']} {what} = {100 * overall['accuracy']:.1f}% "
            f"(95% CI {100 * overall['ci_low']:.1f}-{100 * overall['ci_high']:.1f}); "
            + (f"optimal {overall['optimal']}; " if task in ("t1", "t2") else "")
            + f"{wrong}, unparseable {overall['unparseable']}, truncated {overall['truncated']}, "
            f"no response {overall['no_response']}")
    for further in ("type", "explanation"):  # t3's verdicts with the error's type, with its explanation
        if f"correct_{further}" in overall:
            line += f"; with {further} {int(overall[f'correct_{further}'])}/{overall['answered']}"
    if "readings_differ" in overall:
        line += f"; the two readings differ on {int(overall['readings_differ'])}"
    if "refusal_rate" in overall:
        line += (f"; no plan exists: refused {overall['refused']}, gave a plan {overall['false_plan']}; "
                 f"refused a solvable problem {overall['false_refusal']}")
    elif overall.get("false_refusal"):
        line += f"; said no plan exists (one does) {overall['false_refusal']}"
    if "recorded_accuracy" in overall:
        line += f"; recorded {100 * overall['recorded_accuracy']:.1f}%, agreement {100 * overall['agreement']:.1f}%"
    if "pass_at_k" in overall and overall["pass_at_k"] == overall["pass_at_k"]:
        line += f"; pass@{int(overall['samples'])} {100 * overall['pass_at_k']:.1f}% of {int(overall['instances'])} instances"
    from planbench.results.score import by_round, vote_curve

    rounds = by_round(rows)
    if len(rounds) > 1:
        first, last = rounds.iloc[0], rounds.iloc[-1]
        line += (f"; first try {int(first['correct'])}/{int(first['answered'])}, after {len(rounds) - 1} round(s) "
                 f"{int(last['correct'])}/{int(last['answered'])}")
    if rows and rows[0].get("strategy") == "vote":
        votes = vote_curve(rows)
        if len(votes) > 1:
            line += f"; majority of {len(votes)} {100 * votes.iloc[-1]['accuracy']:.1f}%"
    if rows and all(r.get("cost") is None or r.get("cost") != r.get("cost") for r in rows) and not unpriced_ok:
        line += "; cost unknown (no price for this model)"
    if "cost" in overall and overall["cost"] == overall["cost"]:
        per_valid = overall["cost_per_valid"]
        line += f"; cost ${overall['cost']:.4f}" + (f", ${per_valid:.4f} per valid plan" if per_valid == per_valid else "")
        live = overall.get("cost_live")
        if live is not None and live == live and abs(live - overall["cost"]) > 1e-12:
            line += f" (${live:.4f} at live prices)"
    click.echo(line)
