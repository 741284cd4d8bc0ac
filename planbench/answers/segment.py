"""An answer's structure, line by line: what kind of line each is, before any action is read.

Models lay answers out with Markdown: headings (``#``, a bold-only line, a line ending in
``:``), numbered and bulleted lists with indented sub-items, code fences, tables, JSON,
LaTeX. The extractor needs that structure to tell the plan from what surrounds it (a
restated plan, an explanation of each step, a verification), so each line is described
once here, with its place in the original text, and read for actions elsewhere
(:mod:`planbench.answers.steps`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

# Words that make a heading's section a commentary on the plan, not the plan.
EXPLANATORY = re.compile(
    r"\b(?:explanation|explanations|explained|explaining|reasoning|rationale|justification|justify|verification|"
    r"verify|verifying|validation|validate|check|checking|double[- ]check|breakdown|notes?|remarks?|analysis|"
    r"analyzing|analysing|why|walk[- ]?through|trace|tracing|simulation|simulating|commentary|observations?|"
    r"(?:final|resulting|end|intermediate) (?:state|configuration|arrangement|stacks?)|"
    r"states? after|result|results|outcome|effects?|preconditions?|key points|summary of (?:the )?(?:state|changes)|"
    r"how (?:it|this) works|step[- ]by[- ]step (?:explanation|reasoning|verification|breakdown)|"
    r"understanding|stack \d+|tower \d+)\b")
# Words that label a section as the plan or the answer.
PLAN_LABEL = re.compile(r"\b(?:plan|answer|solution|actions?|steps|sequence|summary|in order|final)\b")
# A sentence used as a heading ("Given the initial conditions and the goal, here is a plan:")
# is about its last clause.
CLAUSES = re.compile(r"[,;.!?]\s+(?=\S)")
NUMBER = re.compile(r"(?:#+\s*)?(?:\*\*|__)?(?:step\s*|action\s*|move\s*)?(\d{1,3})\s*(?:\*\*|__)?\s*[.):]"
                    r"(?:\*\*|__)?(?=\s|$)|(?:#+\s*)?(?:\*\*|__)?step\s*(\d{1,3})\b")
BULLET = re.compile(r"[-*•+◦▪‣]\s+|>\s+")
BOLD_ONLY = re.compile(r"(?:\*\*|__)[^*_].*?(?:\*\*|__)\s*:?\s*$")
LABEL = re.compile(r"(?:\*\*|__)?([a-z][a-z ,'’-]{0,48}?)\s*(?:\*\*|__)?\s*:\s*(?:\*\*|__)?\s*(?=\S)")


@dataclass(frozen=True)
class Line:
    """One line of an answer: how it is marked and what it says (cleaned). Where it is
    in the answer is the caller's: the same line recurs across answers and is described
    once."""

    indent: int
    body: str  # lower case, Markdown and LaTeX removed; list marker kept for the reader
    number: int | None = None  # "3." / "Step 3:" items
    bullet: bool = False
    heading: str | None = None  # the heading's text, when the line is one
    fence: bool = False
    label: str | None = None  # "answer" in "Answer: attack b; then ..."


def split_lines(text: str, start: int, end: int) -> list[tuple[int, int, str]]:
    """(start, end, raw) for each line of ``text[start:end]``."""
    out = []
    position = start
    while position < end:
        newline = text.find("\n", position, end)
        stop = end if newline < 0 else newline
        out.append((position, stop, text[position:stop]))
        position = stop + 1
    return out


_DESCRIBED: dict[str, tuple[Line, ...]] = {}


def describe(raw: str) -> tuple[Line, ...]:
    """The line's structure (memoised: answers share many lines); a Markdown table row or
    a JSON list becomes step lines."""
    found = _DESCRIBED.get(raw)
    if found is None:
        if len(_DESCRIBED) > 200_000:
            _DESCRIBED.clear()
        found = _DESCRIBED[raw] = tuple(_describe(raw))
    return found


def _describe(raw: str) -> list[Line]:
    expanded = raw.expandtabs(4)
    indent = len(expanded) - len(expanded.lstrip())
    stripped = raw.strip()
    if stripped.startswith("```") or stripped.startswith("~~~"):
        return [Line(indent, "", fence=True)]
    lowered = stripped.lower()
    bodies = unwrap(clean(lowered)) if ("|" in lowered or '"' in lowered) else [clean(lowered)]
    lines = []
    for body in bodies:
        if not body:
            continue
        number_match = NUMBER.match(body)
        number = None
        if number_match:
            number = int(number_match.group(1) or number_match.group(2))
        bullet = number is None and BULLET.match(stripped) is not None
        heading = _heading(lowered, body, number is not None)
        label = None
        if heading is None and ":" in body:
            found = LABEL.match(BULLET.sub("", body, count=1) if bullet else body)
            if found and not re.search(r"\d", found.group(1)):
                label = found.group(1).strip()
        lines.append(Line(indent, body, number, bullet, heading, False, label))
    return lines


def _heading(raw: str, body: str, numbered: bool) -> str | None:
    """The text of a heading line: ``# ...``, a bold-only line, or one ending in ':'.
    Whether it reads as an action is decided by the caller (a bold step is a step)."""
    if numbered:
        return None
    text = BULLET.sub("", raw, count=1)
    if raw.startswith("#"):
        return body.lstrip("#").strip(" :")
    if BOLD_ONLY.fullmatch(text) or body.endswith(":"):
        return BULLET.sub("", body, count=1).strip(" :")
    return None


def section_kind(heading: str) -> str:
    """``explanatory`` (an explanation, a verification, a final state: not the plan),
    ``plan`` (labelled as the plan or answer) or ``neutral``."""
    clause = CLAUSES.split(heading)[-1] if len(heading) > 40 else heading
    if EXPLANATORY.search(clause):
        return "explanatory"
    if PLAN_LABEL.search(clause):
        return "plan"
    return "neutral"


# ------------------------------------------------------------------ cleaning
TABLE_RULE = re.compile(r"^\s*\|?\s*:?-{3,}")
JSON_KEY = re.compile(r'^[\s\[{]*"[a-z_ ]+"\s*:\s*[\[{]*\s*')
# LaTeX around a final answer (QwQ, R1): \boxed{\text{...}}, array rows ending in \\,
# "&1.\ " alignment marks, $...$: the words stay, the markup goes.
LATEX = re.compile(r"\\(?:begin|end)\{[a-z*]*\}(?:\{[a-z|]*\})?|\\[a-z]+\{|\\\\|\\[\[\] ,;!]|[{}$&]")
MARKUP = re.compile(r"\*\*|__|`|\\\(|\\\)|(?<![a-z0-9])_(?=[^_\s]+_(?![a-z0-9]))|(?<=[^_\s])_(?![a-z0-9_])")
SUBSCRIPTS = str.maketrans("₀₁₂₃₄₅₆₇₈₉", "0123456789")


def clean(line: str) -> str:
    """Lower-case text without emphasis, code marks or LaTeX; ``object₀`` as ``object0``."""
    line = MARKUP.sub("", line)
    if "*" in line:
        line = re.sub(r"(?<=\S)\*|\*(?=\S)", "", line)  # *italic*, but "* item" keeps its bullet
    if "\\" in line or "$" in line:
        line = LATEX.sub(" ", line.replace("\\_", "_"))
    if not line.isascii():
        line = line.translate(SUBSCRIPTS)
    return line.strip()


def unwrap(line: str) -> list[str]:
    """A plan laid out as data, read as lines: a Markdown table row ``| 1 | Unstack ... |``
    becomes ``1. Unstack ...``; a JSON list of step strings, one step per line."""
    stripped = line.strip()
    if stripped.startswith("|") and stripped.count("|") >= 2:
        if TABLE_RULE.match(stripped):
            return []
        cells = [cell.strip() for cell in stripped.strip("|").split("|")]
        if cells and re.fullmatch(r"(?:step\s*)?\d+[.)]?", cells[0]):
            return [f"{re.sub(r'[^0-9]', '', cells[0])}. " + " ".join(cells[1:])]
        return [" ".join(cells)]
    if stripped.count('"') >= 2 and re.search(r'^[\[{]|"\s*,\s*"|^"|"\s*[,\]]?$', stripped):
        steps = re.split(r'"\s*,\s*(?=")', JSON_KEY.sub("", stripped))
        return [step.strip().strip('[]{},"').strip() for step in steps]
    return [line]
