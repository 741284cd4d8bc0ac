"""A Blocksworld problem in canonical names, read from and written to PDDL in any encoding."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

from planbench.world import blocks as world
from planbench.world.encodings import Encoding, match_domain
from planbench.errors import InputError
from planbench.world.pddl import ProblemSpec, SurfaceAtom, parse_domain, parse_problem, read_text, write_problem

Atom = tuple


@dataclass(frozen=True)
class Problem:
    """Blocks, initial atoms and goal atoms, all in canonical names (a, b, ...; on, clear...)."""

    name: str
    blocks: tuple[str, ...]
    init: tuple[Atom, ...]
    goal: tuple[Atom, ...]

    @cached_property
    def world(self) -> world.World:
        return world.shared(self.blocks)

    @cached_property
    def init_state(self) -> int:
        return self.world.state(self.init)

    @cached_property
    def goal_mask(self) -> int:
        return self.world.state(self.goal)

    @cached_property
    def name_span(self) -> int:
        """How many block names (a, b, c, ...) a reader of answers must know: the highest
        block's index + 1. The block count, unless the problem skips names (PlanBench's
        generalization problems use a few of a..l: "the violet block" is j)."""
        indices = [world.block_index(b) for b in self.blocks]
        if not indices or None in indices:
            return len(self.blocks)
        return max(len(self.blocks), max(indices) + 1)


def _canonical_atom(atom: SurfaceAtom, encoding: Encoding, objects: set[str], source: str, section: str) -> Atom:
    predicate = encoding.predicate_from_pddl(atom.predicate)
    if predicate is None:
        known = ", ".join(encoding.predicates.values())
        raise InputError(source, atom.line, f"unknown predicate {atom.predicate!r} in {section} (the domain has {known})")
    if len(atom.args) != world.PREDICATE_ARITY[predicate]:
        raise InputError(
            source, atom.line,
            f"({atom.predicate} {' '.join(atom.args)}) in {section}: {atom.predicate} takes "
            f"{world.PREDICATE_ARITY[predicate]} argument(s), not {len(atom.args)}",
        )
    for arg in atom.args:
        if arg not in objects:
            raise InputError(source, atom.line, f"unknown object {arg!r} in {section} (not in :objects)")
    return (predicate, *(encoding.object_from_pddl(a) for a in atom.args))


def from_spec(spec: ProblemSpec, encoding: Encoding, source: str = "<problem>") -> Problem:
    """Map a parsed problem to canonical names; InputError names the line of any bad atom."""
    objects = set(spec.objects)
    if len(objects) != len(spec.objects):
        raise InputError(source, spec.lines.get("objects", 0), "an object is declared twice in :objects")
    for atom in spec.init:
        if atom.args and any(a.startswith("?") for a in atom.args):
            raise InputError(source, atom.line, "variables are not allowed in :init")
    init = tuple(_canonical_atom(a, encoding, objects, source, ":init") for a in spec.init)
    goal = tuple(_canonical_atom(a, encoding, objects, source, ":goal") for a in spec.goal)
    blocks = tuple(encoding.object_from_pddl(o) for o in spec.objects)
    name = spec.name
    if encoding.problem_name and name == encoding.problem_title(len(blocks)):
        name = f"BW-rand-{len(blocks)}"  # the canonical name of a PlanBench-style problem
    return Problem(name, blocks, init, goal)


def to_spec(problem: Problem, encoding: Encoding, number: int | None = None) -> ProblemSpec:
    """A problem in an encoding's surface names; ``number`` (the instance's id) names it
    where the encoding's files carry the id in the problem's name."""
    def surface(atom: Atom) -> SurfaceAtom:
        return SurfaceAtom(encoding.predicates[atom[0]], tuple(encoding.object_to_pddl(b) for b in atom[1:]))

    name = problem.name
    if name.startswith("BW-rand-") and encoding.problem_name:  # PlanBench names problems per encoding
        name = encoding.problem_title(len(problem.blocks), number)
    return ProblemSpec(
        name=name,
        domain=encoding.domain_name,
        objects=tuple(encoding.object_to_pddl(b) for b in problem.blocks),
        init=tuple(surface(a) for a in problem.init),
        goal=tuple(surface(a) for a in problem.goal),
    )


def to_pddl(problem: Problem, encoding: Encoding, layout: str = "2pddl", number: int | None = None) -> str:
    """PDDL text of a problem in an encoding, in one of PlanBench's file layouts."""
    return write_problem(to_spec(problem, encoding, number), layout)


def read_domain(path: str | Path) -> Encoding:
    """The encoding a domain file is written in (see :func:`encodings.match_domain`)."""
    source = str(path)
    return match_domain(parse_domain(read_text(path), source), source)


def read_problem(path: str | Path, encoding: Encoding) -> Problem:
    source = str(path)
    return from_spec(parse_problem(read_text(path), source), encoding, source)


def guess_encoding(path: str | Path) -> Encoding:
    """The built-in encoding whose predicate names a problem file uses (no domain given)."""
    from planbench.world.encodings import BUILTIN, get

    source = str(path)
    spec = parse_problem(read_text(path), source)
    used = {atom.predicate for atom in spec.init + spec.goal}
    for name in BUILTIN:
        encoding = get(name)
        if used <= set(encoding.predicates.values()):
            return encoding
    raise InputError(source, 0, "cannot tell the encoding from the predicates; give --domain or --encoding")
