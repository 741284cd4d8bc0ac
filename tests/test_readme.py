"""The README's examples run as shown: the files they name ship with planbench, the
validate commands print what the README says they print, and the Python snippet runs."""

from __future__ import annotations

import re
import subprocess
import sys

from conftest import ROOT

README = (ROOT / "README.md").read_text()


def test_files_the_readme_names_ship() -> None:
    named = set(re.findall(r"\b((?:examples|domains)/[\w./-]+\.(?:pddl|txt|yaml))", README))
    assert named, "the README names no example files"
    assert [path for path in sorted(named) if not (ROOT / path).is_file()] == []


def test_validate_examples_print_what_the_readme_shows() -> None:
    """Each ``$ ...planbench validate ...`` line of the README, run in the repository, prints
    the lines the README shows after it."""
    shown = re.findall(r"^\$ (.*planbench validate .*)\n((?:[^$`\n].*\n)+)", README, flags=re.M)
    assert len(shown) >= 2
    for command, output in shown:
        done = subprocess.run(command.replace("planbench ", f"{sys.executable} -m planbench ", 1), shell=True,
                              cwd=ROOT, capture_output=True, text=True, timeout=120)
        assert done.returncode in (0, 1), (command, done.stderr)
        assert done.stdout == output, (command, done.stdout)


def test_the_python_validator_snippet_runs() -> None:
    block = README.split("The validator on its own:", 1)[1].split("```python\n", 1)[1].split("```", 1)[0]
    done = subprocess.run([sys.executable, "-c", block], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    expected = [line.removeprefix("# ") for line in block.splitlines() if line.startswith("# ")]
    assert done.stdout.splitlines() == expected
