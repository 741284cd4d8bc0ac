"""The ``planbench`` command. Each subcommand is a thin call into one module.

Exit status: 0 success (a valid plan), 1 a negative verdict (an invalid plan), 2 bad
input, with a one-line message naming the file and line, never a traceback.
"""

from __future__ import annotations

import json
import sys
from functools import wraps
from typing import Callable

import click

from planbench import encodings, pddl
from planbench import problem as problems
from planbench.errors import InputError
from planbench.validate import validate_steps


def reports_input_errors(command: Callable) -> Callable:
    """Turn InputError into one line on stderr and exit status 2."""

    @wraps(command)
    def wrapper(*args, **kwargs):
        try:
            return command(*args, **kwargs)
        except InputError as error:
            click.echo(f"planbench: {error}", err=True)
            sys.exit(2)

    return wrapper


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="planbench")
def main() -> None:
    """Measure whether language models can plan (PlanBench's Blocksworld and its disguises)."""


def _read_plan_text(plan: str) -> tuple[str, str]:
    if plan == "-":
        data = sys.stdin.buffer.read()
        source = "<stdin>"
        if b"\x00" in data:
            raise InputError(source, 0, "not a text file (contains NUL bytes)")
        try:
            return data.decode("utf-8"), source
        except UnicodeDecodeError:
            raise InputError(source, 0, "not a UTF-8 text file") from None
    return pddl.read_text(plan), plan


@main.command()
@click.argument("domain", type=click.Path(dir_okay=False))
@click.argument("problem", type=click.Path(dir_okay=False))
@click.argument("plan", type=click.Path(dir_okay=False, allow_dash=True))
@click.option("--json", "as_json", is_flag=True, help="Print the full result as JSON.")
@click.option("--encoding", default=None, help="Encoding of the files (default: recognised from DOMAIN).")
@click.option(
    "--form", type=click.Choice(["pddl", "text", "canonical"]), default="pddl", show_default=True,
    help="Explain in the encoding's PDDL names, its natural language, or canonical Blocksworld.",
)
@reports_input_errors
def validate(domain: str, problem: str, plan: str, as_json: bool, encoding: str | None, form: str) -> None:
    """Simulate PLAN (PDDL actions, '-' for stdin) on PROBLEM and explain any failure.

    Exit 0 if the plan is valid, 1 if not, 2 for bad input.
    """
    found = problems.read_domain(domain)
    chosen = encodings.get(encoding) if encoding else found
    if encoding and (chosen.actions != found.actions or chosen.predicates != found.predicates):
        raise InputError(domain, 0, f"this domain file is not written in the {encoding} encoding")
    task = problems.read_problem(problem, chosen)
    text, source = _read_plan_text(plan)
    steps = pddl.parse_plan(text, source)
    result = validate_steps(task, steps, chosen)
    if as_json:
        click.echo(json.dumps(result.to_dict(chosen), indent=2))
    else:
        click.echo(result.message(chosen, form))
    sys.exit(0 if result.valid else 1)


if __name__ == "__main__":
    main()
