"""A plan-verification answer (t3) read into a verdict: valid or not, and why not.

Two readers, as for plans:

- :func:`read_verdict`, the default, tolerant of layout. A verdict is a statement about
  *the plan* ("the above plan is invalid", "This plan is not valid", "**Answer:** Invalid");
  statements about a step ("the action is valid") or hypothetical ones ("to check whether
  the plan is valid") are not verdicts. An answer in PlanBench's template opens with its
  verdict and an answer that reasons first ends with it, so the first line's verdict counts
  if it has one, else the last one stated. The explanation after an invalid verdict names a
  failing step (its number, its action, the unmet preconditions) or unmet goals, whichever
  comes first; when it lists several failing steps the first is read. Atoms are read with
  :mod:`planbench.answers.states`; in a list of unmet conditions a negated atom names the
  condition it negates ("the red block is not clear" is the unmet "the red block is clear").
- :func:`planbench_verdict`, PlanBench's ``ResponseEvaluator.parse_output`` (FACTS-tasks.md
  §4 item 5), quirks included: line by line, case-sensitive phrases, the unmet goal or the
  failing action read from the *next* line, actions in the rule parser's readable form; and
  :func:`planbench_judgement`, its three flags.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from planbench.answers.rules import planbench_rule, readable_plan
from planbench.answers.states import planbench_state, reader as state_reader
from planbench.answers.steps import reader as step_reader
from planbench.world.encodings import Encoding

Atom = tuple
Action = tuple

VERDICT = re.compile(
    r"\b(?:plan|sequence(?: of actions)?|action sequence|solution)\b(?:\s+(?:above|given|provided|shown))?\s*"
    r"(?:(?:is|was|would be|remains)\s+(?:(?:therefore|thus|hence|indeed|actually|definitely|also|clearly|"
    r"entirely|completely|fully|overall)\s+)?(?:(not|n't)\s+)?(valid|invalid|correct|incorrect|executable|"
    r"inexecutable|feasible|infeasible|flawed|wrong|successful|unsuccessful|sound)|(fails|does not work|"
    r"doesn't work|cannot be executed|can't be executed|works|succeeds|achieves the goal))\b|"
    r"\b(not\s+)?an?\s+(valid|invalid|correct|incorrect)\s+plan\b|"
    r"^\W*(?:(?:final\s+)?(?:answer|verdict|conclusion|result)\W*)?(valid|invalid)\b(?:\W*$|\s*[.!:—-])|"
    r"\b(?:answer|verdict|conclusion)\W*(?:the plan is\s+)?(valid|invalid|not valid)\b",
    re.IGNORECASE | re.MULTILINE)
NEGATIVE = {"invalid", "incorrect", "inexecutable", "infeasible", "flawed", "wrong", "unsuccessful", "fails",
            "does not work", "doesn't work", "cannot be executed", "can't be executed", "not valid"}
HYPOTHETICAL = re.compile(r"\b(?:if|whether|unless|determine|check|checking|verify|verifying|assume|suppose|"
                          r"assuming|to be|make sure|ensure)\s+(?:\w+\s+){0,3}$", re.IGNORECASE)
PRECONDITION = re.compile(r"\bpre-?conditions?\b|\bcannot be (?:executed|performed|applied)|"
                          r"\bnot (?:executable|applicable|possible)\b|\bcan(?:no|')t (?:be )?(?:perform|execute|apply|do)\b|"
                          r"\binexecutable\b", re.IGNORECASE)
GOAL = re.compile(r"\bgoals?\b", re.IGNORECASE)
STEP = re.compile(r"\b(?:step|action)\s*#?\s*(\d+)\b|\b(\d+)(?:st|nd|rd|th)\s+(?:step|action)\b|"
                  r"\b(first|second|third|fourth|fifth|sixth|seventh|eighth|ninth|tenth)\s+(?:step|action)\b",
                  re.IGNORECASE)
STEP_LABEL = re.compile(r"^\W*(?:at\s+|in\s+)?(?:step|action)\s*#?\s*\d+\s*(?:\W\s*)?")
ORDINALS = {"first": 1, "second": 2, "third": 3, "fourth": 4, "fifth": 5, "sixth": 6, "seventh": 7, "eighth": 8,
            "ninth": 9, "tenth": 10}
# What introduces the unmet conditions: a header, or a reason.
CONDITIONS = re.compile(
    r"\bunmet (?:pre-?conditions?|goals?(?: conditions?)?)\b(?: (?:is|are))?|"
    r"\b(?:pre-?conditions?|goal conditions?|goals?)\b[^:\n.'\"‘“]{0,40}?(?:\bis\b|\bare\b|:)|"
    r"\b(?:because|since|as|requires?|needs?)\b", re.IGNORECASE)


# A remark in parentheses says why ("(the blue block is on it)"), not what is unmet; a PDDL
# atom in parentheses is kept.
ASIDE = re.compile(r"\((?!\s*[a-z][\w-]*(?:\s+[a-z]\w*){0,2}\s*\))[^()]*\)", re.IGNORECASE)


@dataclass(frozen=True)
class Verdict:
    """What a verification answer says. ``valid`` None: no verdict could be read (see
    ``failure``). ``kind`` is ``unmet_precondition`` or ``unmet_goal`` when an invalid
    verdict is explained."""

    valid: bool | None
    kind: str | None = None
    step: int | None = None
    action: Action | None = None
    unmet: frozenset = frozenset()
    failure: str | None = None  # "empty", "no_verdict"

    def to_dict(self, encoding: Encoding) -> dict:
        return {"valid": self.valid, "kind": self.kind, "step": self.step,
                "action": encoding.action_to_pddl(self.action) if self.action else None,
                "unmet": sorted(encoding.atom_to_pddl(a) for a in self.unmet)}


def read_verdict(text: str | None, encoding: Encoding, blocks: int = 12) -> Verdict:
    """The default reading of a t3 answer (see the module notes)."""
    if text is None or not text.strip():
        return Verdict(None, failure="empty")
    if "</think>" in text:
        text = text.rsplit("</think>", 1)[1]
    text = text.split("[STATEMENT]", 1)[0]
    found = _verdict(text)
    if found is None:
        return Verdict(None, failure="no_verdict")
    valid, end = found
    if valid:
        return Verdict(True)
    return _explanation(text[end:], encoding, blocks) or Verdict(False)


def _verdict(text: str) -> tuple[bool, int] | None:
    """(valid, where the verdict ends) of the verdict that counts, or None: the first
    line's (PlanBench's template), else the last one stated (a conclusion)."""
    statements = []
    for match in VERDICT.finditer(text):
        if HYPOTHETICAL.search(text, max(0, match.start() - 60), match.start()):
            continue
        groups = match.groups()
        word = next(g for g in (groups[2], groups[1], groups[4], groups[5], groups[6]) if g).lower()
        negated = bool(groups[0] or groups[3])
        statements.append((match.start(), (word not in NEGATIVE) != negated, match.end()))
    if not statements:
        return None
    body = text.lstrip()
    first_line_end = len(text) - len(body) + (body.find("\n") if "\n" in body else len(body))
    _, valid, end = statements[0] if statements[0][0] < first_line_end else statements[-1]
    return valid, end


def _explanation(text: str, encoding: Encoding, blocks: int) -> Verdict | None:
    """The explanation after an invalid verdict: a failing step or unmet goals, whichever
    it names first (a step number counts as naming a failing step)."""
    starts = [m.start() for m in (PRECONDITION.search(text), STEP.search(text)) if m]
    precondition = min(starts) if starts else None
    goal = GOAL.search(text)
    if goal is not None and (precondition is None or goal.start() < precondition):
        return Verdict(False, "unmet_goal", unmet=_conditions(text, goal.start(), len(text), encoding, blocks))
    if precondition is None:
        return None
    return _failing_step(text, precondition, encoding, blocks)


def _failing_step(text: str, start: int, encoding: Encoding, blocks: int) -> Verdict:
    """The first failing step an explanation names: its number, its action (on the line
    that names the step, or the next line that names one) and the preconditions it says are
    unmet, read up to the next step number, or, when the answer lists the actions first and
    the conditions after, from the condition marked with the same step."""
    number = STEP.search(text, start)
    step, end = None, len(text)
    candidates = []  # where the action may be written: after the step's number, before it, below
    if number is not None:
        step = int(number.group(1) or number.group(2) or ORDINALS[number.group(3).lower()])
        line_start = text.rfind("\n", 0, number.start()) + 1
        line_end = text.find("\n", number.end())
        line_end = len(text) if line_end < 0 else line_end
        candidates += [text[number.end():line_end], text[line_start:number.start()]]
        start = line_end
        following = STEP.search(text, number.end())
        end = following.start() if following else end
    candidates += text[start:end].split("\n")
    steps = step_reader(encoding, blocks)
    action = None
    for candidate in candidates:
        line = STEP_LABEL.sub("", candidate.lower()).strip(" *-:.,\"'`")
        read = steps.read(line)
        verb = None if read else steps.any_verb.search(line)
        if verb is not None:  # an action named mid-sentence: 'the action "stack ..." cannot ...'
            read = steps.read(line[verb.start():])
        if read:
            action = read[0]
            break
    if number is not None:
        start = text.rfind("\n", 0, number.start()) + 1
    unmet = _conditions(text, start, end, encoding, blocks)
    if not unmet and step is not None:
        unmet = _conditions(text, start, len(text), encoding, blocks, step)
    return Verdict(False, "unmet_precondition", step, action, unmet)


def _conditions(text: str, start: int, end: int, encoding: Encoding, blocks: int, step: int | None = None) -> frozenset:
    """The atoms under the first header (or reason) in ``text[start:end]`` that has any: the
    rest of its line, else the lines below it up to a blank line, the next header or the
    next action; with no header, the atoms the text names outside action lines. A negated
    atom names the unmet condition it negates. With ``step``, only lines that name that
    step (or none) under a header count."""
    reader = state_reader(encoding, blocks)
    text = ASIDE.sub(lambda m: " " * len(m.group(0)), text)  # same length: positions still hold
    for header in CONDITIONS.finditer(text, start, end):
        found = reader.read(_under_header(text, header.end(), end, encoding, blocks, step))
        if found:
            return frozenset(atom for atom, _ in found)
    if step is not None:
        return frozenset()
    steps = step_reader(encoding, blocks)  # no header: the atoms the explanation names, actions aside
    lines = [line for line in text[start:end].split("\n") if not steps.read(line.lower().strip(" *-:."))]
    return frozenset(atom for atom, _ in reader.read("\n".join(lines)))


def _under_header(text: str, position: int, end: int, encoding: Encoding, blocks: int, step: int | None) -> str:
    steps = step_reader(encoding, blocks)
    line_end = text.find("\n", position, end)
    line_end = end if line_end < 0 else line_end
    rest = text[position:line_end].strip(" :*")
    if rest:
        return "" if steps.read(rest.lower()) else rest
    lines: list[str] = []
    for line in text[line_end + 1:end].split("\n"):
        named = STEP.search(line)
        if not line.strip() or CONDITIONS.match(line.strip(" *-")) or steps.read(line.lower().strip(" *-:.")):
            if lines:
                break
            if line.strip() and CONDITIONS.match(line.strip(" *-")):
                return ""  # a header with nothing under it: the next header speaks
            continue
        if named and step is None and lines:
            break
        if step is not None and named and int(named.group(1) or 0) != step:
            continue
        lines.append(STEP.sub(" ", line) if named else line)
    return "\n".join(lines)


# ---------------------------------------------------------------- PlanBench's parse_output


def planbench_verdict(text: str, encoding: Encoding) -> dict:
    """PlanBench's ``parse_output``: ``{"valid": False, "unmet_goal": [...]}`` or
    ``{"valid": False, "unmet_precondition": {"action": "(stack red blue)\\n", "predicate":
    [...]}}`` or ``{"valid": True}``; no ``valid`` key when neither phrase occurs
    (PlanBench's evaluator then stopped with a KeyError)."""
    output: dict = {}
    goal_next = action_next = action_seen = predicates_next = False
    for line in text.split("\n"):
        if "[STATEMENT]" in line:
            break
        if line.strip() == "":
            continue
        if goal_next:
            output["unmet_goal"] = planbench_state(line.strip(), encoding, split_and=True)
            goal_next = False
            continue
        if action_next:
            plan = planbench_rule(line.strip(), encoding, 12, "2023")
            output["unmet_precondition"]["action"] = readable_plan(plan, encoding)
            action_next, action_seen = False, True
            continue
        if action_seen and predicates_next:
            output["unmet_precondition"]["predicate"] = planbench_state(line.strip(), encoding, split_and=True)
            predicates_next = action_seen = False
        if "plan is valid" in line:
            output.setdefault("valid", True)
            break
        if "plan is invalid" in line:
            output["valid"] = False
        if "unmet goal" in line and "unmet precondition" in line:
            break
        if "unmet goal" in line:
            output["unmet_goal"] = ""
            goal_next = True
        elif "unmet precondition" in line:
            if "action" in line:
                output["unmet_precondition"] = {}
                action_next = True
            else:
                predicates_next = True
        elif "Unmet precondition:" in line and action_seen:
            output["unmet_precondition"]["predicate"] = planbench_state(line.strip(), encoding, split_and=True)
            action_seen = False
    return output


def planbench_judgement(answer: dict, gold: dict) -> tuple[bool, bool, bool]:
    """PlanBench's three flags (binary, with type, with explanation) for two parsed
    outputs. An explanation is right when *any* atom it names is among the gold's; a
    missing action or predicate counts as wrong (PlanBench caught the KeyError)."""
    if "valid" not in answer or answer["valid"] != gold.get("valid"):
        return False, False, False
    if answer["valid"]:
        return True, True, True
    if sorted(answer) != sorted(gold):
        return True, False, False
    if "unmet_goal" in answer:
        return True, True, any(atom in gold["unmet_goal"] for atom in answer["unmet_goal"])
    said, truth = answer["unmet_precondition"], gold["unmet_precondition"]
    if "action" not in said or "action" not in truth or said["action"] != truth["action"]:
        return True, True, False
    if "predicate" not in said or "predicate" not in truth:
        return True, True, False
    return True, True, any(atom in truth["predicate"] for atom in said["predicate"])
