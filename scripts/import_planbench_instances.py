"""Maintenance: build instances/<part>.jsonl from PlanBench's instance files and gold plans.

Run from the repository root with PlanBench's data at ../shared/planbench-ref (or
PLANBENCH_REF). The output is committed; this script records where it came from and
checks it: every written problem gives back PlanBench's PDDL file, and every gold plan
is valid and as short as our solver's optimal plan.

Gold plans: the main and hard sets from info.json (Fast Downward A*/LM-cut); the 3-block
set from PlanBench's prompt files. PlanBench computed a gold plan per encoding, and Fast
Downward's tie-breaking differs with names, so where the Mystery or Randomized gold plan
differs from the Blocksworld one it is kept too (one-shot prompts show them).
"""

from __future__ import annotations

import argparse
import json
import os
from pathlib import Path

from planbench import encodings, world
from planbench import problem as problems
from planbench.sets.instances import Instance, parse_action
from planbench.world.solve import solve, unsolvable_reason
from planbench.world.validate import validate

ROOT = Path(__file__).resolve().parent.parent
REF = Path(os.environ.get("PLANBENCH_REF", ROOT.parent / "shared" / "planbench-ref"))
BW = encodings.get("blocksworld")
COLOURS = {c: world.block_name(i) for i, c in enumerate(BW.data["objects"]["compact"])}


def plan_lines(text: str | list, encoding: encodings.Encoding) -> tuple:
    """Gold plan text (str or list, colour or letter names, optional '; cost' line) -> canonical."""
    lines = text if isinstance(text, list) else text.split("\n")
    out = []
    for line in lines:
        line = line.strip()
        if not line or line.startswith(";"):
            continue
        name, *args = parse_action(line)
        out.append((encoding.action_from_pddl(name), *(encoding.object_from_pddl(COLOURS.get(a, a)) for a in args)))
    return tuple(out)


def gold_from_files(paths: list[str], encoding: encodings.Encoding) -> dict[int, tuple]:
    """instance id -> gold plan, first file wins (PlanBench's prompt files, then results)."""
    out: dict[int, tuple] = {}
    for relative in paths:
        path = REF / relative
        if not path.exists():
            continue
        for instance in json.loads(path.read_text())["instances"]:
            gold = instance.get("ground_truth_plan")
            if isinstance(gold, str) and gold and instance["instance_id"] not in out:
                out[instance["instance_id"]] = plan_lines(gold, encoding)
    return out


def build(part: str, folder: str, ids: range, extra: int | None, info: str | None, gold_sources: list[str],
          encoded_gold: dict[str, tuple[list[str], str]], root: Path) -> None:
    info_plans = {}
    if info:
        for key, value in json.loads((REF / "instances" / info).read_text()).items():
            info_plans[int(key.split("-")[1].split(".")[0])] = plan_lines(value["plan"], BW)
    file_gold = gold_from_files(gold_sources, BW)
    other_gold = {name: gold_from_files(files, encodings.get(enc)) for name, (files, enc) in encoded_gold.items()}
    lines = []
    replaced = []
    for i in list(ids) + ([extra] if extra else []):
        path = REF / "instances" / folder / f"instance-{i}.pddl"
        problem = problems.read_problem(path, BW)
        assert problems.to_pddl(problem, BW).strip() == path.read_text().strip(), path
        optimal = solve(problem)
        gold = info_plans.get(i) or file_gold.get(i)
        if gold is None or not validate(problem, gold).valid or len(gold) != optimal.length:
            replaced.append(i)  # PlanBench's gold is missing or wrong here: use ours
            gold = optimal.plan
        plans = {}
        for name, by_id in other_gold.items():
            plan = by_id.get(i)
            if plan and plan != gold and validate(problem, plan).valid and len(plan) == optimal.length:
                plans[name] = plan
        instance = Instance(part, part, i, problem, gold, plans, extra=(i == extra))
        lines.append(json.dumps(instance.to_record(), separators=(",", ":")))
    out = root / "instances" / f"{part}.jsonl"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text("\n".join(lines) + "\n")
    print(f"{out}: {len(lines)} instances; gold replaced by ours for ids {replaced}; "
          f"encoding-specific gold for {sum('plans' in l for l in lines)}")


def build_unsolvable(part: str, folder: str, ids: range, root: Path) -> None:
    """PlanBench's unsolvable problems: each goal is a solvable one with one `on` atom
    added (``*_all_labels.json``: split, a block in two places or two blocks on one; loop,
    a cycle). Checked: the file round-trips, the added atom is in the goal, and our solver
    proves the goal unsolvable for the reason the label gives."""
    labels = json.loads((REF / "instances" / folder / f"{folder}_all_labels.json").read_text())
    lines = []
    for i in ids:
        path = REF / "instances" / folder / "generated_basic" / f"instance-{i}.pddl"
        problem = problems.read_problem(path, BW)
        assert problems.to_pddl(problem, BW, "tabbed").strip() == path.read_text().strip(), path
        label = labels[str(i)]
        added = tuple(label["added_pred"].strip("()").split())
        assert added in problem.goal, (i, added)
        reason = unsolvable_reason(problem)
        assert reason is not None and (reason.kind == "loop") == (label["choice"] == "loop"), (i, reason, label)
        how = {"choice": label["choice"], "added": list(added[1:]), "reason": reason.kind}
        instance = Instance(part, part, i, problem, (), unsolvable=how, layout="tabbed")
        lines.append(json.dumps(instance.to_record(), separators=(",", ":")))
    out = root / "instances" / f"{part}.jsonl"
    out.write_text("\n".join(lines) + "\n")
    print(f"{out}: {len(lines)} unsolvable instances")


def build_generalization(part: str, folder: str, ids: range, extra: int, root: Path) -> None:
    """PlanBench's plan-generalization problems (t5): all blocks on the table, the goal
    one tower. Their only optimal plan builds the tower bottom up, so our solver's plan is
    Fast Downward's (the t5 golds agree: tests/test_instances.py). Checked: every file
    round-trips in its own layout, with its own block names (a few of a..l, shuffled)."""
    lines = []
    for i in ids:
        path = REF / "instances" / folder / f"instance-{i}.pddl"
        problem = problems.read_problem(path, BW)
        assert problems.to_pddl(problem, BW, "generated") == path.read_text().rstrip("\n"), path  # 2 files end in a newline
        instance = Instance(part, part, i, problem, solve(problem).plan, extra=(i == extra), layout="generated")
        lines.append(json.dumps(instance.to_record(), separators=(",", ":")))
    out = root / "instances" / f"{part}.jsonl"
    out.write_text("\n".join(lines) + "\n")
    print(f"{out}: {len(lines)} generalization instances")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--out", type=Path, default=ROOT,
                        help="folder to write instances/ into (default: this repository; CI writes elsewhere and "
                             "compares with what is committed)")
    parser.add_argument("--parts", default=",".join(PARTS), help="which parts to build (CI: planbench-3)")
    args = parser.parse_args()
    for part in args.parts.split(","):
        if part not in PARTS:
            parser.error(f"unknown part {part!r}; choose from {', '.join(PARTS)}")
        PARTS[part](args.out)


# Each bundled part and how it is built from PlanBench's files.
PARTS = {
    "planbench-500": lambda root: build(
        "planbench-500", "blocksworld", range(1, 501), 501, "blocksworld_info.json", [],
        {"mystery": (["prompts/mystery_blocksworld/task_1_plan_generation.json",
                      "responses/mystery_blocksworld/gpt-4o_chat/task_1_plan_generation_zero_shot.json"], "mystery")},
        root),
    "planbench-3": lambda root: build(
        "planbench-3", "blocksworld_3", range(1, 101), 101, None,
        ["prompts/blocksworld_3/task_1_plan_generation.json",
         "responses/blocksworld_3/gpt-4o_chat/task_1_plan_generation_zero_shot.json"],
        {"mystery": (["prompts/mystery_blocksworld_3/task_1_plan_generation.json",
                      "responses/mystery_blocksworld_3/gpt-4o_chat/task_1_plan_generation_zero_shot.json"], "mystery"),
         "randomized": (["responses/obfuscated_randomized_blocksworld_3/o1-mini_chat/"
                         "task_1_plan_generation_zero_shot.json"], "randomized")},
        root),
    "planbench-hard-110": lambda root: build(
        "planbench-hard-110", "blocksworld_hard", range(1, 111), None, "blocksworld_hard_info.json", [], {}, root),
    "planbench-unsolvable": lambda root: build_unsolvable(
        "planbench-unsolvable", "unsolvable_blocksworld", range(1, 101), root),
    "planbench-generalization": lambda root: build_generalization(
        "planbench-generalization", "blocksworld_generalization", range(1, 502), 1, root),
}


if __name__ == "__main__":
    main()
