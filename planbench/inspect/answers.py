"""One answer of an Inspect model: as a line of ``responses.jsonl``, and its verdict.

The scorer and ``planbench import`` both go through :func:`answer_line` then
:func:`verdict`, so an imported log scores exactly as Inspect scored it: same text, same
finish reason, same judge. The line is the one ``planbench run`` writes
(:func:`planbench.run.runner.response_line`), usage translated from Inspect's counting
(input tokens *excluding* cached ones) to OpenAI's (prompt tokens *including* them).
"""

from __future__ import annotations

from planbench.errors import InputError
from planbench.inspect.questions import instance_of, task_prompt
from planbench.results.score import EXTRACTORS, LLM_EXTRACTORS, judge
from planbench.run.cost import cost_of, load_pricing, price_of
from planbench.run.models import Completion
from planbench.run.runner import answered, response_line
from planbench.tasks import REGISTRY
from planbench.world import encodings

# Inspect's stop reasons in OpenAI's words (planbench's outcomes read "length" as truncated).
FINISH_REASONS = {"max_tokens": "length", "model_length": "length", "stop": "stop", "content_filter": "content_filter",
                  "tool_calls": "tool_calls", "unknown": None}
TASK_EXTRACTORS = ("default", "planbench")  # tasks 2-8: our readers, or PlanBench's evaluator


def model_name(inspect_model: str) -> str:
    """``openai/gpt-4o-mini`` -> ``gpt-4o-mini``: the name planbench prices and reports
    (Inspect's first segment is the provider; the rest may hold slashes: ``vllm/org/model``)."""
    return inspect_model.split("/", 1)[1] if "/" in inspect_model else inspect_model


def check_extractor(task: str, extractor: str) -> str:
    """The extractor, or one line saying which ones serve this task inside Inspect."""
    if task == "t1":
        usable = tuple(e for e in EXTRACTORS if e not in LLM_EXTRACTORS)
        if extractor in LLM_EXTRACTORS:
            raise InputError("-T extractor", 0, f"{extractor} translates each answer with GPT-4o, which the scorer does "
                             f"not call; score with it after 'planbench import'. Here: {', '.join(usable)}")
    else:
        usable = TASK_EXTRACTORS
    if extractor not in usable:
        raise InputError("-T extractor", 0, f"unknown extractor {extractor!r} for task {task}; choose one of: "
                         + ", ".join(usable))
    return extractor


def completion_of(output) -> Completion:
    """planbench's record of one Inspect ``ModelOutput``: text, finish reason, model, tokens, seconds."""
    usage = output.usage
    cached = (usage.input_tokens_cache_read or 0) if usage else 0
    written = (usage.input_tokens_cache_write or 0) if usage else 0
    stop = output.choices[0].stop_reason if output.choices else "unknown"
    return Completion(
        text=output.completion if output.choices else None,
        finish_reason=FINISH_REASONS.get(stop, stop),
        model=output.model or None,
        prompt_tokens=(usage.input_tokens + cached + written) if usage else 0,
        completion_tokens=usage.output_tokens if usage else 0,
        reasoning_tokens=(usage.reasoning_tokens or 0) if usage else 0,
        cached_tokens=cached,
        latency=output.time or 0.0,
    )


def answer_line(metadata: dict, sample: int, model: str, output, error: str | None, key: str, round_: int = 0,
                user_message: str | None = None) -> dict:
    """The ``responses.jsonl`` line of one answer (``output`` None: the call failed with
    ``error``). Cost at planbench's prices for the model, where it has them."""
    completion = completion_of(output) if output is not None else None
    if completion is not None and error is None and not answered(completion):
        error = output.error or "the answer was empty"  # as the runner records it
    cost = cost_of(price_of(load_pricing(None), model), completion) if completion is not None else None
    prompt = {"part": metadata["part"], "id": metadata["id"], "style": metadata.get("style"),
              "encoding": metadata["encoding"]}
    return response_line(prompt, sample, model, completion, error, 1, False, cost, key, round_, user_message)


def verdict(line: dict, metadata: dict, user_text: str, extractor: str) -> dict:
    """The ``scores.csv`` columns of one answer: t1 through planbench's judge (as
    ``planbench score``), tasks 2-8 through their module's ``judge``."""
    encoding = encodings.get(metadata["encoding"])
    task = metadata.get("task") or "t1"
    if task == "t1":
        return judge(line, instance_of(metadata), encoding, extractor)
    if line.get("finish_reason") == "length" and not line.get("error"):
        return {"outcome": "truncated", "correct": False, "reason": "the answer hit the token limit"}
    if not (line.get("text") or "").strip():
        return {"outcome": "no_response", "correct": False, "reason": line.get("error") or "empty answer"}
    return REGISTRY[task].judge(line["text"], task_prompt(metadata, user_text), encoding, extractor)
