"""Model clients behind one small interface: the OpenAI SDK for any compatible endpoint,
and offline models (``optimal``, ``replay:PATH``, ``random``) for tests and baselines.

A client answers one prompt record with a :class:`Completion`; retries, concurrency,
caching and cost live in :mod:`planbench.runner`, so every client gets them the same way.
"""

from __future__ import annotations

import asyncio
import random
import re
import time
from dataclasses import dataclass, fields
from pathlib import Path

from planbench.world import encodings
from planbench.errors import InputError
from planbench.sets.instances import load_set
from planbench.runs import checked_response, read_json_lines, text_of

REASONING_PREFIXES = ("o1", "o3", "o4", "gpt-5", "deepseek-reasoner", "deepseek-r1", "qwq")


@dataclass
class Completion:
    text: str | None
    finish_reason: str | None = None
    model: str | None = None  # as returned by the endpoint
    prompt_tokens: int = 0
    completion_tokens: int = 0
    reasoning_tokens: int = 0
    cached_tokens: int = 0
    latency: float = 0.0

    def as_dict(self) -> dict:
        """The fields as a plain dict (every field is a scalar, so no deep copy is needed:
        :func:`dataclasses.asdict` cost a tenth of a millisecond per answer)."""
        return dict(vars(self))

    @classmethod
    def from_dict(cls, values: dict) -> "Completion":
        """Back from :meth:`as_dict`, ignoring fields older versions wrote."""
        return cls(**{k: v for k, v in values.items() if k in COMPLETION_FIELDS})


COMPLETION_FIELDS = frozenset(f.name for f in fields(Completion))


@dataclass(frozen=True)
class Parameters:
    """What is sent besides the messages; part of the cache key and of run.json."""

    max_tokens: int | None = None
    temperature: float | None = None
    reasoning_effort: str | None = None
    api: str = "chat"  # "chat" (Chat Completions) or "responses"
    reasoning: bool = False  # a reasoning model: max_completion_tokens, no temperature

    def as_dict(self) -> dict:
        return {"max_tokens": self.max_tokens, "temperature": self.temperature,
                "reasoning_effort": self.reasoning_effort, "api": self.api, "reasoning": self.reasoning}


def is_reasoning_model(name: str) -> bool:
    return name.lower().startswith(REASONING_PREFIXES)


class RequestTimeout(TimeoutError):
    """A request that took longer than ``--timeout`` in all (retried like any timeout)."""


class OpenAIModel:
    """Any OpenAI-compatible endpoint through the official SDK (async client).

    The SDK's own retries are off (``max_retries=0``): the runner retries with backoff and
    honours Retry-After, and counts attempts."""

    def __init__(self, model: str, base_url: str | None, api_key: str | None, parameters: Parameters,
                 timeout: float = 600.0):
        import openai

        self.name = model
        self.parameters = parameters
        # The SDK's aiohttp transport (openai[aiohttp]) costs about half the CPU per request
        # of its default httpx one, which bounds a run's throughput (scripts/bench_run.py).
        try:
            http_client = openai.DefaultAioHttpClient(timeout=timeout)
        except Exception:  # noqa: BLE001 - the extra is missing: the default transport
            http_client = None
        self.client = openai.AsyncOpenAI(api_key=api_key or "not-needed", base_url=base_url, max_retries=0,
                                         timeout=timeout, http_client=http_client)
        self.timeout = timeout
        # The endpoint as the SDK resolved it (OPENAI_BASE_URL, or OpenAI's own when none is
        # given): part of every cache key, so answers from different servers never mix.
        self.base_url = str(self.client.base_url).rstrip("/")

    async def complete(self, record: dict) -> Completion:
        start = time.perf_counter()
        path, body = request_body(self.name, self.parameters, record["messages"])
        # The SDK's timeout is per read: an endpoint that sends a byte a second is never cut
        # off by it. --timeout bounds the whole request (connect, send, every byte back).
        try:
            response = await asyncio.wait_for(self._post(path, body), self.timeout)
        except asyncio.TimeoutError:
            raise RequestTimeout(f"no whole answer within {self.timeout:g} s (--timeout)") from None
        return completion_from(self.parameters.api, response, time.perf_counter() - start)

    async def _post(self, path: str, body: dict) -> dict:
        # The SDK's documented generic call (``client.post``): it still authenticates, sends,
        # times out and raises its typed errors, but skips re-walking the body against the
        # SDK's TypedDicts (a quarter of its CPU per request) and building pydantic models;
        # we build the body ourselves, and ``cast_to=object`` hands back the decoded JSON.
        response = await self.client.post(path, body=body, cast_to=object)
        if not isinstance(response, dict):
            raise ValueError(f"the endpoint answered {type(response).__name__}, not a JSON object")
        return response

    async def close(self) -> None:
        await self.client.close()


API_PATHS = {"chat": "/chat/completions", "responses": "/responses"}


def request_body(model: str, parameters: Parameters, messages: list[dict]) -> tuple[str, dict]:
    """(path under /v1, JSON body) of one request. The one place a body is built, so a live
    request, a batch file line and a vLLM batch line are the same bytes for the same turn."""
    p = parameters
    if p.api == "responses":
        body: dict = {"model": model, "input": messages}
        if p.max_tokens:
            body["max_output_tokens"] = p.max_tokens
        if p.temperature is not None:
            body["temperature"] = p.temperature
        if p.reasoning_effort:
            body["reasoning"] = {"effort": p.reasoning_effort}
        return API_PATHS["responses"], body
    body = {"model": model, "messages": messages}
    if p.max_tokens:
        body["max_completion_tokens" if p.reasoning else "max_tokens"] = p.max_tokens
    if p.temperature is not None:
        body["temperature"] = p.temperature
    if p.reasoning_effort:
        body["reasoning_effort"] = p.reasoning_effort
    return API_PATHS["chat"], body


def completion_from(api: str, response: dict, latency: float = 0.0) -> Completion:
    """An answer's JSON (Chat Completions or Responses) as a :class:`Completion`."""
    return _from_responses(response, latency) if api == "responses" else _from_chat(response, latency)


def _from_chat(response: dict, latency: float) -> Completion:
    """A Chat Completions answer (JSON), tolerant of the fields local servers leave out."""
    choices = response.get("choices")
    choice = choices[0] if isinstance(choices, list) and choices and isinstance(choices[0], dict) else {}
    message = choice.get("message") if isinstance(choice.get("message"), dict) else {}
    return Completion(text=text_of(message.get("content")), finish_reason=_name(choice.get("finish_reason")),
                      model=_name(response.get("model")), latency=latency, **_usage(response, "chat"))


# The usage fields' names in each API: input, output, and where reasoning and cached counts sit.
USAGE_FIELDS = {"chat": ("prompt_tokens", "completion_tokens", "completion_tokens_details", "prompt_tokens_details"),
                "responses": ("input_tokens", "output_tokens", "output_tokens_details", "input_tokens_details")}


def _usage(response: dict, api: str) -> dict:
    """The four token counts of an answer, read the same way whatever the API calls them."""
    usage = _object(response.get("usage"))
    prompt, completion, output_details, input_details = USAGE_FIELDS[api]
    return {"prompt_tokens": _tokens(usage.get(prompt)), "completion_tokens": _tokens(usage.get(completion)),
            "reasoning_tokens": _tokens(_object(usage.get(output_details)).get("reasoning_tokens")),
            "cached_tokens": _tokens(_object(usage.get(input_details)).get("cached_tokens"))}


def _object(value) -> dict:
    return value if isinstance(value, dict) else {}


def _name(value) -> str | None:
    return value if value is None or isinstance(value, str) else str(value)


def _tokens(value) -> int:
    """A usage count as the endpoint sent it: a number, a numeric string, or missing (0).
    An answer is never lost for its usage: what cannot be read counts as 0."""
    if isinstance(value, bool) or value is None:
        return 0
    if isinstance(value, (int, float)):
        return int(value) if value == value and abs(value) < 1e15 else 0
    try:
        return int(float(str(value).strip()))
    except ValueError:
        return 0


def _from_responses(response: dict, latency: float) -> Completion:
    """A Responses API answer (JSON). The text is every ``output_text`` part of the message
    items, joined, as the SDK's ``output_text`` does; a stop at the token limit is
    ``length``, as in Chat Completions, so it scores ``truncated``."""
    output = response.get("output") if isinstance(response.get("output"), list) else []
    texts = [part.get("text") or "" for item in output if isinstance(item, dict) and item.get("type") == "message"
             for part in (item.get("content") if isinstance(item.get("content"), list) else [])
             if isinstance(part, dict) and part.get("type") == "output_text" and isinstance(part.get("text"), str)]
    incomplete = _name(_object(response.get("incomplete_details")).get("reason"))
    return Completion(text=text_of("".join(texts)) if texts else None,
                      finish_reason="length" if incomplete == "max_output_tokens" else (incomplete or "stop"),
                      model=_name(response.get("model")), latency=latency, **_usage(response, "responses"))


class OptimalModel:
    """Answers every prompt with its gold (optimal) plan: the ceiling, and a pipeline check."""

    name = "optimal"
    base_url = None

    REFUSAL = "No plan is possible: the goal cannot be reached from the initial state."

    async def complete(self, record: dict) -> Completion:
        if record.get("solvable") is False:  # the right answer where no plan exists
            return Completion(self.REFUSAL, "stop", self.name)
        if record.get("truth") is not None:  # tasks 2-8: what the task's truth says
            from planbench.tasks.records import ideal_answer

            return Completion(ideal_answer(record["truth"], encodings.get(record["encoding"])), "stop", self.name)
        pddl = "pddl" in record["style"]
        lines = record["gold_plan_pddl"] if pddl else record["gold_plan_text"]
        return Completion("\n".join(lines), "stop", self.name)

    async def close(self) -> None:
        return None


class RandomModel:
    """Random legal actions (a floor): a random walk of applicable actions as long as the
    optimal plan, written in the encoding's words."""

    base_url = None

    def __init__(self, seed: int = 0):
        self.name = f"random:{seed}"
        self.seed = seed

    async def complete(self, record: dict) -> Completion:
        instance = load_set(record.get("set_source") or record["set"]).find(record["part"], record["id"])
        encoding = encodings.get(record["encoding"]).for_part(record["part"])
        rng = random.Random(f"{self.seed}-{record['part']}-{record['id']}-{record.get('sample', 0)}")
        problem = instance.problem
        w, state, plan = problem.world, problem.init_state, []
        blocks = problem.blocks
        candidates = [("pick-up", b) for b in blocks] + [("put-down", b) for b in blocks]
        candidates += [(n, x, y) for n in ("stack", "unstack") for x in blocks for y in blocks if x != y]
        for _ in range(instance.length if instance.length is not None else 2 * len(blocks)):
            options = [a for a in candidates if w.apply(state, a) is not None]
            action = rng.choice(options)
            state = w.apply(state, action)
            plan.append(action)
        pddl = "pddl" in record["style"]
        text = "\n".join(encoding.action_to_pddl(a) if pddl else encoding.action_to_text(a) for a in plan)
        return Completion(text, "stop", self.name)

    async def close(self) -> None:
        return None


class ReplayModel:
    """Recorded answers (a run directory or its responses.jsonl) played back by instance."""

    base_url = None

    def __init__(self, path: str):
        self.name = f"replay:{path}"
        source = Path(path)
        source = source / "responses.jsonl" if source.is_dir() else source
        try:
            lines = list(read_json_lines(source))
        except OSError as error:
            raise InputError(str(source), 0, f"cannot read recorded answers: {error.strerror or error}") from None
        self.answers: dict[tuple, dict] = {}
        for number, item, problem in lines:
            try:
                item = checked_response(item) if problem is None else None
            except ValueError:
                item = None  # reported when that run is scored; here it is only not replayed
            if item is not None:
                self.answers[(item.get("part"), item["id"], item.get("sample", 0), int(item.get("round") or 0))] = item

    async def complete(self, record: dict) -> Completion:
        item = self.answers.get((record["part"], record["id"], record.get("sample", 0), record.get("round", 0)))
        if item is None:
            return Completion(None, None, self.name)
        return Completion(item.get("text"), item.get("finish_reason") or "stop", self.name)

    async def close(self) -> None:
        return None


class RepairModel:
    """A model that learns from critique (for strategies, offline): its first answer is the
    gold plan with ``mistakes`` steps replaced by seeded wrong ones; each later answer fixes
    the step the last critique names ("... at step N ...") and repeats the rest. Asked to
    revise without a critique, it changes nothing."""

    base_url = None

    def __init__(self, seed: int = 0, mistakes: int = 2):
        self.name = f"repair:{seed}"
        self.seed = seed
        self.mistakes = mistakes

    async def complete(self, record: dict) -> Completion:
        instance = load_set(record.get("set_source") or record["set"]).find(record["part"], record["id"])
        encoding = encodings.get(record["encoding"]).for_part(record["part"])
        plan = list(instance.plan)
        rng = random.Random(f"{self.seed}-{record['part']}-{record['id']}-{record.get('sample', 0)}")
        blocks = instance.problem.blocks
        for step in rng.sample(range(len(plan)), min(self.mistakes, len(plan))):
            plan[step] = ("stack", blocks[0], blocks[-1]) if plan[step][0] != "stack" else ("pick-up", blocks[0])
        for message in record["messages"][1:]:  # every critique so far names the step it fixes
            found = re.search(r"at step (\d+)", message["content"]) if message["role"] == "user" else None
            if found and 0 < int(found.group(1)) <= len(plan):
                step = int(found.group(1)) - 1
                plan[step] = instance.plan[step]
        pddl = "pddl" in record["style"]
        text = "\n".join(encoding.action_to_pddl(a) if pddl else encoding.action_to_text(a) for a in plan)
        return Completion(text, "stop", self.name, prompt_tokens=100 * len(record["messages"]),
                          completion_tokens=10 * len(plan))

    async def close(self) -> None:
        return None


def offline_model(name: str):
    """``optimal``, ``random[:seed]``, ``repair[:seed]``, ``replay:PATH``; None for a real model name."""
    if name == "optimal":
        return OptimalModel()
    if name == "repair" or name.startswith("repair:"):
        seed = name.split(":", 1)[1] if ":" in name else "0"
        return RepairModel(int(seed) if seed.isdigit() else 0)
    if name == "random" or name.startswith("random:"):
        seed = name.split(":", 1)[1] if ":" in name else "0"
        return RandomModel(int(seed) if seed.isdigit() else 0)
    if name.startswith("replay:"):
        return ReplayModel(name.split(":", 1)[1])
    return None
