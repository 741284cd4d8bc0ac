"""Maintenance: build domains/<name>/ (domain.pddl + encoding.yaml) from PlanBench's files.

Run once from the repository root with PlanBench's data at ../shared/planbench-ref (or
PLANBENCH_REF). The texts (domain introductions, templates) are copied, not retyped, so
that prompts stay byte-identical to PlanBench's. The output is committed; this script
records where it came from.
"""

from __future__ import annotations

import argparse
import os
import shutil
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
REF = Path(os.environ.get("PLANBENCH_REF", ROOT.parent / "shared" / "planbench-ref"))

# Blocksworld colours beyond PlanBench's twelve (a..l): our extension for generated sets.
EXTRA_COLOURS = [
    "brown", "pink", "purple", "teal", "navy", "maroon", "olive", "beige", "coral", "indigo",
    "ivory", "khaki", "lavender", "lime",
]

CANONICAL_ACTIONS = ["pick-up", "put-down", "stack", "unstack"]
CANONICAL_PREDICATES = ["clear", "ontable", "handempty", "holding", "on"]


class LiteralDumper(yaml.SafeDumper):
    """Multi-line strings as | blocks, so intros stay readable and exact."""


def _str_presenter(dumper: yaml.SafeDumper, data: str) -> yaml.Node:
    if "\n" in data and not any(line != line.rstrip() for line in data.split("\n")):
        return dumper.represent_scalar("tag:yaml.org,2002:str", data, style="|")
    return dumper.represent_scalar("tag:yaml.org,2002:str", data)


LiteralDumper.add_representer(str, _str_presenter)


def write(name: str, data: dict, domain_file: Path, root: Path) -> None:
    out = root / "domains" / name
    out.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(domain_file, out / "domain.pddl")
    text = yaml.dump(data, Dumper=LiteralDumper, sort_keys=False, allow_unicode=True, width=10_000)
    (out / "encoding.yaml").write_text(text)
    assert yaml.safe_load(text) == data, f"{name}: YAML does not round-trip"


def write_domains(root: Path) -> None:
    bw = yaml.safe_load((REF / "configs/blocksworld.yaml").read_text())
    colours = [bw["encoded_objects_compact"][k] for k in sorted(bw["encoded_objects_compact"])]
    write("blocksworld", {
        "name": "blocksworld",
        "title": "Blocksworld",
        "source": "PlanBench configs/blocksworld.yaml",
        "problem_name": "BW-rand-{n}",
        "actions": {a: {"pddl": a, "text": bw["actions"][a]} for a in CANONICAL_ACTIONS},
        "predicates": {p: {"pddl": p, "text": bw["predicates"][p]} for p in CANONICAL_PREDICATES},
        "objects": {"pddl": "{name}", "text": [c + " block" for c in colours + EXTRA_COLOURS],
                    "compact": colours + EXTRA_COLOURS},
        "intro": bw["domain_intro"],
        "intro_state_tracking": bw["domain_intro_state_tracking"],
    }, REF / "domains/blocksworld.pddl", root)

    my = yaml.safe_load((REF / "configs/mystery_blocksworld.yaml").read_text())
    mask = yaml.safe_load((REF / "configs/config_mask.yaml").read_text())
    write("mystery", {
        "name": "mystery",
        "title": "Mystery Blocksworld",
        "source": "PlanBench configs/mystery_blocksworld.yaml, configs/config_mask.yaml",
        "problem_name": "MY-rand-{n}",
        "actions": {a: {"pddl": mask["actions"][a], "text": my["actions"][mask["actions"][a]]}
                    for a in CANONICAL_ACTIONS},
        "predicates": {p: {"pddl": mask["predicates"][p], "text": my["predicates"][mask["predicates"][p]]}
                       for p in CANONICAL_PREDICATES},
        "objects": {"pddl": "{name}", "text": "object {name}"},
        "intro": my["domain_intro"],
        "intro_state_tracking": my["domain_intro_state_tracking"],
    }, REF / "domains/mystery_blocksworld.pddl", root)

    # Randomized Mystery (FACTS.md §2.7): no config in PlanBench; tokens from its domain file,
    # the introduction from the recorded prompts (§3.9.5).
    tokens = {"pick-up": "u64y1a9apusmslxb", "put-down": "kip9uw781pv62umn",
              "stack": "j4gv801gnu2it0yj", "unstack": "wio5amhq7814n006",
              "clear": "tv30k33pzoulql6w", "ontable": "af9tse23ljclsqad",
              "handempty": "cql4o62p1yeke3ok", "holding": "a46zhwykn6jvbabk",
              "on": "b6e9q4r60gagvdcn"}
    arity = {"pick-up": 1, "put-down": 1, "stack": 2, "unstack": 2,
             "clear": 1, "ontable": 1, "handempty": 0, "holding": 1, "on": 2}
    write("randomized", {
        "name": "randomized",
        "title": "Randomized Mystery Blocksworld",
        "source": "PlanBench domains/obfuscated_randomized_blocksworld.pddl; FACTS.md §2.7",
        "problem_name": "BW-rand-{n}",
        "actions": {a: {"pddl": tokens[a], "text": " ".join([tokens[a]] + ["{}"] * arity[a])}
                    for a in CANONICAL_ACTIONS},
        "predicates": {p: {"pddl": tokens[p], "text": " ".join([tokens[p]] + ["{}"] * arity[p])}
                       for p in CANONICAL_PREDICATES},
        "objects": {"pddl": "o{index}", "text": "object_{index}"},
        # The introduction is built from PlanBench's obfuscated-domain template (planbench.prompts);
        # PlanBench generated it once per set, with the actions in these orders (its recorded prompts).
        "intro_action_order": {
            "planbench-500": ["stack", "pick-up", "put-down", "unstack"],
            "planbench-3": ["put-down", "unstack", "stack", "pick-up"],
            "default": ["stack", "pick-up", "put-down", "unstack"],
        },
        # Zero-shot PDDL prompts replace the domain's name by a random string (FACTS.md Q20).
        "hide_domain_name": True,
    }, REF / "domains/obfuscated_randomized_blocksworld.pddl", root)


def write_translation_prompt(root: Path) -> None:
    """PlanBench's GPT-4o translation prompt (FACTS.md Appendix A): the Python string starts
    with a newline and ends with one; FACTS.md shows what lies between."""
    facts = (REF / "FACTS.md").read_text()
    block = facts[facts.index("## Appendix A."):]
    body = block[block.index("````text\n") + len("````text\n"):]
    body = body[: body.index("\n````")]
    (root / "planbench" / "answers").mkdir(parents=True, exist_ok=True)
    (root / "planbench" / "answers" / "translation_prompt.txt").write_text(body + "\n")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--out", type=Path, default=ROOT,
                        help="folder to write domains/ and planbench/answers/ into (default: this repository; "
                             "CI writes elsewhere and compares with what is committed)")
    root = parser.parse_args().out
    write_domains(root)
    write_translation_prompt(root)


if __name__ == "__main__":
    main()
