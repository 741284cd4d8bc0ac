"""Benchmark: plans validated per second, ours against unified-planning's, in one run.

Plans are the recorded extracted plans of PlanBench's response files (../shared/
planbench-ref, or PLANBENCH_REF). Each problem is parsed once for both validators; each
validator then gets the plans in its own ready form (our canonical tuples; UP's
SequentialPlan) so that only validation is timed. Our figure is the median of several
passes; UP's is one pass (it is ~1000x slower). Also printed: ours including reading the
plan text with the lark grammar. The last line is: ours, theirs, ratio.

    python scripts/bench_validate.py [--plans 600] [--repeat 7]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
from pathlib import Path

from planbench import encodings, pddl
from planbench import problem as problems
from planbench.errors import InputError
from planbench.results.importer import FOLDERS
from planbench.sets.instances import load_set
from planbench.world.problem import Problem
from planbench.world.validate import canonical_steps, validate

ROOT = Path(__file__).resolve().parent.parent
REF = Path(os.environ.get("PLANBENCH_REF", ROOT.parent / "shared" / "planbench-ref"))


def recorded_plans(limit: int) -> list[tuple[Problem, str, str]]:
    """(problem, plan encoding, plan text) from the task 1 response files. The problem is
    the bundled set's instance the answer was for (importer.FOLDERS says which set, part
    and encoding a PlanBench folder holds), so every folder PlanBench ships answers for
    works, the unsolvable and hard ones included, without its PDDL files."""
    out = []
    sets = {}
    for path in sorted((REF / "responses").glob("**/task_1_plan_generation*.json")):
        domain = path.relative_to(REF / "responses").parts[0]
        if "backprompting" in path.name or "state_tracking" in path.name or domain not in FOLDERS:
            continue
        set_name, part, plan_enc = FOLDERS[domain]
        instance_set = sets.setdefault(set_name, load_set(set_name))
        for recorded in json.loads(path.read_text())["instances"]:
            plan = recorded.get("extracted_llm_plan")
            instance = instance_set.find(part, int(recorded["instance_id"]))
            if plan is None or instance is None:
                continue
            text = "\n".join(plan) if isinstance(plan, list) else plan
            out.append((instance.problem, plan_enc, text))
    # Spread the sample over all files rather than taking the first ones.
    step = max(1, len(out) // limit)
    return out[::step][:limit]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--plans", type=int, default=600)
    parser.add_argument("--repeat", type=int, default=7)
    args = parser.parse_args()
    if not (REF / "responses").is_dir():
        sys.exit(f"PlanBench reference data not found at {REF} (set PLANBENCH_REF)")

    from unified_planning.io import PDDLReader
    from unified_planning.plans import ActionInstance, SequentialPlan
    from unified_planning.shortcuts import PlanValidator, get_environment

    get_environment().credits_stream = None
    reader = PDDLReader()
    ours_items, up_items, texts = [], [], []
    up_problems: dict[tuple, object] = {}
    domain_files = {}
    for task, plan_enc, text in recorded_plans(args.plans):
        encoding = encodings.get(plan_enc)
        try:
            steps = pddl.parse_plan(text)
        except InputError:
            continue
        key = (task, plan_enc)
        if key not in up_problems:
            if plan_enc not in domain_files:
                domain_files[plan_enc] = Path(f"/tmp/planbench-bench-{plan_enc}-domain.pddl")
                domain_files[plan_enc].write_text(encoding.domain_pddl)
            surface_problem = Path(f"/tmp/planbench-bench-problem-{len(up_problems)}.pddl")
            surface_problem.write_text(problems.to_pddl(task, encoding))
            up_problems[key] = reader.parse_problem(str(domain_files[plan_enc]), str(surface_problem))
        up_problem = up_problems[key]
        actions = {a.name: a for a in up_problem.actions}
        objects = {o.name: o for o in up_problem.all_objects}
        try:
            up_plan = SequentialPlan([ActionInstance(actions[s.name], tuple(objects[a] for a in s.args)) for s in steps])
        except (KeyError, Exception):
            continue  # UP cannot even build plans with unknown names or wrong arity
        ours_items.append((task, canonical_steps(steps, encoding)))
        up_items.append((up_problem, up_plan))
        texts.append((task, text, encoding))
    n = len(ours_items)
    print(f"plans: {n} (from {len(up_problems)} problems), mean length "
          f"{statistics.mean(len(p) for _, p in ours_items):.1f}")

    verdicts = [validate(t, p).valid for t, p in ours_items]  # warm the per-problem mask cache
    timings = []
    for _ in range(args.repeat):
        start = time.perf_counter()
        for task, plan in ours_items:
            validate(task, plan)
        timings.append(time.perf_counter() - start)
    ours_rate = n / statistics.median(timings)
    print(f"ours (validate, median of {args.repeat} passes): {ours_rate:,.0f} plans/s")

    timings = []
    for _ in range(3):
        start = time.perf_counter()
        for task, text, encoding in texts:
            validate(task, canonical_steps(pddl.parse_plan(text), encoding))
        timings.append(time.perf_counter() - start)
    print(f"ours including reading the plan text (lark): {n / statistics.median(timings):,.0f} plans/s")

    validator = PlanValidator(name="sequential_plan_validator")
    start = time.perf_counter()
    up_verdicts = [validator.validate(p, plan).status.name == "VALID" for p, plan in up_items]
    up_rate = n / (time.perf_counter() - start)
    agree = sum(a == b for a, b in zip(verdicts, up_verdicts))
    print(f"unified-planning SequentialPlanValidator: {up_rate:,.0f} plans/s; verdicts agree on {agree}/{n}")
    print(f"ours {ours_rate:,.0f} plans/s, unified-planning {up_rate:,.0f} plans/s, ratio {ours_rate / up_rate:,.0f}x")


if __name__ == "__main__":
    main()
