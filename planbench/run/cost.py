"""What answers cost: the pricing table, and the budget that enforces ``--max-cost``.

Prices are per model, in USD per million input / cached input / output tokens, from
``planbench/run/pricing.yaml`` with a user file on top (prices change faster than releases).
"""

from __future__ import annotations

import asyncio
import math
from pathlib import Path

import yaml

from planbench.errors import InputError
from planbench.run.models import Completion
from planbench.resources import PACKAGE


def load_pricing(path: str | None) -> dict:
    """Per model: USD per million input / cached input / output tokens (user file overrides)."""
    table = yaml.safe_load((PACKAGE / "run" / "pricing.yaml").read_text())["models"]
    if path:
        try:
            extra = yaml.safe_load(Path(path).read_bytes().decode("utf-8-sig"))
        except OSError as error:
            raise InputError(path, 0, f"cannot read the pricing file: {error.strerror or error}") from None
        except UnicodeDecodeError:
            raise InputError(path, 0, "the pricing file is not UTF-8 text") from None
        except yaml.YAMLError as error:
            mark = getattr(error, "problem_mark", None)
            raise InputError(path, mark.line + 1 if mark else 0, "the pricing file is not YAML") from None
        extra = extra or {}
        models = extra.get("models", extra) if isinstance(extra, dict) else None
        if not isinstance(models, dict):
            raise InputError(path, 0, "expected a mapping of model names to prices (input, output per million tokens)")
        for name, prices in models.items():
            if not isinstance(prices, dict) or not all(_price(prices.get(k)) for k in ("input", "output")) or not all(
                    _price(prices[k]) for k in OPTIONAL_PRICES if k in prices):
                raise InputError(path, 0, f"model {name!r}: prices need numbers 'input' and 'output' (finite USD per "
                                 "million tokens; 'cached_input' and batch_input, batch_cached_input, batch_output "
                                 "optional)")
        table.update(models)
    return table


OPTIONAL_PRICES = ("cached_input", "batch_input", "batch_cached_input", "batch_output")


def _price(value) -> bool:
    """A price is a finite number from 0 (YAML's .inf and .nan are numbers too)."""
    return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value) and value >= 0


def price_of(pricing: dict, model: str) -> dict | None:
    """The longest matching model-name prefix's prices."""
    best = None
    for name, prices in pricing.items():
        if model == name or model.startswith(name):
            if best is None or len(name) > len(best[0]):
                best = (name, prices)
    return best[1] if best else None


def batch_prices(prices: dict | None) -> dict | None:
    """A model's Batch API prices in the shape of its live ones (None: the table has none,
    so what a batch answer cost is unknown, never guessed from the live price)."""
    if prices is None or "batch_input" not in prices or "batch_output" not in prices:
        return None
    return {"input": prices["batch_input"], "output": prices["batch_output"],
            "cached_input": prices.get("batch_cached_input", prices["batch_input"])}


def cost_of(prices: dict | None, completion: Completion) -> float | None:
    if prices is None:
        return None
    fresh = max(completion.prompt_tokens - completion.cached_tokens, 0)
    cached_rate = prices.get("cached_input", prices["input"])
    return (fresh * prices["input"] + completion.cached_tokens * cached_rate
            + completion.completion_tokens * prices["output"]) / 1_000_000


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
        with self.shared.get_lock():
            if self.limit is not None and self.shared[0] + self.shared[1] + amount > self.limit:
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


async def reserve(budget: Budget, guess: float) -> float | None:
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
