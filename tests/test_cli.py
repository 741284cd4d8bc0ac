"""`planbench validate` as a user runs it: exit codes, one-line errors, JSON."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from conftest import ref_path

GOLD = "(unstack b c)\n(put-down b)\n(pick-up c)\n(stack c b)\n"


def run(*args: str, stdin: str | bytes | None = None) -> subprocess.CompletedProcess:
    data = stdin.encode() if isinstance(stdin, str) else stdin
    return subprocess.run([sys.executable, "-m", "planbench", *args], input=data, capture_output=True, timeout=60)


@pytest.fixture()
def files(tmp_path):
    domain = ref_path("domains", "blocksworld.pddl")
    problem = ref_path("instances", "blocksworld", "instance-1.pddl")
    plan = tmp_path / "plan.txt"
    plan.write_text(GOLD)
    return str(domain), str(problem), plan


def test_valid_plan_exits_0(files) -> None:
    domain, problem, plan = files
    result = run("validate", domain, problem, str(plan))
    assert result.returncode == 0, result.stderr
    assert b"valid" in result.stdout and b"invalid" not in result.stdout


def test_invalid_plan_exits_1_and_explains(files) -> None:
    domain, problem, _ = files
    result = run("validate", domain, problem, "-", stdin="(unstack b c)\n(pick-up c)\n")
    assert result.returncode == 1
    assert b"step 2, (pick-up c), has an unmet precondition: (handempty)" in result.stdout


def test_json_has_the_full_result_in_three_forms(files) -> None:
    domain = ref_path("domains", "mystery_blocksworld.pddl")
    problem = ref_path("instances", "mystery_blocksworld", "instance-1.pddl")
    result = run("validate", str(domain), str(problem), "-", "--json", stdin="(feast b c)\n(succumb b)\n(overcome b a)\n")
    assert result.returncode == 1
    data = json.loads(result.stdout)
    failure = data["failure"]
    assert data["encoding"] == "mystery" and failure["kind"] == "unmet_precondition" and failure["step"] == 3
    assert failure["action"] == "(stack b a)" and failure["action_pddl"] == "(overcome b a)"
    assert failure["unmet"] == ["(holding b)"] and failure["unmet_pddl"] == ["(pain b)"]
    assert "because this does not hold: pain object b." in data["message"]["text"]


def test_text_form(files) -> None:
    domain, problem, _ = files
    result = run("validate", domain, problem, "-", "--form", "text", stdin="(pick-up c)\n")
    assert b'Step 1, "pick up the orange block", cannot be done, because this does not hold: the orange block is clear.' in result.stdout


@pytest.mark.parametrize(
    "plan, words",
    [
        ("(unstack b c)\nthen put it down\n", b"<stdin>:2: not a PDDL plan"),
        (b"\x00\x01\x02", b"<stdin>: not a text file"),
    ],
)
def test_bad_plan_input_exits_2_with_one_line(files, plan, words) -> None:
    domain, problem, _ = files
    result = run("validate", domain, problem, "-", stdin=plan)
    assert result.returncode == 2
    assert words in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1 and b"Traceback" not in result.stderr


def test_bad_files_exit_2_naming_file_and_line(files, tmp_path) -> None:
    domain, problem, plan = files
    text = open(problem).read()
    cases = {
        "malformed.pddl": (text.replace("(:init", "(:init ((", 1), ":6: not a PDDL problem"),
        "predicate.pddl": (text.replace("(clear b)", "(clean b)"), ":13: unknown predicate 'clean'"),
        "empty.pddl": ("", ": empty file"),
    }
    for name, (content, words) in cases.items():
        path = tmp_path / name
        path.write_text(content)
        result = run("validate", domain, str(path), str(plan))
        assert result.returncode == 2, name
        assert (str(path) + words).encode() in result.stderr, (name, result.stderr)
        assert len(result.stderr.strip().splitlines()) == 1
    binary = tmp_path / "binary.pddl"
    binary.write_bytes(bytes(range(256)) * 4)
    result = run("validate", str(binary), problem, str(plan))
    assert result.returncode == 2 and b"binary.pddl: not a text file" in result.stderr
    missing = run("validate", domain, problem, str(tmp_path / "nope.txt"))
    assert missing.returncode == 2 and b"nope.txt: cannot read" in missing.stderr


def test_unknown_names_are_their_own_kinds(files) -> None:
    domain, problem, _ = files
    for plan, kind in (("(fly b)", "unknown_action"), ("(pick-up z)", "unknown_object"), ("(stack c)", "wrong_arity"),
                       ("(put-down b extra)", "wrong_arity")):
        result = run("validate", domain, problem, "-", "--json", stdin=plan)
        assert result.returncode == 1
        assert json.loads(result.stdout)["failure"]["kind"] == kind
