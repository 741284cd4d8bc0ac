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

A step is read as written, never repaired (issue 18): "unstack the red block from the table"
is ``(unstack a table)``, a step missing an object keeps the objects it names (the validator
says what is wrong), and a missing object is filled only where the answer leaves one reading
(the block in hand). A ``lenient`` reader makes the repairs instead (``default-lenient``).
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
    r"(?:step|action|move|stack|tower|pile|phase|stage|part|round|operation)\s*#?\d+\s*[:.)–—-]?|"
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
    r"\b(?:from |off )?(?:on top of |on |onto |to |of )?the table\b|\bdown\b|\(\d+\)|\b\d+[.)]|\bstep\s*\d+\s*:?|\baction\s*\d*\s*:|"
    r"\b(?:perform|execute|apply|do)(?:\s+the)?\b)*")
# A step that retracts itself: "Stack X on Y is not correct, so put down X".
RETRACTION = re.compile(
    r"[^;:()]{0,120}?\b(?:is|would be|was|are)\s+(?:not|n't)\s+(?:correct|possible|valid|allowed|right|needed|"
    r"necessary|required|the goal)\b[^;()]{0,240}?[\s,.;:]*(?:(?:so|instead|therefore|hence)\b[\s,:]*)?")
# Where commentary on a step begins, once the step has its objects.
COMMENT = re.compile(r":\s|\.\s|\s[-—–]+\s|\s*\((?!\s*(?:from|off|on|onto|to|atop)\b)|\s*\[|,\s*(?!then\b|and\b|next\b|finally\b)|"
                     r"\s(?:since|because|so that|so|which|as|to make|making|leaving|now|while|where|in order|"
                     r"thereby|thus|giving|resulting|if|when|after|before|with)\b")
# Before the one block a stack names, when the block in hand is left out: "stack onto blue".
ONTO = re.compile(r"\s*(?:on top of|onto|on|upon|atop)\s+(?:the\s+)?")
# Between the block a one-block action takes and one more: "pick up the yellow and orange block".
AND_MORE = re.compile(r"\s+and\s+(?:the\s+)?")
# Between two blocks an everyday verb names, where the second is the first's source
# ("pick up red from blue"); "pick up red and blue" names two blocks, not a source.
SOURCE = re.compile(r"\b(?:from|off|on|atop)\b")
TABLE_WORD = re.compile(r"\btable\b")
INITIAL = re.compile(r"\([a-z]\)")  # "(y)", as in "the yellow block (Y)"
ITSELF = re.compile(r"\bitself\b")
# A verb that is the subject of a sentence names no step: "Unstack is not needed for the orange block".
AS_SUBJECT = re.compile(r"\s+(?:is|are|was|were|isn't|aren't|wasn't|would|will|can|cannot|can't|must|should|has|"
                        r"needs|requires)\b")
# The domain's own words for its two-block actions: their wording says the other object is a block.
TERMS = ("unstack", "stack")
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

    def __init__(self, encoding: Encoding, blocks: int, lenient: bool = False):
        self.encoding = encoding
        self.lenient = lenient
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
        # An object as PDDL names one, known to the problem or not: "e", "o12"; Blocksworld's "table".
        shape = re.escape(encoding.object_pddl).replace(r"\{name\}", "[a-z]").replace(r"\{index\}", r"\d+")
        self._pddl_object = re.compile(shape + ("|table" if encoding.name == "blocksworld" else ""))
        self.letters = encoding.object_pddl == "{name}"
        self.colours = self._colours(encoding, blocks)
        self._seen: dict[str | tuple[str, str | None], tuple[Action, ...]] = {}
        self._asked_held = False  # did the line being read need the block in hand?
        self._derived: dict[tuple, StepReader] = {}
        colour = _alternation(self.colours) if self.colours else "(?!)"
        self._alias_after = re.compile(r"\b(" + colour + r")(?: block)?\s*\(([a-z])\)")
        self._alias_before = re.compile(r"(?<![a-z0-9_])([a-z])\s*(?:=|:|for|is|\()\s*(?:the\s+)?(" + colour + r")\b")

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
                if text.endswith(" block"):
                    names["block" + spelling + text.removesuffix(" block")] = block  # "block_red"
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
        """The actions of one (lower-case, cleaned) line, memoised: answers repeat lines. A
        reading that needed the block in hand is kept for that block only."""
        found = self._seen.get(line)
        if found is None:
            found = self._seen.get((line, held))
        if found is None:
            if len(self._seen) > 200_000:
                self._seen.clear()
            self._asked_held = False
            found = tuple(self._read(line, held))
            self._seen[(line, held) if self._asked_held else line] = found
        return found

    def _read(self, line: str, held: str | None) -> list[Action]:
        if line.startswith(";") or not self.any_verb.search(line):
            return []  # most reasoning prose names no action; ';' starts a PDDL comment
        if "(" in line and INITIAL.search(line):
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
            rest = inner.strip()[match.end():]
            written = None if self.lenient else self._pddl_as_written(words, rest)
            if written is not None:
                actions.append(written)
                continue
            read = self._action(match, rest, None)
            if read:
                actions.append(read[0])
        return actions

    def _pddl_as_written(self, words: list[str], rest: str) -> Action | None:
        """``(pick-up a b)``, ``(unstack b table)``, ``(feast a x)``: a PDDL step keeps its
        arguments as written, so that the validator says what is wrong with it (a wrong arity,
        an unknown object); None when it is not PDDL ("(pick up the red block)")."""
        action = self.encoding.action_from_pddl(words[0])
        arguments = rest.replace(",", " ").split()
        if action is None or not arguments or not all(a in self.names or self._pddl_object.fullmatch(a)
                                                      for a in arguments):
            return None
        return (action, *(self.names.get(a) or self.encoding.object_from_pddl(a) for a in arguments))

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
        if AS_SUBJECT.match(rest):
            return None
        action = self.verbs[match.group(1)]
        comment = COMMENT.search(rest)
        main = rest[:comment.start()] if comment else rest
        objects = self._objects(main)
        if len(objects) < world.ACTION_ARITY[action] and rest[:1] in ("(", "[", " ") and rest.lstrip()[:1] in ("(", "["):
            objects = self._objects(rest)  # "unstack(red, orange)", "Feast [object b, object a]"
            main = rest
        elif len(objects) < world.ACTION_ARITY[action] and comment is not None and rest[comment.end() - 1] == "(":
            main, objects = self._around_remark(rest, comment, main, objects)
        if self.encoding.name == "blocksworld":
            action, objects = self._blocksworld_verb(action, match, main, objects)
            if action is None:
                return None
        arity = world.ACTION_ARITY[action]
        if len(objects) < arity:
            objects = self._one_reading(action, objects, main, held)
        if len(objects) < arity:
            if self.lenient or not objects:
                return None
            return (action, *(block for block, _ in objects)), objects[-1][1]  # as written: a step missing an object
        if len(objects) > arity == 1 and not self.lenient:
            more = AND_MORE.match(main, objects[arity - 1][1])
            if more is not None and self.object_pattern.match(main, more.end()):
                arity += 1  # as written: one block more than the action takes
        return (action, *(block for block, _ in objects[:arity])), objects[arity - 1][1]

    def _around_remark(self, rest: str, remark: re.Match, main: str, objects: list) -> tuple[str, list]:
        """"Stack the yellow block (with the red block on it) on top of the blue block": the step
        goes on after a remark in brackets."""
        close = rest.find(")", remark.end())
        if close < 0:
            return main, objects
        blanked = rest[:remark.start()] + " " * (close + 1 - remark.start()) + rest[close + 1:]
        comment = COMMENT.search(blanked)
        after = blanked[:comment.start()] if comment else blanked
        found = self._objects(after)
        return (after, found) if len(found) > len(objects) else (main, objects)

    def _blocksworld_verb(self, action: str, match: re.Match, main: str, objects: list) -> tuple[str | None, list]:
        """Blocksworld's verbs. "unstack" and "stack" are the domain's words, whose wording says
        the other object is a block: "unstack X from the table" is read as written, an unstack
        from the table (the lenient reading makes it a pick-up). Everyday verbs name a motion,
        and its blocks say which action does it: "put X on Y" stacks, "pick up X from Y" unstacks."""
        verb = match.group(1)
        if verb in TERMS and not self.lenient:
            if len(objects) == 1:
                table = TABLE_WORD.search(main, objects[0][1])
                if table is not None:
                    objects = [*objects, ("table", table.end())]
            return action, objects
        if action == "pick-up" and len(objects) >= 2 and not self.lenient \
                and SOURCE.search(main, objects[0][1], objects[1][1]) is None:
            return action, objects  # "pick up red and blue": two blocks, as written
        table = TABLE.search(main) is not None or "down" in match.group(0)
        named = len(objects) + (PRONOUN.match(main) is not None)  # "put it on the red block" names two
        return _blocksworld(action, match.group(0), named, table), objects

    def _one_reading(self, action: str, objects: list, main: str, held: str | None) -> list:
        """A step that names fewer blocks than its action takes, completed where the answer
        leaves one reading: the block in hand ("stack it on blue", "stack onto blue", "put
        down"), or the block itself ("stack the orange block on top of itself")."""
        self._asked_held = True
        if len(objects) == 1 and world.ACTION_ARITY[action] == 2 and ITSELF.search(main, objects[0][1]):
            return [*objects, (objects[0][0], ITSELF.search(main, objects[0][1]).end())]  # "on top of itself"
        if held is None or len(objects) != world.ACTION_ARITY[action] - 1:
            return objects
        pronoun = PRONOUN.match(main)
        if pronoun is not None:
            return [(held, pronoun.end()), *objects]
        onto = ONTO.match(main) if action == "stack" else None
        if onto is not None and self.object_pattern.match(main, onto.end()):
            return [(held, onto.start()), *objects]
        if action == "put-down" and not main.strip(" .;,"):
            return [(held, 0)]
        return objects

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


_READERS: dict[tuple[str, int, bool], StepReader] = {}


def reader(encoding: Encoding, blocks: int, lenient: bool = False) -> StepReader:
    """One reader per encoding, problem size and reading: building its patterns costs more
    than reading an answer."""
    key = (encoding.name, blocks, lenient)
    if key not in _READERS:
        _READERS[key] = StepReader(encoding, blocks, lenient)
    return _READERS[key]
