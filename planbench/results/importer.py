"""Import PlanBench's results files into run directories (FACTS.md §6.1 variants).

Handled: 2023 files (``correct``, list plans), current files (``llm_correct``), zero-shot,
one-shot, state-tracking and PDDL prompts, the GPT-4o-translation files (their
``raw_translation`` is kept as evidence) and back-prompting files (every round a turn:
the first is PlanBench's zero-shot number for the hard set, FACTS.md §5.7, Q17), and the
files of tasks 2-8 (the task from the file's ``task`` field or name; t3's three verdicts).
Each answer is joined to a bundled set by PlanBench's instance id (tasks 2-8: to the task's
prompt for that id, as we build it); the recorded verdict is kept beside the answer so
scores can show both.
"""

from __future__ import annotations

import ast
import gzip
import json
import re
import zlib
from collections import Counter
from pathlib import Path

from planbench.errors import InputError, write_failed
from planbench.world import encodings
from planbench.sets.instances import load_set
from planbench.runs import (RUN_FILE, Run, holds_a_run, move_aside, read_json, short_repr, writable_folder,
                            write_run)
from planbench.tasks import canonical
from planbench.tasks import records as tasks

FOLDERS = {  # PlanBench domain folder -> (bundled set, part, encoding)
    "blocksworld": ("planbench-500", "planbench-500", "blocksworld"),
    "blocksworld_3": ("planbench-3", "planbench-3", "blocksworld"),
    "mystery_blocksworld": ("planbench-500", "planbench-500", "mystery"),
    "mystery_blocksworld_3": ("planbench-3", "planbench-3", "mystery"),
    "obfuscated_randomized_blocksworld": ("planbench-500", "planbench-500", "randomized"),
    "obfuscated_randomized_blocksworld_3": ("planbench-3", "planbench-3", "randomized"),
    "blocksworld_hard": ("planbench-hard-110", "planbench-hard-110", "blocksworld"),
    "blocksworld_new": ("planbench-hard-110", "planbench-hard-110", "blocksworld"),
    "unsolvable_blocksworld": ("planbench-unsolvable", "planbench-unsolvable", "blocksworld"),
    "unsolvable_obfuscated_randomized_blocksworld": ("planbench-unsolvable", "planbench-unsolvable", "randomized"),
}
# PlanBench's unsolvable PDDL files label each answer by hand (FACTS.md §6.1): 1 a
# refusal (right), 0 a plan, -1 an empty answer, -2 a cut-off one.
MANUAL_LABELS = {1: "refusal", 0: "plan", -1: "empty answer", -2: "cut-off answer"}
# How PlanBench made each kind of recorded verdict (planbench-ref README).
TRANSLATED_MODELS = ("o1-preview", "o1-mini", "deepseek", "qwq", "llama-3.1-405b")
# How PlanBench judged tasks 2-8 (FACTS-tasks.md §0.1 item 4): what run.json says of the recorded verdicts.
TASK_VERDICTS = {"t3": "PlanBench's parse_output (binary / with type / with explanation)",
                 "t7": "PlanBench's comma-only state parser, sorted atoms compared"}
# t3's further recorded verdicts, by the scores.csv column they are beside.
FURTHER_VERDICTS = {"llm_correct_w_type": "correct_type", "llm_correct_w_expl": "correct_explanation"}
SAID = 5  # records whose problem is said one by one; a file of thousands says how many more


def load_results(path: Path) -> dict:
    try:
        raw = path.read_bytes()
        if path.suffix == ".gz":
            raw = gzip.decompress(raw)
        data = read_json(raw)
    except OSError as error:
        raise InputError(str(path), 0, f"cannot read: {error.strerror or error}") from None
    except (json.JSONDecodeError, UnicodeDecodeError) as error:
        line = getattr(error, "lineno", 0)
        raise InputError(str(path), line, "not a complete JSON results file (truncated?)") from None
    except (EOFError, gzip.BadGzipFile, zlib.error):
        raise InputError(str(path), 0, "a truncated or damaged .gz file") from None
    except RecursionError:
        raise InputError(str(path), 0, "nested too deeply to be a PlanBench results file") from None
    except ValueError as error:  # e.g. an integer of thousands of digits
        raise InputError(str(path), 0, f"not a PlanBench results file: {str(error)[:100]}") from None
    if not isinstance(data, dict) or not isinstance(data.get("instances"), list):
        raise InputError(str(path), 0, "not a PlanBench results file (no 'instances' list)")
    return data


def describe(path: Path, data: dict) -> dict:
    """Set, part, encoding, style and model of a results file, from its path and fields."""
    parts = path.parts
    folder = next((p for p in reversed(parts[:-1]) if p in FOLDERS), None)
    bundled = path.name.split("__")  # recorded/<folder>__<engine>__<task>.json.gz
    if len(bundled) == 3 and bundled[0] in FOLDERS:
        folder = bundled[0]
    domain = str(data.get("domain", ""))
    if folder is None:
        folder = domain if domain in FOLDERS else domain.replace("_zero_shot", "")
    if folder not in FOLDERS:
        raise InputError(str(path), 0, f"cannot tell the PlanBench domain (folder or 'domain' field {domain!r})")
    set_name, part, encoding = FOLDERS[folder]
    name = path.name.replace(".gz", "")
    task_name = planbench_task(path, str(data.get("task") or ""), name)
    if task_name != "t1":
        return {"set": set_name, "part": part, "encoding": encoding, "style": tasks.TASK_STYLE, "task": task_name,
                "model": _model(path, data), "recorded_verdicts": TASK_VERDICTS.get(task_name, "2023 rule parser + VAL"),
                "source": str(path), "planbench_folder": folder}
    task = str(data.get("task", name))
    style = ("state-tracking" if "state_tracking" in name else
             "zero-shot-pddl" if "zero_shot_pddl" in name or "pddl" in task else
             "zero-shot" if "zero_shot" in name or data.get("prompt_type") == "zeroshot" else "one-shot")
    model = _model(path, data)
    translated = any(m in model for m in TRANSLATED_MODELS) or any(isinstance(i, dict) and "raw_translation" in i
                                                                 for i in data["instances"][:5])
    verdicts = ("GPT-4o translation + VAL" if translated else "PDDL line rule + VAL" if "pddl" in style
                else "rule parser + VAL")
    if "backprompting" in name:
        verdicts = "each round: PDDL line rule + VAL"
    return {"set": set_name, "part": part, "encoding": encoding, "style": style, "task": "t1", "model": model,
            "recorded_verdicts": verdicts, "source": str(path), "planbench_folder": folder}


def _model(path: Path, data: dict) -> str:
    """The model's name: the file's ``engine`` (else its folder) without PlanBench's ``_chat``."""
    bundled = path.name.split("__")
    folder = bundled[1] if len(bundled) == 3 else (path.parts[-2] if len(path.parts) > 1 else "unknown")
    return str(data.get("engine") or folder).removesuffix("_chat")


def planbench_task(path: Path, field: str, name: str) -> str:
    """The task of a PlanBench file, from its ``task`` field ("task_3_plan_verification",
    "t1") or else its name, PlanBench's (``task_3_plan_verification.json``) or recorded/'s
    (``FOLDER__ENGINE__task_3_plan_verification.json``: its last part); a file of no task is
    task 1's (the oldest files say none)."""
    for text in (field, name.split("__")[-1]):
        if "with_llm_plans" in text:
            raise InputError(str(path), 0, "PlanBench's t3_1 (verifying a model's own plans) is not one of the tasks "
                             "planbench runs")
        found = re.match(r"(?:task_?|t)(\d)(?:_(\d)(?![a-z]))?", text.strip().lower())
        if found:
            try:
                return canonical("t" + found.group(1) + (f"_{found.group(2)}" if found.group(2) else ""))
            except InputError:
                raise InputError(str(path), 0, f"a file of PlanBench's task {text!r}, which planbench does not "
                                 "run") from None
    return "t1"


def run_name(info: dict) -> str:
    """An imported run's name: model, PlanBench folder, and the style (task 1) or the task
    (``gpt-4o-blocksworld-zero-shot``, ``gpt-4-blocksworld_3-t3``)."""
    kind = info["style"] if info.get("task", "t1") == "t1" else info["task"]
    return f"{info['model']}-{info['planbench_folder']}-{kind}"


def _turns(record: dict) -> list[tuple[str | None, bool, str | None]]:
    """(answer, verdict, the user message it answers) for each round of a back-prompting
    record; ValueError naming the field when the record is not shaped like one.

    The verdict of round k is ``step_wise_dict[k].sound_verifier_json``'s; a round without
    one was valid (FACTS.md Q17: o1-preview's first-try successes have none). PlanBench
    wrote these as dicts or as their Python repr."""
    messages = record.get("messages") or []
    if not isinstance(messages, list) or not all(isinstance(m, dict) for m in messages):
        raise ValueError("'messages' is not a list of messages")
    steps = record.get("step_wise_dict") or {}
    if not isinstance(steps, dict):
        raise ValueError("'step_wise_dict' is not an object")
    turns = []
    previous_user = None
    for message in messages:
        if message.get("role") == "user":
            previous_user = message.get("content")
        elif message.get("role") == "assistant":
            step = _mapping(steps.get(str(len(turns))))
            verifier = _mapping(step.get("sound_verifier_json"))
            info = _mapping(verifier.get("validation_info"))
            verdict = True if not verifier else _truth(info.get("is_valid_plan"))
            content = message.get("content")
            turns.append((content if isinstance(content, str) else None, verdict,
                          previous_user if turns else None))
    return turns


def _mapping(value) -> dict:
    """A dict, or PlanBench's Python repr of one (its back-prompting files hold both)."""
    if isinstance(value, dict):
        return value
    if isinstance(value, str) and value.startswith("{"):
        try:
            parsed = ast.literal_eval(value)
        except (ValueError, SyntaxError, MemoryError, RecursionError):
            return {}
        return parsed if isinstance(parsed, dict) else {}
    return {}


def _truth(value) -> bool:
    if isinstance(value, str):
        return value.strip().lower() == "true"
    return bool(value)


def import_results(path: str | Path, out: str | Path, force: bool = False) -> tuple[Run, list[str]]:
    """A PlanBench results file as a run directory; returns the run and the problems met
    (ids not in the set, records without an answer, repeated ids), which never stop the
    import. A directory that already holds a run is not replaced (answers someone paid
    for), unless it is an import of this same file, or ``force`` moves it aside."""
    path = Path(path)
    out = Path(out)
    data = load_results(path)
    info = describe(path, data)
    if any(isinstance(r, dict) and "llm_correct" in r and type(r.get("correct")) is int for r in data["instances"]):
        info["recorded_verdicts"] = "hand labels (1 a refusal, 0 a plan, -1 empty, -2 cut off)"
    instance_set = load_set(info["set"])
    asked = _task_prompts(info)  # tasks 2-8: the prompts we build, by PlanBench's instance id
    problems: list[str] = []
    if holds_a_run(out):
        previous = _previous_source(out)
        if force:
            problems.append(f"{out}: the run that was there is kept at {move_aside(out)}")
        elif previous != str(path):
            raise InputError(str(out), 0, "already holds a run" + (f" (an import of {previous})" if previous else "")
                             + "; choose another --out, or --force to move it aside")
    writable_folder(out, "run directory")
    responses = []
    differ: list[int] = []  # recorded queries that are not the prompt we build
    seen: dict[int, int] = {}
    objects: Counter = Counter()  # the PDDL object names each prompt showed
    noted: list[str] = []  # what was wrong with single records: the first few are said, then how many more
    for number, record in enumerate(data["instances"], 1):
        if not isinstance(record, dict) or "instance_id" not in record:
            noted.append(f"{path}: record {number} has no instance_id; skipped")
            continue
        try:
            instance_id = _instance_id(record["instance_id"])
        except ValueError:
            noted.append(f"{path}: record {number}: instance_id {short_repr(record['instance_id'])} is not a whole "
                         "number; skipped")
            continue
        if asked is not None:
            if instance_id not in asked:
                noted.append(f"{path}: instance {instance_id} is not asked by {info['task']} on {info['part']}; "
                             "skipped")
                continue
        elif instance_set.find(info["part"], instance_id) is None:
            noted.append(f"{path}: instance {instance_id} is not in {info['part']}; skipped")
            continue
        if instance_id in seen:
            noted.append(f"{path}: record {number} repeats instance {instance_id} (record {seen[instance_id]}); "
                         "the later one counts")
        seen[instance_id] = number
        scheme = _prompt_objects(record.get("query"), instance_set.find(info["part"], instance_id), info) \
            if asked is None else None
        if scheme == UNKNOWN_OBJECTS:
            noted.append(f"{path}: record {number} (instance {instance_id}): its prompt's objects are not the "
                         "instance's blocks in any naming known; its answer is read in the encoding's names")
        elif scheme:
            objects[scheme] += 1
        if "step_wise_dict" in record or ("messages" in record and "llm_raw_response" not in record):
            try:
                turns = _turns(record)
            except ValueError as error:
                noted.append(f"{path}: record {number} (instance {instance_id}): {error}; skipped")
                continue
            if not turns:
                noted.append(f"{path}: record {number} (instance {instance_id}): no answer; skipped")
                continue
            for round_, (text, recorded, user_message) in enumerate(turns):
                responses.append({
                    "part": info["part"], "id": instance_id, "sample": 0, "round": round_, "text": text,
                    "finish_reason": None, "error": None if text else "no response recorded",
                    **({"user_message": user_message} if round_ else {}),
                    "recorded": {"verdict": recorded, "how": info["recorded_verdicts"],
                                 "final": _truth(record.get("act_correct")) if round_ == len(turns) - 1 else None},
                })
            continue
        else:
            text = record.get("llm_raw_response")
            if text is not None and not isinstance(text, str):
                noted.append(f"{path}: record {number} (instance {instance_id}): 'llm_raw_response' is not text; "
                             "skipped")
                continue
            recorded = _verdict(record)
        extracted = record.get("extracted_llm_plan")
        further = {column: _verdict({"llm_correct": record[name]}) for name, column in FURTHER_VERDICTS.items()
                   if name in record}
        if asked is not None:
            recorded = _verdict({"llm_correct": record.get("llm_correct", record.get("llm_correct_binary"))})
            if isinstance(record.get("query"), str) and record["query"] != asked[instance_id].text:
                differ.append(instance_id)
        responses.append({
            "part": asked[instance_id].instance.part if asked is not None else info["part"], "id": instance_id,
            "sample": 0, "text": text,
            "finish_reason": _finish_reason(record),
            "error": None if text else "no response recorded",
            "recorded": {"verdict": recorded, "how": info["recorded_verdicts"],
                         "extracted_plan": "\n".join(map(str, extracted)) if isinstance(extracted, list) else extracted,
                         "raw_translation": _text_or_none(record.get("raw_translation")),
                         **({"verdicts": further} if further else {}),
                         **({"label": MANUAL_LABELS.get(record["correct"], str(record["correct"]))}
                            if isinstance(record.get("correct"), int) and "llm_correct" in record else {})},
        })
    if not responses:
        first = f" (first: {noted[0].removeprefix(f'{path}: ').removesuffix('; skipped')})" if noted else ""
        raise InputError(str(path), 0, f"none of its {len(data['instances'])} records is an answer to an instance of "
                         f"{info['part']}{first}")
    problems += noted[:SAID] + ([f"{path}: ... and {len(noted) - SAID} more records like these"]
                                if len(noted) > SAID else [])
    if differ:
        problems.append(f"{path}: {len(differ)} of {len(responses)} recorded queries differ from the prompts planbench "
                        f"builds (first: instance {differ[0]}); judged against planbench's truth")
    info = dict(info, name=run_name(info), imported=True)
    if objects:  # what its prompts showed, so the answers are read in those names
        (scheme, count), = objects.most_common(1)
        info["pddl_objects"] = scheme
        if count < sum(objects.values()):
            problems.append(f"{path}: {sum(objects.values()) - count} prompt(s) name the objects otherwise than the "
                            f"other {count}; every answer is read in the names of the most ({scheme})")
    if any(r.get("round") for r in responses) or "backprompting" in path.name:
        # PlanBench read these plans with its PDDL-line rule, round after round
        info.update(strategy="backprompt", extractor="planbench-pddl",
                    rounds=max(int(r.get("round") or 0) for r in responses))
    try:
        return write_run(out, info, responses), problems
    except OSError as error:
        raise write_failed(error, out, f"{path} is untouched; free space and run the same import again (it "
                           "replaces this incomplete one)") from None


def _instance_id(value) -> int:
    """PlanBench's ``instance_id``, a number or its digits ("17"); ValueError for anything
    else (``true`` or ``2.5`` would otherwise join the answer to instance 1 or 2)."""
    if isinstance(value, bool) or not isinstance(value, (int, str)):
        raise ValueError(value)
    return int(value)


def _task_prompts(info: dict) -> dict | None:
    """Tasks 2-8: the task's prompts on the file's set and encoding, by instance id (the
    id PlanBench's file gives; t5's are ids of the generalization set); task 1: None."""
    if info["task"] == "t1":
        return None
    task = tasks.get(info["task"], info["source"])
    try:
        built = tasks.by_instance(task, info["set"], info["encoding"], tasks.run_options({"task": info["task"]}))
    except InputError as error:  # a task that makes no sense on the file's set: the line names the file
        raise InputError(info["source"], 0, str(error)) from None
    return {number: prompt for (_, number), prompt in built.items()}


OBJECTS_LIST = re.compile(r"\(:objects\s([^()]*)\)")
UNKNOWN_OBJECTS = "?"


def _prompt_objects(query, instance, info: dict) -> str | None:
    """The PDDL object naming a recorded prompt shows for its query problem (the last
    ``(:objects ...)``): ``{name}`` (a, b, ...), ``o{index}`` (o0, o1, ...) or the
    encoding's own; None for a prompt without one (natural language), UNKNOWN_OBJECTS when
    the names are not the instance's blocks in any of these. PlanBench's Randomized
    unsolvable prompts show a, b where its other Randomized prompts show o0, o1."""
    if not isinstance(query, str) or instance is None:
        return None
    found = OBJECTS_LIST.findall(query)
    if not found:
        return None
    shown = set(found[-1].split())
    encoding = encodings.get(info["encoding"]).for_part(info["part"])
    for scheme in dict.fromkeys((encoding.object_pddl, "{name}", "o{index}")):
        if shown == {encoding.with_objects(scheme).object_to_pddl(b) for b in instance.problem.blocks}:
            return scheme
    return UNKNOWN_OBJECTS


def _previous_source(folder: Path) -> str | None:
    """The results file a run directory was imported from (None: not an import)."""
    try:
        info = json.loads((folder / RUN_FILE).read_text())
    except (OSError, ValueError, RecursionError):
        return None
    return info.get("source") if isinstance(info, dict) and info.get("imported") else None


def _verdict(record: dict) -> bool | None:
    """PlanBench's verdict in any of its forms: a bool, the strings "True"/"False" (the
    unsolvable files), or a hand label (``correct`` 1/0/-1/-2 beside ``llm_correct`` in
    the unsolvable PDDL files, which then wins: only a refusal is right)."""
    label = record.get("correct")
    if isinstance(label, int) and not isinstance(label, bool) and "llm_correct" in record:
        return label == 1
    value = record.get("llm_correct", label)
    if isinstance(value, str):
        return {"true": True, "false": False}.get(value.strip().lower())
    if isinstance(value, bool) or value is None:
        return value
    if isinstance(value, (int, float)):
        return value == 1
    return None


def _text_or_none(value) -> str | None:
    return value if isinstance(value, str) else None


def _finish_reason(record: dict) -> str | None:
    response = record.get("response_object")
    if isinstance(response, dict):
        choices = response.get("choices") or []
        if choices and isinstance(choices[0], dict):
            return choices[0].get("finish_reason")
    return None
