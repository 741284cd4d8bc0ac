"""Benchmark: PlanBench tasks' prompts on planbench-600, and t3/t7 judging in answers per second.

    python scripts/bench_tasks.py [--size 600] [--repeat 3] [--tasks t1,t2,...,t8_3]

Prompts: every prompt of each task (all ten by default; t1 one-shot) on planbench-600 in
Blocksworld and Mystery (t3 also in its released HEAD wording), timed per task; the target
is under 10 s for all tasks together.
Judging: answers to the first ``--size`` prompts of t3 and t7, judged with both readings.
The answers are made from the prompts' own truths in the layouts models use (PlanBench's
template, the same after reasoning, a bulleted state, and wrong answers borrowed from other
prompts), so the script needs no data outside the package; with ``PLANBENCH_REF`` pointing
at PlanBench's reference folder its recorded t3/t7 answers are added. The first pass is
cold; later passes reuse the readers' memos, as a long run does. Target 5,000 answers/s.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import time
from pathlib import Path

from planbench.prompts.statements import state_text
from planbench.sets.instances import load_set, parse_action
from planbench.tasks import NAMES, REGISTRY, TaskOptions
from planbench.world import encodings

PROMPT_TARGET_SECONDS = 10.0
JUDGE_TARGET = 5000.0
FOLDERS = {"blocksworld_3": ("planbench-3", "blocksworld"), "mystery_blocksworld_3": ("planbench-3", "mystery"),
           "blocksworld": ("planbench-500", "blocksworld"), "mystery_blocksworld": ("planbench-500", "mystery")}


def time_prompts(names: list[str]) -> dict[str, float]:
    """Seconds to build every prompt of each task on planbench-600 (both encodings)."""
    instance_set = load_set("planbench-600")
    seconds = {}
    for name in names:
        runs = [(e, TaskOptions(style="one-shot" if name == "t1" else None)) for e in ("blocksworld", "mystery")]
        if name == "t3":
            runs += [(e, TaskOptions(wording="head")) for e in ("blocksworld", "mystery")]
        start = time.perf_counter()
        count = sum(len(REGISTRY[name].prompts(instance_set, encodings.get(e), o)) for e, o in runs)
        seconds[name] = time.perf_counter() - start
        print(f"prompts {name}: {count:,} in {seconds[name]:.2f} s")
    return seconds


def synthetic_answers(name: str, size: int) -> list[tuple]:
    """(answer, prompt, encoding) triples made from the prompts' truths."""
    items = []
    for encoding_name in ("blocksworld", "mystery"):
        encoding = encodings.get(encoding_name)
        prompts = REGISTRY[name].prompts(load_set("planbench-600"), encoding, TaskOptions())[:size]
        for index, prompt in enumerate(prompts):
            other = prompts[(index + 7) % len(prompts)]
            if name == "t3":
                texts = [prompt.truth["message"], "<think>Let me simulate the plan step by step.</think>\n"
                         + prompt.truth["message"], other.truth["message"]]
            else:
                atoms = [parse_action(a) for a in prompt.truth["state"]]
                texts = [state_text(atoms, encoding), "Resulting state:\n" + "\n".join(
                    f"- {encoding.atom_to_text(a)}" for a in atoms),
                    state_text([parse_action(a) for a in other.truth["state"]], encoding)]
            items.extend((text, prompt, encoding) for text in texts)
    return items


def recorded_answers(name: str) -> list[tuple]:
    """PlanBench's recorded answers to the task, where its reference folder is given."""
    root = os.environ.get("PLANBENCH_REF")
    if not root:
        return []
    stem = REGISTRY[name].planbench_file
    items = []
    for path in sorted(Path(root, "tasks", "responses").glob(f"*/*/{stem}.json")):
        part, encoding_name = FOLDERS[path.parent.parent.name]
        encoding = encodings.get(encoding_name)
        prompts = {p.instance.id: p for p in REGISTRY[name].prompts(load_set(part), encoding, TaskOptions())}
        for record in json.loads(path.read_text())["instances"]:
            items.append((record["llm_raw_response"], prompts[record["instance_id"]], encoding))
    return items


def judge_rates(name: str, items: list[tuple], extractor: str, repeat: int) -> tuple[float, float]:
    task = REGISTRY[name]
    rates = []
    for _ in range(repeat):
        start = time.perf_counter()
        for text, prompt, encoding in items:
            task.judge(text, prompt, encoding, extractor)
        rates.append(len(items) / (time.perf_counter() - start))
    return rates[0], statistics.median(rates[1:]) if len(rates) > 1 else rates[0]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--size", type=int, default=600, help="prompts per task and encoding whose answers are judged")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--tasks", default=",".join(NAMES), help="tasks whose prompts are timed")
    args = parser.parse_args()
    seconds = time_prompts([n.strip() for n in args.tasks.split(",") if n.strip()])
    total = sum(seconds.values())
    print(f"prompts, all tasks: {total:.2f} s; target under {PROMPT_TARGET_SECONDS:.0f} s "
          f"({PROMPT_TARGET_SECONDS / max(total, 1e-9):.1f}x under)")
    slowest = float("inf")
    for name in ("t3", "t7"):
        items = synthetic_answers(name, args.size) + recorded_answers(name)
        for extractor in ("default", "planbench"):
            cold, warm = judge_rates(name, items, extractor, args.repeat)
            slowest = min(slowest, cold)
            print(f"judge {name} {extractor:9s}: {len(items):,} answers, cold {cold:,.0f}/s, warm {warm:,.0f}/s; "
                  f"target {JUDGE_TARGET:,.0f}/s (cold {cold / JUDGE_TARGET:.1f}x)")
    print(f"summary: prompts {total:.2f} s (target {PROMPT_TARGET_SECONDS:.0f} s), slowest judging "
          f"{slowest:,.0f} answers/s (target {JUDGE_TARGET:,.0f}/s, {slowest / JUDGE_TARGET:.1f}x)")


if __name__ == "__main__":
    main()
