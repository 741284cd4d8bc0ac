"""Encodings: the names a model sees for Blocksworld's actions, predicates and objects.

An encoding is data (``domains/<name>/encoding.yaml`` beside its ``domain.pddl``) and maps
both ways between canonical names (:mod:`planbench.world`) and surface names, in PDDL and
in natural language. ``randomized:<seed>`` makes a fresh disguise from a seed: new random
tokens for actions and predicates, reproducible on any machine.
"""

from __future__ import annotations

import random
import re
from dataclasses import dataclass, field, replace
from functools import lru_cache
from itertools import permutations
from pathlib import Path

import yaml

from planbench.world import blocks as world
from planbench.errors import InputError
from planbench.world.pddl import DomainSpec, parse_domain
from planbench.resources import data_dir

Atom = tuple
Action = tuple


@dataclass(frozen=True)
class Encoding:
    """One disguise of Blocksworld. Canonical names are the keys of every mapping."""

    name: str
    title: str
    actions: dict[str, str]  # canonical action -> PDDL name
    predicates: dict[str, str]  # canonical predicate -> PDDL name
    action_text: dict[str, str]  # canonical action -> natural-language template ("{}" per block)
    predicate_text: dict[str, str]
    object_pddl: str  # "{name}" (a, b, ...) or "o{index}" (o0, o1, ...)
    object_text: tuple[str, ...] | str  # list by block index, or a "{name}"/"{index}" template
    domain_pddl: str
    problem_name: str = "BW-rand-{n}"
    data: dict = field(default_factory=dict, compare=False, repr=False)  # the whole YAML
    has_text: bool = True

    def __post_init__(self) -> None:
        object.__setattr__(self, "_action_from", {v: k for k, v in self.actions.items()})
        object.__setattr__(self, "_predicate_from", {v: k for k, v in self.predicates.items()})
        object.__setattr__(self, "_domain_name", None)
        object.__setattr__(self, "_names", {})  # (kind, block) -> surface name: prompts ask often
        object.__setattr__(self, "_parts", {})  # part -> this encoding as that part's files are written

    @property
    def domain_name(self) -> str:
        """The name in the domain file's ``(define (domain NAME)``, read once."""
        if self._domain_name is None:  # type: ignore[attr-defined]
            name = parse_domain(self.domain_pddl).name if self.domain_pddl else self.name
            object.__setattr__(self, "_domain_name", name)
        return self._domain_name  # type: ignore[attr-defined]

    # ------------------------------------------------------------ names
    def action_from_pddl(self, name: str) -> str | None:
        """Canonical action for a surface PDDL action name (lower case), or None."""
        return self._action_from.get(name)  # type: ignore[attr-defined]

    def predicate_from_pddl(self, name: str) -> str | None:
        return self._predicate_from.get(name)  # type: ignore[attr-defined]

    def object_to_pddl(self, block: str) -> str:
        """Surface PDDL name of a canonical block (a -> o0 in Randomized)."""
        cached = self._names.get(("pddl", block))  # type: ignore[attr-defined]
        if cached is None:
            cached = self._names[("pddl", block)] = self._object_to_pddl(block)  # type: ignore[attr-defined]
        return cached

    def _object_to_pddl(self, block: str) -> str:
        if self.object_pddl == "{name}":
            return block
        index = world.block_index(block)
        return block if index is None else self.object_pddl.format(index=index, name=block)

    def object_from_pddl(self, name: str) -> str:
        """Canonical block for a surface PDDL object name; unknown schemes pass through."""
        if self.object_pddl == "{name}":
            return name
        prefix = self.object_pddl.split("{", 1)[0]
        rest = name[len(prefix):]
        if name.startswith(prefix) and rest.isdigit():
            return world.block_name(int(rest))
        return name

    def object_to_text(self, block: str) -> str:
        """Natural-language name of a canonical block ("red block", "object a", "object_0")."""
        cached = self._names.get(("text", block))  # type: ignore[attr-defined]
        if cached is None:
            cached = self._names[("text", block)] = self._object_to_text(block)  # type: ignore[attr-defined]
        return cached

    def _object_to_text(self, block: str) -> str:
        index = world.block_index(block)
        if isinstance(self.object_text, tuple):
            if index is not None and index < len(self.object_text):
                return self.object_text[index]
            return "table" if block == "table" else f"block {block}"  # a step read as written: (unstack a table)
        return self.object_text.format(name=block, index=index if index is not None else block)

    # ------------------------------------------------------------ actions and atoms
    def action_to_pddl(self, action: Action) -> str:
        return "(" + " ".join([self.actions[action[0]], *map(self.object_to_pddl, action[1:])]) + ")"

    def atom_to_pddl(self, atom: Atom) -> str:
        return "(" + " ".join([self.predicates[atom[0]], *map(self.object_to_pddl, atom[1:])]) + ")"

    def action_to_text(self, action: Action) -> str:
        if not self.has_text:
            return self.action_to_pddl(action)
        return self.action_text[action[0]].format(*map(self.object_to_text, action[1:]))

    def atom_to_text(self, atom: Atom) -> str:
        if not self.has_text:
            return self.atom_to_pddl(atom)
        return self.predicate_text[atom[0]].format(*map(self.object_to_text, atom[1:]))

    # ------------------------------------------------------------ variants
    def with_objects(self, object_pddl: str) -> "Encoding":
        """This encoding with other PDDL object names (``{name}``: a, b, ...; ``o{index}``:
        o0, o1, ...), as a prompt showed them; the same encoding when they are its own."""
        if object_pddl == self.object_pddl:
            return self
        try:
            object_pddl.format(index=0, name="a")
        except (KeyError, IndexError, ValueError):
            raise InputError(f"encoding {self.name}", 0, f"object names {object_pddl!r}: a template with {{name}} "
                             "or {index} (a, b or o0, o1)") from None
        return replace(self, object_pddl=object_pddl)

    def for_part(self, part: str) -> "Encoding":
        """This encoding as PlanBench wrote one part's files (``files_by_part`` in the
        encoding's data): its Randomized unsolvable prompts kept the instance files as they
        are, objects ``a, b, ...`` and problems named ``instance-<id>-<blocks>``, where its
        other Randomized prompts show ``o0, o1, ...`` and ``BW-rand-<blocks>``."""
        conventions = self.data.get("files_by_part", {}).get(part)
        if not conventions:
            return self
        cached = self._parts.get(part)  # type: ignore[attr-defined]
        if cached is None:
            cached = replace(self, object_pddl=conventions.get("objects", self.object_pddl),
                             problem_name=conventions.get("problem_name", self.problem_name))
            self._parts[part] = cached  # type: ignore[attr-defined]
        return cached

    def problem_title(self, blocks: int, number: int | None = None) -> str:
        """A problem's name in this encoding's files: ``BW-rand-4``, or ``instance-7-4``
        where the name carries the instance's id (None when it is not known)."""
        return self.problem_name.format_map({"n": blocks, "id": "?" if number is None else number})

    def text(self, key: str) -> str:
        """A text field of the encoding's data file (an introduction, a template)."""
        try:
            return self.data[key]
        except KeyError:
            raise InputError(f"encoding {self.name}", 0, f"has no {key!r} text") from None


# ---------------------------------------------------------------- loading

BUILTIN = ("blocksworld", "mystery", "randomized")


def _from_data(data: dict, domain_pddl: str) -> Encoding:
    objects = data["objects"]
    text = objects["text"]
    return Encoding(
        name=data["name"],
        title=data.get("title", data["name"]),
        actions={k: v["pddl"] for k, v in data["actions"].items()},
        predicates={k: v["pddl"] for k, v in data["predicates"].items()},
        action_text={k: v["text"] for k, v in data["actions"].items()},
        predicate_text={k: v["text"] for k, v in data["predicates"].items()},
        object_pddl=objects["pddl"],
        object_text=tuple(text) if isinstance(text, list) else text,
        domain_pddl=domain_pddl,
        problem_name=data.get("problem_name", "BW-rand-{n}"),
        data=data,
    )


def load_folder(folder: Path) -> Encoding:
    """An encoding from a folder holding ``encoding.yaml`` and ``domain.pddl``."""
    try:
        data = yaml.safe_load((folder / "encoding.yaml").read_text())
        domain = (folder / "domain.pddl").read_text()
    except OSError as error:
        raise InputError(str(folder), 0, f"not an encoding folder: {error}") from None
    return _from_data(data, domain)


TOKEN_CHARS = "abcdefghijklmnopqrstuvwxyz0123456789"


def random_tokens(seed: int, count: int) -> list[str]:
    """Distinct 16-character tokens ``[a-z][a-z0-9]{15}`` as PlanBench's obfuscator makes them.

    Seeded with ``random.Random`` (stable across Python versions for ``choice`` on a str),
    so the same seed gives the same tokens on any machine. A token never looks like an
    object name (``o12``, ``object_3``) because those are shorter.
    """
    rng = random.Random(f"planbench-encoding-{seed}")
    tokens: list[str] = []
    while len(tokens) < count:
        token = rng.choice(TOKEN_CHARS[:26]) + "".join(rng.choice(TOKEN_CHARS) for _ in range(15))
        if token not in tokens:
            tokens.append(token)
    return tokens


def rename_domain(domain_pddl: str, names: dict[str, str], domain_name: str) -> str:
    """The canonical domain file with action and predicate names replaced, layout kept."""
    pattern = re.compile(r"(?<=[\s(])(" + "|".join(map(re.escape, names)) + r")(?=[\s)])")
    text = pattern.sub(lambda m: names[m.group(1)], domain_pddl)
    return re.sub(r"\(domain [^)\s]+\)", f"(domain {domain_name})", text, count=1)


def seeded(seed: int) -> Encoding:
    """``randomized:<seed>``: PlanBench's Randomized Mystery with fresh tokens."""
    base = get("randomized")
    canonical = world.ACTIONS + world.PREDICATES
    tokens = dict(zip(canonical, random_tokens(seed, len(canonical) + 1)))
    domain_name = random_tokens(seed, len(canonical) + 1)[-1][:6]
    arity = {**world.ACTION_ARITY, **world.PREDICATE_ARITY}
    data = dict(base.data)
    data.update(
        name=f"randomized:{seed}",
        title=f"Randomized Mystery Blocksworld (seed {seed})",
        source=f"planbench.world.encodings.seeded({seed})",
        actions={a: {"pddl": tokens[a], "text": " ".join([tokens[a]] + ["{}"] * arity[a])}
                 for a in world.ACTIONS},
        predicates={p: {"pddl": tokens[p], "text": " ".join([tokens[p]] + ["{}"] * arity[p])}
                    for p in world.PREDICATES},
    )
    data.pop("intro", None)  # built from the template by the prompt module,
    data.pop("intro_action_order", None)  # in an order shuffled by the encoding's name
    canonical_domain = get("blocksworld").domain_pddl
    return _from_data(data, rename_domain(canonical_domain, tokens, domain_name))


@lru_cache(maxsize=64)
def get(name: str) -> Encoding:
    """An encoding by name: ``blocksworld``, ``mystery``, ``randomized``, ``randomized:<seed>``,
    or a path to a folder with ``encoding.yaml`` and ``domain.pddl``."""
    if name in BUILTIN:
        return load_folder(data_dir("domains") / name)
    if name.startswith("randomized:"):
        seed = name.split(":", 1)[1]
        if not seed.lstrip("-").isdigit():
            raise InputError(name, 0, "the seed of a randomized encoding must be an integer")
        return seeded(int(seed))
    folder = Path(name)
    if folder.is_dir() and (folder / "encoding.yaml").exists():
        return load_folder(folder)
    raise InputError(
        name, 0, "unknown encoding; choose one of: " + ", ".join(BUILTIN) + ", randomized:<seed>, or a folder"
    )


# ---------------------------------------------------------------- recognising a domain file


@lru_cache(maxsize=1)
def canonical_domain() -> DomainSpec:
    return parse_domain(get("blocksworld").domain_pddl, "domains/blocksworld/domain.pddl")


def _signature(spec: DomainSpec, action: str, predicate_map: dict[str, str]) -> tuple:
    """An action's pre/add/del as sets over parameter positions, with predicates renamed."""
    schema = next(a for a in spec.actions if a.name == action)
    position = {p: i for i, p in enumerate(schema.parameters)}

    def atoms(items) -> frozenset:
        return frozenset((predicate_map.get(a.predicate, "?"), *(position.get(t, t) for t in a.args)) for a in items)

    return (len(schema.parameters), atoms(schema.precondition), atoms(schema.add), atoms(schema.delete))


def match_domain(spec: DomainSpec, source: str = "<domain>") -> Encoding:
    """The encoding a domain file is written in, found from its structure, not its names.

    A domain is accepted when some renaming of its actions and predicates makes it
    PlanBench's Blocksworld exactly (same preconditions and effects, parameter order
    kept). A known encoding with that renaming is returned with its natural language;
    otherwise a PDDL-only encoding with the file's names.
    """
    canon = canonical_domain()
    by_arity: dict[int, list[str]] = {}
    for name, arity in spec.predicates.items():
        by_arity.setdefault(arity, []).append(name)
    canon_by_arity: dict[int, list[str]] = {}
    for name, arity in canon.predicates.items():
        canon_by_arity.setdefault(arity, []).append(name)
    shape = {a: len(v) for a, v in by_arity.items()}
    if shape != {a: len(v) for a, v in canon_by_arity.items()} or len(spec.actions) != 4:
        raise InputError(source, 0, "not a Blocksworld domain: expected 4 actions and predicates of arity 0, 1, 1, 1, 2")
    unary_actions = [a.name for a in spec.actions if len(a.parameters) == 1]
    binary_actions = [a.name for a in spec.actions if len(a.parameters) == 2]
    if len(unary_actions) != 2 or len(binary_actions) != 2:
        raise InputError(source, 0, "not a Blocksworld domain: expected two 1-parameter and two 2-parameter actions")
    wanted = {a: _signature(canon, a, {p: p for p in canon.predicates}) for a in world.ACTIONS}
    for unary in permutations(by_arity[1]):
        predicate_map = dict(zip(unary, canon_by_arity[1]))
        predicate_map[by_arity[0][0]] = "handempty"
        predicate_map[by_arity[2][0]] = "on"
        found: dict[str, str] = {}
        for candidate in unary_actions + binary_actions:
            signature = _signature(spec, candidate, predicate_map)
            match = [a for a, s in wanted.items() if s == signature and a not in found]
            if match:
                found[match[0]] = candidate
        if len(found) == 4:
            actions = found
            predicates = {v: k for k, v in predicate_map.items()}
            for known in BUILTIN:
                encoding = get(known)
                if encoding.actions == actions and encoding.predicates == predicates:
                    return encoding
            return Encoding(
                name=f"pddl:{spec.name}", title=spec.name, actions=actions, predicates=predicates,
                action_text={}, predicate_text={}, object_pddl="{name}", object_text="{name}",
                domain_pddl="", has_text=False,
            )
    raise InputError(source, 0, "not a Blocksworld domain: no renaming of its actions and predicates gives PlanBench's blocksworld-4ops")
