"""Maintenance: bundle Fast Downward's replans for task 6 where our solver picks another plan.

PlanBench's t6 shows, for the example and as the gold of the query, the plan Fast Downward
(A*/LM-cut) found from the state after the event. Blocksworld has many equally short plans
and Fast Downward's choice among them shows in the prompt, so byte identity needs its
plan. Our solver finds an optimal plan too, usually the same one; where it does not, this
script stores Fast Downward's plan with the instance (``replans`` in instances/*.jsonl,
read by ``Instance.replan``), so users never need a planner.

Fast Downward is run as PlanBench ran it (``reference.fast_downward_as_planbench``: its
driver on our PDDL files), which reproduces every gold plan bundled with PlanBench's sets.
PlanBench wrote the post-event problem with its atoms in Python's set order; ``--orders N``
checks on N events per configuration that shuffling the init atoms, goal atoms and objects
does not change Fast Downward's plan (it never did), so the canonical order stands for it.

Run from the repository root in an environment with up-fast-downward (the test venv);
takes about 15 minutes. The events come from the t6 module itself (the draws of the files
PlanBench made: mode R in Blocksworld, mode H in Mystery), so they are the ones prompts use.
"""

from __future__ import annotations

import argparse
import itertools
import json
import random
from dataclasses import replace
from pathlib import Path

from planbench.sets.instances import load_set
from planbench.sets.reference import fast_downward_as_planbench
from planbench.tasks.t6_replanning import events
from planbench.world.encodings import get
from planbench.world.pddl import write_problem
from planbench.world.problem import Problem, to_spec
from planbench.world.solve import solve

ROOT = Path(__file__).resolve().parent.parent
CONFIGS = [("planbench-500", "blocksworld"), ("planbench-500", "mystery"),
           ("planbench-3", "blocksworld"), ("planbench-3", "mystery")]


def shuffled_pddl(problem: Problem, encoding, rng: random.Random) -> str:
    spec = to_spec(problem, encoding)
    init, goal, objects = list(spec.init), list(spec.goal), list(spec.objects)
    for items in (init, goal, objects):
        rng.shuffle(items)
    return write_problem(type(spec)(spec.name, spec.domain, tuple(objects), tuple(init), tuple(goal)))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--orders", type=int, default=0, help="events per configuration to check atom orders on")
    parser.add_argument("--out", type=Path, default=ROOT,
                        help="folder to write instances/ into (default: this repository; CI writes elsewhere and "
                             "compares with what is committed)")
    parser.add_argument("--parts", default=",".join(dict.fromkeys(p for p, _ in CONFIGS)),
                        help="which parts (CI: planbench-3)")
    parser.add_argument("--events", type=int, default=None, help="only the first N events per configuration (CI)")
    args = parser.parse_args()
    for part in args.parts.split(","):
        instance_set = load_set(part)
        replans: dict[int, dict] = {}
        for name in (e for p, e in CONFIGS if p == part):
            encoding = get(name)
            rng = random.Random(f"orders-{part}-{name}")
            seen = differ = checked = 0
            for example, shown, query, event in itertools.islice(events(instance_set, encoding), args.events):
                for instance, happened in ((example, shown), (query, event)):
                    problem = Problem(instance.problem.name, instance.problem.blocks, happened.state,
                                      instance.problem.goal)
                    theirs = fast_downward_as_planbench(problem, encoding).plan
                    ours = solve(problem).plan
                    assert theirs is not None and len(theirs) == len(ours), (instance.key, theirs, ours)
                    seen += 1
                    if checked < args.orders:
                        checked += 1
                        again = fast_downward_as_planbench(problem, encoding,
                                                           problem_text=shuffled_pddl(problem, encoding, rng)).plan
                        assert again == theirs, ("order-dependent", instance.key, theirs, again)
                    if theirs != ours:
                        differ += 1
                        replans.setdefault(instance.id, {}).setdefault(name, {})[frozenset(happened.state)] = theirs
            print(f"{part} {name}: {seen} replans, {differ} differ from our solver's; "
                  f"{checked} checked under shuffled atom orders")
        out = args.out / "instances" / f"{part}.jsonl"
        out.parent.mkdir(parents=True, exist_ok=True)
        lines = []
        for instance in instance_set.instances:
            record = replace(instance, replans=replans.get(instance.id, {})).to_record()
            lines.append(json.dumps(record, separators=(",", ":")))
        out.write_text("\n".join(lines) + "\n")
        print(f"{out}: replans for {len(replans)} instances")


if __name__ == "__main__":
    main()
