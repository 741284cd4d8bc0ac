"""Run a model over a set's prompts: concurrent, resumable, cached, with cost accounting.

The expensive step, so nothing finished is ever lost: each answer is appended to
``responses.jsonl`` and flushed as it lands; the same command on the same run directory
sends only what is missing; a content-addressed cache (model, endpoint, messages,
parameters, sample) lets a new run reuse identical calls. Rate limits, server errors,
timeouts and dropped connections are retried with exponential backoff and jitter,
honouring Retry-After; after the last attempt the answer is recorded with its error
(scored ``no_response``). The API key is read from the environment and written nowhere.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import os
import random
import sys
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

import yaml

from planbench import __version__, encodings
from planbench.errors import InputError, RunError
from planbench.instances import load_set
from planbench.models import Completion, OpenAIModel, Parameters, is_reasoning_model, offline_model
from planbench.prompts import PromptOptions, check_style, prompt_records
from planbench.resources import PACKAGE
from planbench.runs import PROMPTS_FILE, RESPONSES_FILE, RUN_FILE

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


# ---------------------------------------------------------------- pricing


def load_pricing(path: str | None) -> dict:
    """Per model: USD per million input / cached input / output tokens (user file overrides)."""
    table = yaml.safe_load((PACKAGE / "pricing.yaml").read_text())["models"]
    if path:
        try:
            extra = yaml.safe_load(Path(path).read_text())
        except (OSError, yaml.YAMLError) as error:
            raise InputError(path, 0, f"cannot read the pricing file: {error}") from None
        table.update((extra or {}).get("models", extra or {}))
    return table


def price_of(pricing: dict, model: str) -> dict | None:
    """The longest matching model-name prefix's prices."""
    best = None
    for name, prices in pricing.items():
        if model == name or model.startswith(name):
            if best is None or len(name) > len(best[0]):
                best = (name, prices)
    return best[1] if best else None


def cost_of(prices: dict | None, completion: Completion) -> float | None:
    if prices is None:
        return None
    fresh = max(completion.prompt_tokens - completion.cached_tokens, 0)
    cached_rate = prices.get("cached_input", prices["input"])
    return (fresh * prices["input"] + completion.cached_tokens * cached_rate
            + completion.completion_tokens * prices["output"]) / 1_000_000


# ---------------------------------------------------------------- files


def open_appending(path: Path):
    """An unbuffered append-only file: every :func:`append_line` is one ``write`` call.
    A last line cut short (a writer killed mid-line) is closed with a newline first, or
    the next answer would be glued to it and lost with it."""
    out = path.open("ab", buffering=0)
    if out.tell() > 0:
        with path.open("rb") as existing:
            existing.seek(-1, 2)
            if existing.read(1) != b"\n":
                out.write(b"\n")
    return out


def append_line(out, item: dict) -> None:
    """One JSON line in a single write to an O_APPEND file: whole on disk as soon as it
    returns, and never interleaved with a line another worker process appends at the same
    time (with a buffered text file, its buffer decides when and in how many writes a line
    goes out; this makes the one-write contract explicit rather than an accident)."""
    out.write((json.dumps(item, ensure_ascii=False) + "\n").encode("utf-8"))


# ---------------------------------------------------------------- cache


def messages_digest(messages: list) -> str:
    """SHA-256 of the messages as canonical JSON: computed once per prompt, shared by its samples."""
    return hashlib.sha256(json.dumps(messages, sort_keys=True).encode()).hexdigest()


def cache_key(model: str, base_url: str | None, messages: list, parameters: Parameters, sample: int,
              digest: str | None = None) -> str:
    """The request's identity: model, endpoint, messages, parameters and sample index."""
    payload = json.dumps({"model": model, "base_url": base_url, "messages": digest or messages_digest(messages),
                          "parameters": parameters.as_dict(), "sample": sample}, sort_keys=True)
    return hashlib.sha256(payload.encode()).hexdigest()


def default_cache_dir() -> Path:
    return Path(os.environ.get("PLANBENCH_CACHE", Path.home() / ".cache" / "planbench"))


class ResponseCache:
    """Content-addressed answers of one (model, endpoint): an append-only JSON-lines file
    keyed by :func:`cache_key`, read once into memory. One file, not one per answer,
    because creating files cost more than a request to a fast local server."""

    def __init__(self, folder: Path, model: str, base_url: str | None):
        name = hashlib.sha256(f"{model}\n{base_url}".encode()).hexdigest()[:20]
        self.path = folder / f"{name}.jsonl"
        self.entries: dict[str, dict] = {}
        if self.path.exists():
            for line in self.path.read_text().splitlines():
                try:
                    item = json.loads(line)
                    self.entries[item["key"]] = item["completion"]
                except (json.JSONDecodeError, KeyError, TypeError):
                    continue  # a line cut short
        self._out = None

    def get(self, key: str) -> Completion | None:
        found = self.entries.get(key)
        try:
            return Completion.from_dict(found) if found else None
        except TypeError:
            return None

    def put(self, key: str, completion: Completion) -> None:
        if self._out is None:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self._out = open_appending(self.path)
        entry = completion.as_dict()
        self.entries[key] = entry
        append_line(self._out, {"key": key, "completion": entry})

    def close(self) -> None:
        if self._out is not None:
            self._out.close()


# ---------------------------------------------------------------- the run


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
        for line in path.read_text(encoding="utf-8").splitlines():
            try:
                item = json.loads(line)
                present.add((item["part"], item["id"], item["sample"]))
            except (json.JSONDecodeError, KeyError, TypeError):
                continue  # a line cut short: written again below
    parameters = config.parameters()
    keys: dict[tuple, str] = {}
    with path.open("a", encoding="utf-8") as out:
        for record in records:
            digest = messages_digest(record["messages"])
            fields = json.dumps({k: record[k] for k in PROMPT_FIELDS}, ensure_ascii=False)[:-1]
            for sample in range(config.samples):
                key = keys[(record["part"], record["id"], sample)] = cache_key(
                    config.model, endpoint, record["messages"], parameters, sample, digest)
                if (record["part"], record["id"], sample) not in present:
                    out.write(f'{fields}, "sample": {sample}, "request": "{key}"}}\n')
    return keys


def done_keys(folder: Path) -> set[tuple]:
    """Answers already on disk (errors are missing work: they are sent again)."""
    path = folder / RESPONSES_FILE
    keys = set()
    if path.exists():
        for line in path.read_text().splitlines():
            try:
                item = json.loads(line)
            except json.JSONDecodeError:
                continue
            if not item.get("error"):
                keys.add((item["part"], item["id"], item.get("sample", 0)))
    return keys


def write_run_file(folder: Path, config: RunConfig) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / RUN_FILE
    info = {"name": folder.name, **asdict(config), "planbench_version": __version__,
            "python": sys.version.split()[0]}
    if path.exists():
        previous = json.loads(path.read_text())
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


class Budget:
    """What the run has spent, against ``--max-cost``. A request reserves what it is
    expected to cost before it is sent (the mean cost of the answers so far, or at first an
    estimate from the prompt and ``--max-tokens``), so requests in flight count against the
    limit and a run at concurrency 64 does not pass it by 64 answers. Worker processes share
    one array (spent, reserved, answers, requests holding a reservation) so the limit holds
    for the run, not per worker."""

    def __init__(self, limit: float | None, shared=None):
        import multiprocessing

        self.limit = limit
        self.shared = shared if shared is not None else multiprocessing.get_context("fork").Array("d", 4)

    def spent(self) -> float:
        return self.shared[0]

    def in_flight(self) -> int:
        return int(self.shared[3])

    def expected(self, first_guess: float) -> float:
        with self.shared.get_lock():
            spent, _, answers, _ = self.shared[:]
        return spent / answers if answers else first_guess

    def reserve(self, amount: float) -> bool:
        """Hold ``amount`` for a request about to be sent; False when the limit would be passed."""
        if self.limit is None:
            return True
        with self.shared.get_lock():
            if self.shared[0] + self.shared[1] + amount > self.limit:
                return False
            self.shared[1] += amount
            self.shared[3] += 1
        return True

    def settle(self, reserved: float | None, cost: float | None) -> None:
        """Release a reservation (None: the request held none) and book what the answer
        cost (None: nothing new was paid for)."""
        with self.shared.get_lock():
            if reserved is not None:
                self.shared[1] = max(0.0, self.shared[1] - reserved)
                self.shared[3] -= 1
            if cost is not None:
                self.shared[0] += cost
                self.shared[2] += 1


async def _reserve(budget: Budget, guess: float) -> float | None:
    """The amount reserved for one request, or None once the limit is reached. While other
    requests are in flight their answers may cost less than reserved, so wait for them."""
    while True:
        amount = budget.expected(guess)
        if budget.reserve(amount):
            return amount
        if budget.in_flight() == 0:
            return None
        await asyncio.sleep(0.02)


def first_guess(prompt: dict, prices: dict | None, max_tokens: int | None) -> float:
    """A request's cost before any answer is back: about 4 characters per prompt token and
    the whole ``--max-tokens`` (1,000 without it) of output, as ``--dry-run`` assumes."""
    if prices is None:
        return 0.0
    characters = sum(len(m["content"]) for m in prompt["messages"])
    return (characters / 4 * prices["input"] + (max_tokens or 1_000) * prices["output"]) / 1_000_000


async def _run_async(config: RunConfig, folder: Path, client, jobs: list[tuple], progress,
                     budget: Budget | None = None) -> Tally:
    budget = budget or Budget(config.max_cost)
    secret = os.environ.get(config.api_key_env) if isinstance(client, OpenAIModel) else None
    pricing = load_pricing(config.pricing)
    prices = price_of(pricing, config.model)
    parameters = config.parameters()
    cache = ResponseCache(Path(config.cache_dir) if config.cache_dir else default_cache_dir(), config.model,
                          client.base_url)
    tally = Tally(total=len(jobs))
    semaphore = asyncio.Semaphore(max(1, config.concurrency))
    out = open_appending(folder / RESPONSES_FILE)
    bar = progress.add_task("answers", total=len(jobs), errors=0, tokens=0, spend=0.0) if progress else None

    def record(line: dict) -> None:
        append_line(out, line)

    async def one(prompt: dict, sample: int, key: str | None = None) -> None:
        key = key or cache_key(config.model, client.base_url, prompt["messages"], parameters, sample)
        async with semaphore:
            completion, error, attempts, reserved = None, None, 0, None
            completion = cache.get(key)
            from_cache = completion is not None
            if not from_cache and config.max_cost is not None:
                reserved = await _reserve(budget, first_guess(prompt, prices, config.max_tokens))
                if reserved is None:  # the limit is reached
                    tally.stopped_for_cost = True
                    return
            while completion is None and attempts < config.max_attempts:
                attempts += 1
                tally.requests += 1
                try:
                    completion = await client.complete({**prompt, "sample": sample})
                except asyncio.CancelledError:
                    raise
                except Exception as exc:  # noqa: BLE001 - every failure is recorded, none is fatal
                    error = _describe(exc, secret)
                    if not _retryable(exc) or attempts >= config.max_attempts:
                        break
                    await asyncio.sleep(_retry_delay(exc, attempts, config.backoff))
            cost = None
            if completion is not None and completion.text is not None:
                error = None
                if not from_cache and isinstance(client, OpenAIModel):  # offline answers are not kept
                    cache.put(key, completion)
                cost = 0.0 if from_cache else cost_of(prices, completion)
            elif completion is not None and error is None:
                error = "the answer was empty"
            usage = completion.as_dict() if completion else {}
            record({
                "part": prompt["part"], "id": prompt["id"], "sample": sample, "style": prompt["style"],
                "encoding": prompt["encoding"], "model_requested": config.model,
                "model": usage.get("model"), "text": usage.get("text"), "finish_reason": usage.get("finish_reason"),
                "usage": {k: usage.get(k, 0) for k in ("prompt_tokens", "completion_tokens", "reasoning_tokens",
                                                       "cached_tokens")},
                "latency": round(usage.get("latency", 0.0), 4), "attempts": attempts, "cached": from_cache,
                "cost": cost, "error": error, "request": key,
            })
            tally.done += 1
            tally.errors += error is not None
            tally.cached += from_cache
            tally.tokens += usage.get("prompt_tokens", 0) + usage.get("completion_tokens", 0)
            tally.spend += cost or 0.0
            budget.settle(reserved, None if from_cache else cost)
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
    """--dry-run: prompt tokens (about 4 characters each), output tokens and cost."""
    jobs = prepare(config)
    characters = sum(len(m["content"]) for r in jobs for m in r["messages"])
    prompt_tokens = config.samples * characters // 4
    output_each = config.max_tokens or 1_000
    output_tokens = config.samples * len(jobs) * output_each
    prices = price_of(load_pricing(config.pricing), config.model)
    cost = None if prices is None else (prompt_tokens * prices["input"] + output_tokens * prices["output"]) / 1e6
    return {"requests": config.samples * len(jobs), "prompt_tokens": prompt_tokens,
            "output_tokens_assumed": output_tokens, "output_tokens_each": output_each, "cost": cost,
            "priced_as": None if prices is None else prices}


WORKER_SHARE = 32  # concurrent requests one process keeps busy: the SDK costs ~3 ms CPU each


def worker_count(config: RunConfig, client) -> int:
    """Processes to spread the requests over. The SDK's CPU cost per request caps one
    process at a few hundred requests per second, so high concurrency against a fast
    endpoint needs more than one (each appends whole lines to the same files)."""
    if not isinstance(client, OpenAIModel):
        return 1
    if config.workers:
        return max(1, min(config.workers, config.concurrency))
    return max(1, min(os.cpu_count() or 1, 4, config.concurrency // WORKER_SHARE))


class _QueueProgress:
    """A stand-in for rich's Progress in a worker process: sends the updates to the parent,
    a few times a second rather than per answer (a queue message costs a pickle and a
    pipe write, which at hundreds of answers a second is CPU taken from the requests)."""

    INTERVAL = 0.2

    def __init__(self, queue, index: int):
        self.queue, self.index = queue, index
        self.pending = 0
        self.fields: dict = {}
        self.last = time.monotonic()

    def add_task(self, *args, **kwargs) -> int:
        return 0

    def update(self, task, advance=0, **fields) -> None:
        self.pending += advance
        self.fields = fields  # the worker's running totals: errors, tokens, spend
        if time.monotonic() - self.last >= self.INTERVAL:
            self.flush()

    def flush(self) -> None:
        if self.pending:
            self.queue.put(("update", self.index, self.pending, self.fields))
        self.pending, self.last = 0, time.monotonic()


def _worker(config: RunConfig, folder: Path, jobs: list, queue, index: int, spent) -> None:
    progress = _QueueProgress(queue, index)
    tally, failure = None, None
    try:
        budget = Budget(config.max_cost, spent)
        tally = asyncio.run(_run_async(config, folder, make_client(config), jobs, progress, budget))
    except KeyboardInterrupt:
        pass
    except Exception as error:  # noqa: BLE001 - reported by the parent, with what was saved
        failure = f"{type(error).__name__}: {error}"
    progress.flush()
    queue.put(("done", index, tally, failure))


def _progress_bar():
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
               TextColumn("errors {task.fields[errors]}"), TextColumn("tokens {task.fields[tokens]:,}"),
               TextColumn("${task.fields[spend]:.4f}"), TimeElapsedColumn())
    return Progress(*columns, transient=False)


def _run_workers(config: RunConfig, folder: Path, jobs: list, workers: int, show_progress: bool) -> Tally:
    import contextlib
    import multiprocessing
    import queue as queue_module

    context = multiprocessing.get_context("fork")
    queue = context.Queue()
    share = RunConfig(**{**asdict(config), "concurrency": max(1, config.concurrency // workers)})
    spent = context.Array("d", 4)  # the Budget's counters, shared across workers
    processes = [context.Process(target=_worker, args=(share, folder, jobs[i::workers], queue, i, spent),
                                 daemon=True)
                 for i in range(workers)]
    for process in processes:
        process.start()
    total = Tally(total=len(jobs))
    running: dict[int, dict] = {}  # each worker's latest totals, for the live bar
    reported: set[int] = set()
    failures: list[str] = []
    finished = 0
    progress = _progress_bar() if show_progress else contextlib.nullcontext()
    with progress:
        bar = progress.add_task("answers", total=len(jobs), errors=0, tokens=0, spend=0.0) if show_progress else None
        while finished < workers:
            try:
                kind, *payload = queue.get(timeout=0.5)
            except queue_module.Empty:
                lost = [p for i, p in enumerate(processes) if i not in reported and not p.is_alive()]
                if lost:  # died without a word (killed, or crashed in C): the rest go on
                    for process in lost:
                        reported.add(processes.index(process))
                        failures.append(f"worker {processes.index(process)} exited with code {process.exitcode}")
                    finished += len(lost)
                continue
            if kind == "update" and show_progress:
                index, advance, fields = payload
                running[index] = fields
                progress.update(bar, advance=advance, **{name: sum(f.get(name, 0) for f in running.values())
                                                         for name in ("errors", "tokens", "spend")})
            elif kind == "done":
                finished += 1
                index, part, failure = payload
                reported.add(index)
                if failure:
                    failures.append(f"worker {index}: {failure}")
                if part is not None:
                    for name in ("done", "errors", "cached", "tokens", "requests"):
                        setattr(total, name, getattr(total, name) + getattr(part, name))
                    total.spend += part.spend
                    total.stopped_for_cost |= part.stopped_for_cost
                if show_progress:
                    progress.update(bar, errors=total.errors, tokens=total.tokens, spend=total.spend)
    for process in processes:
        process.join()
    if failures:
        raise RunError("; ".join(failures) + f". The {total.done} answers that landed are saved in {folder}; "
                       "the same command sends only what is missing.")
    return total


def execute(config: RunConfig, folder: str | Path, show_progress: bool = True) -> Tally:
    """Send what is missing in ``folder`` and append the answers; returns the tally."""
    folder = Path(folder)
    records = prepare(config)
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
    workers = worker_count(config, client)
    if workers > 1:
        return _run_workers(config, folder, jobs, workers, show_progress)
    if show_progress:
        with _progress_bar() as progress:
            return asyncio.run(_run_async(config, folder, client, jobs, progress))
    return asyncio.run(_run_async(config, folder, client, jobs, None))
