"""Any task's prompts as the records the later stages read (``prompts.jsonl``, ``planbench
prompts``), and a task's prompts looked up by instance (what the scorer judges against).

Task 1 keeps its own records (:func:`planbench.prompts.prompt_records`, every style); tasks
2-8 are one-shot as in PlanBench and their records carry the ``truth`` each answer is
judged against. The truth is never read back from a file to judge: the scorer builds the
task's prompts again from the run's settings (they are deterministic, PlanBench's draws
replayed) and joins answers to them by (part, id); a recorded prompt that differs from the
one built is said in one line (:func:`differing`).
"""

from __future__ import annotations

from functools import lru_cache

from planbench.errors import InputError
from planbench.prompts.statements import state_text
from planbench.prompts.styles import SYSTEM_MESSAGE, PromptOptions, prompt_records
from planbench.sets.instances import InstanceSet, load_set
from planbench.tasks import REGISTRY, canonical
from planbench.tasks.base import Task, TaskOptions, TaskPrompt
from planbench.tasks.plan_task import from_strings
from planbench.world import encodings
from planbench.world.encodings import Encoding

TASK_STYLE = "one-shot"  # PlanBench's tasks 2-8 are all one-shot ("prompt_type": "oneshot")


def get(name: str | None, source: str = "--task") -> Task:
    """The task of a name or word (default t1); one line naming the choices otherwise, and
    one line (naming ``source``) when the task's module is not part of this installation."""
    key = canonical(name or "t1")
    task = REGISTRY.get(key)
    if task is None:
        raise InputError(source, 0, f"task {key} is not available in this version of planbench "
                         f"(available: {', '.join(sorted(REGISTRY))})")
    return task


def task_style(task: Task, style: str | None) -> str | None:
    """The prompt style a task is asked in: task 1 any (it must be given); the others
    one-shot, as PlanBench asked them (another style is one line)."""
    if task.name == "t1":
        if not style:
            raise InputError("--style", 0, "task 1 (plan generation) needs a prompt style: zero-shot, one-shot, "
                             "state-tracking, zero-shot-pddl or one-shot-pddl")
        return style
    if style not in (None, "", TASK_STYLE):
        raise InputError("--style", 0, f"{task.name} ({task.title}) is asked one-shot, as PlanBench asked it; "
                         f"there is no {style} version")
    return TASK_STYLE


def records(task: Task, instance_set: InstanceSet, encoding: Encoding, style: str | None,
            options: PromptOptions = PromptOptions()) -> list[dict]:
    """One record per question: ids, the prompt, the chat messages, and (tasks 2-8) the
    truth and example ids. Task 1's records are exactly :func:`prompt_records`'."""
    style = task_style(task, style)
    if task.name == "t1":
        return prompt_records(instance_set, encoding, style, options)
    system = True if options.system is None else options.system  # PlanBench's chat runs of tasks 2-8 sent it
    system_text = SYSTEM_MESSAGE if system is True else (system or None)
    out = []
    for prompt in task.prompts(instance_set, encoding, task_options(options, style)):
        instance = prompt.instance
        messages = ([{"role": "system", "content": system_text}] if system_text else []) + [
            {"role": "user", "content": prompt.text}]
        out.append({
            "set": instance_set.name, "part": instance.part, "id": instance.id, "encoding": encoding.name,
            "style": style, "task": task.name, "example_id": prompt.example_ids[0] if prompt.example_ids else None,
            "example_ids": list(prompt.example_ids), "blocks": instance.blocks, "optimal_length": instance.length,
            "solvable": instance.solvable, "system_message": system_text, "fix_quirks": options.fix_quirks,
            "wording": options.wording, "prompt": prompt.text, "messages": messages, "truth": prompt.truth,
        })
    return out


def task_options(options: PromptOptions, style: str | None = None) -> TaskOptions:
    return TaskOptions(fix_quirks=options.fix_quirks, wording=options.wording, seed=options.seed, style=style)


@lru_cache(maxsize=16)
def _indexed(task_name: str, set_name: str, encoding_name: str, options: TaskOptions) -> dict[tuple, TaskPrompt]:
    prompts = REGISTRY[task_name].prompts(load_set(set_name), encodings.get(encoding_name), options)
    return {(p.instance.part, p.instance.id): p for p in prompts}


def by_instance(task: Task, set_name: str, encoding_name: str, options: TaskOptions) -> dict[tuple, TaskPrompt]:
    """The task's prompts on a set by (part, id) of the instance asked; built once per
    process for the same settings (scoring, show and the report each need them)."""
    return _indexed(task.name, set_name, encoding_name, options)


def run_options(info: dict) -> TaskOptions:
    """The task options a run (its run.json) was asked with."""
    first = (info.get("task") or "t1") == "t1"  # only task 1's prompts depend on the style
    return TaskOptions(fix_quirks=bool(info.get("fix_quirks")), wording=str(info.get("wording") or "current"),
                       seed=int(info.get("seed") or 0), style=info.get("style") if first else None)


def ideal_answer(truth: dict, encoding: Encoding) -> str:
    """The answer a perfect model gives a task 2-8 question, written as PlanBench's examples
    write it (the ``optimal`` model's answer: the ceiling, and a check of the pipeline):
    t3's verification message, t7's state, else the gold plan ending at [PLAN END]."""
    if "message" in truth:
        return truth["message"]
    if "state" in truth:
        return state_text(from_strings(truth["state"]), encoding)
    if "plan" in truth:
        plan = from_strings(truth["plan"])
    else:  # t2's gold plan is in the encoding's PDDL names, as PlanBench's ground_truth_plan
        plan = tuple((encoding.action_from_pddl(step[0]), *map(encoding.object_from_pddl, step[1:]))
                     for step in from_strings(truth.get("gold_plan", [])))
    return "".join(encoding.action_to_text(a) + "\n" for a in plan) + "[PLAN END]"


def differing(asked: dict[tuple, str], built: dict[tuple, TaskPrompt]) -> list[tuple]:
    """The (part, id) whose recorded prompt text is not the prompt built now."""
    return [key for key, text in asked.items() if key in built and text is not None and text != built[key].text]
