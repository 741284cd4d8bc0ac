"""Commands that ask a model: ``run`` and ``resume``."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from planbench.cli.common import (
    finite,
    main,
    name_option,
    not_empty,
    output_may_stop,
    prompt_options,
    print_summary,
    reports_input_errors,
    system_setting,
    task_and_style,
    task_option,
)


MAX_BATCH_MB = 1_000_000  # a terabyte: far past any provider's limit, and a size a file can have


@main.command()
@click.option("--set", "set_name", required=True, help="A bundled set or a generated set's folder.")
@click.option("--encoding", default=None, help="Default: the set's own (a generated set records it), else blocksworld.")
@click.option("--style", default=None,
              help="Task 1: zero-shot, one-shot, state-tracking, zero-shot-pddl, one-shot-pddl (tasks 2-8: one-shot).")
@task_option
@click.option("--model", required=True, help="Model name at the endpoint, or an offline one: optimal, random[:seed], repair[:seed] (learns from critique), replay:RUN_DIR.")
@click.option("--base-url", default=None, help="OpenAI-compatible endpoint (vLLM, Ollama, OpenRouter...).")
@click.option("--api-key-env", default="OPENAI_API_KEY", show_default=True, help="Environment variable holding the key.")
@click.option("--samples", default=1, show_default=True, type=click.IntRange(min=1), help="Answers per prompt.")
@click.option("--strategy", default="single", show_default=True,
              type=click.Choice(["single", "vote", "revise", "backprompt"]),
              help="After an answer: stop (single); K answers, the most common plan counts (vote, with --samples K); "
                   "ask the model to revise (revise); send the validator's critique (backprompt).")
@click.option("--rounds", default=None, type=click.IntRange(min=0),
              help="Follow-up messages at most (revise: 4; backprompt: 14, PlanBench's 15 answers; refused with single "
                   "and vote, which send none).")
@click.option("--critique-unparseable", is_flag=True,
              help="backprompt: answer an answer with no readable plan with \"The above plan is invalid. No plan could "
                   "be read from the answer.\" and go on. Without it the conversation ends there, as PlanBench's loop "
                   "did (it had no plan to validate); a refusal on an unsolvable problem always ends it.")
@click.option("--concurrency", default=8, show_default=True, type=click.IntRange(min=1))
@click.option("--rpm", default=None, type=click.FloatRange(min=0, min_open=True),
              help="At most this many requests per minute (retries included), for providers' rate limits.")
@click.option("--workers", default=None, type=click.IntRange(1, 64),
              help="Processes sharing the requests (default: one per 32 concurrent, up to the CPU count).")
@click.option("--max-tokens", default=None, type=click.IntRange(min=1),
              help="Output tokens per answer at most: max_tokens (max_completion_tokens to reasoning models, whose "
                   "thinking counts; max_output_tokens with --api responses). Default: none sent, the endpoint's own "
                   "limit. An answer cut there is scored truncated.")
@click.option("--temperature", default=None, type=click.FloatRange(0, 2),
              help="Sampling temperature, sent as given (PlanBench sent 0). Default: none sent, the endpoint's own "
                   "(1 at OpenAI).", callback=lambda ctx, param, value: finite(value, "--temperature"))
@click.option("--reasoning-effort", default=None, type=click.Choice(["low", "medium", "high"]))
@click.option("--api", default="chat", type=click.Choice(["chat", "responses"]), show_default=True)
@click.option("--limit", default=None, type=click.IntRange(min=1), help="Only the first N prompts.")
@prompt_options
@click.option("--max-attempts", default=6, show_default=True, type=click.IntRange(min=1),
              help="Attempts per request before no_response.")
@click.option("--max-cost", default=None, type=click.FloatRange(min=0, min_open=True),
              callback=lambda ctx, param, value: finite(value, "--max-cost"),
              help="Stop sending before this many USD are spent. Each request holds back what it is expected to "
                   "cost until its answer is back: the mean of the answers so far, or at first the --dry-run guess "
                   "(its prompt at about 4 characters a token, and the whole --max-tokens of output, 1,000 "
                   "without it). Needs the model's prices.")
@click.option("--timeout", default=600.0, show_default=True, type=click.FloatRange(min=0, min_open=True),
              callback=lambda ctx, param, value: finite(value, "--timeout"), help="Seconds per request.")
@click.option("--pricing", default=None, type=click.Path(dir_okay=False), help="YAML of prices to add or override.")
@click.option("--cache-dir", default=None, type=click.Path(file_okay=False), help="Response cache (default ~/.cache/planbench).")
@click.option("--dry-run", is_flag=True,
              help="Say how many requests, tokens and USD, and send nothing: each request's prompt at about 4 "
                   "characters a token, and the whole --max-tokens of output (1,000 without it); for revise and "
                   "backprompt, "
                   "the first answers only (each follow-up round adds up to as many requests, with the growing "
                   "conversation as input).")
@click.option("--no-score", is_flag=True, help="Do not score and report after the run.")
@click.option("--batch", is_flag=True, help="Through the endpoint's Batch API: half the price, results within 24 h.")
@click.option("--batch-retry", default="batch", show_default=True, type=click.Choice(["batch", "live", "no"]),
              help="Requests a batch failed or let expire: in a new batch, live, or left for a resume.")
@click.option("--poll-seconds", default=30.0, show_default=True, type=click.FloatRange(min=0, min_open=True),
              help="Seconds between checks of a submitted batch.")
@click.option("--batch-max-requests", default=50_000, show_default=True, type=click.IntRange(min=1),
              help="Requests per batch file at most (the provider's limit).")
@click.option("--batch-max-mb", default=200.0, show_default=True,
              type=click.FloatRange(min=0, min_open=True, max=MAX_BATCH_MB),
              callback=lambda ctx, param, value: finite(value, "--batch-max-mb"),
              help="Megabytes per batch file at most (the provider's limit).")
@click.option("--out", default=None, type=click.Path(file_okay=False),
              help="Run directory (required unless --dry-run).", callback=not_empty)
@name_option
@reports_input_errors
def run(set_name, encoding, style, task_name, model, base_url, api_key_env, samples, strategy, rounds,
        critique_unparseable, concurrency, rpm, workers, max_tokens, temperature, reasoning_effort, api, limit, system,
        system_text, fix_quirks, wording, seed, max_attempts, max_cost, timeout, pricing, cache_dir, dry_run, no_score,
        batch, batch_retry, poll_seconds, batch_max_requests, batch_max_mb, out, name) -> None:
    """Ask a model PlanBench's questions (resumable: the same command sends only what is missing)."""
    from planbench.run.execute import estimate
    from planbench.run.runner import RunConfig
    from planbench.sets.instances import set_encoding

    task_name, style = task_and_style(task_name, style)
    config = RunConfig(set=set_name, encoding=set_encoding(set_name, encoding), style=style, task=task_name, model=model,
                       base_url=base_url,
                       api_key_env=api_key_env, samples=samples, concurrency=concurrency, max_tokens=max_tokens,
                       temperature=temperature, reasoning_effort=reasoning_effort, api=api, limit=limit,
                       system=system_setting(system, system_text), fix_quirks=fix_quirks, wording=wording,
                       seed=seed, critique_unparseable=critique_unparseable, max_attempts=max_attempts,
                       max_cost=max_cost, timeout=timeout,
                       pricing=pricing, cache_dir=cache_dir, workers=workers, rpm=rpm, strategy=strategy,
                       rounds=rounds, engine="openai-batch" if batch else "live", batch_retry=batch_retry,
                       poll_seconds=poll_seconds, batch_max_requests=batch_max_requests,
                       batch_max_bytes=int(batch_max_mb * 1024 * 1024), name=name)
    if dry_run:
        guess = estimate(config)
        cost = "unknown (model not in the pricing table)" if guess["cost"] is None else f"${guess['cost']:.2f}"
        rounds = config.make_strategy().rounds
        click.echo(f"{guess['requests']} requests, ~{guess['prompt_tokens']:,} prompt tokens, up to "
                   f"{guess['output_tokens_assumed']:,} output tokens ({guess['output_tokens_each']:,} each"
                   + ("" if config.max_tokens else ", the guess without --max-tokens") + f"): {cost}"
                   + (" at batch prices" if batch and guess["cost"] is not None else "")
                   + (f"; first answers only: up to {rounds} follow-up round(s) each add as many requests, with the "
                      "conversation so far as input" if rounds else ""))
        return
    if out is None:
        raise click.UsageError("--out is required (the run directory)")
    _execute_and_score(config, out, not no_score)


@main.command()
@click.argument("run_dir", type=click.Path(file_okay=False, exists=True))
@click.option("--base-url", default=None,
              help="The run's endpoint again, when its URL held credentials (run.json records it without them).")
@click.option("--no-score", is_flag=True, help="Do not score and report after the run.")
@reports_input_errors
def resume(run_dir: str, base_url: str | None, no_score: bool) -> None:
    """Finish RUN_DIR with the settings its run.json recorded: only what is missing is sent
    (the key is read again from the variable run.json names)."""
    from planbench.run.execute import endpoint_again, read_config
    from planbench.runs import RUN_FILE

    config = endpoint_again(read_config(Path(run_dir)), base_url, str(Path(run_dir) / RUN_FILE))
    _execute_and_score(config, run_dir, not no_score)


def _execute_and_score(config, out: str, score: bool) -> None:
    from planbench.errors import RunError
    from planbench.run.execute import execute

    try:
        tally = execute(config, out)
    except KeyboardInterrupt:
        click.echo(f"interrupted; finished answers are in {out}/responses.jsonl; run the same command to resume", err=True)
        sys.exit(130)
    click.echo(tally_line(tally))
    if score and not tally.all_failed():
        score_and_report(out)
    if tally.all_failed():
        raise RunError(f"every request failed ({tally.errors} of {tally.done}): {tally.last_error}; they are recorded "
                       f"in {out}/responses.jsonl as no_response, and the same command sends them again")


def tally_line(tally) -> str:
    """What this run did: answers, from the cache, errors, requests, tokens, and what the
    answers cost (those from the cache at what they cost when paid) with what was paid now."""
    from planbench.results.metrics import dollars

    if not tally.priced:
        spend = "cost unknown (no price for this model)"
    else:
        spend = dollars(tally.cost) + (f" (paid now {dollars(tally.spend)})" if tally.cached else "")
    return (f"{tally.done} answers ({tally.cached} from cache, {tally.errors} errors, {tally.requests} requests, "
            f"{tally.retries} retries, {tally.waits} rate-limited), {tally.tokens:,} tokens, {spend}"
            + ("; stopped at --max-cost" if tally.stopped_for_cost else ""))


def score_and_report(out: str) -> None:
    """Score a run directory just written, save its scores and results.json, print its
    summary line and write its report."""
    from planbench.results.report import write_report
    from planbench.results.results_file import save_scores
    from planbench.results.score import score_run
    from planbench.runs import read_run

    finished = read_run(out)
    rows = score_run(finished)
    save_scores(finished, rows)
    with output_may_stop():  # the report is written even when the reader stopped (| head)
        print_summary(finished, rows)
    report = write_report({finished.name: rows}, Path(out), sources={finished.name: finished})
    with output_may_stop():
        click.echo(f"report: {Path(out) / 'report.html'} ({report.name} beside it)")
