"""Our verdicts against unified-planning's SequentialPlanValidator on random plans.

Thousands of seeded plans (valid, near misses, nonsense) on PlanBench instances in all
three encodings; the verdict, the failing step and the unmet preconditions must agree.
"""

from __future__ import annotations

import json
import random
import re

import pytest

from conftest import crosscheck_size, ref_path
from plans import random_plan
from planbench import encodings, pddl
from planbench import problem as problems
from planbench.world.validate import canonical_steps, validate

up = pytest.importorskip("unified_planning")
from unified_planning.io import PDDLReader  # noqa: E402
from unified_planning.plans import ActionInstance, SequentialPlan  # noqa: E402
from unified_planning.shortcuts import PlanValidator, get_environment  # noqa: E402

get_environment().credits_stream = None

PLANS_PER_ENCODING = crosscheck_size(1000, 300)


def gold_plans() -> dict[int, list[tuple]]:
    info = json.loads(ref_path("instances", "blocksworld_info.json").read_text())
    return {
        int(key.split("-")[1].split(".")[0]): [tuple(line.strip("()").split()) for line in value["plan"].split("\n") if line]
        for key, value in info.items()
    }


def _atoms_in(message: str) -> set[str]:
    """'Preconditions [clear(c), harmony] of ...' -> {'(clear c)', '(harmony)'}."""
    inside = message[message.index("[") + 1 : message.index("]")]
    return {f"({name} {args.replace(',', '')})".replace(" )", ")")
            for name, args in re.findall(r"([\w-]+)(?:\(([^)]*)\))?", inside)}


def up_verdict(validator, up_problem, plan_pddl: list[tuple]) -> tuple[bool, int | None, set[str]]:
    """(valid, 1-based failing step or None, unmet preconditions of that step) from UP."""
    actions = {a.name: a for a in up_problem.actions}
    objects = {o.name: o for o in up_problem.all_objects}
    plan = SequentialPlan([ActionInstance(actions[a[0]], tuple(objects[x] for x in a[1:])) for a in plan_pddl])
    result = validator.validate(up_problem, plan)
    valid = result.status.name == "VALID"
    step = None
    unmet: set[str] = set()
    if result.inapplicable_action is not None:
        step = next(i for i, a in enumerate(plan.actions) if a is result.inapplicable_action) + 1
    if step is not None:  # for goals UP prints the whole conjunction, not the unmet part
        unmet = _atoms_in(result.log_messages[-1].message)
    return valid, step, unmet


@pytest.mark.parametrize("encoding_name", ["blocksworld", "mystery", "randomized"])
def test_verdicts_and_failing_steps_agree_with_unified_planning(encoding_name: str, tmp_path) -> None:
    encoding = encodings.get(encoding_name)
    domain_file = tmp_path / "domain.pddl"
    domain_file.write_text(encoding.domain_pddl)
    golds = gold_plans()
    rng = random.Random(f"crosscheck-{encoding_name}")
    ids = rng.sample(sorted(i for i in golds if i <= 500), 50)
    validator = PlanValidator(name="sequential_plan_validator")
    reader = PDDLReader()
    outcomes = {"valid": 0, "unmet_precondition": 0, "goal_not_reached": 0}
    checked = 0
    for instance_id in ids:
        canonical = problems.read_problem(ref_path("instances", "blocksworld", f"instance-{instance_id}.pddl"),
                                          encodings.get("blocksworld"))
        problem_file = tmp_path / f"p{instance_id}.pddl"
        problem_file.write_text(problems.to_pddl(canonical, encoding))
        up_problem = reader.parse_problem(str(domain_file), str(problem_file))
        ours_problem = problems.read_problem(problem_file, encoding)
        for _ in range(PLANS_PER_ENCODING // len(ids)):
            plan = random_plan(rng, canonical, golds[instance_id])
            surface = [tuple(encoding.action_to_pddl(a).strip("()").split()) for a in plan]
            steps = pddl.parse_plan(pddl.write_plan(surface))
            ours = validate(ours_problem, canonical_steps(steps, encoding))
            valid, step, unmet = up_verdict(validator, up_problem, surface)
            assert ours.valid == valid, (instance_id, surface, ours)
            if not valid:
                ours_step = ours.failure.step if ours.failure.kind == "unmet_precondition" else None
                assert ours_step == step, (instance_id, surface, ours)
                if step is not None:
                    assert {encoding.atom_to_pddl(a) for a in ours.failure.unmet} == unmet, (instance_id, surface)
            outcomes["valid" if ours.valid else ours.failure.kind] += 1
            checked += 1
    assert checked == PLANS_PER_ENCODING
    # The generator really exercises all three verdicts.
    assert min(outcomes.values()) > PLANS_PER_ENCODING // 10, outcomes
