"""Run a model over a set's prompts: concurrent, resumable, cached, with cost accounting.

The expensive step, so nothing finished is ever lost: each answer is appended to
``responses.jsonl`` and flushed as it lands; the same command on the same run directory
sends only what is missing; a content-addressed cache (model, endpoint, messages,
parameters, sample) lets a new run reuse identical calls. Rate limits, server errors,
timeouts and dropped connections are retried with exponential backoff and jitter,
honouring Retry-After; after the last attempt the answer is recorded with its error
(scored ``no_response``). The API key is read from the environment and written nowhere.

Around it: :mod:`~planbench.run.cache` (the response cache), :mod:`~planbench.run.cost`
(prices and the ``--max-cost`` budget), :mod:`~planbench.run.workers` (several processes for
one run), :mod:`~planbench.run.strategies` (what to say after an answer) and
:mod:`~planbench.run.execute` (a run directory: what is asked, what is missing).
"""

from __future__ import annotations

import asyncio
import os
import random
import socket
from dataclasses import dataclass, field
from pathlib import Path

from planbench.errors import InputError, write_failed
from planbench.redact import redact
from planbench.run.cache import ResponseCache, cache_key, default_cache_dir
from planbench.run.cost import Budget, cost_of, first_guess, load_pricing, price_of, reserve
from planbench.run.models import Completion, OpenAIModel, Parameters, is_reasoning_model, offline_model
from planbench.run.strategies import Conversation, Single, Strategy, Turn, make_strategy
from planbench.runs import RESPONSES_FILE, append_line, open_appending

RETRYABLE_STATUS = {408, 409, 429, 500, 502, 503, 504}


@dataclass
class RunConfig:
    set: str
    encoding: str
    style: str | None
    model: str
    task: str = "t1"  # PlanBench's task (planbench.tasks): t1 plan generation ... t8_3
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
    wording: str = "current"  # PlanBench's prompt generation: current, 2023 (task 1), head (task 3)
    seed: int = 0  # one-shot examples of generated sets; tasks 2-8's draws on sets not PlanBench's
    max_attempts: int = 6
    max_cost: float | None = None
    timeout: float = 600.0
    backoff: float = 1.0  # seconds before the first retry; doubles each time (plus jitter)
    cache_dir: str | None = None
    pricing: str | None = None
    prices: dict | None = None  # the model's prices as the run began ({}: none); run.json keeps them for a resume
    strategy: str = "single"  # single, vote, revise, backprompt (planbench.run.strategies)
    rounds: int | None = None  # follow-up messages at most (None: the strategy's default)
    critique_unparseable: bool = False  # backprompt: answer an answer with no plan ("no plan could be read")
    engine: str = "live"  # live; openai-batch (the Batch API); batch-files (batch export / import)
    batch_retry: str = "batch"  # what the Batch API failed or let expire: in a new batch, live, or no (left)
    poll_seconds: float = 30.0  # between checks of a submitted batch
    batch_max_requests: int = 50_000  # the provider's limits per batch input file (OpenAI's)
    batch_max_bytes: int = 200 * 1024 * 1024
    extras: dict = field(default_factory=dict)
    name: str | None = None  # --name; None: the run directory's folder name, wherever it is moved

    def model_prices(self) -> dict | None:
        """The model's prices (USD per million tokens), None when it has none: those run.json
        recorded when the run began, so a resumed or moved run is priced as it started (and
        needs no pricing file); else the table's, with --pricing on top."""
        if self.prices is not None:
            return self.prices or None
        return price_of(load_pricing(self.pricing), self.model)

    def make_strategy(self) -> Strategy:
        return make_strategy(self.strategy, self.rounds, self.critique_unparseable)

    def parameters(self) -> Parameters:
        reasoning = is_reasoning_model(self.model)
        temperature = self.temperature
        return Parameters(self.max_tokens, temperature, self.reasoning_effort, self.api, reasoning)

    def identity(self) -> dict:
        """What must match for a run directory to be resumed (the endpoint as run.json
        records it: without credentials)."""
        keep = ("set", "encoding", "style", "task", "model", "base_url", "samples", "max_tokens", "temperature",
                "reasoning_effort", "api", "system", "fix_quirks", "wording", "seed", "strategy", "rounds",
                "critique_unparseable")
        return {k: getattr(self, k) for k in keep} | {"base_url": redact(self.base_url)}


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

    if isinstance(error, (openai.APITimeoutError, openai.APIConnectionError, TimeoutError)):
        return True
    if isinstance(error, openai.APIStatusError):
        return error.status_code in RETRYABLE_STATUS or error.status_code >= 500
    return False


def _describe(error: Exception, secret: str | None = None) -> str:
    """One line for responses.jsonl. An endpoint may quote the key it refused, or the URL
    with a key in it, in its error message: both are blanked out so they reach no file. A
    failure to connect is named by its cause (the SDK's aiohttp transport reports a refused
    connection as a timeout)."""
    cause = _connection_cause(error)
    if cause:
        return f"cannot connect to the endpoint: {cause}"
    status = getattr(error, "status_code", None)
    text = f"{type(error).__name__}" + (f" {status}" if status else "")
    message = redact(str(error), secret)
    message = message.splitlines()[0][:200] if message else ""
    return f"{text}: {message}" if message else text


# What the operating system's errors mean, in the words a user searches for.
CONNECTION_CAUSES = ((ConnectionRefusedError, "connection refused (nothing listens at that address)"),
                     (ConnectionResetError, "connection reset by the server"),
                     (socket.gaierror, "the host name could not be resolved"))


def _connection_cause(error: BaseException) -> str | None:
    """The root cause of a failed connection, if the error chain holds an OS-level one."""
    seen = set()
    while error is not None and id(error) not in seen:
        seen.add(id(error))
        for kind, words in CONNECTION_CAUSES:
            if isinstance(error, kind):
                return words
        error = error.__cause__ or error.__context__
    return None


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
    cost: float = 0.0  # what the answers cost when paid for, those from the cache included
    spend: float = 0.0  # what this run paid now (answers from the cache cost it nothing)
    requests: int = 0
    retries: int = 0  # attempts after the first
    waits: int = 0  # answers 429 (rate limited)
    stopped_for_cost: bool = False
    priced: bool = True  # False: the model is not in the price table; spend means nothing
    last_error: str | None = None  # the error of the last answer that failed

    def merge(self, other: "Tally") -> "Tally":
        """Both parts of one run (batches, then what they failed, live; or worker
        processes) as one tally."""
        for name in ("total", "done", "errors", "cached", "tokens", "cost", "spend", "requests", "retries", "waits"):
            setattr(self, name, getattr(self, name) + getattr(other, name))
        self.stopped_for_cost |= other.stopped_for_cost
        self.priced &= other.priced
        self.last_error = other.last_error or self.last_error
        return self

    def add(self, line: dict) -> None:
        """Count one line of responses.jsonl."""
        self.done += 1
        self.errors += line["error"] is not None
        self.cached += line["cached"]
        self.tokens += line["usage"]["prompt_tokens"] + line["usage"]["completion_tokens"]
        self.cost += line["cost"] or 0.0
        self.spend += 0.0 if line["cached"] else line["cost"] or 0.0
        if line["error"] is not None:
            self.last_error = line["error"]

    def all_failed(self) -> bool:
        """Every request this run sent failed (nothing came back to score)."""
        return self.done > 0 and self.errors == self.done


async def ask(client, request: dict, config: RunConfig, pace: Pace, secret: str | None, tally: Tally | None = None
              ) -> tuple[Completion | None, str | None, int]:
    """(completion, error, attempts) for one request: retried with backoff while the
    failure is transient, up to ``config.max_attempts``; the last error is kept."""
    completion, error, attempts = None, None, 0
    while completion is None and attempts < config.max_attempts:
        attempts += 1
        if tally is not None and attempts > 1:
            tally.retries += 1
        try:
            await pace.wait()
            completion = await client.complete(request)
        except asyncio.CancelledError:
            raise
        except Exception as exc:  # noqa: BLE001 - every failure is recorded, none is fatal
            if tally is not None and getattr(exc, "status_code", None) == 429:
                tally.waits += 1
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
                  attempts: int, cached: bool, cost: float | None, key: str, round_: int = 0,
                  user_message: str | None = None) -> dict:
    """One line of responses.jsonl: one turn of a conversation (round 0: the first answer;
    later rounds carry the user message they answer, so a conversation can be rebuilt and
    resumed from the file alone)."""
    usage = completion.as_dict() if completion else {}
    line = {
        "part": prompt["part"], "id": prompt["id"], "sample": sample, "round": round_, "style": prompt["style"],
        "encoding": prompt["encoding"], "model_requested": model,
        "model": usage.get("model"), "text": usage.get("text"), "finish_reason": usage.get("finish_reason"),
        "usage": {k: usage.get(k, 0) for k in ("prompt_tokens", "completion_tokens", "reasoning_tokens",
                                               "cached_tokens")},
        "latency": round(usage.get("latency", 0.0), 4), "attempts": attempts, "cached": cached,
        "cost": cost, "error": error, "request": key,
    }
    if user_message is not None:
        line["user_message"] = user_message
    return line


async def run_jobs(config: RunConfig, folder: Path, client, jobs: list[tuple], progress,
                   budget: Budget | None = None, shared: bool = False, strategy: Strategy | None = None) -> Tally:
    """Hold the conversations of ``jobs`` ((prompt record, sample[, request key[, turns
    done]])) through ``client``, appending each answer to ``folder/responses.jsonl`` as it
    lands; one process, one event loop. After each answer ``strategy`` says what to send
    next, or stops; turns already on disk are taken from there, never sent again.
    ``shared``: other worker processes append to the same files (the parent repaired them)."""
    strategy = strategy or Single()
    budget = budget or Budget(config.max_cost)
    secret = os.environ.get(config.api_key_env) if isinstance(client, OpenAIModel) else None
    prices = config.model_prices()
    parameters = config.parameters()
    cache = ResponseCache(Path(config.cache_dir) if config.cache_dir else default_cache_dir(), config.model,
                          client.base_url, repair=not shared)
    tally = Tally(total=len(jobs), priced=prices is not None or not isinstance(client, OpenAIModel))
    semaphore = asyncio.Semaphore(max(1, config.concurrency))
    pace = Pace(config.rpm)
    out = open_appending(folder / RESPONSES_FILE, repair=not shared)
    bar = progress.add_task("conversations" if strategy.rounds else "answers", total=len(jobs), errors=0, tokens=0,
                            spend=0.0, retries=0, waits=0) if progress else None

    async def turn(prompt: dict, sample: int, key: str, round_: int, user_message: str | None) -> dict | None:
        """One request and its answer, appended; None when --max-cost stops it."""
        completion, error, attempts, reserved = cache.get(key), None, 0, None
        from_cache = completion is not None
        if not from_cache:
            if config.max_cost is not None:
                reserved = await reserve(budget, first_guess(prompt, prices, config.max_tokens))
                if reserved is None:  # the limit is reached
                    tally.stopped_for_cost = True
                    return None
            request = {**prompt, "sample": sample, "round": round_}
            completion, error, attempts = await ask(client, request, config, pace, secret, tally)
            tally.requests += attempts
        # An answer from the cache carries what it cost when paid (this run pays nothing for it).
        cost = (cache.cost(key) if from_cache else None) if completion else None
        if cost is None and completion is not None:
            # An offline model (optimal, random, repair, replay) answers here and costs nothing,
            # whatever tokens it says it used.
            cost = cost_of(prices, completion) if isinstance(client, OpenAIModel) else 0.0
        if completion is not None and error is None and not answered(completion):
            error = "the answer was empty"
        line = response_line(prompt, sample, config.model, completion, error, attempts, from_cache, cost, key,
                             round_, user_message)
        try:
            append_line(out, line)  # first: nothing after this can lose an answer paid for
        except OSError as error:
            raise write_failed(error, folder / RESPONSES_FILE, f"every whole answer written is kept there ({tally.done} "
                               "this time); free space, then run the same command to send the rest") from None
        tally.add(line)
        budget.settle(reserved, None if from_cache else cost)
        if completion is not None and not from_cache and error is None and isinstance(client, OpenAIModel):
            cache.put(key, completion, cost)  # offline models' answers are not kept
        return line

    async def one(prompt: dict, sample: int, key: str | None = None, done: dict | None = None) -> None:
        done = done or {}
        conversation = Conversation(prompt, sample)
        messages = list(prompt["messages"])
        async with semaphore:
            while True:
                round_ = conversation.round
                user_message = None
                if round_ > 0:
                    recorded = done.get(round_)
                    user_message = recorded.get("user_message") if recorded else strategy.next_message(conversation)
                    if user_message is None:
                        break
                    messages = [*messages, {"role": "assistant", "content": conversation.turns[-1].text or ""},
                                {"role": "user", "content": user_message}]
                    key = cache_key(config.model, client.base_url, messages, parameters, sample)
                elif key is None:
                    key = cache_key(config.model, client.base_url, messages, parameters, sample)
                line = done.get(round_)
                if line is None:
                    line = await turn({**prompt, "messages": messages}, sample, key, round_, user_message)
                    if line is None:
                        break
                conversation.turns.append(Turn(line.get("text"), line.get("finish_reason"), line.get("error")))
                if line.get("error") or (round_ == 0 and strategy.rounds == 0):
                    break
        if progress:
            progress.update(bar, advance=1, errors=tally.errors, tokens=tally.tokens, spend=tally.spend,
                            retries=tally.retries, waits=tally.waits)

    tasks = [asyncio.create_task(one(*job)) for job in jobs]
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
