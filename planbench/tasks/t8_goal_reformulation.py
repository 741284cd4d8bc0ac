"""Task 8, goal reformulation: the same problem as the example, its goal written another way.

PlanBench's ``task_8_1_goal_shuffling``, ``task_8_2_full_to_partial`` and
``task_8_3_partial_to_full`` (FACTS-tasks.md §9-11). Each instance is its own example,
shown with its plan in task 1's format (the statement T); the query states the same
problem with the goal reformulated, so the example's plan is a right answer:

- t8_1: the goal's atoms in a shuffled order;
- t8_2: the example's goal is the full state the plan reaches (rendered with S), the
  query's the original (partial) goal;
- t8_3: the other way round: the query asks for the full final state.

Draws per instance (PlanBench's ``paraphrase_goal`` and ``instance_to_text(shuffle=True)``):
a shuffle of the goal set whose result is thrown away, then for t8_1 a shuffle of the
sorted initial atoms, thrown away too, and one of the sorted goal atoms, which is shown.
t8_2 and t8_3 draw only the first, so their prompts have no randomness, but in mode R the
thrown-away draws still move the stream.

Readings: ``default`` judges against the goal the prompt states (t8_3: the full state);
``planbench`` as PlanBench's evaluator did, against the original instance, so t8_3
checks only the original partial goal (BW GPT-4: 291 of 500, 281 against the full state).
"""

from __future__ import annotations

from planbench.prompts.statements import fill_template, join_atoms, plan_block, state_text, statement_atoms
from planbench.sets.instances import Instance, InstanceSet
from planbench.tasks import register
from planbench.tasks.base import TaskOptions, TaskPrompt, check_wording
from planbench.tasks.draws import Draws
from planbench.tasks.plan_task import DrawStreams, PlanTask, intro, solvable_with_plan, state_after, truth
from planbench.world.encodings import Encoding

Atom = tuple


def tarski_order(atoms, encoding: Encoding) -> list[Atom]:
    """The atoms in T's order (tarski's: PDDL name, then arguments)."""
    return sorted(atoms, key=lambda a: encoding.predicates[a[0]] + " " + " ".join(map(encoding.object_to_pddl, a[1:])))


class GoalReformulation(PlanTask):
    """The three variants differ only in the goals shown and judged (:meth:`goals`)."""

    shuffles_goal = False  # t8_1

    def prompts(self, instance_set: InstanceSet, encoding: Encoding, options: TaskOptions) -> list[TaskPrompt]:
        check_wording(self.name, options, ("current",))
        streams = DrawStreams(self.name, encoding, options.seed)
        out = []
        for instance in instance_set.scored():
            solvable_with_plan(instance, f"{self.name} ({self.title})")
            draws = streams.for_query(instance)
            draws.executor()
            problem = instance.problem
            plan = instance.gold(encoding.name)
            draws.shuffle(list(problem.goal))  # paraphrase_goal's shuffle: thrown away
            goal = statement_atoms(problem.goal, encoding)
            if self.shuffles_goal:
                draws.shuffle(tarski_order(problem.init, encoding))  # thrown away as well
                goal = shuffled_goal(draws, problem.goal, encoding)
            full = state_after(problem, plan)
            example_goal, query_goal = self.goals(goal, state_text(full, encoding), statement_atoms(problem.goal, encoding))
            init = statement_atoms(problem.init, encoding)
            text = (intro(encoding, instance) + fill_template(init, example_goal, plan_block(plan, encoding))
                    + fill_template(init, query_goal, ""))
            out.append(TaskPrompt(instance, text, self.truth(instance, full, plan), (instance.id,)))
        return out

    def goals(self, shown: str, full: str, original: str) -> tuple[str, str]:
        """(the example's goal, the query's goal) as written."""
        return original, shown

    def truth(self, instance: Instance, full: list[Atom], plan: tuple) -> dict:
        problem = instance.problem
        return truth(problem.init, problem.goal, plan, single_goal=len(problem.goal) == 1)


def shuffled_goal(draws: Draws, goal, encoding: Encoding) -> str:
    atoms = tarski_order(goal, encoding)
    draws.shuffle(atoms)
    return join_atoms([encoding.atom_to_text(a) for a in atoms])


class GoalShuffling(GoalReformulation):
    name = "t8_1"
    title = "goal shuffling"
    words = ("goal-shuffling",)
    planbench_file = "task_8_1_goal_shuffling"
    shuffles_goal = True


class FullToPartial(GoalReformulation):
    name = "t8_2"
    title = "full to partial goal"
    words = ("full-to-partial",)
    planbench_file = "task_8_2_full_to_partial"

    def goals(self, shown: str, full: str, original: str) -> tuple[str, str]:
        return full, original


class PartialToFull(GoalReformulation):
    name = "t8_3"
    title = "partial to full goal"
    words = ("partial-to-full",)
    planbench_file = "task_8_3_partial_to_full"

    def goals(self, shown: str, full: str, original: str) -> tuple[str, str]:
        return original, full

    def truth(self, instance: Instance, full: list[Atom], plan: tuple) -> dict:
        """The prompt asks for the full state; PlanBench judged only the original goal."""
        problem = instance.problem
        return truth(problem.init, full, plan, planbench_goal=problem.goal)


TASKS = [register(GoalShuffling()), register(FullToPartial()), register(PartialToFull())]
