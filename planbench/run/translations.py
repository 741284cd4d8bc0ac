"""PlanBench's GPT-4o translations of answers into PDDL, requested like any run's answers
(the same client, retries and cache); what they mean is :mod:`planbench.answers.translate`."""

from __future__ import annotations

import json
import tempfile
from pathlib import Path

from planbench.answers.translate import translation_query


def translate(answers: dict[tuple, str], model: str, base_url: str | None, api_key_env: str,
              cache_dir: str | None, concurrency: int = 8) -> dict[tuple, str | None]:
    """Translations of answers ((part, id, sample) -> text) through the runner's client,
    retries and cache; an answer whose translation failed maps to None."""
    from planbench.run.loops import run_to_end
    from planbench.run.runner import RunConfig, make_client, run_jobs

    config = RunConfig(set="", encoding="", style="translation", model=model, base_url=base_url,
                       api_key_env=api_key_env, concurrency=concurrency, cache_dir=cache_dir)
    texts = sorted(set(answers.values()))  # identical answers share one translation
    jobs = [({"part": "translation", "id": number, "style": "translation", "encoding": "",
              "messages": [{"role": "user", "content": translation_query(text)}]}, 0)
            for number, text in enumerate(texts)]
    with tempfile.TemporaryDirectory() as folder:
        run_to_end(run_jobs(config, Path(folder), make_client(config), jobs, None))  # no bar inside `score`
        lines = (Path(folder) / "responses.jsonl").read_text().splitlines()
    translated: dict[str, str | None] = {}
    for line in lines:
        item = json.loads(line)
        translated[texts[item["id"]]] = item.get("text")
    return {key: translated.get(text) for key, text in answers.items()}
