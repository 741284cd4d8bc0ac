"""What a batch engine needs from a run directory: the turns to ask next, and the lines
their answers become. Shared by ``run --batch`` and ``batch export`` / ``batch import``."""

from __future__ import annotations

from pathlib import Path

from planbench.run.batch.files import Result
from planbench.run.cost import cost_of
from planbench.run.runner import RunConfig, answered, response_line
from planbench.run.turns import NextTurn, done_turns, next_turn


def pending_turns(config: RunConfig, folder: Path | None, records: list[dict], keys: dict[tuple, str],
                  endpoint: str | None) -> dict[str, list[NextTurn]]:
    """The next turn of every unfinished conversation of the run in ``folder`` (None: a run
    not started), by request key (two conversations asking the very same thing share one
    request, and one answer)."""
    done = done_turns(folder) if folder is not None else {}
    strategy, parameters = config.make_strategy(), config.parameters()
    by_key: dict[str, list[NextTurn]] = {}
    for record in records:
        for sample in range(config.samples):
            turns = done.get((record["part"], record["id"], sample), {})
            turn = next_turn(record, sample, keys[(record["part"], record["id"], sample)], turns, strategy,
                             config.model, endpoint, parameters)
            if turn is not None:
                by_key.setdefault(turn.key, []).append(turn)
    return by_key


def answer_lines(turns: list[NextTurn], result: Result, model: str, prices: dict | None, live_prices: dict | None,
                 batch: str | None, cached: bool = False, paid_cost: float | None = None) -> list[dict]:
    """responses.jsonl lines for one result, one per conversation waiting for it, as the
    live runner writes them; the first pays (at ``prices``), the others share its answer
    (``cached``: paid for by none of them now). Every line carries what the answer cost
    when paid (``paid_cost`` for an answer from the cache, if it was kept), so a
    conversation's cost is whole; ``cached`` says it was not paid again. ``batch`` (the
    batch id, or results file) and ``live_cost`` say where it came from and what it would
    have cost live."""
    completion, error = result.completion, result.error
    if completion is not None and error is None and not answered(completion):
        error = "the answer was empty"
    cost = None if completion is None else paid_cost if paid_cost is not None else cost_of(prices, completion)
    lines = []
    for number, turn in enumerate(turns):
        line = response_line(turn.prompt, turn.sample, model, completion, error, 0 if cached else 1,
                             cached or number > 0, cost, turn.key, turn.round, turn.user_message)
        if batch is not None:
            line["batch"] = batch
            line["live_cost"] = cost_of(live_prices, completion) if completion else None
        lines.append(line)
    return lines
