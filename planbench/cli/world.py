"""Commands on the world itself: ``validate`` a plan, ``solve`` a problem."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from planbench.cli.common import finite, main, reports_input_errors
from planbench.errors import InputError
from planbench.world import encodings, pddl
from planbench.world import problem as problems
from planbench.world.validate import validate_steps


def _read_plan_text(plan: str) -> tuple[str, str]:
    if plan == "-":
        data = sys.stdin.buffer.read()
        source = "<stdin>"
        if b"\x00" in data:
            raise InputError(source, 0, "not a text file (contains NUL bytes)")
        try:
            return data.decode("utf-8-sig"), source
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



@main.command()
@click.argument("problem", type=click.Path(dir_okay=False))
@click.option("--domain", type=click.Path(dir_okay=False), help="Domain file (default: recognise the encoding from PROBLEM).")
@click.option("--encoding", default=None, help="Encoding of PROBLEM (default: recognised).")
@click.option("--json", "as_json", is_flag=True, help="Print plan, length, proof and timing as JSON.")
@click.option("--max-seconds", default=600.0, show_default=True, type=click.FloatRange(min=0, min_open=True),
              callback=lambda ctx, param, value: finite(value, "--max-seconds"), help="Give up after this long.")
@reports_input_errors
def solve(problem: str, domain: str | None, encoding: str | None, as_json: bool, max_seconds: float) -> None:
    """Print an optimal plan for PROBLEM, proven optimal, in the problem's encoding.

    Exit 0 with a plan; 3 when no plan exists (which goal atoms conflict, in the encoding's
    names); 2 for bad input."""
    from planbench.world.solve import SolverLimit, unsolvable_reason
    from planbench.world.solve import solve as solve_problem

    chosen = encodings.get(encoding) if encoding else (problems.read_domain(domain) if domain else None)
    if chosen is None:
        from planbench.sets.instances import read_settings

        recorded = read_settings(Path(problem).parent).get("encoding")
        chosen = encodings.get(recorded) if recorded else problems.guess_encoding(problem)
    task = problems.read_problem(problem, chosen)
    reason = unsolvable_reason(task)
    if reason is not None:
        text = reason.describe(chosen.atom_to_pddl)
        if as_json:
            click.echo(json.dumps({"problem": problem, "encoding": chosen.name, "solvable": False, "reason": text,
                                   "kind": reason.kind, "atoms": [chosen.atom_to_pddl(a) for a in reason.atoms]},
                                  indent=2))
        else:
            click.echo(f"unsolvable: {text}")
        sys.exit(3)
    try:
        solution = solve_problem(task, max_seconds=max_seconds, source=problem)
    except SolverLimit as error:
        raise InputError(problem, 0, f"no proven optimal plan within the limits: {error}") from None
    plan = [chosen.action_to_pddl(a) for a in solution.plan]
    if as_json:
        click.echo(json.dumps({
            "problem": problem, "encoding": chosen.name, "solvable": True, "length": solution.length, "plan": plan,
            "moves": solution.moves, "detours": solution.detours, "lower_bound": 2 * solution.lower_bound,
            "proven_optimal": True, "search_nodes": solution.nodes, "seconds": round(solution.seconds, 6),
        }, indent=2))
        return
    for line in plan:
        click.echo(line)
    click.echo(f"; optimal length {solution.length} (proven; {solution.detours} detour(s), "
               f"{solution.nodes} search nodes, {solution.seconds:.3f} s)")
