"""Task 5, plan generalization: one problem of a family and its plan, then another of it.

PlanBench's ``task_5_plan_generalization`` (FACTS-tasks.md §6): task 1's one-shot format
(the problem statement T, ``fill_template``) over the problems of its generator's family
(every block on the table, the goal one tower; :mod:`planbench.sets.families`), query i
with instance i-1 as the example. No draws.

Which problems a set means: PlanBench asked t5 from the generalization directory whatever
the domain's own instances, so its 3-block file is generalization ids 2-101 (not 3
blocks) and its 500 file ids 2-501. Here ``planbench-3`` and ``planbench-500`` likewise
mean those bundled generalization problems (``planbench-generalization``); their prompts
keep the part and id of PlanBench's file, so recorded answers join to them. The bundled
generalization set asks its own ids 2-501, and a generated set is asked when every one of
its problems is of the family (``planbench generate --family generalization``), each with
another of its problems as the example, chosen by the seed. Any other set is refused.
"""

from __future__ import annotations

from dataclasses import replace

from planbench.errors import InputError
from planbench.prompts.statements import fill_template, plan_block, statement_atoms
from planbench.prompts.styles import queries_and_examples
from planbench.sets.families import is_generalization_problem
from planbench.sets.instances import Instance, InstanceSet, load_set
from planbench.tasks import register
from planbench.tasks.base import TaskOptions, TaskPrompt, check_wording
from planbench.tasks.draws import PLANBENCH_PARTS
from planbench.tasks.plan_task import PlanTask, intro, solvable_with_plan, truth
from planbench.world.encodings import Encoding

FAMILY_SET = "planbench-generalization"


def statement(instance: Instance, encoding: Encoding, plan: tuple | None) -> str:
    """T's [STATEMENT]: the plan block after [PLAN], or nothing (the query)."""
    problem = instance.problem
    return fill_template(statement_atoms(problem.init, encoding), statement_atoms(problem.goal, encoding),
                         plan_block(plan, encoding) if plan is not None else "")


def family_pairs(instance_set: InstanceSet, seed: int) -> list[tuple[Instance, Instance]]:
    """(query, example) pairs of generalization problems the set stands for (module doc)."""
    family = load_set(FAMILY_SET)
    pairs = []
    own = [i for i in instance_set.instances if i.part not in PLANBENCH_PARTS]
    for part in dict.fromkeys(i.part for i in instance_set.instances if i.part in PLANBENCH_PARTS):
        asked = len([i for i in instance_set.scored() if i.part == part])
        for number in range(2, asked + 2):
            query, example = family.find(FAMILY_SET, number), family.find(FAMILY_SET, number - 1)
            # the query keeps the part of PlanBench's file (and the set's name), so answers join to it
            pairs.append((replace(query, set=instance_set.name, part=part, extra=False), example))
    if own:
        mismatch = next((i for i in own if not i.solvable or not is_generalization_problem(i.problem)), None)
        if mismatch is not None:
            raise InputError(f"instance {mismatch.key}", 0, "t5 (plan generalization) asks problems of one family "
                             "(all blocks on the table, the goal one tower of them all); this set is not one: use "
                             "planbench-3, planbench-500, planbench-generalization, or a set made with "
                             "'planbench generate --family generalization'")
        for instance in own:
            solvable_with_plan(instance, "t5 (plan generalization)")
        pairs.extend(queries_and_examples(replace(instance_set, instances=tuple(own)), "one-shot", seed))
    return pairs


class PlanGeneralization(PlanTask):
    name = "t5"
    title = "plan generalization"
    words = ("generalization",)
    planbench_file = "task_5_plan_generalization"

    def prompts(self, instance_set: InstanceSet, encoding: Encoding, options: TaskOptions) -> list[TaskPrompt]:
        check_wording(self.name, options, ("current",))
        out = []
        for query, example in family_pairs(instance_set, options.seed):
            text = (intro(encoding, query) + statement(example, encoding, example.gold(encoding.name))
                    + statement(query, encoding, None))
            plan = query.gold(encoding.name)
            out.append(TaskPrompt(query, text, truth(query.problem.init, query.problem.goal, plan), (example.id,)))
        return out


TASK = register(PlanGeneralization())
