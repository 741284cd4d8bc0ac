"""A run directory's side of a run: the prompts asked, the turns missing, the processes.

``execute`` is what ``planbench run`` and ``planbench resume`` call: it checks and locks the
directory, writes ``run.json`` and ``prompts.jsonl``, works out which conversations are
unfinished from ``responses.jsonl``, and hands them to one process
(:func:`~planbench.run.runner.run_jobs`) or several (:mod:`~planbench.run.workers`).
"""

from __future__ import annotations

import asyncio
import json
import re
import sys
from dataclasses import asdict, fields
from pathlib import Path

from planbench import __version__, encodings
from planbench.errors import InputError
from planbench.instances import load_set
from planbench.prompts import PromptOptions, check_style, prompt_records
from planbench.run.cache import cache_key, messages_digest
from planbench.run.cost import first_guess, load_pricing, price_of
from planbench.run.models import OpenAIModel, is_reasoning_model
from planbench.run.runner import RunConfig, Tally, make_client, progress_bar, run_jobs
from planbench.run.strategies import STRATEGIES, Conversation, Strategy, Turn
from planbench.run.workers import run_workers, worker_count
from planbench.runs import (PROMPTS_FILE, RUN_FILE, Run, locked, open_appending, read_json_lines, read_responses,
                            read_run, writable_folder)


def prepare(config: RunConfig) -> list[dict]:
    check_style(config.style)
    encoding = encodings.get(config.encoding)
    options = PromptOptions(system=config.system, fix_quirks=config.fix_quirks)
    if config.system is None and is_reasoning_model(config.model):
        options = PromptOptions(system=False, fix_quirks=config.fix_quirks)  # reasoning models: none unless asked
    records = prompt_records(load_set(config.set), encoding, config.style, options)
    return records[: config.limit] if config.limit else records


PROMPT_FIELDS = ("set", "part", "id", "encoding", "style", "example_id", "blocks", "optimal_length", "messages")


def write_prompts(folder: Path, config: RunConfig, records: list[dict], endpoint: str | None) -> dict[tuple, str]:
    """``prompts.jsonl``: exactly what is asked, one line per (instance, sample), with the
    ``request`` key that joins it to ``responses.jsonl`` and the cache. Appended, like the
    answers: a resumed run with a larger ``--limit`` adds its new prompts, none are lost.
    Returns every request key by (part, id, sample), so the run does not hash again."""
    path = folder / PROMPTS_FILE
    present = set()
    if path.exists():
        for _, item, problem in read_json_lines(path):
            try:
                present.add((item["part"], item["id"], item["sample"]))
            except (KeyError, TypeError):
                continue  # a line cut short: written again below
    parameters = config.parameters()
    keys: dict[tuple, str] = {}
    with open_appending(path) as out:
        for record in records:
            digest = messages_digest(record["messages"])
            fields = json.dumps({k: record[k] for k in PROMPT_FIELDS}, ensure_ascii=False)[:-1]
            for sample in range(config.samples):
                key = keys[(record["part"], record["id"], sample)] = cache_key(
                    config.model, endpoint, record["messages"], parameters, sample, digest)
                if (record["part"], record["id"], sample) not in present:
                    out.write(f'{fields}, "sample": {sample}, "request": "{key}"}}\n'.encode("utf-8"))
    return keys


def done_turns(folder: Path) -> dict[tuple, dict[int, dict]]:
    """Turns already on disk, by (part, id, sample) and round: a resumed conversation goes
    on from its last answer without sending any turn again. Errors are missing work: a
    turn that failed is sent again (the line after it, if any, counts)."""
    turns: dict[tuple, dict[int, dict]] = {}
    for item in read_responses(Run(folder, {}), report=lambda line: None):
        rounds = turns.setdefault((item.get("part"), item["id"], item.get("sample", 0)), {})
        round_ = int(item.get("round") or 0)
        if not item.get("error"):
            rounds[round_] = item
        elif round_ in rounds and rounds[round_].get("error"):
            rounds[round_] = item
    for key, rounds in turns.items():  # a conversation goes on from its last unbroken round
        kept, round_ = {}, 0
        while round_ in rounds:
            kept[round_] = rounds[round_]
            round_ += 1
        turns[key] = kept
    return turns


def finished(prompt: dict, sample: int, turns: dict[int, dict], strategy: Strategy) -> bool:
    """Is this conversation over: answered, and its strategy has nothing more to say?"""
    if not turns:
        return False
    conversation = Conversation(prompt, sample, [Turn(t.get("text"), t.get("finish_reason"), t.get("error"))
                                                 for _, t in sorted(turns.items())])
    return not conversation.turns[-1].error and strategy.next_message(conversation) is None


def check_config(config: RunConfig, source: str = "run") -> None:
    """Settings that cannot work, refused before anything is sent (also those a run.json
    read back by ``resume`` holds)."""
    numbers = {"samples": (config.samples, 1), "concurrency": (config.concurrency, 1),
               "max_attempts": (config.max_attempts, 1)}
    for name, (value, low) in numbers.items():
        if isinstance(value, bool) or not isinstance(value, int) or value < low:
            raise InputError(source, 0, f"{name} must be a whole number of at least {low}, not {value!r}")
    if config.strategy not in STRATEGIES:
        raise InputError(source, 0, f"unknown strategy {config.strategy!r}; choose one of: {', '.join(STRATEGIES)}")
    if config.rounds is not None and (isinstance(config.rounds, bool) or not isinstance(config.rounds, int)
                                      or config.rounds < 0):
        raise InputError(source, 0, f"rounds must be a whole number from 0, not {config.rounds!r}")
    for name, value in (("limit", config.limit), ("max_tokens", config.max_tokens), ("workers", config.workers)):
        if value is not None and (isinstance(value, bool) or not isinstance(value, int) or value < 1):
            raise InputError(source, 0, f"{name} must be a whole number of at least 1, not {value!r}")
    for name, value in (("timeout", config.timeout), ("rpm", config.rpm), ("max_cost", config.max_cost)):
        if value is not None and not (isinstance(value, (int, float)) and 0 < value < float("inf")):
            raise InputError(source, 0, f"{name} must be a positive number, not {value!r}")
    if config.base_url is not None and not re.match(r"https?://[^/\s]+", str(config.base_url)):
        raise InputError(source, 0, f"base_url {config.base_url!r} is not an http(s) URL")


def read_config(folder: Path) -> RunConfig:
    """The settings a run directory was made with (its run.json), to finish it."""
    info = read_run(folder).info
    path = folder / RUN_FILE
    if info.get("imported"):
        raise InputError(str(path), 0, "an imported results file: there is nothing to send (score it instead)")
    missing = [name for name in ("set", "encoding", "style", "model") if name not in info]
    if missing:
        raise InputError(str(path), 0, f"not a run made by 'planbench run' (no {', '.join(missing)})")
    known = {f.name for f in fields(RunConfig)}
    config = RunConfig(**{k: v for k, v in info.items() if k in known})
    check_config(config, str(path))
    return config


def write_run_file(folder: Path, config: RunConfig) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / RUN_FILE
    info = {"name": folder.name, **asdict(config), "planbench_version": __version__,
            "python": sys.version.split()[0]}
    if path.exists():
        previous = read_run(folder).info
        differs = {k: (previous.get(k), v) for k, v in config.identity().items() if previous.get(k) != v}
        if differs:
            raise InputError(str(path), 0, "this run directory holds a different run: "
                             + ", ".join(f"{k} was {a!r}, now {b!r}" for k, (a, b) in differs.items()))
    path.write_text(json.dumps(info, indent=2) + "\n")


def estimate(config: RunConfig) -> dict:
    """--dry-run: prompt tokens (about 4 characters each), output tokens and cost, priced
    as ``--max-cost`` prices a request before any answer is back (:func:`first_guess`)."""
    jobs = prepare(config)
    characters = sum(len(m["content"]) for r in jobs for m in r["messages"])
    output_each = config.max_tokens or 1_000
    prices = price_of(load_pricing(config.pricing), config.model)
    cost = None if prices is None else config.samples * sum(first_guess(r, prices, config.max_tokens) for r in jobs)
    return {"requests": config.samples * len(jobs), "prompt_tokens": config.samples * characters // 4,
            "output_tokens_assumed": config.samples * len(jobs) * output_each, "output_tokens_each": output_each,
            "cost": cost, "priced_as": prices}


def execute(config: RunConfig, folder: str | Path, show_progress: bool = True) -> Tally:
    """Send what is missing in ``folder`` and append the answers; returns the tally. The
    directory is checked writable first and held by this process while it runs."""
    folder = writable_folder(Path(folder), "run directory")
    check_config(config, "run")
    with locked(folder):
        return _execute(config, folder, show_progress)


def _execute(config: RunConfig, folder: Path, show_progress: bool) -> Tally:
    records = prepare(config)
    if not records:
        raise InputError(config.set, 0, "no prompts to send (the set is empty)")
    write_run_file(folder, config)
    client = make_client(config)
    priced = not isinstance(client, OpenAIModel) or price_of(load_pricing(config.pricing), config.model) is not None
    if config.max_cost is not None and not priced:
        raise InputError(config.model, 0, "--max-cost needs this model's prices: give them in a --pricing file "
                         "(USD per million input / cached_input / output tokens)")
    if not priced:
        print(f"planbench: no price for {config.model} in the pricing table: cost unknown (give it with --pricing FILE,"
              " USD per million input / cached_input / output tokens)", file=sys.stderr)
    keys = write_prompts(folder, config, records, client.base_url)
    done = done_turns(folder)
    strategy = config.make_strategy()
    jobs = []
    for record in records:
        for sample in range(config.samples):
            turns = done.get((record["part"], record["id"], sample), {})
            if not finished(record, sample, turns, strategy):
                jobs.append((record, sample, keys[(record["part"], record["id"], sample)], turns))
    if not jobs:
        return Tally(total=0)
    workers = worker_count(config, client)
    if workers > 1:
        return run_workers(config, folder, jobs, workers, show_progress, client.base_url, priced)
    if show_progress:
        with progress_bar(priced) as progress:
            return asyncio.run(run_jobs(config, folder, client, jobs, progress, strategy=strategy))
    return asyncio.run(run_jobs(config, folder, client, jobs, None, strategy=strategy))
