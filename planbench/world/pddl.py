"""Reading and writing PDDL domains, problems and plans (lark grammar in ``pddl.lark``).

Readers return plain, encoding-agnostic records with surface names as written (lower-
cased: PDDL is case-insensitive) and the line each item came from, so that later
stages can report "FILE:LINE". Mapping surface names to the canonical world is the
job of :mod:`planbench.world.encodings`; this module knows nothing of Blocksworld.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from lark import Lark, Token, Transformer_NonRecursive, v_args
from lark.exceptions import LarkError, UnexpectedCharacters, UnexpectedEOF, UnexpectedInput, VisitError

from planbench.errors import InputError

GRAMMAR = Path(__file__).with_name("pddl.lark")


@dataclass(frozen=True)
class SurfaceAtom:
    """An atom as written: predicate and arguments (names or ?variables), with its line."""

    predicate: str
    args: tuple[str, ...]
    line: int = 0

    def key(self) -> tuple:
        return (self.predicate, *self.args)


@dataclass(frozen=True)
class ActionSchema:
    """A STRIPS action: parameters, preconditions, add and delete effects."""

    name: str
    parameters: tuple[str, ...]
    precondition: tuple[SurfaceAtom, ...]
    add: tuple[SurfaceAtom, ...]
    delete: tuple[SurfaceAtom, ...]
    line: int = 0


@dataclass(frozen=True)
class DomainSpec:
    name: str
    predicates: dict[str, int]  # name -> arity
    actions: tuple[ActionSchema, ...]
    requirements: tuple[str, ...] = ()


@dataclass(frozen=True)
class ProblemSpec:
    name: str
    domain: str
    objects: tuple[str, ...]
    init: tuple[SurfaceAtom, ...]
    goal: tuple[SurfaceAtom, ...]
    lines: dict[str, int] = field(default_factory=dict, compare=False)  # section -> line


@dataclass(frozen=True)
class PlanStep:
    """One step of a plan file as written: action name, arguments, line number."""

    name: str
    args: tuple[str, ...]
    line: int = 0

    def pddl(self) -> str:
        return "(" + " ".join((self.name, *self.args)) + ")"


@lru_cache(maxsize=None)
def _parser(start: str) -> Lark:
    return Lark(GRAMMAR.read_text(), start=start, parser="lalr", maybe_placeholders=False)


@lru_cache(maxsize=None)
def _plan_parser() -> Lark:
    """Plans are read often (every recorded answer): transform while parsing, no tree."""
    return Lark(GRAMMAR.read_text(), start="plan", parser="lalr", maybe_placeholders=False,
                transformer=_ToRecords(""))


def _line(token: object) -> int:
    return getattr(token, "line", 0) or 0


class _ToRecords(Transformer_NonRecursive):
    """Turns the parse tree into the records above.

    Parsing runs on lower-cased text; names of domains and problems are taken back from
    the original text, since they are labels (``BW-rand-4``) a writer must reproduce.
    Lark's parser is iterative but its plain Transformer recurses once per tree level,
    so a goal nested 3,000 ``(and ...)`` deep (legal PDDL) raised RecursionError; the
    non-recursive transformer reads any depth.
    """

    def __init__(self, original: str):
        super().__init__()
        self.original = original

    def _label(self, token: Token) -> str:
        return self.original[token.start_pos : token.end_pos]

    def NAME(self, token: Token) -> Token:
        return token

    @v_args(inline=True)
    def atom(self, name: Token, *terms: Token) -> SurfaceAtom:
        return SurfaceAtom(str(name), tuple(str(t) for t in terms), _line(name))

    def conjunction(self, items: list) -> list:
        out: list = []
        for item in items:
            out.extend(item if isinstance(item, list) else [item])
        return out

    @v_args(inline=True)
    def negative(self, atom: SurfaceAtom) -> tuple:
        return ("not", atom)

    def typed_variables(self, items: list) -> list[str]:
        return [str(t) for t in items if isinstance(t, Token)]

    typed_names = typed_variables

    def type_tag(self, items: list) -> None:
        return None

    def skeleton(self, items: list) -> tuple[str, int]:
        return (str(items[0]), len(items[1]))

    def predicates(self, items: list) -> tuple:
        return ("predicates", dict(items))

    def requirements(self, items: list) -> tuple:
        return ("requirements", tuple(str(t) for t in items))

    def types(self, items: list) -> tuple:
        return ("types", items[0])

    def parameters(self, items: list) -> tuple:
        return ("parameters", tuple(items[0]))

    def precondition(self, items: list) -> tuple:
        condition = items[0]
        return ("precondition", tuple(condition if isinstance(condition, list) else [condition]))

    def effect(self, items: list) -> tuple:
        effects = items[0] if isinstance(items[0], list) else [items[0]]
        return ("effect", effects)

    def action(self, items: list) -> ActionSchema:
        name, *parts = items
        fields = dict(parts)
        effects = fields.get("effect", [])
        return ActionSchema(
            name=str(name),
            parameters=fields.get("parameters", ()),
            precondition=fields.get("precondition", ()),
            add=tuple(e for e in effects if isinstance(e, SurfaceAtom)),
            delete=tuple(e[1] for e in effects if isinstance(e, tuple)),
            line=_line(name),
        )

    def domain(self, items: list) -> DomainSpec:
        name, *parts = items
        predicates: dict[str, int] = {}
        requirements: tuple[str, ...] = ()
        actions = []
        for part in parts:
            if isinstance(part, ActionSchema):
                actions.append(part)
            elif part[0] == "predicates":
                predicates.update(part[1])
            elif part[0] == "requirements":
                requirements = part[1]
        return DomainSpec(self._label(name), predicates, tuple(actions), requirements)

    def problem_domain(self, items: list) -> tuple:
        return ("domain", str(items[0]), _line(items[0]))

    def objects(self, items: list) -> tuple:
        return ("objects", tuple(items[0]), 0)

    def init(self, items: list) -> tuple:
        return ("init", tuple(items), items[0].line if items else 0)

    def goal(self, items: list) -> tuple:
        condition = items[0]
        atoms = tuple(condition if isinstance(condition, list) else [condition])
        return ("goal", atoms, atoms[0].line if atoms else 0)

    def problem(self, items: list) -> ProblemSpec:
        name, *parts = items
        fields = {part[0]: part[1] for part in parts if part[0] != "requirements"}
        lines = {part[0]: part[2] for part in parts if part[0] != "requirements"}
        return ProblemSpec(
            name=self._label(name),
            domain=fields.get("domain", ""),
            objects=fields.get("objects", ()),
            init=fields.get("init", ()),
            goal=fields.get("goal", ()),
            lines=lines,
        )

    def step(self, items: list) -> PlanStep:
        names = [t for t in items if t.type == "NAME"]
        return PlanStep(str(names[0]), tuple(str(t) for t in names[1:]), _line(names[0]))

    def plan(self, items: list) -> list[PlanStep]:
        return list(items)


def _describe(error: UnexpectedInput, text: str) -> str:
    if isinstance(error, UnexpectedEOF):
        return "unexpected end of file (unbalanced parentheses?)"
    if isinstance(error, UnexpectedCharacters):
        line = text.splitlines()[error.line - 1] if error.line and text else ""
        return f"unexpected {line[error.column - 1:error.column + 19]!r}"
    token = getattr(error, "token", None)
    if token is not None and token.type == "$END":
        return "unexpected end of file (unbalanced parentheses?)"
    return f"unexpected {str(token)!r}"


def parse(text: str, start: str, source: str = "<string>"):
    """Parse PDDL text as a ``domain``, ``problem`` or ``plan``; InputError names source:line."""
    if "\x00" in text:
        raise InputError(source, 0, "not a text file (contains NUL bytes)")
    if not text.strip():
        raise InputError(source, 0, f"empty file, expected a PDDL {start}")
    lowered = text.lower()
    try:
        if start == "plan":
            return _plan_parser().parse(lowered)
        tree = _parser(start).parse(lowered)
        return _ToRecords(text).transform(tree)
    except UnexpectedInput as error:
        line = getattr(error, "line", 0)
        if line in (None, -1):
            line = len(lowered.splitlines())
        raise InputError(source, line, f"not a PDDL {start}: {_describe(error, lowered)}") from None
    except (VisitError, LarkError) as error:
        raise InputError(source, 0, f"not a PDDL {start}: {error}") from None


def read_text(path: str | Path) -> str:
    """A file's text; InputError for missing or binary files."""
    path = Path(path)
    try:
        data = path.read_bytes()
    except OSError as error:
        raise InputError(str(path), 0, f"cannot read: {error.strerror or error}") from None
    if b"\x00" in data:
        raise InputError(str(path), 0, "not a text file (contains NUL bytes)")
    try:
        return data.decode("utf-8-sig")  # a byte-order mark is fine
    except UnicodeDecodeError as error:
        line = data[: error.start].count(b"\n") + 1
        raise InputError(str(path), line, "not a UTF-8 text file") from None


def parse_domain(text: str, source: str = "<domain>") -> DomainSpec:
    return parse(text, "domain", source)


def parse_problem(text: str, source: str = "<problem>") -> ProblemSpec:
    return parse(text, "problem", source)


def parse_plan(text: str, source: str = "<plan>") -> list[PlanStep]:
    """Steps of a plan file. An empty plan (blank or comments only) is an empty list."""
    if "\x00" in text:
        raise InputError(source, 0, "not a text file (contains NUL bytes)")
    stripped = "\n".join(line.split(";", 1)[0] for line in text.splitlines())
    if not stripped.strip():
        return []
    return parse(text, "plan", source)


# ---------------------------------------------------------------- writing


def format_atom(predicate: str, args: tuple[str, ...] | list[str]) -> str:
    return "(" + " ".join((predicate, *args)) + ")"


LAYOUTS = ("2pddl", "tabbed", "generated")


def write_problem(spec: ProblemSpec, layout: str = "2pddl") -> str:
    """PDDL text in the layout of PlanBench's files, byte for byte.

    ``2pddl`` (its generator, every solvable set): leading blank lines, one atom per line,
    ``(:objects a b c )`` with a trailing space, and the goal's last atom closing the
    ``and`` on its own line. ``tabbed`` (its unsolvable problems, written by a PDDL
    library): the goal's atoms indented by tabs, the file closed by ``)`` with no trailing
    blank line, then the two newlines its prompts put after it. ``generated`` (its plan
    generalization problems, t5): no leading blank lines, ``(:objects`` on the domain's
    line, ``(:init `` with a trailing space, the file ending ``)))`` with no newline.
    """
    init = "".join(format_atom(a.predicate, a.args) + "\n" for a in spec.init)
    if layout == "generated":
        goal = "".join(format_atom(a.predicate, a.args) + "\n" for a in spec.goal)
        return (f"(define (problem {spec.name})\n"
                f"(:domain {spec.domain})(:objects {' '.join(spec.objects)})\n"
                f"(:init \n{init})\n"
                f"(:goal\n(and\n{goal})))")
    if layout == "tabbed":
        goal = "".join("\t\t" + format_atom(a.predicate, a.args) + "\n" for a in spec.goal)
        return ("\n\n"
                f"(define (problem {spec.name})\n"
                f"(:domain {spec.domain})\n"
                f"(:objects {' '.join(spec.objects)} )\n"
                "(:init\n"
                f"{init})\n"
                "(:goal\n\t(and\n"
                f"{goal}\t)\n)\n)\n\n")
    goal = "\n".join(format_atom(a.predicate, a.args) for a in spec.goal)
    return (
        "\n\n"
        f"(define (problem {spec.name})\n"
        f"(:domain {spec.domain})\n"
        f"(:objects {' '.join(spec.objects)} )\n"
        "(:init\n"
        f"{init})\n"
        "(:goal\n"
        "(and\n"
        f"{goal})\n"
        ")\n"
        ")\n"
        "\n\n"
    )


def write_plan(steps: list[PlanStep] | list[tuple]) -> str:
    """One ``(action args)`` line per step."""
    lines = []
    for step in steps:
        if isinstance(step, PlanStep):
            lines.append(step.pddl())
        else:
            lines.append("(" + " ".join(step) + ")")
    return "".join(line + "\n" for line in lines)
