"""The default extractor: find the plan an answer gives as its final answer.

Three steps, each about how answers are written, never about one model's file:

1. **Region.** Reasoning before ``</think>`` is set aside. In one-shot answers PlanBench's
   own cut applies: the plan is what the model wrote before its first ``[PLAN END]``
   (after a ``[PLAN]`` there), so a justification or a new ``[STATEMENT]`` after it is not
   read; if that part holds no plan (the model restated the query first), the next part.
2. **Candidates.** The region is split by its structure (:mod:`planbench.answers.segment`):
   a heading starts a section, and a run of step lines (a numbered or bulleted list, PDDL
   lines, a chain on one line) is one candidate plan. A list restarting at 1 starts a new
   candidate. Sub-items under a step that already named its action comment on it; under
   an item that names none ("**Step 1:**", "Perform in order:") they are its steps.
3. **Choice.** Sections under an explanatory heading (explanation, verification, final
   state, ...) comment on the plan; the final answer is the last candidate outside them
   (the last of all when every candidate is inside one). A restatement equal to an earlier
   candidate is the same plan; candidates that differ make the extraction ``ambiguous``.

An answer that says no plan exists, and gives no plan after saying so, is a refusal
(``no_plan_claimed``) even when it first lists the actions it tried.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from planbench.answers.segment import MARKUP, describe, section_kind, split_lines
from planbench.answers.steps import StepReader, reader
from planbench.world.encodings import Encoding

Action = tuple

NO_PLAN = re.compile(
    r"(?:\bno|\bnot any) (?:valid |possible |feasible |viable |such |complete |working |legal )?"
    r"(?:plans?|solutions?|sequence of (?:the available |valid |possible )?actions?)\b(?: is| exists| can| that| to)?|"
    r"\bgoals?(?: state)? (?:is|are|seems|appears|remains?) (?:to be )?(?:impossible|unachievable|unreachable|"
    r"unattainable|unsatisfiable|not (?:possible|achievable|reachable|attainable|feasible))|"
    r"achieving (?:the|your|this|both|all)\b(?:(?!directly)[^.]){0,200}? (?:is|are) (?:not possible|impossible|not feasible)|"
    r"plan cannot be (?:completed|found|constructed|created)|"
    r"goals?\b[^.]{0,40}?\b(?:contradict|contradictory|inconsistent|conflicting|contradiction)|"
    r"(?:impossible|not possible|not feasible) to (?:achieve|reach|satisfy|attain|accomplish|meet)"
    r"(?! \S+ (?:in|with) fewer| \S+ directly| \S+ \S+ directly)|"
    r"(?:plan|goal|goals|configuration|arrangement|goal state) (?:cannot|can't|can not) (?:be |ever be )?"
    r"(?:achieved|reached|satisfied|attained|accomplished|found)|"
    r"there is no way to (?:achieve|reach|satisfy)|\bunsolvable\b")
STEP_LABEL = re.compile(r"(?:action|step|move|operation)s?\b")
PLAN_END = re.compile(r"\[plan[ _]end\]", re.IGNORECASE)
PLAN_START = re.compile(r"\[plan\]", re.IGNORECASE)


@dataclass(frozen=True)
class Candidate:
    """One plan the answer writes out: its steps, where it stands, and under what heading."""

    plan: tuple[Action, ...]
    start: int  # character offsets in the answer
    end: int
    section: str = ""  # the heading above it ("" when none)
    kind: str = "neutral"  # section kind: plan, neutral or explanatory

    def to_dict(self, encoding: Encoding) -> dict:
        return {"plan": [encoding.action_to_pddl(a) for a in self.plan], "start": self.start, "end": self.end,
                "section": self.section, "kind": self.kind}


@dataclass(frozen=True)
class Extraction:
    """The plan an answer gives, or why none could be read (``failure``), and how sure."""

    plan: tuple[Action, ...]
    failure: str | None = None  # "empty", "no_plan_claimed", "no_actions"
    candidates: tuple[Candidate, ...] = field(default=())
    chosen: int | None = None  # index of the candidate taken
    ambiguous: bool = False  # candidates outside commentary that disagree

    @property
    def span(self) -> tuple[int, int] | None:
        return None if self.chosen is None else (self.candidates[self.chosen].start, self.candidates[self.chosen].end)


def extract(text: str | None, encoding: Encoding, blocks: int = 26) -> Extraction:
    """The plan an answer gives as its final answer (see the module notes).

    ``blocks`` is the size of the problem: which block names exist, and so which letters
    can stand for a colour ("Unstack Y from O" when no other block starts with Y or O)."""
    if text is None or not text.strip():
        return Extraction((), "empty")
    steps = reader(encoding, blocks)
    if "(" in text or "=" in text or ":" in text:
        steps = steps.with_aliases(text.lower())
    candidates: list[Candidate] = []
    start = _after_reasoning(text)
    for begin, end in _plan_regions(text, start):
        candidates = _candidates(text, begin, end, steps)
        if candidates:
            break
    if not candidates:
        return Extraction((), _refusal_or_nothing(text, start, len(text)))
    chosen = _choose(candidates)
    if _refuses_after(text, candidates[chosen].end):
        return Extraction((), "no_plan_claimed", tuple(candidates), None, False)
    plans = {c.plan for c in candidates if c.kind != "explanatory"} or {c.plan for c in candidates}
    return Extraction(candidates[chosen].plan, None, tuple(candidates), chosen, len(plans) > 1)


def _after_reasoning(text: str) -> int:
    """Where the answer starts after a reasoning model's ``<think>...</think>``."""
    close = text.rfind("</think>")
    return close + len("</think>") if close >= 0 else 0


def _plan_regions(text: str, start: int) -> list[tuple[int, int]]:
    """PlanBench's one-shot cut: each ``[PLAN] ... [PLAN END]`` part in turn, then (when
    none holds a plan) the whole answer."""
    regions = []
    position = start
    for end_marker in PLAN_END.finditer(text, start):
        opened = [m.end() for m in PLAN_START.finditer(text, position, end_marker.start())]
        regions.append((opened[-1] if opened else position, end_marker.start()))
        position = end_marker.end()
    if regions:
        regions.append((start, len(text)))
    return regions or [(start, len(text))]


@dataclass
class _Run:
    """A candidate being read."""

    actions: list
    start: int
    end: int
    section: str
    kind: str
    numbered: bool = False
    last_number: int = 0


def _candidates(text: str, begin: int, end: int, steps: StepReader) -> list[Candidate]:
    """Every run of steps in ``text[begin:end]``, in order."""
    out: list[Candidate] = []
    run: _Run | None = None
    section, kind = "", "neutral"
    items: list[tuple[int, bool]] = []  # open list items: (indent, named its own action)
    held: str | None = None
    gap = 0
    headings_in_a_row = False

    paused: _Run | None = None  # the numbered list a heading interrupted, last of ``out``

    def close() -> None:
        nonlocal run, paused
        if run is not None and run.actions:
            out.append(Candidate(tuple(run.actions), run.start, run.end, run.section, run.kind))
            paused = run if run.numbered else None
        run = None

    for line_start, line_end, raw in split_lines(text, begin, end):
        if not raw.strip():
            gap += 1
            continue
        for line in describe(raw):
            if line.fence:
                close()
                items.clear()
                continue
            actions = steps.read(line.body, held) if steps.mentions_action(line.body) else ()
            inside_item = bool(items) and line.indent > items[0][0]
            if line.bullet and items and _numbered_parent(run, items):
                inside_item = True  # "- **Preconditions:**" under "**1. Feast d from c**": a label, not a heading
            if not actions and line.heading is not None and line.number is None and not inside_item:
                close()
                items.clear()
                section = f"{section} / {line.heading}" if headings_in_a_row else line.heading
                kind = section_kind(section)
                headings_in_a_row = True
                gap = 0
                continue
            if line.label and not line.bullet and line.number is None and actions and not inside_item \
                    and not STEP_LABEL.match(line.label):
                close()  # "Answer: attack b; then overcome b from a"
                items.clear()
                section, kind = line.label, section_kind(line.label)
            headings_in_a_row = False
            is_item = line.number is not None or line.bullet
            comment = False
            if is_item:
                while items and (items[-1][0] > line.indent or items[-1][0] == line.indent and line.number is not None):
                    items.pop()  # a numbered step closes its siblings, bullets at its indent included
                if items and items[-1][0] == line.indent and not (line.bullet and _numbered_parent(run, items)):
                    items.pop()  # a sibling
                comment = bool(items) and items[-1][1]
                # Under a step that named its action, every sub-item comments on it, however deep
                # ("- **Action:**" then "  - Perform the Attack action on object d").
                items.append((line.indent, bool(actions) or comment))
            elif items:
                parent_indent, parent_named = items[-1]
                if parent_named and (line.indent > parent_indent or run is not None and run.numbered):
                    comment = True
                elif not actions and line.indent <= parent_indent and not parent_named:
                    items.clear()
                elif not actions and line.indent == 0:
                    items.clear()  # unindented prose ends the list
                elif actions and not parent_named:
                    items[-1] = (parent_indent, True)
            if line.number is not None and run is not None and run.numbered and line.number <= run.last_number \
                    and not line.number == run.last_number == 1:
                close()  # a list starting again (Markdown's "1." for every item is one list)
            if not actions:
                gap = 0
                if line.number is not None and run is not None:
                    run.last_number = line.number
                continue
            if comment:
                gap = 0
                continue
            if run is not None and not run.numbered and gap > 1 and not is_item:
                close()
            if run is None and paused is not None and line.number == paused.last_number + 1:
                out.pop()  # the list goes on after a heading: one step per section ("### Action 2: ...")
                run = paused
            if run is None:
                run = _Run([], line_start, line_end, section, kind, numbered=line.number is not None)
            paused = None
            run.actions.extend(actions)
            run.end = line_end
            if line.number is not None:
                run.numbered = True
                run.last_number = line.number
            last = actions[-1]
            held = last[1] if last[0] in ("pick-up", "unstack") else None
            gap = 0
    close()
    return out


def _numbered_parent(run: _Run | None, items: list) -> bool:
    """A bullet at the indent of a numbered step that named its action comments on it
    (Markdown sub-bullets are often not indented)."""
    return run is not None and run.numbered and items[-1][1]


def _choose(candidates: list[Candidate]) -> int:
    """The last candidate outside explanatory sections (the last of all if none is)."""
    for index in range(len(candidates) - 1, -1, -1):
        if candidates[index].kind != "explanatory":
            return index
    return len(candidates) - 1


def _refuses_after(text: str, position: int) -> bool:
    """Does the answer say no plan exists after the plan it wrote (the plan was an
    attempt it gave up on)? Only a claim about the whole goal counts."""
    return _claims_no_plan(text[position:])


def _refusal_or_nothing(text: str, start: int, end: int) -> str:
    return "no_plan_claimed" if _claims_no_plan(text[start:end]) else "no_actions"


def _claims_no_plan(text: str) -> bool:
    return NO_PLAN.search(MARKUP.sub("", text.lower())) is not None
