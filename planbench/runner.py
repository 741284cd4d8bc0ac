"""Run a model over a set's prompts: concurrent, resumable, cached, with cost accounting.

The expensive step, so nothing finished is ever lost: each answer is appended to
``responses.jsonl`` and flushed as it lands; the same command on the same run directory
sends only what is missing; a content-addressed cache (model, endpoint, messages,
parameters, sample) lets a new run reuse identical calls. Rate limits, server errors,
timeouts and dropped connections are retried with exponential backoff and jitter,
honouring Retry-After; after the last attempt the answer is recorded with its error
(scored ``no_response``). The API key is read from the environment and written nowhere.

Around it: :mod:`planbench.cache` (the response cache), :mod:`planbench.cost` (prices and
the ``--max-cost`` budget), :mod:`planbench.workers` (several processes for one run).
"""

from __future__ import annotations

import asyncio
import json
import os
import random
import re
import sys
from dataclasses import asdict, dataclass, field, fields
from pathlib import Path

from planbench import __version__, encodings
from planbench.cache import ResponseCache, cache_key, default_cache_dir, messages_digest
from planbench.cost import Budget, cost_of, first_guess, load_pricing, price_of, reserve
from planbench.errors import InputError
from planbench.instances import load_set
from planbench.models import Completion, OpenAIModel, Parameters, is_reasoning_model, offline_model
from planbench.prompts import PromptOptions, check_style, prompt_records
from planbench.runs import (PROMPTS_FILE, RESPONSES_FILE, RUN_FILE, Run, append_line, locked, open_appending,
                            read_json_lines, read_responses, read_run, writable_folder)

RETRYABLE_STATUS = {408, 409, 429, 500, 502, 503, 504}


@dataclass
class RunConfig:
    set: str
    encoding: str
    style: str
    model: str
    base_url: str | None = None
    api_key_env: str = "OPENAI_API_KEY"  # the variable's name is recorded; its value never
    samples: int = 1
    concurrency: int = 8
    rpm: float | None = None  # requests per minute at most, retries included (a provider's rate limit)
    workers: int | None = None  # processes; None: one per WORKER_SHARE concurrent requests, up to the CPUs
    max_tokens: int | None = None
    temperature: float | None = None
    reasoning_effort: str | None = None
    api: str = "chat"
    limit: int | None = None
    system: bool | str | None = None
    fix_quirks: bool = False
    max_attempts: int = 6
    max_cost: float | None = None
    timeout: float = 600.0
    backoff: float = 1.0  # seconds before the first retry; doubles each time (plus jitter)
    cache_dir: str | None = None
    pricing: str | None = None
    extras: dict = field(default_factory=dict)

    def parameters(self) -> Parameters:
        reasoning = is_reasoning_model(self.model)
        temperature = self.temperature
        return Parameters(self.max_tokens, temperature, self.reasoning_effort, self.api, reasoning)

    def identity(self) -> dict:
        """What must match for a run directory to be resumed."""
        keep = ("set", "encoding", "style", "model", "base_url", "samples", "max_tokens", "temperature",
                "reasoning_effort", "api", "system", "fix_quirks")
        return {k: getattr(self, k) for k in keep}


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


def done_keys(folder: Path) -> set[tuple]:
    """Answers already on disk (errors are missing work: they are sent again). Lines that
    cannot be read are reported by scoring; here they only count as missing."""
    keys = set()
    for item in read_responses(Run(folder, {}), report=lambda line: None):
        if not item.get("error"):
            keys.add((item.get("part"), item["id"], item.get("sample", 0)))
    return keys


def check_config(config: RunConfig, source: str = "run") -> None:
    """Settings that cannot work, refused before anything is sent (also those a run.json
    read back by ``resume`` holds)."""
    numbers = {"samples": (config.samples, 1), "concurrency": (config.concurrency, 1),
               "max_attempts": (config.max_attempts, 1)}
    for name, (value, low) in numbers.items():
        if isinstance(value, bool) or not isinstance(value, int) or value < low:
            raise InputError(source, 0, f"{name} must be a whole number of at least {low}, not {value!r}")
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


def _retry_delay(error: Exception, attempt: int, base: float) -> float:
    response = getattr(error, "response", None)
    headers = getattr(response, "headers", None) or {}
    after = headers.get("retry-after") if hasattr(headers, "get") else None
    if after:
        try:
            return min(float(after), 120.0)
        except ValueError:
            pass
    return min(base * 2 ** (attempt - 1), 60.0) * (0.5 + random.random())


def _retryable(error: Exception) -> bool:
    import openai

    if isinstance(error, (openai.APITimeoutError, openai.APIConnectionError)):
        return True
    if isinstance(error, openai.APIStatusError):
        return error.status_code in RETRYABLE_STATUS or error.status_code >= 500
    return False


def _describe(error: Exception, secret: str | None = None) -> str:
    """One line for responses.jsonl. An endpoint may quote the key it refused in its error
    message; the key is blanked out so it reaches no file."""
    status = getattr(error, "status_code", None)
    text = f"{type(error).__name__}" + (f" {status}" if status else "")
    message = str(error).replace(secret, "[API key]") if secret else str(error)
    message = message.splitlines()[0][:200] if message else ""
    return f"{text}: {message}" if message else text


class Pace:
    """Spaces request starts evenly to stay under ``--rpm``: cheaper than meeting a
    provider's rate limit with 429s and backoff, which also count against it."""

    def __init__(self, rpm: float | None):
        self.interval = 60.0 / rpm if rpm else 0.0
        self.next = 0.0

    async def wait(self) -> None:
        if not self.interval:
            return
        loop = asyncio.get_running_loop()
        slot = max(loop.time(), self.next)
        self.next = slot + self.interval
        await asyncio.sleep(slot - loop.time())


@dataclass
class Tally:
    total: int = 0
    done: int = 0
    errors: int = 0
    cached: int = 0
    tokens: int = 0
    spend: float = 0.0
    requests: int = 0
    stopped_for_cost: bool = False

    def add(self, line: dict) -> None:
        """Count one line of responses.jsonl."""
        self.done += 1
        self.errors += line["error"] is not None
        self.cached += line["cached"]
        self.tokens += line["usage"]["prompt_tokens"] + line["usage"]["completion_tokens"]
        self.spend += line["cost"] or 0.0


async def ask(client, request: dict, config: RunConfig, pace: Pace, secret: str | None
              ) -> tuple[Completion | None, str | None, int]:
    """(completion, error, attempts) for one request: retried with backoff while the
    failure is transient, up to ``config.max_attempts``; the last error is kept."""
    completion, error, attempts = None, None, 0
    while completion is None and attempts < config.max_attempts:
        attempts += 1
        try:
            await pace.wait()
            completion = await client.complete(request)
        except asyncio.CancelledError:
            raise
        except Exception as exc:  # noqa: BLE001 - every failure is recorded, none is fatal
            error = _describe(exc, secret)
            if not _retryable(exc) or attempts >= config.max_attempts:
                break
            await asyncio.sleep(_retry_delay(exc, attempts, config.backoff))
    return completion, (None if completion is not None else error), attempts


def answered(completion: Completion) -> bool:
    """An answer to score: some text, or a stop at the token limit (a reasoning model can
    spend all its tokens thinking and return no text; that is ``truncated``, and paid for)."""
    return bool(completion.text and completion.text.strip()) or completion.finish_reason == "length"


def response_line(prompt: dict, sample: int, model: str, completion: Completion | None, error: str | None,
                  attempts: int, cached: bool, cost: float | None, key: str) -> dict:
    """One line of responses.jsonl."""
    usage = completion.as_dict() if completion else {}
    return {
        "part": prompt["part"], "id": prompt["id"], "sample": sample, "style": prompt["style"],
        "encoding": prompt["encoding"], "model_requested": model,
        "model": usage.get("model"), "text": usage.get("text"), "finish_reason": usage.get("finish_reason"),
        "usage": {k: usage.get(k, 0) for k in ("prompt_tokens", "completion_tokens", "reasoning_tokens",
                                               "cached_tokens")},
        "latency": round(usage.get("latency", 0.0), 4), "attempts": attempts, "cached": cached,
        "cost": cost, "error": error, "request": key,
    }


async def run_jobs(config: RunConfig, folder: Path, client, jobs: list[tuple], progress,
                   budget: Budget | None = None, shared: bool = False) -> Tally:
    """Send ``jobs`` ((prompt record, sample[, request key])) through ``client``, appending
    each answer to ``folder/responses.jsonl`` as it lands; one process, one event loop.
    ``shared``: other worker processes append to the same files (the parent repaired them)."""
    budget = budget or Budget(config.max_cost)
    secret = os.environ.get(config.api_key_env) if isinstance(client, OpenAIModel) else None
    pricing = load_pricing(config.pricing)
    prices = price_of(pricing, config.model)
    parameters = config.parameters()
    cache = ResponseCache(Path(config.cache_dir) if config.cache_dir else default_cache_dir(), config.model,
                          client.base_url, repair=not shared)
    tally = Tally(total=len(jobs))
    semaphore = asyncio.Semaphore(max(1, config.concurrency))
    pace = Pace(config.rpm)
    out = open_appending(folder / RESPONSES_FILE, repair=not shared)
    bar = progress.add_task("answers", total=len(jobs), errors=0, tokens=0, spend=0.0) if progress else None

    async def one(prompt: dict, sample: int, key: str | None = None) -> None:
        key = key or cache_key(config.model, client.base_url, prompt["messages"], parameters, sample)
        async with semaphore:
            completion, error, attempts, reserved = cache.get(key), None, 0, None
            from_cache = completion is not None
            if not from_cache:
                if config.max_cost is not None:
                    reserved = await reserve(budget, first_guess(prompt, prices, config.max_tokens))
                    if reserved is None:  # the limit is reached
                        tally.stopped_for_cost = True
                        return
                completion, error, attempts = await ask(client, {**prompt, "sample": sample}, config, pace, secret)
                tally.requests += attempts
            cost = 0.0 if from_cache else (cost_of(prices, completion) if completion else None)
            if completion is not None and error is None and not answered(completion):
                error = "the answer was empty"
            line = response_line(prompt, sample, config.model, completion, error, attempts, from_cache, cost, key)
            append_line(out, line)  # first: nothing after this can lose an answer paid for
            tally.add(line)
            budget.settle(reserved, None if from_cache else cost)
            if completion is not None and not from_cache and error is None and isinstance(client, OpenAIModel):
                cache.put(key, completion)  # offline models' answers are not kept
            if progress:
                progress.update(bar, advance=1, errors=tally.errors, tokens=tally.tokens, spend=tally.spend)

    tasks = [asyncio.create_task(one(*job)) for job in jobs]  # (prompt, sample[, request key])
    try:
        await asyncio.gather(*tasks)
    finally:
        for task in tasks:
            task.cancel()
        out.close()
        cache.close()
        await client.close()
    return tally


def make_client(config: RunConfig):
    offline = offline_model(config.model)
    if offline is not None:
        return offline
    api_key = os.environ.get(config.api_key_env)
    if not api_key and not config.base_url:
        raise InputError(config.api_key_env, 0, f"set the environment variable {config.api_key_env} to your API key "
                         "(or give --base-url for a local server)")
    return OpenAIModel(config.model, config.base_url, api_key, config.parameters(), config.timeout)


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


def progress_bar():
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
               TextColumn("errors {task.fields[errors]}"), TextColumn("tokens {task.fields[tokens]:,}"),
               TextColumn("${task.fields[spend]:.4f}"), TimeElapsedColumn())
    return Progress(*columns, transient=False)


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
    if (config.max_cost is not None and isinstance(client, OpenAIModel)
            and price_of(load_pricing(config.pricing), config.model) is None):
        raise InputError(config.model, 0, "--max-cost needs this model's prices: give them in a --pricing file "
                         "(USD per million input / cached_input / output tokens)")
    keys = write_prompts(folder, config, records, client.base_url)
    done = done_keys(folder)
    jobs = [(r, s, keys[(r["part"], r["id"], s)]) for r in records for s in range(config.samples)
            if (r["part"], r["id"], s) not in done]
    if not jobs:
        return Tally(total=0)
    from planbench.workers import run_workers, worker_count  # workers build on this module

    workers = worker_count(config, client)
    if workers > 1:
        return run_workers(config, folder, jobs, workers, show_progress, client.base_url)
    if show_progress:
        with progress_bar() as progress:
            return asyncio.run(run_jobs(config, folder, client, jobs, progress))
    return asyncio.run(run_jobs(config, folder, client, jobs, None))
