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
import shutil
import sys
from dataclasses import asdict, dataclass, fields, replace
from pathlib import Path

from planbench import __version__
from planbench.world import encodings
from planbench.errors import InputError
from planbench.redact import MARK, redact
from planbench.sets.instances import load_set
from planbench.prompts import PromptOptions, check_style
from planbench.tasks import records as tasks
from planbench.run.cache import cache_key, messages_digest
from planbench.run.cost import batch_prices, first_guess
from planbench.run.models import OpenAIModel, is_reasoning_model, offline_model
from planbench.run.loops import run_to_end
from planbench.run.progress import progress_bar
from planbench.run.runner import RunConfig, Tally, make_client, run_jobs
from planbench.run.strategies import STRATEGIES
from planbench.run.turns import done_turns, finished
from planbench.run.workers import run_workers, worker_count
from planbench.kept_sets import keep_set, same_set, set_location
from planbench.runs import PROMPTS_FILE, RUN_FILE, locked, open_appending, read_json_lines, read_run, writable_folder


def prepare(config: RunConfig) -> list[dict]:
    task = tasks.get(config.task)
    if task.name == "t1":
        check_style(config.style)
    encoding = encodings.get(config.encoding)
    system = False if config.system is None and is_reasoning_model(config.model) else config.system  # none unless asked
    options = PromptOptions(system=system, fix_quirks=config.fix_quirks, seed=config.seed, wording=config.wording)
    records = tasks.records(task, load_set(config.set), encoding, config.style, options)
    for record in records:  # what load_set takes to find the set again (offline models, back-prompting)
        record["set_source"] = config.set
    return records[: config.limit] if config.limit else records


ENGINES = ("live", "openai-batch", "batch-files")
PROMPT_FIELDS = ("set", "part", "id", "encoding", "style", "example_id", "blocks", "optimal_length", "messages")
TASK_FIELDS = ("task", "example_ids", "truth")  # tasks 2-8: what each answer is judged against, for the record


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
    keys = request_keys(config, records, endpoint)
    with open_appending(path) as out:
        for record in records:
            fields = json.dumps({k: record[k] for k in PROMPT_FIELDS + TASK_FIELDS if k in record},
                                ensure_ascii=False)[:-1]
            for sample in range(config.samples):
                key = keys[(record["part"], record["id"], sample)]
                if (record["part"], record["id"], sample) not in present:
                    out.write(f'{fields}, "sample": {sample}, "request": "{key}"}}\n'.encode("utf-8"))
    return keys


def request_keys(config: RunConfig, records: list[dict], endpoint: str | None) -> dict[tuple, str]:
    """The first turn's request key of every (part, id, sample): what joins a prompt to its
    answers, the cache and a batch's custom_id (the messages hashed once per prompt)."""
    parameters = config.parameters()
    keys: dict[tuple, str] = {}
    for record in records:
        digest = messages_digest(record["messages"])
        for sample in range(config.samples):
            keys[(record["part"], record["id"], sample)] = cache_key(config.model, endpoint, record["messages"],
                                                                    parameters, sample, digest)
    return keys


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
    check_task(config, source)
    check_strategy(config, source)
    if config.rounds is not None and (isinstance(config.rounds, bool) or not isinstance(config.rounds, int)
                                      or config.rounds < 0):
        raise InputError(source, 0, f"rounds must be a whole number from 0, not {config.rounds!r}")
    for name, value in (("limit", config.limit), ("max_tokens", config.max_tokens), ("workers", config.workers)):
        if value is not None and (isinstance(value, bool) or not isinstance(value, int) or value < 1):
            raise InputError(source, 0, f"{name} must be a whole number of at least 1, not {value!r}")
    for name, value in (("timeout", config.timeout), ("rpm", config.rpm), ("max_cost", config.max_cost)):
        if value is not None and not (isinstance(value, (int, float)) and 0 < value < float("inf")):
            raise InputError(source, 0, f"{name} must be a positive number, not {value!r}")
    if config.temperature is not None and not (isinstance(config.temperature, (int, float))
                                               and not isinstance(config.temperature, bool)
                                               and 0 <= config.temperature <= 2):
        raise InputError(source, 0, f"temperature must be a number from 0 to 2, not {config.temperature!r}")
    if config.engine not in ENGINES:
        raise InputError(source, 0, f"engine must be one of {', '.join(ENGINES)}, not {config.engine!r}")
    if config.batch_retry not in ("batch", "live", "no"):
        raise InputError(source, 0, f"batch_retry must be batch, live or no, not {config.batch_retry!r}")
    for name in ("batch_max_requests", "batch_max_bytes"):
        value = getattr(config, name)
        if isinstance(value, bool) or not isinstance(value, int) or value < 1:
            raise InputError(source, 0, f"{name} must be a whole number of at least 1, not {value!r}")
    if not (isinstance(config.poll_seconds, (int, float)) and 0 < config.poll_seconds < float("inf")):
        raise InputError(source, 0, f"poll_seconds must be a positive number, not {config.poll_seconds!r}")
    if config.prices is not None and not (isinstance(config.prices, dict) and (
            not config.prices or all(isinstance(config.prices.get(k), (int, float)) for k in ("input", "output")))):
        raise InputError(source, 0, f"prices must be the model's prices (input and output, USD per million tokens), "
                         f"not {config.prices!r}")
    if config.name is not None and (not isinstance(config.name, str) or not config.name.strip()):
        raise InputError(source, 0, f"name must be a name, not {config.name!r}")
    if config.base_url is not None and not re.match(r"https?://[^/\s]+", str(config.base_url)):
        raise InputError(source, 0, f"base_url {redact(str(config.base_url))!r} is not an http(s) URL")


# Strategies that only make sense for some tasks, and why (one line each when refused).
PLAN_STRATEGIES = {
    "vote": "vote counts the most common plan among the answers",
    "revise": "revise asks the model to check and correct its plan",
}


def check_strategy(config: RunConfig, source: str = "run") -> None:
    """Settings that would do nothing are refused, not ignored: a vote of one answer, rounds
    for a strategy that sends no follow-up, a critique of unreadable answers without
    back-prompting. Named by option on the command line, by file in a run.json."""
    def where(option: str) -> str:
        return option if source == "run" else source

    if config.strategy == "vote" and config.samples < 2:
        raise InputError(where("--strategy"), 0, "vote counts the most common plan among --samples K answers per "
                         f"prompt; with {config.samples} answer there is nothing to vote on: give --samples K "
                         "(2 or more)")
    if config.rounds is not None and config.strategy in ("single", "vote"):
        raise InputError(where("--rounds"), 0, f"{config.strategy} sends no follow-up message, so --rounds would do "
                         "nothing: use --strategy revise or backprompt, or leave --rounds out")
    if config.critique_unparseable and config.strategy != "backprompt":
        raise InputError(where("--critique-unparseable"), 0, "is back-prompting's (it answers an answer with no plan "
                         f"in it); with --strategy {config.strategy} it would do nothing")


def check_task(config: RunConfig, source: str = "run") -> None:
    """The task exists, is asked in a style it has, and the strategy applies to it:
    backprompt's critique is the validator's on the instance's own problem (task 1's
    loop in PlanBench); vote and revise need an answer that is a plan."""
    task = tasks.get(config.task)
    tasks.task_style(task, config.style)
    if config.strategy == "backprompt" and task.name != "t1":
        raise InputError(source, 0, f"backprompt answers a plan with the validator's critique of it on the instance's "
                         f"own problem (PlanBench's task 1 loop); it does not apply to {task.name} ({task.title})")
    if task.name != "t1" and config.model.split(":")[0] in ("random", "repair"):
        raise InputError(source, 0, f"the {config.model} model writes plans for the instance's own problem (task 1); "
                         f"it does not answer {task.name} ({task.title}): use optimal, replay:RUN_DIR or a real model")
    if config.strategy in PLAN_STRATEGIES and task.answer != "plan":
        raise InputError(source, 0, f"{PLAN_STRATEGIES[config.strategy]}; {task.name} ({task.title}) is answered "
                         f"with a {task.answer}, not a plan")


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
    config.set = set_location(read_run(folder))  # wherever the directory is now (kept_sets)
    return config


def endpoint_again(config: RunConfig, given: str | None, source: str) -> RunConfig:
    """A resumed run's endpoint: run.json records it without its credentials, so a URL that
    had some is given again (``resume --base-url``) and must be the same once redacted."""
    recorded = config.base_url
    if given is not None:
        if redact(given) != recorded:
            raise InputError("--base-url", 0, f"not this run's endpoint (run.json has {recorded})")
        return replace(config, base_url=given)
    if recorded and MARK in recorded:
        raise InputError(source, 0, f"its endpoint had credentials in the URL ({recorded}), which are never "
                         "recorded; give it again: planbench resume RUN_DIR --base-url URL")
    return config


def write_run_file(folder: Path, config: RunConfig) -> None:
    """run.json: the settings, and what the run needs to be scored, reported and resumed
    anywhere: a generated set's location and identity (and a copy of it, kept_sets), the
    model's prices as the run began, paths made absolute. A directory that holds another
    run is refused; resuming one keeps its name and its set as first typed."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / RUN_FILE
    info = {**asdict(config), "planbench_version": __version__, "python": sys.version.split()[0]}
    info["base_url"] = redact(config.base_url)  # a key in the URL is never recorded (resume --base-url)
    previous = read_run(folder) if path.exists() else None
    if previous is not None:  # checked before anything is written: another run's kept set stays as it is
        check_same_run(previous, config, str(path))
        info.update(set=previous.info["set"], name=config.name or previous.info.get("name"))
        if previous.info.get("extractor"):  # the reading 'planbench score --extractor' chose stays
            info["extractor"] = previous.info["extractor"]
    kept = keep_set(folder, config.set)
    if previous is not None and kept and previous.info.get("set_path"):  # the same set, checked above:
        kept["set_path"] = previous.info["set_path"]  # where it was, not the copy a resume read
    info.update(kept)
    info["prices"] = config.model_prices() or {}
    for name in ("pricing", "cache_dir"):
        if info[name]:
            info[name] = str(Path(info[name]).resolve())
    path.write_text(json.dumps(info, indent=2) + "\n")


# Settings run.json files written before them did not record, as those runs had them.
UNRECORDED = {"task": "t1", "wording": "current", "seed": 0, "critique_unparseable": False}


def check_same_run(previous, config: RunConfig, source: str) -> None:
    """Refuse to add to a directory that holds another run (its answers would mix). The set
    is the same one if it has the same manifest, wherever it is typed from."""
    before = {**UNRECORDED, **previous.info}  # what run.json files written before these settings meant
    differs = {k: f"{k} was {before.get(k)!r}, now {v!r}" for k, v in config.identity().items()
               if k != "set" and before.get(k) != v}
    if not same_set(previous, config.set):
        differs["set"] = (f"set was {before.get('set')!r}, now {config.set!r}" if before.get("set") != config.set
                          else f"set {config.set!r} is not the one the run was made with (another manifest.jsonl)")
    if differs:
        raise InputError(source, 0, "this run directory holds a different run: " + ", ".join(differs.values()))


def estimate(config: RunConfig) -> dict:
    """--dry-run: prompt tokens (about 4 characters each), output tokens and cost, priced
    as ``--max-cost`` prices a request before any answer is back (:func:`first_guess`). The
    settings are checked as a run's are: a dry run of a run that would be refused says so."""
    check_config(config, "run")
    jobs = prepare(config)
    characters = sum(len(m["content"]) for r in jobs for m in r["messages"])
    output_each = config.max_tokens or 1_000
    prices = config.model_prices()
    if config.engine == "openai-batch":
        prices = batch_prices(prices)
    cost = None if prices is None else config.samples * sum(first_guess(r, prices, config.max_tokens) for r in jobs)
    return {"requests": config.samples * len(jobs), "prompt_tokens": config.samples * characters // 4,
            "output_tokens_assumed": config.samples * len(jobs) * output_each, "output_tokens_each": output_each,
            "cost": cost, "priced_as": prices}


def execute(config: RunConfig, folder: str | Path, show_progress: bool = True) -> Tally:
    """Send what is missing in ``folder`` and append the answers; returns the tally. The
    directory is checked writable first and held by this process while it runs. Works
    where an event loop already runs (a notebook): see :func:`execute_async` to await it."""
    folder = writable_folder(Path(folder), "run directory")
    check_config(config, "run")
    with locked(folder):
        records = _checked_records(config, folder)
        if config.engine == "openai-batch":
            return _execute_batch(config, folder, records, show_progress)
        return _pending(config, folder, records, show_progress).run()


MAX_REQUESTS = 10_000_000  # per run: each is a line of prompts.jsonl and a job held in memory


def check_requests(config: RunConfig, records: list[dict]) -> None:
    """Refuse more requests than a run holds (``run``, and ``batch export``'s file of them)."""
    requests = len(records) * config.samples
    if requests > MAX_REQUESTS:
        raise InputError("--samples", 0, f"{len(records):,} prompts x {config.samples:,} samples = {requests:,} "
                         f"requests, more than one run holds ({MAX_REQUESTS:,}); use fewer samples or --limit")


def check_size(config: RunConfig, records: list[dict], folder: Path) -> None:
    """Refuse, before anything is written, a run that cannot fit: more requests than a run
    holds, or a prompts.jsonl larger than the free space on the disk."""
    check_requests(config, records)
    line = sum(len(json.dumps({k: r[k] for k in PROMPT_FIELDS}, ensure_ascii=False).encode()) + 100 for r in records)
    written = folder / PROMPTS_FILE  # a resumed run has most of it already
    needed = line * config.samples - (written.stat().st_size if written.exists() else 0)
    free = shutil.disk_usage(folder).free
    if needed > free:
        raise InputError(str(folder), 0, f"prompts.jsonl alone would take {needed / 1e9:,.1f} GB and the disk has "
                         f"{free / 1e9:,.1f} GB free; use fewer samples or --limit")


async def execute_async(config: RunConfig, folder: str | Path, show_progress: bool = False) -> Tally:
    """:func:`execute` awaited in the caller's event loop: the requests go out on it, so the
    caller's other tasks go on meanwhile (worker processes and the Batch API, which wait on
    other processes or on a provider, are waited for in a thread)."""
    folder = writable_folder(Path(folder), "run directory")
    check_config(config, "run")
    with locked(folder):
        records = _checked_records(config, folder)
        if config.engine == "openai-batch":
            return await asyncio.to_thread(_execute_batch, config, folder, records, show_progress)
        return await _pending(config, folder, records, show_progress).run_async()


def _checked_records(config: RunConfig, folder: Path) -> list[dict]:
    """The prompts to ask, once every check that needs them has passed (nothing is written
    before: a run refused leaves no half-made directory)."""
    records = prepare(config)
    if not records:
        raise InputError(config.set, 0, "no prompts to send (the set is empty)")
    check_size(config, records, folder)
    if config.engine == "batch-files":
        raise InputError(str(folder / RUN_FILE), 0, "this run's requests go through batch files: write the next ones "
                         f"with 'planbench batch export --from {folder} --out FILE' and read the results with "
                         "'planbench batch import'")
    return records


def _execute_batch(config: RunConfig, folder: Path, records: list[dict], show_progress: bool) -> Tally:
    """Through the Batch API; then, with ``--batch-retry live``, what the batches failed, live."""
    from planbench.run.batch.engine import BatchRun, batch_api

    if offline_model(config.model) is not None:
        raise InputError(config.model, 0, "--batch sends requests to an endpoint's Batch API; this model answers "
                         "here, so run it without --batch")
    prices = batch_prices(config.model_prices())
    if config.max_cost is not None and prices is None:
        raise InputError(config.model, 0, "--max-cost with --batch needs this model's batch prices: give "
                         "batch_input and batch_output in a --pricing file (USD per million tokens)")
    api = batch_api(config)
    write_run_file(folder, config)
    keys = write_prompts(folder, config, records, api.base_url)
    tally = BatchRun(config, folder, records, keys, api, show_progress).run()
    if config.batch_retry != "live" or tally.stopped_for_cost:
        return tally
    return tally.merge(_pending(config, folder, records, show_progress, keys).run())


@dataclass
class Pending:
    """The conversations a live run still has to hold, and the client to hold them with."""

    config: RunConfig
    folder: Path
    jobs: list[tuple]
    client: object
    priced: bool
    show_progress: bool

    def run(self) -> Tally:
        """Until every conversation is finished (or the budget is spent), blocking."""
        if not self.jobs:
            return Tally(total=0, priced=self.priced)
        workers = worker_count(self.config, self.client)
        if workers > 1:
            return run_workers(self.config, self.folder, self.jobs, workers, self.show_progress,
                               self.client.base_url, self.priced)
        return run_to_end(self.conversations())

    async def run_async(self) -> Tally:
        """The same, awaited."""
        if not self.jobs:
            return Tally(total=0, priced=self.priced)
        workers = worker_count(self.config, self.client)
        if workers > 1:
            return await asyncio.to_thread(run_workers, self.config, self.folder, self.jobs, workers,
                                           self.show_progress, self.client.base_url, self.priced)
        return await self.conversations()

    async def conversations(self) -> Tally:
        """In this process and event loop."""
        strategy = self.config.make_strategy()
        if self.show_progress:
            with progress_bar(self.priced) as progress:
                return await run_jobs(self.config, self.folder, self.client, self.jobs, progress, strategy=strategy)
        return await run_jobs(self.config, self.folder, self.client, self.jobs, None, strategy=strategy)


def _pending(config: RunConfig, folder: Path, records: list[dict], show_progress: bool,
             keys: dict[tuple, str] | None = None) -> Pending:
    """What is left to send: the client made and the model's price known before run.json
    and prompts.jsonl are written (``keys``: written already, by a batch run)."""
    client = make_client(config)
    priced = not isinstance(client, OpenAIModel) or config.model_prices() is not None
    if config.max_cost is not None and not priced:
        raise InputError(config.model, 0, "--max-cost needs this model's prices: give them in a --pricing file "
                         "(USD per million input / cached_input / output tokens)")
    if not priced:
        print(f"planbench: no price for {config.model} in the pricing table: cost unknown (give it with --pricing FILE,"
              " USD per million input / cached_input / output tokens)", file=sys.stderr)
    if keys is None:
        write_run_file(folder, config)
        keys = write_prompts(folder, config, records, client.base_url)
    done = done_turns(folder)
    strategy = config.make_strategy()
    jobs = []
    for record in records:
        for sample in range(config.samples):
            turns = done.get((record["part"], record["id"], sample), {})
            if not finished(record, sample, turns, strategy):
                jobs.append((record, sample, keys[(record["part"], record["id"], sample)], turns))
    return Pending(config, folder, jobs, client, priced, show_progress)
