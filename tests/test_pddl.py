"""PDDL reading and writing: PlanBench's own files as they are, and bad input."""

from __future__ import annotations

import pytest

from conftest import ref_path
from planbench import encodings, pddl
from planbench import problem as problems
from planbench.errors import InputError

SETS = ["blocksworld", "blocksworld_3", "blocksworld_hard", "mystery_blocksworld", "mystery_blocksworld_3"]


@pytest.mark.parametrize("name", ["blocksworld", "mystery_blocksworld", "obfuscated_randomized_blocksworld"])
def test_reference_domains_are_recognised(name: str) -> None:
    encoding = problems.read_domain(ref_path("domains", f"{name}.pddl"))
    assert encoding.name == {"blocksworld": "blocksworld", "mystery_blocksworld": "mystery"}.get(name, "randomized")


@pytest.mark.parametrize("folder", SETS)
def test_reference_problems_read_and_write_back_identically(folder: str) -> None:
    encoding = encodings.get("mystery" if folder.startswith("mystery") else "blocksworld")
    files = sorted(ref_path("instances", folder).glob("instance-*.pddl"))
    assert len(files) >= 101
    for path in files:
        text = path.read_text()
        task = problems.read_problem(path, encoding)
        written = problems.to_pddl(task, encoding)
        # PlanBench's files differ only in the number of trailing blank lines.
        assert written.strip() == text.strip(), path
        again = problems.from_spec(pddl.parse_problem(written), encoding)
        assert again == task


def test_problem_in_another_encoding_round_trips() -> None:
    path = ref_path("instances", "blocksworld_hard", "instance-7.pddl")
    task = problems.read_problem(path, encodings.get("blocksworld"))
    for name in ("mystery", "randomized", "randomized:5"):
        encoding = encodings.get(name)
        text = problems.to_pddl(task, encoding)
        assert problems.from_spec(pddl.parse_problem(text), encoding) == task
    assert "(o0" in problems.to_pddl(task, encodings.get("randomized")).replace("(:objects o0", "(o0")


def test_plan_syntax_accepted_like_val() -> None:
    steps = pddl.parse_plan("(UNSTACK b c)\n0: (put-down b) ; note\n(pick-up c)(stack c b)\n; cost = 4 (unit cost)\n")
    assert [(s.name, s.args, s.line) for s in steps] == [
        ("unstack", ("b", "c"), 1), ("put-down", ("b",), 2), ("pick-up", ("c",), 3), ("stack", ("c", "b"), 3)]
    assert pddl.parse_plan("; only a comment\n\n") == []


@pytest.mark.parametrize(
    "text, line, words",
    [
        ("(pick-up a)\n1. (unstack b c)\n", 2, "unexpected"),
        ("(pick-up a)\nnow stack it\n", 2, "unexpected 'now"),
        ("(pick-up a\n", 1, "unbalanced"),
        ("```\n(pick-up a)\n```", 1, "unexpected '```"),
        ("(pick-up a)\x00", 0, "NUL"),
    ],
)
def test_bad_plans_name_the_line(text: str, line: int, words: str) -> None:
    with pytest.raises(InputError) as info:
        pddl.parse_plan(text, "plan.txt")
    assert info.value.line == line and info.value.source == "plan.txt"
    assert words in str(info.value)


def test_bad_problems_name_the_line(tmp_path) -> None:
    encoding = encodings.get("blocksworld")
    good = ref_path("instances", "blocksworld", "instance-1.pddl").read_text()
    cases = {
        "unknown predicate": (good.replace("(clear b)", "(clean b)"), 13, "unknown predicate 'clean'"),
        "unknown object": (good.replace("(on c b)", "(on c z)"), 18, "unknown object 'z'"),
        "arity": (good.replace("(ontable d)", "(ontable d a)"), 11, "takes 1 argument"),
        "malformed": (good.replace("(:init", "(:init (("), 6, "not a PDDL problem"),
        "truncated": (good[: good.index("(:goal")], 15, "unbalanced"),
    }
    for name, (text, line, words) in cases.items():
        path = tmp_path / f"{name.replace(' ', '_')}.pddl"
        path.write_text(text)
        with pytest.raises(InputError) as info:
            problems.read_problem(path, encoding)
        assert (info.value.source, info.value.line) == (str(path), line), name
        assert words in str(info.value), name


def test_empty_and_binary_files(tmp_path) -> None:
    empty = tmp_path / "empty.pddl"
    empty.write_text("")
    binary = tmp_path / "binary.pddl"
    binary.write_bytes(bytes(range(256)))
    latin = tmp_path / "latin.pddl"
    latin.write_bytes(b"(define\n(problem \xe9)")
    for path, words in ((empty, "empty file"), (binary, "not a text file"), (latin, "not a UTF-8")):
        with pytest.raises(InputError) as info:
            problems.read_problem(path, encodings.get("blocksworld"))
        assert str(path) in str(info.value) and words in str(info.value)
    assert "latin.pddl:2" in str(pytest.raises(InputError, problems.read_problem, latin, encodings.get("blocksworld")).value)


def nest(condition: str, depth: int) -> str:
    """``condition`` inside ``depth`` conjunctions: legal PDDL, however deep."""
    return "(and " * depth + condition + ")" * depth


@pytest.mark.parametrize("depth", [3_000, 30_000])
def test_deeply_nested_conjunctions_read_as_flat_ones(depth: int) -> None:
    """A goal or precondition nested thousands of ``(and ...)`` deep is still a conjunction
    of atoms: read it as the flat one (it raised RecursionError in the tree transformer)."""
    flat = ref_path("instances", "blocksworld", "instance-3.pddl").read_text()
    goal = flat[flat.index("(:goal") + len("(:goal"):flat.rindex(")", 0, flat.rindex(")"))]
    deep = flat.replace(goal, "\n" + nest(goal.strip(), depth) + "\n")
    assert deep.count("(and") == depth + 1
    expected = pddl.parse_problem(flat)
    read = pddl.parse_problem(deep)
    assert [a.key() for a in read.goal] == [a.key() for a in expected.goal] and len(read.goal) >= 2

    domain = ref_path("domains", "blocksworld.pddl").read_text()
    precondition = "(and (clear ?ob) (ontable ?ob) (handempty))"
    assert precondition in domain
    deep_domain = pddl.parse_domain(domain.replace(precondition, nest(precondition, depth), 1))
    assert deep_domain == pddl.parse_domain(domain)
