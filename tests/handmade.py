"""Run directories written by hand: every answer chosen by the test, so each figure the
results stage computes from them can be checked against a count made by hand."""

from __future__ import annotations

import json
from pathlib import Path

from planbench.world import encodings
from planbench.sets.instances import load_set


def hand_made_run(folder: Path, right, samples: int = 1, strategy: str = "single", count: int | None = None,
                  model: str = "hand", style: str = "zero-shot", tokens: int | None = None,
                  cost: float | None = None) -> Path:
    """A run of planbench-3's first ``count`` instances (all 100 by default):
    ``right(instance, sample)`` says whether that answer is the optimal plan (else the plan
    without its first step: invalid). Answers are numbered lists in Blocksworld's words;
    with ``tokens``, each answer used that many output tokens (and 100 input), and cost
    ``cost`` USD if given (else it has no price: cost unknown)."""
    blocksworld = encodings.get("blocksworld")
    folder.mkdir(parents=True)
    (folder / "run.json").write_text(json.dumps({"set": "planbench-3", "encoding": "blocksworld", "style": style,
                                                 "model": model, "name": folder.name, "samples": samples,
                                                 "strategy": strategy}))
    lines = []
    for instance in load_set("planbench-3").scored()[:count]:
        for sample in range(samples):
            plan = list(instance.plan) if right(instance, sample) else list(instance.plan)[1:]
            text = "\n".join(f"{n}. {blocksworld.action_to_text(a)}" for n, a in enumerate(plan, 1))
            answer = {"part": instance.part, "id": instance.id, "sample": sample, "text": text}
            if tokens is not None:
                answer.update(usage={"prompt_tokens": 100, "completion_tokens": tokens}, cost=cost)
            lines.append(json.dumps(answer))
    (folder / "responses.jsonl").write_text("\n".join(lines) + "\n")
    return folder
