"""The ``planbench`` command. Each subcommand is a thin call into one module.

Exit status: 0 success (a valid plan), 1 a negative verdict (an invalid plan), 2 bad
input, with a one-line message naming the file and line, never a traceback.
"""

from __future__ import annotations

import json
import sys
from collections import Counter
from functools import wraps
from pathlib import Path
from typing import Callable

import click

from planbench import __version__
from planbench.world import encodings, pddl
from planbench.world import problem as problems
from planbench.errors import InputError, RunError
from planbench.world.validate import validate_steps


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


def _not_empty(ctx, param, value):
    """``--out ''`` would mean the current directory: refuse it by name."""
    if value is not None and not str(value).strip():
        raise click.BadParameter("is empty", param_hint=param.opts[0])
    return value


def _writable_file(path: Path) -> None:
    """An output file that cannot be written is said before any work, in one line."""
    if not str(path).strip():
        raise InputError("--out", 0, "the output file name is empty")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with path.open("a"):
            pass
    except OSError as error:
        raise InputError(str(path), 0, f"cannot write there: {error.strerror or error}") from None


def _finite(value, option: str):
    """click's FloatRange lets nan and inf through; a limit must be a real number."""
    if value is not None and not (value == value and value != float("inf")):
        raise click.BadParameter(f"{value} is not a finite number", param_hint=option)
    return value


def _range(text: str, option: str) -> tuple[int, int]:
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


@main.command()
def sets() -> None:
    """List the bundled instance sets with their sizes and optimal-length histograms."""
    from planbench.sets.instances import SETS, histogram, load_set

    for name in SETS:
        instance_set = load_set(name)
        scored = instance_set.scored()
        blocks = histogram(Counter(i.blocks for i in scored))
        click.echo(f"{name}: {len(scored)} instances; {instance_set.description}")
        click.echo(f"  blocks: {blocks}")
        click.echo(f"  optimal length: {histogram(instance_set.lengths())}")
    click.echo("Each set can be rendered in any encoding: blocksworld, mystery, randomized, randomized:<seed>.")


@main.command()
@click.argument("problem", type=click.Path(dir_okay=False))
@click.option("--domain", type=click.Path(dir_okay=False), help="Domain file (default: recognise the encoding from PROBLEM).")
@click.option("--encoding", default=None, help="Encoding of PROBLEM (default: recognised).")
@click.option("--json", "as_json", is_flag=True, help="Print plan, length, proof and timing as JSON.")
@click.option("--max-seconds", default=600.0, show_default=True, type=click.FloatRange(min=0, min_open=True),
              callback=lambda ctx, param, value: _finite(value, "--max-seconds"), help="Give up after this long.")
@reports_input_errors
def solve(problem: str, domain: str | None, encoding: str | None, as_json: bool, max_seconds: float) -> None:
    """Print an optimal plan for PROBLEM, proven optimal, in the problem's encoding.

    Exit 0 with a plan; 3 when no plan exists (which goal atoms conflict, in the encoding's
    names); 2 for bad input."""
    from planbench.world.solve import SolverLimit, solve as solve_problem, unsolvable_reason

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


@main.command()
@click.option("--blocks", "blocks_text", default=None,
              help="Number of blocks, or a range like 4-6 (default 4-6; with --lengths, a range suited to them).")
@click.option("--count", default=100, show_default=True, type=click.IntRange(min=1),
              help="How many instances (ignored with --lengths).")
@click.option("--seed", default=0, show_default=True, help="Same seed, same set, on any machine.")
@click.option("--lengths", "lengths_text", default=None, help="Balance by optimal plan length, e.g. 20-40 (even lengths).")
@click.option("--per-length", default=10, show_default=True, type=click.IntRange(min=1),
              help="Instances per optimal length, with --lengths.")
@click.option("--encoding", default="blocksworld", show_default=True, help="Encoding of the PDDL files written.")
@click.option("--unique-up-to-renaming", is_flag=True, help="Also drop instances equal to another up to renaming the blocks.")
@click.option("--out", required=True, type=click.Path(file_okay=False),
              help="Folder to write the set to.", callback=_not_empty)
@click.option("--force", is_flag=True, help="If --out holds a set already, move it aside (never deleted).")
@click.option("--max-seconds", default=3600.0, show_default=True, type=click.FloatRange(min=0, min_open=True),
              callback=lambda ctx, param, value: _finite(value, "--max-seconds"),
              help="Stop (saying how far it got) after this long.")
@click.option("--unsolvable", "unsolvable_share", default=0.0, show_default=True, type=click.FloatRange(0, 1),
              help="Share of the instances made unsolvable as PlanBench did (a goal atom added: split or loop).")
@reports_input_errors
def generate(blocks_text: str, count: int, seed: int, lengths_text: str | None, per_length: int, encoding: str,
             unique_up_to_renaming: bool, out: str, force: bool, max_seconds: float, unsolvable_share: float) -> None:
    """Generate a seeded set of random instances with proven optimal plans."""
    import random

    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    from planbench.sets import generate as generator
    from planbench.sets.instances import Instance, histogram, write_set
    from planbench.runs import move_aside, writable_folder

    chosen = encodings.get(encoding)
    lengths = _range(lengths_text, "--lengths") if lengths_text else None
    if blocks_text is None and lengths is not None:
        blocks = generator.blocks_for_lengths(lengths)
        click.echo(f"blocks {blocks[0]}-{blocks[1]} (suited to optimal lengths {lengths[0]}-{lengths[1]}; "
                   "--blocks to choose)", err=True)
    else:
        blocks = _range(blocks_text or "4-6", "--blocks")
    generator.check_feasible(blocks, count, lengths, per_length, unique_up_to_renaming)
    folder = Path(out)
    if folder.exists() and any(folder.iterdir()):
        if not force:
            raise InputError(out, 0, "is not empty (a set is there already?); choose another --out, or --force to "
                             "move it aside")
        click.echo(f"the old contents of {out} are kept at {move_aside(folder)}", err=True)
    writable_folder(folder, "set folder")
    total = sum(per_length for n in range(lengths[0], lengths[1] + 1) if n % 2 == 0) if lengths else count
    name = Path(out).name
    made = []
    columns = (TextColumn("generating"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
    with Progress(*columns, transient=True) as progress:
        bar = progress.add_task("generating", total=total)
        try:
            for number, item in enumerate(generator.generate(blocks, count, seed, lengths, per_length,
                                                             unique_up_to_renaming, max_seconds=max_seconds), 1):
                made.append(Instance(name, name, number, item.problem, item.plan, seed=seed))
                progress.advance(bar)
        except RuntimeError as error:
            raise InputError("generate", 0, str(error)) from None
    if unsolvable_share:  # chosen by a generator of their own: the solvable ones stay as they were
        rng = random.Random(f"{seed}-unsolvable")
        for index in sorted(rng.sample(range(len(made)), round(unsolvable_share * len(made)))):
            problem, how = generator.make_unsolvable(made[index].problem, rng)
            made[index] = Instance(name, name, made[index].id, problem, (), seed=seed, unsolvable=how)
    settings = {"seed": seed, "blocks": list(blocks), "count": len(made), "lengths": list(lengths) if lengths else None,
                "per_length": per_length if lengths else None, "unique_up_to_renaming": unique_up_to_renaming,
                "unsolvable": unsolvable_share, "planbench_version": __version__}
    manifest = write_set(Path(out), made, chosen, settings)
    lengths_seen = Counter(i.length for i in made)
    click.echo(f"wrote {len(made)} instances ({chosen.name}) and {manifest}")
    click.echo(f"optimal length: {histogram(lengths_seen)}")


@main.command()
@click.option("--set", "set_name", required=True, help="A bundled set (planbench sets) or a generated set's folder.")
@click.option("--encoding", default=None,
              help="blocksworld, mystery, randomized, randomized:<seed> (default: the set's own, else blocksworld).")
@click.option("--style", required=True, help="zero-shot, one-shot, state-tracking, zero-shot-pddl or one-shot-pddl.")
@click.option("--system/--no-system", default=None, help="Send PlanBench's system message (default: as PlanBench did for the style).")
@click.option("--system-text", default=None, help="Send this system message instead.")
@click.option("--fix-quirks", is_flag=True, help="Repair PlanBench's prompt quirks (unbalanced PDDL parenthesis, cost line, fixed state-tracking example).")
@click.option("--wording", default="current", show_default=True, help="current, or 2023 (PlanBench's GPT-4 prompts of 2023).")
@click.option("--seed", default=0, show_default=True, help="Seed for choosing one-shot examples in generated sets.")
@click.option("--out", required=True, type=click.Path(dir_okay=False),
              help="JSON-lines file to write ('-' for stdout).", callback=_not_empty)
@reports_input_errors
def prompts(set_name: str, encoding: str, style: str, system: bool | None, system_text: str | None, fix_quirks: bool,
            wording: str, seed: int, out: str) -> None:
    """Write PlanBench's prompts for a set, one JSON line per instance."""
    from planbench.sets.instances import load_set
    from planbench.prompts import PromptOptions, check_style, prompt_records

    from planbench.sets.instances import set_encoding

    check_style(style)
    chosen = encodings.get(set_encoding(set_name, encoding))
    if out != "-":
        _writable_file(Path(out))
    options = PromptOptions(system=system_text if system_text else system, fix_quirks=fix_quirks, seed=seed,
                            wording=wording)
    records = prompt_records(load_set(set_name), chosen, style, options)
    text = "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records)
    if out == "-":
        click.echo(text, nl=False)
    else:
        Path(out).write_text(text, encoding="utf-8")
        click.echo(f"wrote {len(records)} prompts ({chosen.name}, {style}) to {out}", err=True)


@main.command(name="import")
@click.argument("results", type=click.Path(dir_okay=False))
@click.option("--out", required=True, type=click.Path(file_okay=False),
              help="Run directory to create.", callback=_not_empty)
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


def _print_summary(name: str, rows: list[dict], unpriced_ok: bool = True) -> None:
    from planbench.results.score import summarise

    overall = summarise(rows).iloc[0]
    counts = ("valid", "correct", "answered", "optimal", "invalid", "unparseable", "truncated", "no_response", "refused",
              "false_plan", "false_refusal")
    overall = {k: (int(v) if k in counts else v) for k, v in overall.items()}
    what = "valid" if "refusal_rate" not in overall else "right (valid plans and refusals where no plan exists)"
    line = (f"{name}: {overall['correct']}/{overall['answered']} {what} = {100 * overall['accuracy']:.1f}% "
            f"(95% CI {100 * overall['ci_low']:.1f}-{100 * overall['ci_high']:.1f}); optimal {overall['optimal']}; "
            f"invalid {overall['invalid']}, unparseable {overall['unparseable']}, truncated {overall['truncated']}, "
            f"no response {overall['no_response']}")
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


@main.command()
@click.argument("run_dirs", nargs=-1, required=True, type=click.Path(file_okay=False))
@click.option("--extractor", default=None, help="default, planbench-rule[-2024|-2023], planbench-pddl, planbench-llm[-parens].")
@click.option("--by", default="optimal_length", show_default=True, help="Columns to group the printed table by (comma-separated).")
@click.option("--translator-model", default="gpt-4o", show_default=True, help="Model for planbench-llm translations.")
@click.option("--translator-base-url", default=None, help="Endpoint for planbench-llm translations.")
@click.option("--translator-api-key-env", default="OPENAI_API_KEY", show_default=True)
@reports_input_errors
def score(run_dirs: tuple[str, ...], extractor: str | None, by: str, translator_model: str,
          translator_base_url: str | None, translator_api_key_env: str) -> None:
    """Judge every answer of each run: writes RUN_DIR/scores.csv and prints the summary."""
    from planbench.runs import read_run
    from planbench.results.score import COLUMNS, score_run, summarise, write_scores

    for folder in run_dirs:
        run = read_run(folder)
        translator = {"model": translator_model, "base_url": translator_base_url,
                      "api_key_env": translator_api_key_env, "cache_dir": None}
        rows = score_run(run, extractor, translator)
        write_scores(rows, Path(folder) / "scores.csv")
        _print_summary(run.name, rows)
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
@click.option("--out", required=True, type=click.Path(file_okay=False), callback=_not_empty)
@click.option("--extractor", default=None, help="Re-score with this extractor (default: each run's scores.csv, else default).")
@reports_input_errors
def report(run_dirs: tuple[str, ...], out: str, extractor: str | None) -> None:
    """Write report.md and accuracy_by_length.png for one or more runs, side by side."""
    from planbench.results.report import write_report
    from planbench.runs import read_run, writable_folder
    from planbench.results.score import score_run

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
    from planbench.results.compare import compare as paired, format_table
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
@click.option("--out", required=True, type=click.Path(), callback=_not_empty, help="File (or folder for hf) to write.")
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
    from planbench.runs import read_run
    from planbench.results.show import show as show_answer

    shown = show_answer(read_run(run_dir), answer_id, sample, full)
    click.echo(shown.text())


@main.command()
@click.option("--out", default="planbench-report", show_default=True, type=click.Path(file_okay=False),
              callback=_not_empty)
@click.option("--extractor", default="default", show_default=True, help="Extractor to score the recorded answers with.")
@reports_input_errors
def reproduce(out: str, extractor: str) -> None:
    """Score PlanBench's recorded answers (bundled) against the bundled sets, offline."""
    from rich.progress import Progress

    from planbench.results.importer import import_results
    from planbench.results.report import write_report
    from planbench.resources import data_dir
    from planbench.runs import writable_folder
    from planbench.results.score import score_run, write_scores

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
        _print_summary(name, rows)
    click.echo(f"wrote {report} and {Path(out) / 'report.html'}")


@main.command()
@click.option("--set", "set_name", required=True, help="A bundled set or a generated set's folder.")
@click.option("--encoding", default=None, help="Default: the set's own (a generated set records it), else blocksworld.")
@click.option("--style", required=True, help="zero-shot, one-shot, state-tracking, zero-shot-pddl, one-shot-pddl.")
@click.option("--model", required=True, help="Model name at the endpoint, or optimal, random[:seed], replay:RUN_DIR.")
@click.option("--base-url", default=None, help="OpenAI-compatible endpoint (vLLM, Ollama, OpenRouter...).")
@click.option("--api-key-env", default="OPENAI_API_KEY", show_default=True, help="Environment variable holding the key.")
@click.option("--samples", default=1, show_default=True, type=click.IntRange(min=1), help="Answers per prompt.")
@click.option("--strategy", default="single", show_default=True,
              type=click.Choice(["single", "vote", "revise", "backprompt"]),
              help="After an answer: stop (single); K answers, the most common plan counts (vote, with --samples K); "
                   "ask the model to revise (revise); send the validator's critique (backprompt).")
@click.option("--rounds", default=None, type=click.IntRange(min=0),
              help="Follow-up messages at most (revise: 4; backprompt: 14, PlanBench's 15 answers).")
@click.option("--concurrency", default=8, show_default=True, type=click.IntRange(min=1))
@click.option("--rpm", default=None, type=click.FloatRange(min=0, min_open=True),
              help="At most this many requests per minute (retries included), for providers' rate limits.")
@click.option("--workers", default=None, type=click.IntRange(1, 64),
              help="Processes sharing the requests (default: one per 32 concurrent, up to the CPU count).")
@click.option("--max-tokens", default=None, type=click.IntRange(min=1))
@click.option("--temperature", default=None, type=click.FloatRange(0, 2))
@click.option("--reasoning-effort", default=None, type=click.Choice(["low", "medium", "high"]))
@click.option("--api", default="chat", type=click.Choice(["chat", "responses"]), show_default=True)
@click.option("--limit", default=None, type=click.IntRange(min=1), help="Only the first N prompts.")
@click.option("--system/--no-system", default=None, help="PlanBench's system message (default: the style's).")
@click.option("--max-attempts", default=6, show_default=True, type=click.IntRange(min=1),
              help="Attempts per request before no_response.")
@click.option("--max-cost", default=None, type=click.FloatRange(min=0, min_open=True),
              callback=lambda ctx, param, value: _finite(value, "--max-cost"),
              help="Stop sending once this many USD are spent.")
@click.option("--timeout", default=600.0, show_default=True, type=click.FloatRange(min=0, min_open=True),
              callback=lambda ctx, param, value: _finite(value, "--timeout"), help="Seconds per request.")
@click.option("--pricing", default=None, type=click.Path(dir_okay=False), help="YAML of prices to add or override.")
@click.option("--cache-dir", default=None, type=click.Path(file_okay=False), help="Response cache (default ~/.cache/planbench).")
@click.option("--dry-run", is_flag=True, help="Estimate tokens and cost; send nothing.")
@click.option("--no-score", is_flag=True, help="Do not score and report after the run.")
@click.option("--batch", is_flag=True, help="Through the endpoint's Batch API: half the price, results within 24 h.")
@click.option("--batch-retry", default="batch", show_default=True, type=click.Choice(["batch", "live", "no"]),
              help="Requests a batch failed or let expire: in a new batch, live, or left for a resume.")
@click.option("--poll-seconds", default=30.0, show_default=True, type=click.FloatRange(min=0, min_open=True),
              help="Seconds between checks of a submitted batch.")
@click.option("--batch-max-requests", default=50_000, show_default=True, type=click.IntRange(min=1),
              help="Requests per batch file at most (the provider's limit).")
@click.option("--batch-max-mb", default=200.0, show_default=True, type=click.FloatRange(min=0, min_open=True),
              help="Megabytes per batch file at most (the provider's limit).")
@click.option("--out", default=None, type=click.Path(file_okay=False),
              help="Run directory (required unless --dry-run).", callback=_not_empty)
@reports_input_errors
def run(set_name, encoding, style, model, base_url, api_key_env, samples, strategy, rounds, concurrency, rpm, workers,
        max_tokens, temperature, reasoning_effort, api, limit, system, max_attempts, max_cost, timeout, pricing, cache_dir,
        dry_run, no_score, batch, batch_retry, poll_seconds, batch_max_requests, batch_max_mb, out) -> None:
    """Ask a model for plans (resumable: the same command sends only what is missing)."""
    from planbench.sets.instances import set_encoding
    from planbench.run.execute import estimate
    from planbench.run.runner import RunConfig

    config = RunConfig(set=set_name, encoding=set_encoding(set_name, encoding), style=style, model=model, base_url=base_url,
                       api_key_env=api_key_env, samples=samples, concurrency=concurrency, max_tokens=max_tokens,
                       temperature=temperature, reasoning_effort=reasoning_effort, api=api, limit=limit,
                       system=system, max_attempts=max_attempts, max_cost=max_cost, timeout=timeout,
                       pricing=pricing, cache_dir=cache_dir, workers=workers, rpm=rpm, strategy=strategy,
                       rounds=rounds, engine="openai-batch" if batch else "live", batch_retry=batch_retry,
                       poll_seconds=poll_seconds, batch_max_requests=batch_max_requests,
                       batch_max_bytes=int(batch_max_mb * 1024 * 1024))
    if dry_run:
        guess = estimate(config)
        cost = "unknown (model not in the pricing table)" if guess["cost"] is None else f"${guess['cost']:.2f}"
        click.echo(f"{guess['requests']} requests, ~{guess['prompt_tokens']:,} prompt tokens, up to "
                   f"{guess['output_tokens_assumed']:,} output tokens ({guess['output_tokens_each']} each): {cost}"
                   + (" at batch prices" if batch and guess["cost"] is not None else ""))
        return
    if out is None:
        raise click.UsageError("--out is required (the run directory)")
    _execute_and_score(config, out, not no_score)


@main.command()
@click.argument("run_dir", type=click.Path(file_okay=False, exists=True))
@click.option("--no-score", is_flag=True, help="Do not score and report after the run.")
@reports_input_errors
def resume(run_dir: str, no_score: bool) -> None:
    """Finish RUN_DIR with the settings its run.json recorded: only what is missing is sent
    (the key is read again from the variable run.json names)."""
    from planbench.run.execute import read_config

    _execute_and_score(read_config(Path(run_dir)), run_dir, not no_score)


def _execute_and_score(config, out: str, score: bool) -> None:
    from planbench.run.execute import execute

    try:
        tally = execute(config, out)
    except KeyboardInterrupt:
        click.echo(f"interrupted; finished answers are in {out}/responses.jsonl; run the same command to resume", err=True)
        sys.exit(130)
    spend = f"${tally.spend:.4f}" if tally.priced else "cost unknown (no price for this model)"
    click.echo(f"{tally.done} answers ({tally.cached} from cache, {tally.errors} errors, {tally.requests} requests, "
               f"{tally.retries} retries, {tally.waits} rate-limited), {tally.tokens:,} tokens, {spend}"
               + ("; stopped at --max-cost" if tally.stopped_for_cost else ""))
    if score:
        _score_and_report(config, out)


def _score_and_report(config, out: str) -> None:
    """Score a run directory just written, print its summary line and write its report."""
    from planbench.results.report import write_report
    from planbench.results.score import score_run, write_scores
    from planbench.run.cost import batch_prices, load_pricing, price_of
    from planbench.run.models import offline_model
    from planbench.runs import read_run

    finished = read_run(out)
    rows = score_run(finished)
    write_scores(rows, Path(out) / "scores.csv")
    prices = price_of(load_pricing(config.pricing), config.model)
    priced = offline_model(config.model) is not None or (batch_prices(prices) if config.engine != "live" else prices)
    _print_summary(finished.name, rows, unpriced_ok=bool(priced))
    report = write_report({finished.name: rows}, Path(out), sources={finished.name: finished})
    click.echo(f"report: {Path(out) / 'report.html'} ({report.name} beside it)")


@main.group()
def batch() -> None:
    """Batch files for engines planbench does not drive (vLLM's run-batch): export the
    requests, run them there, import the results."""


@batch.command(name="export")
@click.option("--set", "set_name", default=None, help="A bundled set or a generated set's folder.")
@click.option("--encoding", default=None, help="Default: the set's own, else blocksworld.")
@click.option("--style", default=None, help="zero-shot, one-shot, state-tracking, zero-shot-pddl, one-shot-pddl.")
@click.option("--model", default=None, help="The model name the engine serves (vLLM: its --model or --served-model-name).")
@click.option("--samples", default=1, show_default=True, type=click.IntRange(min=1), help="Answers per prompt.")
@click.option("--strategy", default="single", show_default=True, type=click.Choice(["single", "vote", "revise", "backprompt"]),
              help="Multi-turn strategies export one round at a time (then --from RUN_DIR).")
@click.option("--rounds", default=None, type=click.IntRange(min=0), help="Follow-up messages at most.")
@click.option("--max-tokens", default=None, type=click.IntRange(min=1))
@click.option("--temperature", default=None, type=click.FloatRange(0, 2))
@click.option("--limit", default=None, type=click.IntRange(min=1), help="Only the first N prompts.")
@click.option("--system/--no-system", default=None, help="PlanBench's system message (default: the style's).")
@click.option("--from", "run_dir", default=None, type=click.Path(file_okay=False, exists=True),
              help="The next round of a run made by 'batch import' (its settings are used).")
@click.option("--out", required=True, type=click.Path(dir_okay=False), callback=_not_empty,
              help="Requests file to write (JSONL); NAME.planbench.json is written beside it.")
@reports_input_errors
def batch_export(set_name, encoding, style, model, samples, strategy, rounds, max_tokens, temperature, limit, system,
                 run_dir, out) -> None:
    """Write a run's requests as a batch input file (OpenAI's format, read by vllm run-batch)."""
    from planbench.sets.instances import set_encoding
    from planbench.run.batch.offline import export_requests
    from planbench.run.execute import check_config
    from planbench.run.runner import RunConfig

    config = None
    if run_dir is None:
        missing = [name for name, value in (("--set", set_name), ("--style", style), ("--model", model)) if not value]
        if missing:
            raise click.UsageError(f"{', '.join(missing)} required (or --from RUN_DIR)")
        config = RunConfig(set=set_name, encoding=set_encoding(set_name, encoding), style=style, model=model,
                           samples=samples, strategy=strategy, rounds=rounds, max_tokens=max_tokens,
                           temperature=temperature, limit=limit, system=system, engine="batch-files")
        check_config(config, "batch export")
    _writable_file(Path(out))
    count, manifest = export_requests(config, Path(out), Path(run_dir) if run_dir else None)
    click.echo(f"wrote {count} requests to {out} (settings in {manifest})")


@batch.command(name="import")
@click.argument("results", type=click.Path(dir_okay=False, exists=True))
@click.option("--out", required=True, type=click.Path(file_okay=False), callback=_not_empty,
              help="Run directory: made the first time, appended to for later rounds.")
@click.option("--requests", default=None, type=click.Path(dir_okay=False),
              help="The exported requests file (its manifest is beside it); default: the one manifest beside RESULTS.")
@click.option("--no-score", is_flag=True, help="Do not score and report.")
@reports_input_errors
def batch_import(results: str, out: str, requests: str | None, no_score: bool) -> None:
    """Read a batch output file (OpenAI's format, written by vllm run-batch) into a run directory."""
    from planbench.run.batch.offline import import_results
    from planbench.run.execute import read_config
    from planbench.runs import locked, writable_folder

    with locked(writable_folder(Path(out), "run directory")):
        written, skipped, problems = import_results(Path(results), Path(out), Path(requests) if requests else None)
    for problem in problems:
        click.echo(f"planbench: {problem}", err=True)
    click.echo(f"imported {written} answers into {out}" + (f" ({skipped} skipped)" if skipped else ""))
    if not no_score:
        _score_and_report(read_config(Path(out)), out)


if __name__ == "__main__":
    main()
