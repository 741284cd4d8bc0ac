"""``planbench show``: why one answer got its verdict, on one screen.

The answer as the model wrote it, with the plan the extractor took marked (and the other
candidates it saw), the plan in the encoding's words, and the validator's walk through
it: the blocks after each step, the failing step marked with what did not hold.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from planbench.world import encodings
from planbench.answers import Extraction, extract
from planbench.world.encodings import Encoding
from planbench.errors import InputError
from planbench.kept_sets import run_set, set_location
from planbench.sets.instances import Instance
from planbench.runs import Run, read_responses
from planbench.results.score import judge
from planbench.tasks.t1_generation import read_plan, rule_reading
from planbench.world.problem import Problem
from planbench.world.validate import trace, validate

REASONING_SHOWN = 400  # characters of a reasoning model's <think> part shown before the answer
CONTEXT_LINES = 12  # lines of the answer shown around the chosen plan (all with --full)
# What a terminal would obey or hide rather than show: C0/C1 controls (escape sequences, NUL,
# BEL, a carriage return mid-line), zero-width characters and bidi overrides.
UNSEEN = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069"
                    "\ufeff]|\r(?!\n|$)")


@dataclass(frozen=True)
class Shown:
    """What ``show`` prints, as (style, text) lines: styles are '', 'plan' (the chosen
    candidate), 'candidate' (another), 'fail', 'ok', 'dim', 'head'."""

    lines: list[tuple[str, str]]

    def text(self) -> str:
        marks = {"plan": "▌ ", "candidate": "┆ ", "fail": "✗ ", "ok": "  ", "dim": "  ", "head": "", "": "  "}
        return "\n".join(marks[style] + visible(line) for style, line in self.lines)


def visible(line: str) -> str:
    """A line with what a terminal would obey or hide written as its escape ("\\x1b",
    "\\u202e"): an answer is the model's text, and must neither drive the reader's terminal
    nor hide from the reader why its verdict was not read."""
    return UNSEEN.sub(lambda found: found.group().encode("unicode_escape").decode(), line)


def find_response(run: Run, answer_id: str, sample: int, round_: int | None = None) -> dict:
    """The last recorded answer for ``ID`` (or ``PART/ID``) and sample: the conversation's
    last turn, or its turn ``round_`` (back-prompting and revision send several)."""
    part, _, number = answer_id.rpartition("/")
    try:
        wanted = int(number)
    except ValueError:
        raise InputError(answer_id, 0, "not an instance id (a number, or PART/NUMBER)") from None
    found: dict[str, dict] = {}
    for response in read_responses(run):
        if str(response.get("id")) == str(wanted) and int(response.get("sample") or 0) == sample \
                and (not part or response.get("part") == part) \
                and (round_ is None or int(response.get("round") or 0) == round_):
            if response.get("text") or str(response.get("part")) not in found:
                found[str(response.get("part"))] = response
    if not found:
        turn = f", round {round_}" if round_ is not None else ""
        raise InputError(str(run.folder), 0, f"no answer for instance {answer_id}, sample {sample}{turn}")
    if len(found) > 1:
        raise InputError(str(run.folder), 0, f"instance {wanted} is in several parts ({', '.join(sorted(found))}); "
                                             f"name one as PART/{wanted}")
    return next(iter(found.values()))


def show(run: Run, answer_id: str, sample: int = 0, full: bool = False, round_: int | None = None) -> Shown:
    info = run.info
    if (info.get("task") or "t1") != "t1":
        return show_task(run, answer_id, sample, full, round_)
    response = find_response(run, answer_id, sample, round_)
    instance = run_set(run).find(response.get("part") or info["set"], int(response["id"]))
    if instance is None:
        raise InputError(str(run.folder), 0, f"instance {response.get('part')}/{response['id']} is not in {info['set']}")
    encoding = run.encoding_for(instance.part)
    scored = rule_reading(info.get("extractor") or "default")  # the reading the run is scored with (score --extractor)
    translation = (response.get("recorded") or {}).get("raw_translation")
    row = judge(response, instance, encoding, scored, translation)
    lines: list[tuple[str, str]] = [
        ("head", f"{run.name}: {instance.key}, sample {sample}{_round_words(response)} ({info.get('model')}, "
                 f"{encoding.name}, {info.get('style')}; {instance.blocks} blocks, {length_words(instance)})"),
        ("head", f"verdict: {row['outcome']}" + (f" ({row['reason']})" if row.get("reason") else "")
         + ("" if scored == "default" else f" [the {scored} reading, as the run is scored]")),
    ]
    if not instance.solvable:
        lines.append(("head", f"no plan exists: {no_plan_words(instance, encoding)}"))
    ours = scored in ("default", "default-lenient")
    other = judge(response, instance, encoding, "planbench-rule" if ours else "default")
    if other["correct"] != row["correct"]:
        lines += _differ_lines(row, other) if ours else _differ_lines(other, row)
    if response.get("user_message"):  # a later turn: what the model was told before it answered
        told = str(response["user_message"]).split("\n")
        lines += [("", ""), ("head", "message before this answer:")] + [("dim", line) for line in told[:CONTEXT_LINES]]
        if len(told) > CONTEXT_LINES:
            lines.append(("dim", f"[{len(told) - CONTEXT_LINES} line(s) more]"))
    lines.append(("", ""))
    text = str(response.get("text") or "")
    reading = extract(text, encoding, instance.problem.name_span) if text.strip() else Extraction((), "empty")
    lines += _answer_lines(text, reading, full)
    if scored == "default":
        lines += _trace_lines(instance, encoding, reading)
    else:  # the walk of the plan the verdict is about
        plan, _ = read_plan(text, encoding, scored, translation, instance.problem.name_span) if text.strip() else ((), None)
        lines += [("dim", f"(▌ marks the default reading's plan; the {scored} reading read the plan below)")]
        lines += _walk_lines(walk(instance, encoding, plan)) if plan else [("head", "plan: none read")]
    return Shown(lines)


def _right_or_wrong(row: dict) -> str:
    """A task answer's verdict by its task's rule, with the outcome and reason behind it (t2:
    "wrong: valid (valid, but 4 steps where 2 suffice)"; the outcome alone read "valid")."""
    return ("right" if row["correct"] else "wrong") + f": {row['outcome']}" + (
        f" ({row['reason']})" if row.get("reason") else "")


def _differ_lines(default: dict, planbench: dict) -> list[tuple[str, str]]:
    """Why the default reading and PlanBench's differ: each one's verdict, its reason, and
    the plan each read where they read different ones."""
    lines = [("head", "the two readings differ:"),
             ("", f"default reading (ours, judged exactly against what the prompt asks): {_right_or_wrong(default)}"),
             ("", f"planbench reading (PlanBench's own evaluator, quirks included): {_right_or_wrong(planbench)}")]
    if default.get("extracted_plan") != planbench.get("extracted_plan"):
        lines += [("dim", f"default read: {default.get('extracted_plan') or '(nothing)'}"),
                  ("dim", f"planbench read: {planbench.get('extracted_plan') or '(nothing)'}")]
    return lines


def _round_words(response: dict) -> str:
    """``, round 2`` for a later turn of a conversation; nothing for a first answer."""
    return f", round {response['round']}" if int(response.get("round") or 0) else ""


def show_task(run: Run, answer_id: str, sample: int = 0, full: bool = False, round_: int | None = None) -> Shown:
    """An answer to a task 2-8 question: the verdict of each reading (and why they differ),
    the answer, and what it was judged against."""
    from planbench.tasks import records as tasks

    info = run.info
    task = tasks.get(info.get("task"))
    encoding = encodings.get(info["encoding"])
    response = find_response(run, answer_id, sample, round_)
    built = tasks.by_instance(task, set_location(run), encoding.name, tasks.run_options(info))
    prompt = built.get((response.get("part") or info["set"], int(response["id"])))
    if prompt is None:
        raise InputError(str(run.folder), 0, f"{task.name} asks no question of instance {response.get('part')}/"
                         f"{response['id']} on {info['set']}")
    instance = prompt.instance
    default = task.judge_response(response, prompt, encoding, "default")
    planbench = task.judge_response(response, prompt, encoding, "planbench")
    scored = "planbench" if info.get("extractor") == "planbench" else "default"  # as the run is scored
    other = "default" if scored == "planbench" else "planbench"
    readings = {"default": default, "planbench": planbench}
    lines: list[tuple[str, str]] = [
        ("head", f"{run.name}: {instance.key}, sample {sample}{_round_words(response)} ({info.get('model')}, "
                 f"{encoding.name}, {task.name} "
                 f"{task.title}; the instance's {instance.blocks} blocks, its optimal length {instance.length})"),
        ("head", f"verdict: {_right_or_wrong(readings[scored])}"
         + (" [the planbench reading, as the run is scored]" if scored == "planbench" else "")),
    ]
    if bool(default.get("correct")) != bool(planbench.get("correct")):
        lines += _differ_lines(default, planbench)
    else:
        lines.append(("dim", f"{other} reading agrees: {'right' if readings[other].get('correct') else 'wrong'}"))
    text = str(response.get("text") or "")
    lines += [("", ""), ("head", f"answer ({len(text):,} characters):" if text.strip() else "answer: (none)")]
    rows = text.split("\n") if text.strip() else []
    if not full and len(rows) > 3 * CONTEXT_LINES:
        rows = rows[: 3 * CONTEXT_LINES] + [f"[{len(rows) - 3 * CONTEXT_LINES} line(s) below; --full shows all]"]
    lines += [("", row) for row in rows]
    lines += [("", ""), ("head", f"judged against ({task.answer} expected):")]
    for label, words in task.judged_against(prompt, encoding, scored):  # t3's right answer runs over lines
        first, *more = words.split("\n")
        lines += [("dim", f"{label}: {first}")] + [("dim", "    " + line) for line in more]
    walked = task_walk(task, prompt, encoding, scored, text)  # the reading of the verdict above
    if walked is not None:
        lines += [("", "")] + _walk_lines(walked)
    return Shown(lines)


def task_walk(task, prompt, encoding: Encoding, extractor: str, text: str) -> dict | None:
    """The validator's walk through the plan a task answer gives, against the problem the
    task judges it by in this reading (t4: the prefix's goal; t6: from the event's state);
    None where the answer is no plan (t3, t7) or none was read."""
    from planbench.tasks.judging import read_plan

    problem = task.judged_problem(prompt, extractor)
    if problem is None or not text.strip():
        return None
    plan, _ = read_plan(text, encoding, problem.name_span, extractor)
    if not plan:
        return None
    try:
        return walk(prompt.instance, encoding, plan, problem, prompt.truth.get("optimal_length"))
    except (KeyError, IndexError, ValueError):  # a step naming a block the problem lacks
        return None


def _answer_lines(text: str, reading: Extraction, full: bool) -> list[tuple[str, str]]:
    if not text.strip():
        return [("head", "answer: (none)"), ("", "")]
    chosen = reading.span
    others = [(c.start, c.end) for i, c in enumerate(reading.candidates) if i != reading.chosen]
    described = f"{len(reading.candidates)} candidate plan(s)"
    if reading.chosen is not None:
        candidate = reading.candidates[reading.chosen]
        described += f"; taken: #{reading.chosen + 1}" + (f" under '{candidate.section}'" if candidate.section else "")
    if reading.ambiguous:
        described += "; the candidates disagree (ambiguous)"
    if reading.failure:
        described += f"; no plan taken ({reading.failure})"
    out = [("head", f"answer ({len(text):,} characters; {described}; ▌ marks the plan taken, ┆ other candidates):")]
    start = 0
    close = text.rfind("</think>")
    if close >= 0 and not full:
        start = close + len("</think>")
        out.append(("dim", f"[reasoning before </think>: {start:,} characters; the start:] "
                           + " ".join(text[:REASONING_SHOWN].split()) + " ..."))
    rows = []
    position = start
    for raw in text[start:].split("\n"):
        end = position + len(raw)
        style = ""
        if chosen and position < chosen[1] and end > chosen[0]:
            style = "plan"
        elif any(position < b and end > a for a, b in others):
            style = "candidate"
        rows.append((style, raw))
        position = end + 1
    if not full and len(rows) > 3 * CONTEXT_LINES:
        marked = [i for i, (style, _) in enumerate(rows) if style == "plan"] or [len(rows) - 1]
        low, high = max(0, marked[0] - CONTEXT_LINES), min(len(rows), marked[-1] + CONTEXT_LINES + 1)
        rows = ([("dim", f"[{low} line(s) above; --full shows all]")] if low else []) + rows[low:high] + (
            [("dim", f"[{len(rows) - high} line(s) below]")] if high < len(rows) else [])
    return out + rows + [("", "")]


def _atoms_text(problem: Problem, encoding: Encoding, state: int) -> list[str]:
    """A state's atoms in the encoding's words, ordered as PlanBench's prompts order them."""
    atoms = problem.world.atoms(state)
    ordered = sorted(atoms, key=lambda a: " ".join([encoding.predicates[a[0]], *map(encoding.object_to_pddl, a[1:])]))
    return [encoding.atom_to_text(a) for a in ordered]


def _change_text(problem: Problem, encoding: Encoding, before: int, after: int) -> str:
    gained = _atoms_text(problem, encoding, after & ~before)
    lost = _atoms_text(problem, encoding, before & ~after)
    return f"now {', '.join(gained)}; no longer {', '.join(lost)}"


def length_words(instance: Instance) -> str:
    """``optimal length 6``, or ``no plan exists`` (never "optimal length None")."""
    return f"optimal length {instance.length}" if instance.solvable else "no plan exists"


def no_plan_words(instance: Instance, encoding: Encoding) -> str | None:
    """Why a problem has no plan, in the encoding's words, as the solver finds it (e.g.
    "the goal puts two blocks on one: ..."); None for a solvable problem."""
    from planbench.world.solve import unsolvable_reason

    reason = unsolvable_reason(instance.problem)
    return reason.describe(_atom_words(encoding)) if reason is not None else None


def goal_words(instance: Instance, encoding: Encoding) -> str:
    """The goal, its atoms joined by "and", in the encoding's words."""
    return " and ".join(_atom_words(encoding)(a) for a in instance.problem.goal)


def plan_words(encoding: Encoding, plan) -> list[str]:
    """Each step of a plan in the encoding's words (PDDL where it has none)."""
    step_text = encoding.action_to_text if encoding.has_text else encoding.action_to_pddl
    return [step_text(action) for action in plan]


def _atom_words(encoding: Encoding):
    return encoding.atom_to_text if encoding.has_text else encoding.atom_to_pddl


def walk(instance: Instance, encoding: Encoding, plan, problem: Problem | None = None,
         optimal: int | None = None) -> dict:
    """The validator's walk through a plan, for a person: the initial state, each step in
    the encoding's words with what it changed, the failing step with what did not hold,
    and how it ended. ``planbench show`` prints it; the HTML report shows it. ``problem``
    and ``optimal`` replace the instance's own where a task asks for another problem (t4's
    prefix goal, t6's state after the event)."""
    if problem is None:
        problem, optimal = instance.problem, instance.length
    result = validate(problem, plan)
    states = trace(problem, plan)
    step_text = encoding.action_to_text if encoding.has_text else encoding.action_to_pddl
    steps = []
    for number, action in enumerate(plan, 1):
        try:
            text, pddl = step_text(action), encoding.action_to_pddl(action)
        except (KeyError, IndexError):
            text = pddl = "(" + " ".join(action) + ")"
        if number < len(states):
            steps.append({"n": number, "text": text, "pddl": pddl, "ok": True,
                          "change": _change_text(problem, encoding, states[number - 1], states[number])})
        else:
            steps.append({"n": number, "text": text, "pddl": pddl, "ok": False,
                          "why": result.message(encoding, "text").removeprefix("The plan is invalid. ")})
            break
    goal = " and ".join(_atom_words(encoding)(a) for a in problem.goal)
    if result.valid:
        end = f"goal reached ({goal}): valid, {len(plan)} steps, optimal {optimal}"
    elif result.failure.kind == "goal_not_reached":
        end = result.message(encoding, "text").removeprefix("The plan is invalid. ")
    else:
        end = ""
    return {"initial": ", ".join(_atoms_text(problem, encoding, states[0])), "steps": steps, "end": end,
            "length": len(plan),
            "valid": result.valid}


def _trace_lines(instance: Instance, encoding: Encoding, reading: Extraction) -> list[tuple[str, str]]:
    plan = reading.plan
    if not plan:
        return [("head", "plan: none read")]
    return _walk_lines(walk(instance, encoding, plan))


def _walk_lines(walked: dict) -> list[tuple[str, str]]:
    """A walk as ``show`` prints it: the initial state, each step and what it changed, the
    failing step with what did not hold, and how it ended."""
    out = [("head", f"plan ({walked['length']} steps) and the validator's trace:"),
           ("dim", f"initial state: {walked['initial']}")]
    for step in walked["steps"]:
        if step["ok"]:
            out.append(("ok", f"{step['n']}. {step['text']}   {step['pddl']}" if step["text"] != step["pddl"]
                        else f"{step['n']}. {step['pddl']}"))
            out.append(("dim", f"     -> {step['change']}"))
        else:
            out.append(("fail", f"{step['n']}. {step['text']}   {step['pddl']}" if step["text"] != step["pddl"]
                        else f"{step['n']}. {step['pddl']}"))
            out.append(("fail", "     " + step["why"]))
    if walked["end"]:
        out.append(("ok" if walked["valid"] else "fail", walked["end"]))
    return out
