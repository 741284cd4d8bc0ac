"""t2, plan optimality: given that every action takes a minute, the plan that takes least time.

The prompt (FACTS-tasks.md §3) is t1's one-shot with costs: the cost introduction, an example
(instance i-1 on PlanBench's sets) with its Fast Downward plan and "The total time to execute
the plan is N minutes.", and the query ending ``[PLAN] `` (a trailing space; ``fix_quirks``
drops it). INIT and GOAL are written by the state renderer S, and the goal sentence carries
"I want to minimize the time taken to achieve my goal." with no blank line after it. No
draws. An answer is correct when it is a valid plan of exactly the optimal length: the time
a model states for its plan is ignored, as PlanBench ignores it.
"""

from __future__ import annotations

from planbench.errors import InputError
from planbench.prompts.statements import domain_intro, plan_block, state_text
from planbench.prompts.styles import queries_and_examples
from planbench.sets.instances import Instance, InstanceSet
from planbench.tasks import register
from planbench.tasks.base import Task, TaskOptions, TaskPrompt, check_wording
from planbench.tasks.judging import judge_plan
from planbench.tasks.plan_task import optimal_plan_line, solvable_with_plan
from planbench.world.encodings import Encoding
from planbench.world.problem import Problem

MINIMIZE = " I want to minimize the time taken to achieve my goal."


def statement(instance: Instance, encoding: Encoding, shown: bool, fix_quirks: bool = False) -> str:
    """``task_utils.optimality``: the example (``shown``) with its plan and time, or the query."""
    problem = instance.problem
    text = (f"\n[STATEMENT]\nAs initial conditions I have that, {state_text(problem.init, encoding)}."
            f"\nMy goal is to have that {state_text(problem.goal, encoding)}.{MINIMIZE}\nMy plan is as follows:\n\n[PLAN]")
    if not shown:
        return text if fix_quirks else text + " "
    plan = instance.gold(encoding.name)
    unit = "minutes" if len(plan) > 1 else "minute"
    return text + plan_block(plan, encoding) + f"The total time to execute the plan is {len(plan)} {unit}.\n"


class Optimality(Task):
    name = "t2"
    title = "plan optimality"
    words = ("optimality",)
    planbench_file = "task_2_plan_optimality"
    answer = "plan"

    def prompts(self, instance_set: InstanceSet, encoding: Encoding, options: TaskOptions) -> list[TaskPrompt]:
        check_wording(self.name, options, ("current",))
        out = []
        for query, example in queries_and_examples(instance_set, "one-shot", options.seed):
            if not query.solvable:
                raise InputError(f"instance {query.key}", 0, "t2 asks for an optimal plan, and this problem has none")
            solvable_with_plan(query, f"{self.name} ({self.title})")
            text = (domain_intro(encoding, query.part, "cost") + statement(example, encoding, True, options.fix_quirks)
                    + statement(query, encoding, False, options.fix_quirks))
            truth = {"optimal_length": query.length,
                     "gold_plan": [encoding.action_to_pddl(a) for a in query.gold(encoding.name)]}
            out.append(TaskPrompt(query, text, truth, (example.id,)))
        return out

    def judge(self, text: str, prompt: TaskPrompt, encoding: Encoding, extractor: str = "default") -> dict:
        """Valid and optimal; ``valid``, ``optimal`` and ``excess_steps`` say which failed."""
        instance = prompt.instance
        return judge_plan(text or "", instance.problem, encoding, extractor, prompt.truth["optimal_length"],
                          require_optimal=True)

    def judged_problem(self, prompt: TaskPrompt, extractor: str = "default") -> Problem | None:
        return prompt.instance.problem

    def judged_against(self, prompt: TaskPrompt, encoding: Encoding, extractor: str = "default") -> list[tuple[str, str]]:
        """The goal and an optimal plan: right is valid and exactly that long."""
        instance = prompt.instance
        return [("goal", state_text(instance.problem.goal, encoding)),
                optimal_plan_line(instance.gold(encoding.name), encoding)]


register(Optimality())
