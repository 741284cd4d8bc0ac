"""planbench's verdict as an Inspect scorer, and planbench's vote as an epochs reducer.

The score's value is CORRECT or INCORRECT (planbench's ``correct``: a valid plan, or a
refusal where no plan exists); its explanation is the validator's verdict and reason; its
answer the plan read from the answer (the encoding's PDDL), and its metadata the columns of
``scores.csv`` that say why (outcome, failure kind, failing step, plan and optimal length,
blocks). An answer that never came (empty, the call failed) is *unscored*, as planbench
counts accuracy over answered prompts only. Metrics: accuracy with its standard error, and
accuracy by optimal length (``grouped`` on the sample's ``optimal_length``).
"""

from __future__ import annotations

from inspect_ai.scorer import (CORRECT, INCORRECT, Score, ScoreReducer, Target, accuracy, grouped, score_reducer,
                               scorer, stderr)
from inspect_ai.solver import TaskState

from planbench.inspect.answers import answer_line, model_name, verdict
from planbench.results.metrics import majority, vote_key

# scores.csv columns kept in the score's metadata
KEPT = ("outcome", "failure_kind", "failing_step", "optimal_length", "blocks", "plan_length", "valid", "optimal",
        "excess_steps", "solvable")


def first_user_text(messages) -> str:
    """The question's user message (later ones are follow-ups a strategy sent)."""
    if isinstance(messages, str):
        return messages
    return next((m.text for m in messages if m.role == "user"), "")


def explain(row: dict) -> str:
    """The verdict in one line: ``valid, optimal (6 steps)``, or the outcome and the validator's reason."""
    if row["outcome"] == "valid":
        steps, excess = row.get("plan_length"), row.get("excess_steps")
        if excess:
            return f"valid, {excess} step(s) longer than optimal ({steps} steps)"
        return f"valid, optimal ({steps} steps)" if steps is not None else "valid"
    return f"{row['outcome']}: {row['reason']}" if row.get("reason") else row["outcome"]


@scorer(metrics=[accuracy(), stderr(), grouped(accuracy(), "optimal_length", all=False, name_template="length {group_name}")])
def planbench_scorer(extractor: str = "default"):
    """Judge the final answer with planbench's extractor and validator (``planbench score``'s verdict)."""

    async def score(state: TaskState, target: Target) -> Score:
        metadata = state.metadata
        round_ = sum(m.role == "assistant" for m in state.messages) - 1
        line = answer_line(metadata, state.epoch - 1, model_name(str(state.model)), state.output, None,
                           key=f"{state.sample_id}#{state.epoch}", round_=max(round_, 0))
        row = verdict(line, metadata, first_user_text(state.input), extractor)
        kept = {k: row.get(k, metadata.get(k)) for k in KEPT}
        kept.update(extractor=extractor, epoch=state.epoch, round=max(round_, 0), task=metadata.get("task"))
        if row["outcome"] == "no_response":
            return Score.unscored(reason="no_response", explanation=explain(row), metadata=kept)
        return Score(value=CORRECT if row.get("correct") else INCORRECT, answer=row.get("extracted_plan"),
                     explanation=explain(row), metadata=kept)

    return score


def score_vote_key(score: Score) -> str:
    """What a vote compares (:func:`planbench.results.metrics.vote_key`) for a score: the
    plan read is its ``answer``."""
    return vote_key((score.metadata or {}).get("outcome"), score.answer)


@score_reducer
def vote() -> ScoreReducer:
    """planbench's majority vote over epochs (``--strategy vote``): the most common plan wins,
    ties go to the plan given first (lowest epoch), and the verdict is that plan's. Inspect's
    own ``mode`` and ``majority`` vote on verdicts instead: five answers with one invalid plan
    given twice and three different valid plans are *incorrect* here and correct there."""

    def reduce(scores: list[Score]) -> Score:
        answered = sorted((s for s in scores if s.value == s.value),  # unscored (NaN) answers cast no vote
                          key=lambda s: (s.metadata or {}).get("epoch", 0))
        if not answered:
            return Score.unscored(reason="no_response", explanation="no answer to vote on")
        keys = [score_vote_key(s) for s in answered]
        chosen = majority(keys)
        winner = answered[chosen]
        metadata = {**(winner.metadata or {}), "votes": keys.count(keys[chosen]), "voters": len(answered),
                    "plans": len(set(keys))}
        return winner.model_copy(update={"metadata": metadata})

    return reduce
