"""One step line of an answer, read into actions in one encoding's words.

A line is scanned left to right, once: an action phrase starts with a verb of the
encoding ("unstack", "feast", "wio5amhq7814n006", or a Blocksworld synonym such as
"put" or "move"), takes its objects, and the line continues only if what follows is a
connective ("then", ",", "and", "->", ". ") leading to the next verb. Anything else is
commentary on the step ("Pick up Red: the Red block is clear. Pick up the Red block.")
and is not read. No pattern here depends on the answer for its depth, so a line of any
length reads in time linear in its length (models do loop: a line can repeat a phrase a
thousand times).

PDDL steps (``(unstack b c)``, several to a line) are read as such.
"""

from __future__ import annotations

import re

from planbench.world import blocks as world
from planbench.world.encodings import Encoding

Action = tuple

# Leading words that introduce a step but are not part of it: list labels, connectives
# and verbs of doing ("Perform", "Execute the action").
LEAD = re.compile(
    r"(?:\s*(?:[-*•◦▪‣+>]|#+|\d+\s*[.):]|\(\d+\)|[a-z]\)|"
    r"(?:step|action|move|stack|tower|pile|phase|stage|part|round|operation)\s*#?\d+\s*[:.)-]?|"
    r"(?:first|second|third|fourth|fifth|sixth|seventh|eighth|ninth|tenth|eleventh|twelfth|next|last|final)"
    r"\s+(?:action|step|move)\s*[:.)-]|"
    r"step\s+(?:one|two|three|four|five|six|seven|eight|nine|ten)\s*[:.)-]?|"
    r"action\s*[:.)-]|"
    r"then,?|next,?|first(?:ly)?,?|second(?:ly)?,?|finally,?|lastly,?|now,?|after that,?|afterwards,?|and|so,?|"
    r"instead,?|therefore,?|"
    r"(?:the )?(?:final |optimal |complete )?(?:answer|plan|solution)(?: is)?\s*:|"
    r"(?:perform|execute|apply|do)(?:\s+the)?(?:\s+action)?(?=\s))\s*)*")
# Between two action phrases of one line: only connectives (and table words, which belong
# to the phrase before).
GLUE = re.compile(
    r"(?:\s|[,;.!•◦▪‣]|->|=>|→|⟶|⇒|\band\b|\bthen\b|\bnext\b|\bafter that\b|\bafterwards\b|\bfinally\b|\bfirst\b|"
    r"\b(?:on|onto|to) the table\b|\bdown\b|\(\d+\)|\b\d+[.)]|\bstep\s*\d+\s*:?|\baction\s*\d*\s*:|"
    r"\b(?:perform|execute|apply|do)(?:\s+the)?\b)*")
# A step that retracts itself: "Stack X on Y is not correct, so put down X".
RETRACTION = re.compile(
    r"[^;:()]{0,120}?\b(?:is|would be|was|are)\s+(?:not|n't)\s+(?:correct|possible|valid|allowed|right|needed|"
    r"necessary|required|the goal)\b[^;()]{0,240}?[\s,.;:]*(?:(?:so|instead|therefore|hence)\b[\s,:]*)?")
# Where commentary on a step begins, once the step has its objects.
COMMENT = re.compile(r":\s|\s[-—–]+\s|\s*\((?!\s*(?:from|off|on|onto|to|atop)\b)|\s*\[|,\s*(?!then\b|and\b|next\b|finally\b)|"
                     r"\s(?:since|because|so that|so|which|as|to make|making|leaving|now|while|where|in order|"
                     r"thereby|thus|giving|resulting|if|when|after|before|with)\b")
PRONOUN = re.compile(r"\s*(?:it|that block|this block|the held block|the block|that|this one|that one)\b")
TABLE = re.compile(r"\b(?:on|onto|to) (?:the )?table\b|\bdown\b")
SEXPR = re.compile(r"\(([^()]*)\)")
LETTER = re.compile(r"(?<![a-z0-9_'’])([a-z])(?![a-z0-9_'’])")
COLOURS_AS_ALIASES = ("blocksworld",)
BLOCKSWORLD_SYNONYMS = {"pickup": "pick-up", "pick_up": "pick-up", "putdown": "put-down", "put_down": "put-down",
                        "pick": "pick-up", "lift": "pick-up", "grab": "pick-up", "take": "pick-up",
                        "put": "put-down", "place": "put-down", "remove": "unstack", "unstack": "unstack",
                        "stack": "stack", "move": "stack"}


def _alternation(words) -> str:
    return "|".join(sorted(map(re.escape, words), key=len, reverse=True))


class StepReader:
    """Reads the actions a step line names, in one encoding's words, for problems of
    ``blocks`` blocks (which names exist, and which initials are unambiguous)."""

    def __init__(self, encoding: Encoding, blocks: int):
        self.encoding = encoding
        verbs: dict[str, str] = {}
        for action in world.ACTIONS:
            verbs[encoding.actions[action]] = action
            verbs[encoding.actions[action].replace("-", " ")] = action
            verbs[encoding.action_text[action].split(" {}")[0].split(" the")[0].strip()] = action
        if encoding.name == "blocksworld":
            verbs.update(BLOCKSWORLD_SYNONYMS)
        self.verbs = verbs
        self.verb_at = re.compile(r"(" + _alternation(verbs) + r")(?![a-z0-9_])(?:\s+(?:up|down))?")
        self.any_verb = re.compile(r"(?<![a-z0-9_])(?:" + _alternation(verbs) + r")(?![a-z0-9_])")
        self.names = self._names(encoding, blocks)
        self._compile_names()
        self.letters = encoding.object_pddl == "{name}"
        self.colours = self._colours(encoding, blocks)
        self._seen: dict[tuple[str, str | None], tuple[Action, ...]] = {}
        self._derived: dict[tuple, StepReader] = {}
        colour = _alternation(self.colours) if self.colours else "(?!)"
        self._alias_after = re.compile(r"\b(" + colour + r")(?: block)?\s*\(([a-z])\)")
        self._alias_before = re.compile(r"(?<![a-z0-9_])([a-z])\s*(?:=|:|for|is)\s*(?:the\s+)?(" + colour + r")\b")

    def _compile_names(self) -> None:
        """The patterns that find this reader's block names: each name, and a name followed
        by its own initial in brackets ("the yellow block (Y)"), read as the name alone."""
        alternation = _alternation(self.names)
        self.object_pattern = re.compile(r"(?<![a-z0-9_'’])(" + alternation + r")(?![a-z0-9_'’])")
        self._named_initial = re.compile(r"(?<![a-z0-9_'’])(" + alternation + r")\s*\(([a-z])\)")

    @staticmethod
    def _names(encoding: Encoding, blocks: int) -> dict[str, str]:
        """Every way an answer names a block: its text name, PDDL name, Randomized
        ``object 1`` / ``object1``, Blocksworld's bare colour, and a colour's initial when
        no other block of the problem shares it or has it as its PDDL name."""
        names: dict[str, str] = {}
        compact = encoding.data.get("objects", {}).get("compact") or []
        for i in range(blocks):
            block = world.block_name(i)
            text = encoding.object_to_text(block).lower()
            for spelling in (" ", "_", ""):  # "red block", "red_block", "RedBlock"; "object_0", "object 0"
                names[text.replace("_", spelling).replace(" ", spelling)] = block
            names[encoding.object_to_pddl(block).lower()] = block
            if i < len(compact):
                names[compact[i]] = block
                names[compact[i] + " block"] = block
            if encoding.object_text == "object {name}":
                names[f"object {block}"] = block
        if encoding.name in COLOURS_AS_ALIASES:
            initials: dict[str, list[str]] = {}
            for i in range(min(blocks, len(compact))):
                initials.setdefault(compact[i][0], []).append(world.block_name(i))
            for letter, owners in initials.items():
                if len(owners) == 1 and letter not in names:
                    names[letter] = owners[0]
        return names

    @staticmethod
    def _colours(encoding: Encoding, blocks: int) -> dict[str, str]:
        compact = encoding.data.get("objects", {}).get("compact") or []
        return {compact[i]: world.block_name(i) for i in range(min(blocks, len(compact)))}

    def with_aliases(self, text: str) -> "StepReader":
        """This reader, with the letters an answer defines for colours ("the yellow block
        (Y)", "Y = yellow") standing for those blocks; itself when it defines none."""
        if not self.colours:
            return self
        aliases = {}
        for found in self._alias_after.finditer(text):
            aliases[found.group(2)] = self.colours[found.group(1)]
        for found in self._alias_before.finditer(text):
            aliases.setdefault(found.group(1), self.colours[found.group(2)])
        aliases = {k: v for k, v in aliases.items() if self.names.get(k) != v}
        if not aliases:
            return self
        key = tuple(sorted(aliases.items()))
        derived = self._derived.get(key)
        if derived is None:
            derived = self._derived[key] = object.__new__(StepReader)
            derived.__dict__.update(self.__dict__)
            derived.names = {**self.names, **aliases}
            derived._compile_names()
            derived._seen = {}
            derived._derived = {}
        return derived

    # ------------------------------------------------------------------ reading
    def mentions_action(self, line: str) -> bool:
        return self.any_verb.search(line) is not None

    def read(self, line: str, held: str | None = None) -> tuple[Action, ...]:
        """The actions of one (lower-case, cleaned) line, memoised: answers repeat lines."""
        key = (line, held) if PRONOUN.search(line) else (line, None)
        found = self._seen.get(key)
        if found is None:
            if len(self._seen) > 200_000:
                self._seen.clear()
            found = self._seen[key] = tuple(self._read(line, held))
        return found

    def _read(self, line: str, held: str | None) -> list[Action]:
        if line.startswith(";") or not self.any_verb.search(line):
            return []  # most reasoning prose names no action; ';' starts a PDDL comment
        if "(" in line:
            line = self._named_initial.sub(self._without_initial, line)
        position = LEAD.match(line).end()
        colon = line.find(": ", position, position + 60)
        if colon >= 0 and not self.any_verb.search(line, position, colon):
            position = LEAD.match(line, colon + 1).end()  # "My plan: ...", "Final answer: ..."
        if "(" in line and not self.verb_at.match(line, position):
            actions = self._sexprs(line)
            if actions:
                return actions
        return self._phrases(line, position, held)

    def _without_initial(self, found: re.Match) -> str:
        """"yellow block (y)" as "yellow block" when Y stands for that block; else as written."""
        same = self.names.get(found.group(2)) == self.names[found.group(1)]
        return found.group(1) if same else found.group(0)

    def _sexprs(self, line: str) -> list[Action]:
        """``(unstack b c) (put-down b)``: PDDL steps, as many as the line holds."""
        actions = []
        for inner in SEXPR.findall(line):
            words = inner.replace(",", " ").split()
            if not words:
                continue
            match = self.verb_at.fullmatch(words[0]) or self.verb_at.match(inner.strip())
            if not match:
                continue
            read = self._action(match, inner.strip()[match.end():], None)
            if read:
                actions.append(read[0])
        return actions

    def _phrases(self, line: str, position: int, held: str | None) -> list[Action]:
        """Action phrases from ``position`` on, while connectives join them."""
        actions: list[Action] = []
        while True:
            match = self.verb_at.match(line, position)
            if not match:
                return actions
            following = self.any_verb.search(line, match.end())
            end = following.start() if following else len(line)
            read = self._action(match, line[match.end():end], held)
            if read is None:
                return actions
            action, used = read
            gap = line[match.end() + used:end]
            if RETRACTION.fullmatch(gap) is None:
                actions.append(action)
                held = action[1] if action[0] in ("pick-up", "unstack") else None
                if GLUE.fullmatch(gap) is None:
                    return actions
            if following is None:
                return actions
            position = following.start()

    def _action(self, match: re.Match, rest: str, held: str | None) -> tuple[Action, int] | None:
        """The action a verb and the words after it name, and how much of ``rest`` its
        own words take (the rest is a connective or commentary); None if it names none."""
        action = self.verbs[match.group(1)]
        comment = COMMENT.search(rest)
        main = rest[:comment.start()] if comment else rest
        objects = self._objects(main)
        arity = world.ACTION_ARITY[action]
        if len(objects) < arity and rest[:1] in ("(", "[", " ") and rest.lstrip()[:1] in ("(", "["):
            objects = self._objects(rest)  # "unstack(red, orange)", "Feast [object b, object a]"
            main = rest
        table = TABLE.search(main) is not None or "down" in match.group(0)
        if self.encoding.name == "blocksworld":
            action = _blocksworld(action, match.group(0), len(objects), table)
            if action is None:
                return None
            arity = world.ACTION_ARITY[action]
        if len(objects) == arity - 1 and held and PRONOUN.match(rest):
            objects = [(held, PRONOUN.match(rest).end()), *objects]
        if len(objects) < arity:
            return None
        used = objects[arity - 1][1] if len(objects[arity - 1]) > 1 else len(main)
        return (action, *(block for block, _ in objects[:arity])), used

    def _objects(self, text: str) -> list[tuple[str, int]]:
        """(block, where its name ends) for every block the text names, in order."""
        found = [(self.names[m.group(1)], m.end()) for m in self.object_pattern.finditer(text) if "table" not in m.group(1)]
        if not found and self.letters:  # "(stack a b)", "Feast(d) from c"
            found = [(m.group(1), m.end()) for m in LETTER.finditer(text) if m.group(1) in self.names]
        return found


def _blocksworld(action: str, verb: str, objects: int, table: bool) -> str | None:
    """Synonyms: 'put/place X on Y' stacks, 'put X down' or 'on the table' puts down,
    'pick up X from Y' unstacks."""
    if action == "put-down" and objects >= 2 and not table:
        return "stack"
    if action == "stack" and verb.startswith("move"):
        return "stack" if objects >= 2 and not table else ("put-down" if table else None)
    if action == "pick-up" and objects >= 2:
        return "unstack"
    if action == "unstack" and objects == 1:
        return "pick-up"
    return action


_READERS: dict[tuple[str, int], StepReader] = {}


def reader(encoding: Encoding, blocks: int) -> StepReader:
    """One reader per encoding and problem size: building its patterns costs more than
    reading an answer."""
    key = (encoding.name, blocks)
    if key not in _READERS:
        _READERS[key] = StepReader(encoding, blocks)
    return _READERS[key]
