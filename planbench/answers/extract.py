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

from planbench.answers.segment import MARKUP, Line, describe, section_kind, split_lines
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


def extract(text: str | None, encoding: Encoding, blocks: int = 26, lenient: bool = False) -> Extraction:
    """The plan an answer gives as its final answer (see the module notes).

    ``blocks`` is the size of the problem: which block names exist, and so which letters
    can stand for a colour ("Unstack Y from O" when no other block starts with Y or O).
    Steps are read as written (:mod:`planbench.answers.steps`); ``lenient`` repairs what
    the default does not (``default-lenient``: "unstack X from the table" as a pick-up)."""
    if text is None or not text.strip():
        return Extraction((), "empty")
    steps = reader(encoding, blocks, lenient)
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
    numbered: bool = False  # its steps are numbered items
    last_number: int = 0  # the number of its last step (or of the "Step N" header it is under)


def _candidates(text: str, begin: int, end: int, steps: StepReader) -> list[Candidate]:
    """Every run of steps in ``text[begin:end]``, in order."""
    finder = _Finder(steps)
    for line_start, line_end, raw in split_lines(text, begin, end):
        if not raw.strip():
            finder.gap += 1
            continue
        for line in describe(raw):
            finder.feed(line, line_start, line_end)
    finder.close()
    return finder.out


class _Finder:
    """Reads an answer's lines in order into candidate plans (see the module notes)."""

    def __init__(self, steps: StepReader):
        self.steps = steps
        self.out: list[Candidate] = []
        self.run: _Run | None = None
        self.section, self.kind = "", "neutral"
        self.items: list[tuple[int, bool]] = []  # open list items: (indent, its sub-items comment on it)
        self.held: str | None = None  # the block the last step took in hand ("stack it on blue")
        self.gap = 0  # blank lines since the last line that counted
        self.headings_in_a_row = False
        # A numbered list that a heading interrupted, and where its candidate is in ``out``:
        # it goes on at its next number ("### Action 2: ..." after "### Action 1"'s sections).
        self.paused: _Run | None = None
        self.paused_at = 0
        self.header: int | None = None  # "### Step 3" naming no action: its lines are step 3

    def close(self) -> None:
        run = self.run
        if run is not None and run.actions:
            self.out.append(Candidate(tuple(run.actions), run.start, run.end, run.section, run.kind))
            if run.last_number:
                self.paused, self.paused_at = run, len(self.out) - 1
        self.run = None

    def feed(self, line: Line, line_start: int, line_end: int) -> None:
        if line.fence:
            self.close()
            self.items.clear()
            return
        steps = self.steps
        actions = steps.read(line.body, self.held) if steps.mentions_action(line.body) else ()
        items = self.items
        inside_item = bool(items) and line.indent > items[0][0]
        if line.bullet and items and _numbered_parent(self.run, items):
            inside_item = True  # "- **Preconditions:**" under "**1. Feast d from c**": a label, not a heading
        if not actions and line.heading is not None and line.number is None and not inside_item:
            self._heading(line.heading)
            return
        if line.label and not line.bullet and line.number is None and actions and not inside_item \
                and not STEP_LABEL.match(line.label):
            self.close()  # "Answer: attack b; then overcome b from a"
            items.clear()
            self.section, self.kind = line.label, section_kind(line.label)
        self.headings_in_a_row = False
        comment = self._place(line, actions)
        run = self.run
        if line.number is not None and run is not None and run.numbered and line.number <= run.last_number \
                and not line.number == run.last_number == 1:
            self.close()  # a list starting again (Markdown's "1." for every item is one list)
        elif line.number is not None and run is not None and not run.numbered and not run.last_number and actions:
            self.close()  # a numbered list after unnumbered steps: "- Feast b from a" then "### Action 1: ..."
        if line.number is not None:
            self._resume(line.number)
        if not actions:
            self.gap = 0
            if line.number is not None:
                self.header = line.number
                if self.run is not None:
                    self.run.last_number = line.number
            return
        if comment:
            self.gap = 0
            return
        self._add(actions, line, line_start, line_end)

    def _heading(self, heading: str) -> None:
        self.close()
        self.items.clear()
        self.section = f"{self.section} / {heading}" if self.headings_in_a_row else heading
        self.kind = section_kind(self.section)
        self.headings_in_a_row = True
        self.gap = 0

    def _place(self, line: Line, actions: tuple) -> bool:
        """Update the open list items for this line; is it a comment on a step above it?"""
        items = self.items
        if line.number is not None or line.bullet:
            while items and (items[-1][0] > line.indent or items[-1][0] == line.indent and line.number is not None):
                items.pop()  # a numbered step closes its siblings, bullets at its indent included
            if items and items[-1][0] == line.indent and not (line.bullet and _numbered_parent(self.run, items)):
                items.pop()  # a sibling
            comment = bool(items) and items[-1][1]
            # Under a step that named its action, every sub-item comments on it, however deep
            # ("- **Action:**" then "  - Perform the Attack action on object d").
            items.append((line.indent, bool(actions) or comment))
            return comment
        if items:
            parent_indent, parent_named = items[-1]
            run = self.run
            if parent_named and (line.indent > parent_indent or run is not None and run.numbered):
                return True
            if not actions and line.indent <= parent_indent and not parent_named:
                items.clear()
            elif not actions and line.indent == 0:
                items.clear()  # unindented prose ends the list
            elif actions and not parent_named:
                items[-1] = (parent_indent, True)
        return False

    def _resume(self, number: int) -> None:
        """Step ``number`` takes up the paused list again when it is that list's next step;
        a commentary run read since (an explanatory section) stays a candidate of its own."""
        paused, run = self.paused, self.run
        if paused is None or number != paused.last_number + 1 or run is not None and run.numbered:
            return
        self.close()
        del self.out[self.paused_at]
        self.run, self.paused = paused, None

    def _add(self, actions: tuple, line: Line, line_start: int, line_end: int) -> None:
        run = self.run
        if run is not None and not run.numbered and self.gap > 1 and line.number is None and not line.bullet:
            self.close()
            run = None
        if run is None:
            header = self.header if line.number is None else None
            run = self.run = _Run([], line_start, line_end, self.section, self.kind, last_number=header or 0)
            if self.kind != "explanatory":
                self.paused = None  # a new plan, not a comment on the paused one
        run.actions.extend(actions)
        run.end = line_end
        if line.number is not None:
            run.numbered = True
            run.last_number = line.number
            self.header = None
        last = actions[-1]
        self.held = last[1] if last[0] in ("pick-up", "unstack") else None
        self.gap = 0


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
