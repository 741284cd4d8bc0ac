"""Task 4, plan reuse: a full plan is shown; give a plan to the state reached part way.

PlanBench's ``task_4_plan_reuse`` (FACTS-tasks.md §5). Per instance, in id order: the
instance is its own example, with its full plan; a prefix of that plan is drawn
(``random_prefix_execution``, 1 .. L-1 actions) *twice*, the second draw kept; the query
asks, from the same initial state, for the complete state that prefix reaches (rendered
with S: it may say "the hand is currently holding ..."). The expected answer is the prefix.

Quirks kept (``fix_quirks`` drops the first): a lone space after the example's
``[PLAN END]\\n``; the draw that is thrown away.

Readings: ``default`` judges the plan against the goal the prompt states, the whole
resulting state; ``planbench`` as PlanBench's evaluator did, against ``new_instance``,
whose goal is only the facts the prefix *added* (final − init): a plan that reaches them
but leaves, say, a block elsewhere is correct there (BW_3 GPT-4: 87, 80 against the full
state).
"""

from __future__ import annotations

from planbench.prompts.statements import plan_block, state_text
from planbench.sets.instances import Instance, InstanceSet
from planbench.tasks import register
from planbench.tasks.base import TaskOptions, TaskPrompt, check_wording
from planbench.tasks.draws import random_prefix_execution
from planbench.tasks.plan_task import (DrawStreams, PlanTask, intro, solvable_with_plan, state_after,
                                       state_statement, truth)
from planbench.world.encodings import Encoding

Atom = tuple


class PlanReuse(PlanTask):
    name = "t4"
    title = "plan reuse"
    words = ("reuse",)
    planbench_file = "task_4_plan_reuse"

    def prompts(self, instance_set: InstanceSet, encoding: Encoding, options: TaskOptions) -> list[TaskPrompt]:
        check_wording(self.name, options, ("current",))
        streams = DrawStreams(self.name, encoding, options.seed)
        out = []
        for instance in instance_set.scored():
            solvable_with_plan(instance, "t4 (plan reuse)", needs=2)
            draws = streams.for_query(instance)
            draws.executor()
            plan = instance.gold(encoding.name)
            random_prefix_execution(draws, len(plan))  # PlanBench's first draw, thrown away
            prefix = plan[: random_prefix_execution(draws, len(plan))]
            out.append(self.prompt(instance, encoding, plan, prefix, options.fix_quirks))
        return out

    def prompt(self, instance: Instance, encoding: Encoding, plan: tuple, prefix: tuple,
               fix_quirks: bool = False) -> TaskPrompt:
        problem = instance.problem
        reached = state_after(problem, prefix)
        added = sorted(set(reached) - set(problem.init))
        init = state_text(problem.init, encoding)
        text = (intro(encoding, instance)
                + state_statement(init, state_text(problem.goal, encoding), plan_block(plan, encoding))
                + ("" if fix_quirks else " ")
                + state_statement(init, state_text(reached, encoding), ""))
        return TaskPrompt(instance, text, truth(problem.init, reached, prefix, planbench_goal=added),
                          (instance.id,))


TASK = register(PlanReuse())
