"""Commands on instance sets: list the bundled ``sets``, ``generate`` new ones."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import click

from planbench import __version__
from planbench.cli.common import (
    finite,
    int_range,
    main,
    not_empty,
    reports_input_errors,
)
from planbench.errors import InputError, write_failed
from planbench.world import encodings


@main.group(invoke_without_command=True)
@click.pass_context
def sets(ctx: click.Context) -> None:
    """List the bundled instance sets with their sizes and optimal-length histograms
    ('planbench sets export' writes one as a dataset)."""
    if ctx.invoked_subcommand is not None:
        return
    from planbench.sets.instances import SETS, histogram, load_set

    for name in SETS:
        instance_set = load_set(name)
        scored = instance_set.scored()
        blocks = histogram(Counter(i.blocks for i in scored))
        click.echo(f"{name}: {len(scored)} instances; {instance_set.description}")
        click.echo(f"  blocks: {blocks}")
        click.echo(f"  optimal length: {histogram(instance_set.lengths())}")
    click.echo("Each set can be rendered in any encoding: blocksworld, mystery, randomized, randomized:<seed>.")


@sets.command(name="export")
@click.argument("set_name", metavar="SET")
@click.option("--format", "export_format", default="hf", show_default=True, type=click.Choice(["hf"]),
              help="hf: a Hugging Face datasets folder (datasets.load_from_disk reads it).")
@click.option("--encoding", "encoding_names", multiple=True,
              help="Encodings to render (repeat for several; default: the set's own, else blocksworld).")
@click.option("--style", "styles", multiple=True, help="Prompt styles (repeat for several; default: zero-shot).")
@click.option("--system/--no-system", default=None, help="PlanBench's system message (default: the style's).")
@click.option("--fix-quirks", is_flag=True, help="Repair PlanBench's prompt quirks.")
@click.option("--seed", default=0, show_default=True, help="Seed for choosing one-shot examples in generated sets.")
@click.option("--out", required=True, type=click.Path(file_okay=False), callback=not_empty, help="Folder to write.")
@click.option("--force", is_flag=True, help="If --out is not empty, move what is there aside (never deleted).")
@reports_input_errors
def sets_export(set_name: str, export_format: str, encoding_names: tuple[str, ...], styles: tuple[str, ...],
                system: bool | None, fix_quirks: bool, seed: int, out: str, force: bool) -> None:
    """Write SET with its prompts as a dataset: one row per instance and (encoding, style)."""
    from planbench.prompts import PromptOptions
    from planbench.prompts.hf import set_rows, write_hf
    from planbench.runs import move_aside, writable_folder
    from planbench.sets.instances import load_set, set_encoding

    instance_set = load_set(set_name)
    chosen = [encodings.get(name).name for name in encoding_names] or [set_encoding(set_name, None)]
    rows = set_rows(instance_set, chosen, list(styles) or ["zero-shot"], PromptOptions(system, fix_quirks, seed))
    folder = Path(out)
    if folder.exists() and folder.is_dir() and any(folder.iterdir()):
        if not force:
            raise InputError(out, 0, "is not empty; choose another --out, or --force to move it aside")
        click.echo(f"the old contents of {out} are kept at {move_aside(folder)}", err=True)
    writable_folder(folder, "dataset folder")
    write_hf(rows, folder)
    click.echo(f"wrote {len(rows)} rows ({instance_set.name}; {', '.join(chosen)}; "
               f"{', '.join(styles) or 'zero-shot'}) to {out}: datasets.load_from_disk({str(out)!r})")



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
              help="Folder to write the set to.", callback=not_empty)
@click.option("--force", is_flag=True, help="If --out holds a set already, move it aside (never deleted).")
@click.option("--max-seconds", default=3600.0, show_default=True, type=click.FloatRange(min=0, min_open=True),
              callback=lambda ctx, param, value: finite(value, "--max-seconds"),
              help="Stop (saying how far it got) after this long.")
@click.option("--unsolvable", "unsolvable_share", default=0.0, show_default=True, type=click.FloatRange(0, 1),
              help="Share of the instances made unsolvable as PlanBench did (a goal atom added: split or loop).")
@click.option("--family", type=click.Choice(["generalization"]), default=None,
              help="Problems of one family instead of random ones: 'generalization' (task 5's: every block on the "
                   "table, the goal one tower of them all, as PlanBench's generator made them).")
@reports_input_errors
def generate(blocks_text: str, count: int, seed: int, lengths_text: str | None, per_length: int, encoding: str,
             unique_up_to_renaming: bool, out: str, force: bool, max_seconds: float, unsolvable_share: float,
             family: str | None) -> None:
    """Generate a seeded set of random instances with proven optimal plans."""
    import random

    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        TextColumn,
        TimeElapsedColumn,
    )

    from planbench.sets import generate as generator
    from planbench.sets.instances import Instance, histogram, write_set

    chosen = encodings.get(encoding)
    if family:
        return generate_family(family, int_range(blocks_text or "3-12", "--blocks"), count, seed, chosen, out, force,
                               (lengths_text and "--lengths") or (unsolvable_share and "--unsolvable")
                               or (unique_up_to_renaming and "--unique-up-to-renaming"))
    lengths = int_range(lengths_text, "--lengths") if lengths_text else None
    if blocks_text is None and lengths is not None:
        blocks = generator.blocks_for_lengths(lengths)
        click.echo(f"blocks {blocks[0]}-{blocks[1]} (suited to optimal lengths {lengths[0]}-{lengths[1]}; "
                   "--blocks to choose)", err=True)
    else:
        blocks = int_range(blocks_text or "4-6", "--blocks")
    generator.check_feasible(blocks, count, lengths, per_length, unique_up_to_renaming)
    prepare_out(out, force)
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
    try:
        manifest = write_set(Path(out), made, chosen, settings)
    except OSError as error:
        raise write_failed(error, out, "the set there is incomplete; free space and run the same command with "
                           "--force (the incomplete one is moved aside)") from None
    lengths_seen = Counter(i.length for i in made)
    click.echo(f"wrote {len(made)} instances ({chosen.name}) and {manifest}")
    click.echo(f"optimal length: {histogram(lengths_seen)}")


def prepare_out(out: str, force: bool) -> None:
    """The folder a set is written to: empty, or its old contents moved aside with --force."""
    from planbench.runs import move_aside, writable_folder

    folder = Path(out)
    if folder.exists() and any(folder.iterdir()):
        if not force:
            raise InputError(out, 0, "is not empty (a set is there already?); choose another --out, or --force to "
                             "move it aside")
        click.echo(f"the old contents of {out} are kept at {move_aside(folder)}", err=True)
    writable_folder(folder, "set folder")


def generate_family(family: str, blocks: tuple[int, int], count: int, seed: int, encoding, out: str, force: bool,
                    conflicting: str | None) -> None:
    """``generate --family generalization``: a set task 5 can ask (each problem's plan is
    the tower built bottom up, its only optimal plan)."""
    from planbench.sets.families import generalization_family
    from planbench.sets.instances import Instance, histogram, write_set

    if conflicting:
        raise InputError(conflicting, 0, f"does not apply to --family {family} (every problem's plan is fixed by it)")
    try:
        problems = generalization_family(blocks, count, seed)
    except ValueError as error:
        raise InputError("--blocks", 0, str(error)) from None
    prepare_out(out, force)
    name = Path(out).name
    made = [Instance(name, name, number, problem, plan, seed=seed) for number, (problem, plan) in enumerate(problems, 1)]
    settings = {"seed": seed, "blocks": list(blocks), "count": len(made), "family": family,
                "planbench_version": __version__}
    manifest = write_set(Path(out), made, encoding, settings)
    click.echo(f"wrote {len(made)} {family} problems ({encoding.name}) and {manifest}")
    click.echo(f"blocks: {histogram(Counter(i.blocks for i in made))}")
