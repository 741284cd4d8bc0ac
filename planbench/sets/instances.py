"""Instances and instance sets: the bundled PlanBench sets and generated ones, on disk.

An instance is a canonical :class:`~planbench.world.problem.Problem` with an optimal plan and
its length. PlanBench's ids are kept so recorded answers join to them. The bundled sets
live in ``instances/<part>.jsonl`` (one line per instance; PlanBench's MIT licence);
a generated set is a folder with ``manifest.jsonl`` and PDDL files.

Sets (FACTS.md §0, §4): ``planbench-500`` (Blocksworld ids 1-500, 4-5 blocks),
``planbench-3`` (ids 1-100, 3 blocks), ``planbench-600`` (both: the leaderboard's 600),
``planbench-hard-110`` (6-15 blocks, optimal 20-40 steps), ``planbench-generalization``
(task 5's problems, ids 2-501, with their own block names). Ids 501 and 101 (and the
generalization set's 1) are carried as *extras*: not scored, only used as one-shot
examples (PlanBench shows instance i-1).
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable

from planbench.world import blocks as world
from planbench.errors import InputError
from planbench.sets.generate import init_atoms
from planbench.world.pddl import LAYOUTS
from planbench.world.problem import Problem
from planbench.resources import data_dir

Action = tuple
Atom = tuple

PARTS = {
    "planbench-500": "PlanBench Blocksworld, ids 1-500 (4-5 blocks)",
    "planbench-3": "PlanBench Blocksworld, ids 1-100 (3 blocks)",
    "planbench-hard-110": "PlanBench's 110 larger problems (6-15 blocks, optimal 20-40 steps)",
    "planbench-unsolvable": "PlanBench's 100 unsolvable problems (3-5 blocks; the right answer is a refusal)",
    "planbench-generalization": "PlanBench's plan-generalization problems, ids 2-501 (3-12 blocks on the table, "
    "the goal one tower; task 5)",
}
SETS = {
    "planbench-600": ("planbench-500", "planbench-3"),
    "planbench-500": ("planbench-500",),
    "planbench-3": ("planbench-3",),
    "planbench-hard-110": ("planbench-hard-110",),
    "planbench-unsolvable": ("planbench-unsolvable",),
    "planbench-generalization": ("planbench-generalization",),
}


def parse_action(text: str) -> Action:
    return tuple(text.strip().strip("()").split())


def format_action(action: Action) -> str:
    return "(" + " ".join(action) + ")"


@dataclass(frozen=True)
class Instance:
    set: str
    part: str
    id: int
    problem: Problem
    plan: tuple[Action, ...]  # an optimal plan, canonical names (PlanBench's gold for its sets)
    plans: dict[str, tuple[Action, ...]] = field(default_factory=dict, compare=False)  # per-encoding gold
    extra: bool = False  # outside the scored range: a one-shot example only
    seed: int | None = None
    unsolvable: dict | None = field(default=None, compare=False)  # how the goal was made unsolvable
    layout: str = field(default="2pddl", compare=False)  # how its PDDL file is laid out (pddl.LAYOUTS)
    # Fast Downward's plans from other initial states to this goal, per encoding, where they
    # differ from our solver's (t6 shows PlanBench's replans after its events): {encoding:
    # {frozenset of init atoms: plan}}
    replans: dict = field(default_factory=dict, compare=False)

    @property
    def solvable(self) -> bool:
        return self.unsolvable is None

    @property
    def length(self) -> int | None:
        """The optimal plan length; None when no plan exists."""
        return len(self.plan) if self.unsolvable is None else None

    @property
    def blocks(self) -> int:
        return len(self.problem.blocks)

    @property
    def key(self) -> str:
        """Unique within a set: ``part/id`` (PlanBench's 3-block ids repeat the main set's)."""
        return f"{self.part}/{self.id}"

    def gold(self, encoding: str) -> tuple[Action, ...]:
        """The gold plan PlanBench shows for this encoding (its Fast Downward plans differ
        by encoding when tie-breaking differs); the canonical optimal plan otherwise."""
        return self.plans.get(encoding.split(":")[0], self.plan)

    def replan(self, encoding: str, init: Iterable[Atom]) -> tuple[Action, ...] | None:
        """The bundled Fast Downward plan from ``init`` to this instance's goal in an
        encoding, or None where our solver's optimal plan is the one it found."""
        return self.replans.get(encoding.split(":")[0], {}).get(frozenset(init))

    def to_record(self) -> dict:
        """One JSON line: towers bottom first, goal pairs, plans as PDDL strings."""
        below = below_of(self.problem.init, self.problem.blocks)
        names = self.problem.blocks
        record = {
            "id": self.id,
            "blocks": self.blocks if names == default_blocks(len(names)) else list(names),
            "init": towers_of(below, self.problem.blocks),
            "goal": [list(atom[1:]) for atom in self.problem.goal],
            "length": self.length,
            "plan": [format_action(a) for a in self.plan],
        }
        if self.plans:
            record["plans"] = {k: [format_action(a) for a in v] for k, v in self.plans.items()}
        if self.replans:
            record["replans"] = {
                name: [{"init": towers_of(below_of(state, self.problem.blocks), self.problem.blocks),
                        "plan": [format_action(a) for a in plan]} for state, plan in by_state.items()]
                for name, by_state in self.replans.items()}
        if self.extra:
            record["extra"] = True
        if self.seed is not None:
            record["seed"] = self.seed
        if self.unsolvable is not None:
            record["solvable"] = False
            record["unsolvable"] = self.unsolvable
        if self.problem.name != f"BW-rand-{self.blocks}":
            record["name"] = self.problem.name
        if self.layout != "2pddl":
            record["layout"] = self.layout
        return record


def below_of(atoms: Iterable[Atom], blocks: tuple[str, ...]) -> list[int]:
    """For each block the index of the block under it, -1 for the table (from ``on`` atoms)."""
    index = {b: i for i, b in enumerate(blocks)}
    below = [-1] * len(index)
    for atom in atoms:
        if atom[0] == "on":
            below[index[atom[1]]] = index[atom[2]]
    return below


def towers_of(below: list[int], blocks: tuple[str, ...]) -> list[list[str]]:
    above = {y: x for x, y in enumerate(below) if y >= 0}
    towers = []
    for bottom in (x for x, y in enumerate(below) if y < 0):
        tower, x = [], bottom
        while x is not None:
            tower.append(blocks[x])
            x = above.get(x)
        towers.append(tower)
    return towers


def default_blocks(n: int) -> tuple[str, ...]:
    """The names a set of n blocks gets unless it says otherwise: a, b, c, ..."""
    return tuple(world.block_name(i) for i in range(n))


def block_names(blocks: int | list) -> tuple[str, ...]:
    """A record's ``blocks``: a count (a, b, c, ...) or the names themselves, in the
    PDDL file's order (PlanBench's generalization problems use a few of a..l, shuffled)."""
    if isinstance(blocks, list):
        names = tuple(str(name) for name in blocks)
        if len(set(names)) != len(names) or not all(world.block_index(name) is not None for name in names):
            raise ValueError(f"block names must be distinct names a, b, ..., z, aa, ...: {blocks}")
        return names
    return default_blocks(int(blocks))


def from_record(record: dict, set_name: str, source: str = "", part: str | None = None) -> Instance:
    """An instance from one JSON line; InputError names the source and instance."""
    where = f"{source}#{record.get('id', '?')}" if source else f"instance {record.get('id', '?')}"
    try:
        blocks = block_names(record["blocks"])
        n = len(blocks)
        index = {b: i for i, b in enumerate(blocks)}
        below = below_from_towers(record["init"], index)
        goal = tuple(("on", x, y) for x, y in record["goal"])
        for _, x, y in goal:
            index[x], index[y]
        problem = Problem(record.get("name", f"BW-rand-{n}"), blocks, init_atoms(tuple(below), blocks), goal)
        plan = tuple(parse_action(a) for a in record["plan"])
        plans = {k: tuple(parse_action(a) for a in v) for k, v in record.get("plans", {}).items()}
        unsolvable = None
        if record.get("solvable", True) is False:
            unsolvable = dict(record.get("unsolvable") or {})
            plan = ()
        replans = {name: {frozenset(init_atoms(below_from_towers(item["init"], index), blocks)):
                          tuple(parse_action(a) for a in item["plan"]) for item in items}
                   for name, items in record.get("replans", {}).items()}
        layout = record.get("layout", "2pddl")
        if layout not in LAYOUTS:
            raise ValueError(f"unknown PDDL layout {layout!r}")
        return Instance(set_name, part or set_name, int(record["id"]), problem, plan, plans,
                        bool(record.get("extra", False)), record.get("seed"), unsolvable, layout, replans)
    except (KeyError, ValueError, TypeError) as error:
        raise InputError(where, 0, f"not a valid instance record: {error!r}") from None


def below_from_towers(towers: list[list[str]], index: dict[str, int]) -> tuple[int, ...]:
    """Towers (bottom first, every block once) as ``below`` indices; ValueError otherwise."""
    below = [-1] * len(index)
    seen = 0
    for tower in towers:
        for lower, upper in zip(tower, tower[1:]):
            below[index[upper]] = index[lower]
        seen += len(tower)
    if seen != len(index):
        raise ValueError(f"the towers hold {seen} blocks, not {len(index)}")
    return tuple(below)


def read_jsonl(path: Path, set_name: str, part: str | None = None, check: bool = False) -> list[Instance]:
    """Instances of a JSON-lines file; a bad line is an InputError naming file and line.
    Ids are unique and there is at least one instance; ``check`` (a generated set, which
    anyone can edit) also replays each gold plan: it must solve its problem in the stated
    number of steps, or every verdict on the set would be silently wrong."""
    out = []
    try:
        lines = path.read_bytes().split(b"\n")
    except OSError as error:
        raise InputError(str(path), 0, f"cannot read: {error.strerror or error}") from None
    seen: dict[tuple[str, int], int] = {}
    for number, raw in enumerate(lines, 1):
        try:
            line = raw.decode("utf-8-sig" if number == 1 else "utf-8")
        except UnicodeDecodeError:
            raise InputError(str(path), number, "not UTF-8 text (an instance set is JSON lines)") from None
        if not line.strip():
            continue
        try:
            record = json.loads(line)
        except ValueError as error:
            raise InputError(str(path), number, f"not JSON: {getattr(error, 'msg', error)}") from None
        except RecursionError:
            raise InputError(str(path), number, "not an instance record (nested too deeply)") from None
        if not isinstance(record, dict):
            raise InputError(str(path), number, f"not an instance record (a JSON {type(record).__name__})")
        try:
            instance = from_record(record, set_name, str(path), part)
        except InputError as error:
            raise InputError(str(path), number, error.message) from None
        if (instance.part, instance.id) in seen:
            raise InputError(str(path), number, f"instance {instance.id} again (first on line "
                             f"{seen[(instance.part, instance.id)]}); ids must be unique")
        seen[(instance.part, instance.id)] = number
        if check:
            _check_gold(instance, record.get("length"), str(path), number)
        out.append(instance)
    if not out:
        raise InputError(str(path), 0, "holds no instance")
    return out


def _check_gold(instance: Instance, stated, path: str, number: int) -> None:
    """A gold plan that does not solve its problem, or is not as long as the manifest says
    (the optimal length every score is bucketed by), is refused naming the line. A set
    without gold plans (none written) is allowed: one-shot prompts refuse it later."""
    from planbench.world.validate import validate

    if not instance.plan:
        return
    result = validate(instance.problem, instance.plan)
    if not result.valid:
        why = result.message(None, "canonical").removeprefix("The plan is invalid. ")
        raise InputError(path, number, f"instance {instance.id}: its gold plan does not solve its problem: "
                         f"{why[:1].lower()}{why[1:]}")
    if stated is not None and stated != len(instance.plan):
        raise InputError(path, number, f"instance {instance.id}: its gold plan has {len(instance.plan)} steps, "
                         f"not the stated length {stated!r}")


SET_FILE = "set.json"  # what a generated set is: encoding, seed, blocks, lengths, unsolvable share


@dataclass(frozen=True)
class InstanceSet:
    name: str
    instances: tuple[Instance, ...]
    description: str = ""
    settings: dict = field(default_factory=dict, compare=False)  # a generated set's set.json

    @property
    def encoding(self) -> str | None:
        """The encoding the set's PDDL files are written in (generated sets remember it)."""
        return self.settings.get("encoding")

    def scored(self) -> list[Instance]:
        """The instances a run evaluates (extras are one-shot examples only)."""
        return [i for i in self.instances if not i.extra]

    def find(self, part: str, id: int) -> Instance | None:
        return self._index.get((part, id))  # type: ignore[attr-defined]

    def __post_init__(self) -> None:
        object.__setattr__(self, "_index", {(i.part, i.id): i for i in self.instances})

    def lengths(self) -> Counter:
        """Optimal lengths of the scored instances; unsolvable ones count under None."""
        return Counter(i.length for i in self.scored())


def load_set(name: str) -> InstanceSet:
    """A bundled set by name, or a generated set's folder (with ``manifest.jsonl``)."""
    if name in SETS:
        folder = data_dir("instances")
        instances = []
        for part in SETS[name]:
            instances.extend(read_jsonl(folder / f"{part}.jsonl", name, part))
        return InstanceSet(name, tuple(instances), " + ".join(PARTS[p] for p in SETS[name]))
    path = Path(name)
    manifest = path / "manifest.jsonl" if path.is_dir() else path
    if manifest.is_file():
        set_name = path.name if path.is_dir() else path.stem
        settings = read_settings(manifest.parent)
        return InstanceSet(set_name, tuple(read_jsonl(manifest, set_name, check=True)), f"generated set at {path}",
                           settings)
    raise InputError(name, 0, "unknown instance set; choose one of: " + ", ".join(SETS) + ", or a generated set's folder")


def read_settings(folder: Path) -> dict:
    """A generated set's ``set.json`` ({} for sets made before it existed)."""
    path = folder / SET_FILE
    if not path.exists():
        return {}
    try:
        settings = json.loads(path.read_bytes().decode("utf-8-sig"))
    except (OSError, UnicodeDecodeError, ValueError, RecursionError):
        raise InputError(str(path), 0, "not a readable set description (JSON object)") from None
    if not isinstance(settings, dict) or not isinstance(settings.get("encoding", ""), str):
        raise InputError(str(path), 0, "not a set description (a JSON object with the set's 'encoding')")
    return settings


def set_encoding(set_name: str, given: str | None) -> str:
    """The encoding to use with a set: the one asked for, else the one a generated set
    records, else Blocksworld."""
    if given:
        return given
    if set_name in SETS:
        return "blocksworld"
    return load_set(set_name).encoding or "blocksworld"


def histogram(counter: Counter) -> str:
    """``2:47 4:85 ... unsolvable:10``: keys in order, no plan (None) last."""
    keys = sorted(k for k in counter if k is not None)
    shown = [f"{k}:{counter[k]}" for k in keys]
    if None in counter:
        shown.append(f"unsolvable:{counter[None]}")
    return " ".join(shown)


def write_set(folder: Path, instances: list[Instance], encoding, settings: dict | None = None) -> Path:
    """A generated set on disk: ``domain.pddl``, ``instance-<id>.pddl`` in the encoding,
    ``manifest.jsonl`` (canonical: id, blocks, init, goal, optimal plan and length, seed,
    how an unsolvable one was made) and ``set.json`` (encoding and the settings that made
    it, so commands that read the set need no --encoding)."""
    from planbench.world.problem import to_pddl

    folder.mkdir(parents=True, exist_ok=True)
    (folder / SET_FILE).write_text(json.dumps({"encoding": encoding.name, **(settings or {})}, indent=2) + "\n")
    (folder / "domain.pddl").write_text(encoding.domain_pddl)
    lines = []
    for instance in instances:
        (folder / f"instance-{instance.id}.pddl").write_text(to_pddl(instance.problem, encoding, instance.layout, instance.id))
        lines.append(json.dumps(instance.to_record(), separators=(",", ":")))
    manifest = folder / "manifest.jsonl"
    manifest.write_text("\n".join(lines) + ("\n" if lines else ""))
    return manifest
