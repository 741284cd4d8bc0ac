"""Encodings map both ways; seeded ones are reproducible and never collide."""

from __future__ import annotations

import pytest

from planbench import encodings, pddl, world
from planbench.errors import InputError


@pytest.mark.parametrize("name", ["blocksworld", "mystery", "randomized", "randomized:0", "randomized:123"])
def test_names_map_both_ways(name: str) -> None:
    encoding = encodings.get(name)
    for action in world.ACTIONS:
        assert encoding.action_from_pddl(encoding.actions[action]) == action
    for predicate in world.PREDICATES:
        assert encoding.predicate_from_pddl(encoding.predicates[predicate]) == predicate
    for i in range(40):
        block = world.block_name(i)
        assert encoding.object_from_pddl(encoding.object_to_pddl(block)) == block
    # The domain file it ships is recognised as this very renaming of Blocksworld.
    matched = encodings.match_domain(pddl.parse_domain(encoding.domain_pddl))
    assert matched.actions == encoding.actions and matched.predicates == encoding.predicates


def test_planbench_names() -> None:
    bw, my, rnd = (encodings.get(n) for n in ("blocksworld", "mystery", "randomized"))
    assert bw.action_to_text(("unstack", "b", "c")) == "unstack the blue block from on top of the orange block"
    assert bw.atom_to_text(("holding", "a")) == "the hand is currently holding red block"
    assert my.action_to_text(("stack", "a", "b")) == "overcome object a from object b"
    assert my.atom_to_pddl(("on", "a", "b")) == "(craves a b)"
    assert rnd.action_to_pddl(("pick-up", "c")) == "(u64y1a9apusmslxb o2)"
    assert rnd.action_to_text(("unstack", "a", "b")) == "wio5amhq7814n006 object_0 object_1"
    assert rnd.atom_to_text(("on", "b", "c")) == "b6e9q4r60gagvdcn object_1 object_2"


def test_seeded_encodings_are_reproducible_and_distinct() -> None:
    first, again, other = encodings.seeded(7), encodings.seeded(7), encodings.seeded(8)
    assert first.actions == again.actions and first.domain_pddl == again.domain_pddl
    assert first.actions != other.actions
    seen: set[str] = set()
    for seed in range(200):
        encoding = encodings.seeded(seed)
        tokens = list(encoding.actions.values()) + list(encoding.predicates.values())
        assert len(set(tokens)) == 9
        for token in tokens:
            assert len(token) == 16 and token[0].isalpha() and token.isalnum()
            assert encoding.object_from_pddl(token) == token  # never read as an object name
        seen.update(tokens)
    assert len(seen) == 200 * 9


def test_unknown_encoding_lists_the_valid_ones() -> None:
    with pytest.raises(InputError) as info:
        encodings.get("klingon")
    assert "blocksworld, mystery, randomized" in str(info.value)
    with pytest.raises(InputError):
        encodings.get("randomized:x")


def test_a_domain_that_is_not_blocksworld_is_rejected() -> None:
    text = encodings.get("blocksworld").domain_pddl.replace("(not (clear ?underob))", "")
    with pytest.raises(InputError) as info:
        encodings.match_domain(pddl.parse_domain(text), "odd.pddl")
    assert "odd.pddl" in str(info.value) and "not a Blocksworld domain" in str(info.value)
