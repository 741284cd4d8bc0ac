"""A task's questions on a set, as Inspect samples, and back from a sample's metadata.

Task 1 (plan generation) is asked in PlanBench's prompt styles, so its questions are
:func:`planbench.prompts.prompt_records`: the very records ``planbench prompts`` writes,
system message included as ``planbench run`` sends it. Tasks 2-8 come from the task
registry (:mod:`planbench.tasks`): whatever :meth:`Task.prompts` builds, with its truth, so a
task module that lands there is served here with no change. The sample keeps, in its
metadata, everything its answer is judged by (set, part, id, encoding, task, truth), so the
scorer and ``planbench import`` need nothing but the sample.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from planbench.errors import InputError
from planbench.prompts import SYSTEM_MESSAGE, PromptOptions, check_style, prompt_records
from planbench.sets.instances import Instance, InstanceSet, load_set, set_encoding
from planbench.tasks import REGISTRY, TaskOptions, TaskPrompt, canonical
from planbench.world import encodings

# The task's settings sit in the Inspect task's metadata under this key: what 'planbench import' reads back.
SETTINGS_KEY = "planbench"
# What a sample's metadata holds: enough to judge its answer and to import it as a run.
METADATA = ("set", "part", "id", "task", "encoding", "style", "example_id", "blocks", "optimal_length", "solvable",
            "system_default", "truth")


@dataclass(frozen=True)
class Settings:
    """What is asked: the ``-T`` options of the Inspect task, checked."""

    set: str
    encoding: str
    style: str | None  # task 1's prompt style; tasks 2-8 have one prompt each
    task: str = "t1"
    system: bool | str | None = None  # None: as planbench sends it (the style's default)
    fix_quirks: bool = False
    wording: str = "current"
    seed: int = 0

    @classmethod
    def make(cls, set: str, encoding: str | None, style: str | None, task: str = "t1", system: bool | str | None = None,
             fix_quirks: bool = False, wording: str = "current", seed: int = 0) -> "Settings":
        """Settings from ``-T`` values (strings or YAML scalars), each refused by name if it cannot work."""
        task = canonical(task)
        if task == "t1":
            style = style or "zero-shot"
            check_style(style)
        elif style not in (None, "", "zero-shot"):
            raise InputError("-T style", 0, f"task {task} has one prompt (PlanBench's); style {style!r} is for t1")
        else:
            style = None
        chosen = set_encoding(str(set), encoding or None)
        encodings.get(chosen)  # an unknown encoding is one line here, not a failure per sample
        if isinstance(system, str) and system.strip().lower() in ("true", "false", "yes", "no"):
            system = system.strip().lower() in ("true", "yes")
        return cls(str(set), chosen, style, task, system, bool(fix_quirks), str(wording), int(seed))


def records(settings: Settings) -> list[dict]:
    """One record per question, in planbench's order, shaped as ``planbench prompts`` writes them."""
    encoding = encodings.get(settings.encoding)
    instance_set = load_set(settings.set)
    if settings.task == "t1":
        options = PromptOptions(system=settings.system, fix_quirks=settings.fix_quirks, seed=settings.seed,
                                wording=settings.wording)
        out = prompt_records(instance_set, encoding, settings.style, options)
        for record in out:
            record.update(task="t1", system_default=settings.system is None, truth={})
        return out
    return [_task_record(settings, instance_set, prompt) for prompt in _task_prompts(settings, instance_set)]


def _task_prompts(settings: Settings, instance_set: InstanceSet) -> list[TaskPrompt]:
    task = REGISTRY.get(settings.task)
    if task is None:
        ready = ", ".join(sorted({"t1", *REGISTRY})) or "t1"
        raise InputError("-T task", 0, f"task {settings.task} is not in this installation of planbench yet "
                         f"(available: {ready})")
    options = TaskOptions(fix_quirks=settings.fix_quirks, wording=settings.wording, seed=settings.seed)
    return task.prompts(instance_set, encodings.get(settings.encoding), options)


def _task_record(settings: Settings, instance_set: InstanceSet, prompt: TaskPrompt) -> dict:
    """A task's question in the shape of a t1 prompt record. PlanBench sent its system
    message to chat models for every task (FACTS-tasks §2.1); ``-T system`` overrides it."""
    system = settings.system
    text = SYSTEM_MESSAGE if system is None or system is True else (system or None)
    instance = prompt.instance
    messages = ([{"role": "system", "content": text}] if text else []) + [{"role": "user", "content": prompt.text}]
    return {"set": instance_set.name, "part": instance.part, "id": instance.id, "task": settings.task,
            "encoding": settings.encoding, "style": None,
            "example_id": prompt.example_ids[0] if prompt.example_ids else None, "blocks": instance.blocks,
            "optimal_length": instance.length, "solvable": instance.solvable, "system_message": text,
            "system_default": system is None, "prompt": prompt.text, "messages": messages,
            "truth": prompt.truth, "gold_plan_pddl": [], "gold_plan_text": []}


def sample_id(part: str, number: int) -> str:
    """``planbench-3/12``: unique in every set (planbench-600's parts repeat ids)."""
    return f"{part}/{number}"


def to_sample(record: dict):
    """An Inspect ``Sample``: the record's messages as they are, its truth in the metadata."""
    from inspect_ai.dataset import Sample
    from inspect_ai.model import ChatMessageSystem, ChatMessageUser

    kinds = {"system": ChatMessageSystem, "user": ChatMessageUser}
    messages = [kinds[m["role"]](content=m["content"]) for m in record["messages"]]
    target = "\n".join(record["gold_plan_pddl"])
    return Sample(input=messages, target=target, id=sample_id(record["part"], record["id"]),
                  metadata={k: record.get(k) for k in METADATA})


@lru_cache(maxsize=16)
def _set(name: str) -> InstanceSet:
    return load_set(name)


def instance_of(metadata: dict) -> Instance:
    """The instance a sample asks about, from its metadata; one line if the set lacks it."""
    instance = _set(metadata["set"]).find(metadata["part"], int(metadata["id"]))
    if instance is None:
        raise InputError(f"sample {sample_id(metadata['part'], metadata['id'])}", 0,
                         f"not an instance of set {metadata['set']}")
    return instance


def task_prompt(metadata: dict, text: str) -> TaskPrompt:
    """The :class:`TaskPrompt` a task's judge reads, rebuilt from a sample (its user message and truth)."""
    instance = instance_of(metadata)
    examples = (int(metadata["example_id"]),) if metadata.get("example_id") is not None else ()
    return TaskPrompt(instance, text, dict(metadata.get("truth") or {}), examples)
