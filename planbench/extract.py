"""From a model's answer to a plan: PlanBench's own extractors, reproduced exactly.

PlanBench's published verdicts depend on how text became a plan (FACTS.md §5): its rule
parser changed over time, and each generation left its mark on released files. These
functions reproduce each generation so that published rule-based numbers can be
re-derived; a robust extractor for free-form answers is a separate piece of work.

Every extractor returns canonical actions (``("stack", "a", "b")``); the validator then
judges them exactly as VAL would have judged PlanBench's extracted plan file.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from planbench import world
from planbench.encodings import Encoding

Action = tuple

# FACTS.md §5.1-5.2: HEAD (2025) cuts at "### plan:" / [PLAN] ... [PLAN END] and strips
# "*"; a 2024 variant strips "*" without cutting; the 2023 parser does neither.
RULE_GENERATIONS = ("2025", "2024", "2023")


def _object_names(encoding: Encoding, blocks: int) -> list[tuple[str, str]]:
    """(NL name, canonical block) in ``encoded_objects`` order: a, b, c, ..."""
    return [(encoding.object_to_text(world.block_name(i)), world.block_name(i)) for i in range(blocks)]


def _action_phrases(encoding: Encoding) -> list[tuple[str, str]]:
    """PlanBench's ``AD``: the first word of each action's template, or the action's PDDL
    name with '-' as ' ' when that word is part of it ("pick up" for pick-up)."""
    phrases = []
    for action in world.ACTIONS:
        name = encoding.actions[action]
        word = encoding.action_text[action].split(" ")[0]
        phrases.append((name, name.replace("-", " ") if word in name else word))
    return phrases


def planbench_rule(text: str, encoding: Encoding, blocks: int = 12, generation: str = "2025") -> list[Action]:
    """PlanBench's rule-based NL parser (``text_to_plan_blocksworld``), one generation.

    Keyword-as-token action detection, object names found by substring and ordered by
    position, one action per line, lines with the wrong number of objects dropped; no
    deduplication, so a restated plan is parsed twice (FACTS.md §5.1 steps 1-11).
    ``blocks`` is how many object names PlanBench's config listed (12 for its sets).
    """
    if generation not in RULE_GENERATIONS:
        raise ValueError(f"unknown rule-parser generation {generation!r}: {', '.join(RULE_GENERATIONS)}")
    text = text.lower().strip()
    if generation == "2025":
        if "### plan:" in text:
            text = text.split("### plan:", 1)[1]
        if "[plan]" in text:
            text = text.split("[plan]", 1)[1]
            if "[plan end]" in text:
                text = text.split("[plan end]", 1)[0]
    for name, phrase in _action_phrases(encoding):
        text = text.replace(phrase, name)
    names = _object_names(encoding, blocks)
    order = [encoding.actions[a] for a in world.ACTIONS]  # the domain file's order
    plan: list[Action] = []
    for line in text.split("\n"):
        line = line.strip()
        if generation != "2023":
            line = line.replace("*", "")
        tokens = line.split()
        found = next((a for a in order if a in tokens), None)
        if found is None:
            continue
        positions = sorted((line.index(n), block) for n, block in names if n in line)
        action = encoding.action_from_pddl(found)
        if len(positions) != world.ACTION_ARITY[action]:
            continue
        plan.append((action, *(block for _, block in positions)))
    return plan


def planbench_pddl(text: str, encoding: Encoding) -> list[Action]:
    """PlanBench's PDDL-answer extraction (``save_gpt3_response``, FACTS.md §5.4): on each
    line up to one with [PLAN END], the text between the first '(' and the first ')',
    kept when its first word is an action of the domain. Arguments are kept as written,
    so a wrong arity or an unknown object reaches the validator, as it reached VAL."""
    plan: list[Action] = []
    for line in text.split("\n"):
        if "[PLAN END]" in line:
            break
        if "(" not in line or ")" not in line:
            continue
        inner = line[line.index("(") + 1: line.index(")")] if line.index("(") < line.index(")") else ""
        words = inner.split()
        if not words:
            continue
        action = encoding.action_from_pddl(words[0].lower())
        if action is None:
            continue
        plan.append((action, *(encoding.object_from_pddl(w.lower()) for w in words[1:])))
    return plan


# ---------------------------------------------------------------- the default extractor



@dataclass(frozen=True)
class Extraction:
    """The plan an answer gives, or why none could be read (``failure``)."""

    plan: tuple[Action, ...]
    failure: str | None = None  # "empty", "no_plan_claimed", "no_actions"
    notes: tuple[str, ...] = field(default=())


_MARKER = re.compile(
    r"^\s*(?:(?:[-*•+>]|#+|\d+\s*[.):]|\(\d+\)|[a-z]\)|step\s*\d+\s*[:.)-]?|action\s*\d*\s*[:.)-]|"
    r"then,?|next,?|first,?|finally,?|now,?|after that,?|and|so,?|instead,?|therefore,?|"
    r"(?:the )?(?:final |optimal )?(?:answer|plan|solution)(?: is)?\s*:)\s*)+")
_NUMBERED = re.compile(r"^\s*(?:#+\s*)?(?:step\s*)?(\d+)\s*[.):-]?\s+|^\s*(?:#+\s*)?step\s*(\d+)\b")
_CORRECTION = re.compile(r"\b(?:is|would be|was)\s+(?:not|n't)\s+(?:correct|possible|valid|allowed|right|needed|necessary|required|the goal)\b[^,;:]*?"
                         r"(?:[,;:]\s*|\s+)(?:so|instead|therefore|hence)?[,:]?\s*")
# Steps joined on one line: "..., then ...", "... and then ...", "... -> ..." (arrows),
# "(1) ..., (2) ...", and sentences ("Unstack A from B. Put down A.").
_CHAIN = re.compile(r"[;,]?\s*\b(?:and then|then)\b\s*|\s*(?:→|⟶|->|=>)\s*|[;,]?\s*\(\d+\)\s*|\.\s+")
# A line that starts with an action may list more after commas ("unstack a from b, put down
# a, ..."); in prose ("However, <action> requires ...") a comma does not start a step.
_LIST = re.compile(_CHAIN.pattern + r"|[;,]\s*")
# LaTeX around a final answer (QwQ, R1): \boxed{\text{...}}, array rows ending in \\,
# "&1.\ " alignment marks, $...$: the words stay, the markup goes.
_LATEX = re.compile(r"\\(?:begin|end)\{[a-z*]*\}(?:\{[a-z|]*\})?|\\[a-z]+\{|\\\\|\\[\[\] ,;!]|[{}$&]")
_TABLE_RULE = re.compile(r"^\s*\|?\s*:?-{3,}")
_JSON_KEY = re.compile(r'^[\s\[{]*"[a-z_ ]+"\s*:\s*[\[{]*\s*')
_PRONOUN = re.compile(r"\b(?:it|that block|this block)\b")
_NO_PLAN = re.compile(r"no (?:valid )?plan (?:is )?(?:possible|exists)|(?:is|are) (?:impossible|not possible)|"
                      r"cannot be (?:achieved|reached|satisfied)|no (?:possible )?sequence of actions")


class ActionReader:
    """Reads the actions an instruction line names, in one encoding's words."""

    def __init__(self, encoding: Encoding, blocks: int):
        self.encoding = encoding
        verbs: dict[str, str] = {}
        for action in world.ACTIONS:
            verbs[encoding.actions[action]] = action
            verbs[encoding.actions[action].replace("-", " ")] = action
            verbs[encoding.action_text[action].split(" {}")[0].split(" the")[0].strip()] = action
        if encoding.name == "blocksworld":
            verbs.update({"pickup": "pick-up", "pick_up": "pick-up", "putdown": "put-down", "put_down": "put-down",
                          "pick": "pick-up", "lift": "pick-up", "grab": "pick-up", "take": "pick-up",
                          "put": "put-down", "place": "put-down", "remove": "unstack", "unstack": "unstack",
                          "stack": "stack", "move": "stack"})
        self.verbs = verbs
        self.verb_pattern = re.compile(r"^(" + "|".join(sorted(map(re.escape, verbs), key=len, reverse=True))
                                       + r")(?![a-z0-9])(?:\s+(?:up|down))?")
        names: dict[str, str] = {}
        for i in range(blocks):
            block = world.block_name(i)
            names[encoding.object_to_text(block).lower()] = block
            names[encoding.object_to_text(block).lower().replace("_", " ")] = block  # "object 1" for object_1
            names[encoding.object_to_pddl(block).lower()] = block
            compact = encoding.data.get("objects", {}).get("compact")
            if compact and i < len(compact):
                names[compact[i]] = block
                names[compact[i] + " block"] = block
            if encoding.object_text == "object {name}":
                names[f"object {block}"] = block
        self.names = names
        self.object_pattern = re.compile(r"(?<![a-z0-9_])(" + "|".join(sorted(map(re.escape, names), key=len, reverse=True))
                                         + r")(?![a-z0-9_])")
        self.letters = encoding.object_pddl == "{name}"
        self._seen: dict[tuple[str, str | None], list[Action]] = {}
        self.any_verb = re.compile(r"(?<![a-z0-9_])(?:" + "|".join(sorted(map(re.escape, verbs), key=len, reverse=True))
                                   + r")(?![a-z0-9_])")

    def objects(self, text: str) -> list[str]:
        found = [self.names[m.group(1)] for m in self.object_pattern.finditer(text)]
        if not found and self.letters:  # "(stack a b)", "Feast(d) from c"
            found = [w for w in re.findall(r"(?<![a-z0-9_])([a-z])(?![a-z0-9_])", text) if w in self.names.values()]
        return found

    def read(self, line: str, held: str | None) -> list[Action]:
        """The actions of one line, memoised: answers repeat the same lines over and over."""
        key = (line, held) if _PRONOUN.search(line) else (line, None)
        found = self._seen.get(key)
        if found is None:
            if len(self._seen) > 200_000:
                self._seen.clear()
            found = self._seen[key] = self._read(line, held)
        return found

    def _read(self, line: str, held: str | None) -> list[Action]:
        """The actions of one line (several for PDDL or 'then'-joined phrases). A step that
        corrects itself ("stack X on Y is not correct, so put down Z") means the correction."""
        if not self.any_verb.search(line) or line.startswith(";"):
            return []  # most reasoning prose names no action at all; ';' starts a PDDL comment
        correction = _CORRECTION.search(line)
        if correction and line.count("(", 0, correction.start()) > line.count(")", 0, correction.start()):
            correction = None  # "(this action is not necessary ...)": a remark, not a retraction
        if correction:  # a retracted step with nothing after "so" names no action
            return self._read(line[correction.end():], held)
        sexprs = re.findall(r"\(([^()]*)\)", line)
        actions = []
        if sexprs and not self.verb_pattern.match(line.strip()):
            for inner in sexprs:
                action = self._phrase(inner.replace(",", " ").strip(), None)
                if action:
                    actions.append(action)
            if actions:
                return actions
        if "(" in line:  # "unstack(red, orange)": a comma inside parentheses joins arguments
            line = re.sub(r"\([^()]*\)", lambda m: m.group(0).replace(",", " "), line)
        splitter = _LIST if self.verb_pattern.match(_MARKER.sub("", line).strip()) else _CHAIN
        for phrase in splitter.split(line):
            action = self._phrase(phrase.strip(), held)
            if action:
                actions.append(action)
                held = action[1] if action[0] in ("pick-up", "unstack") else None
            elif actions:
                break
        return actions

    def _phrase(self, phrase: str, held: str | None) -> Action | None:
        phrase = _MARKER.sub("", phrase).strip()
        match = self.verb_pattern.match(phrase)
        if not match:
            return None
        action = self.verbs[match.group(1)]
        rest = phrase[match.end():]
        objects = self.objects(re.sub(r"\bon (?:to )?the table\b", " ", rest))
        table = re.search(r"\b(?:on|onto) the table\b|\bdown\b", rest) is not None or "down" in match.group(0)
        if self.encoding.name == "blocksworld":
            action = self._blocksworld(action, match.group(0), objects, table)
        if action is None:
            return None
        arity = world.ACTION_ARITY[action]
        if not objects and arity == 1 and held and re.match(r"^\s*(?:it|that block|this block)\b", rest):
            objects = [held]
        if len(objects) < arity:
            return None
        return (action, *objects[:arity])

    @staticmethod
    def _blocksworld(action: str, verb: str, objects: list[str], table: bool) -> str | None:
        """Synonyms: 'put/place X on Y' stacks, 'put X down' or 'on the table' puts down,
        'pick up X from Y' unstacks."""
        if action == "put-down" and len(objects) >= 2 and not table:
            return "stack"
        if action == "stack" and verb.startswith("move"):
            return "stack" if len(objects) >= 2 and not table else ("put-down" if table else None)
        if action == "pick-up" and len(objects) >= 2:
            return "unstack"
        if action == "unstack" and len(objects) == 1:
            return "pick-up"
        return action


_READERS: dict[tuple[str, int], ActionReader] = {}


def _reader(encoding: Encoding, blocks: int) -> ActionReader:
    """One reader per encoding: building its patterns costs more than reading an answer."""
    key = (encoding.name, blocks)
    if key not in _READERS:
        _READERS[key] = ActionReader(encoding, blocks)
    return _READERS[key]


def _clean(text: str) -> str:
    if "</think>" in text:
        text = text.rsplit("</think>", 1)[1]
    text = re.sub(r"\*\*|__|`|\\\(|\\\)", "", text)
    if "\\" in text or "$" in text:
        text = _LATEX.sub(" ", text.replace("\\_", "_"))
    if "|" in text or '"' in text:
        text = "\n".join(_unwrap(line) for line in text.split("\n"))
    return text.lower()


def _unwrap(line: str) -> str:
    """A plan laid out as data, read as lines: a Markdown table row ``| 1 | Unstack ... |``
    becomes ``1. Unstack ...``; a JSON list of step strings, one step per line."""
    stripped = line.strip()
    if stripped.startswith("|") and stripped.count("|") >= 2:
        if _TABLE_RULE.match(stripped):
            return ""
        cells = [cell.strip() for cell in stripped.strip("|").split("|")]
        if cells and re.fullmatch(r"(?:step\s*)?\d+[.)]?", cells[0], re.IGNORECASE):
            return f"{re.sub(r'[^0-9]', '', cells[0])}. " + " ".join(cells[1:])
        return " ".join(cells)
    if stripped.count('"') >= 2 and re.search(r'^[\[{]|"\s*,\s*"|^"|"\s*[,\]]?$', stripped):
        steps = re.split(r'"\s*,\s*(?=")', _JSON_KEY.sub("", stripped))
        return "\n".join(step.strip().strip('[]{},"').strip() for step in steps)
    return line


def extract(text: str, encoding: Encoding, blocks: int = 26) -> Extraction:
    """The plan an answer gives as its final answer (see the module notes on `default`)."""
    if text is None or not text.strip():
        return Extraction((), "empty")
    reader = _reader(encoding, blocks)
    lines = _clean(text).split("\n")
    blocks_found: list[list[Action]] = []
    current: list[Action] = []
    item_number: int | None = None
    item_taken = False
    held: str | None = None
    gap = 0
    for raw in lines:
        line = raw.strip()
        if not line:
            gap += 1
            continue
        numbered = _NUMBERED.match(line)
        number = int(numbered.group(1) or numbered.group(2)) if numbered else None
        actions = reader.read(line, held)
        if number is not None:
            if number == 1 or (item_number is not None and number <= item_number) or (current and gap > 1 and not actions):
                if current:
                    blocks_found.append(current)
                current = []
            item_number, item_taken = number, False
        if actions:
            if item_number is not None and item_taken and number is None:
                gap = 0
                continue  # a sub-line restating the step
            if item_number is None and current and gap > 1:
                blocks_found.append(current)
                current = []
            current.extend(actions)
            item_taken = item_number is not None
            last = actions[-1]
            held = last[1] if last[0] in ("pick-up", "unstack") else None
        elif number is None and item_number is not None and not raw[:1].isspace() and not _MARKER.match(raw):
            # Unindented prose ends the numbered list.
            item_number = None
        gap = 0
    if current:
        blocks_found.append(current)
    if not blocks_found:
        claimed = _NO_PLAN.search(_clean(text)) is not None
        return Extraction((), "no_plan_claimed" if claimed else "no_actions")
    return Extraction(tuple(blocks_found[-1]), None, (f"{len(blocks_found)} candidate plan(s); the last taken",))
