"""``planbench run --batch``: a run's requests through OpenAI's Batch API, wave by wave.

A wave is the next turn of every unfinished conversation: for a single answer per prompt
that is the whole run in one wave; for back-prompting or revision each round is a wave (one
batch, or several files when the provider's limits split it), because the next message
depends on the answer. Each wave: answers already in the cache are taken from there; the
rest are written to ``RUN_DIR/batch/requests-NNN.jsonl``, priced against ``--max-cost`` at
the batch price, uploaded, submitted, polled and collected. Every step is in the
:class:`~planbench.run.batch.ledger.Ledger` first, so a killed run started again collects
what it submitted and submits nothing twice.

Answers land in ``responses.jsonl`` exactly as live answers do (tokens, finish reason, the
cost at the batch price), plus the batch id and ``live_cost``: what the answer would have
cost live. A request the batch failed or let expire is sent again in the next wave
(``--batch-retry batch``, up to ``--max-attempts``), live after the batches
(``--batch-retry live``), or left for a later ``planbench resume`` (``no``).
"""

from __future__ import annotations

import os
import sys
import time
from collections import Counter
from pathlib import Path

from planbench.errors import InputError
from planbench.run.batch.files import (Result, next_file_number, read_results, request_ids, request_line,
                                       write_request_files)
from planbench.run.batch.ledger import Ledger
from planbench.run.batch.openai_batch import TERMINAL, BatchAPI
from planbench.run.cache import ResponseCache, default_cache_dir
from planbench.run.batch.waves import answer_lines, pending_turns
from planbench.run.cost import batch_prices, first_guess
from planbench.run.models import request_body
from planbench.run.runner import RunConfig, Tally
from planbench.run.turns import NextTurn
from planbench.runs import RESPONSES_FILE, Run, append_line, open_appending, read_responses

RETRY_CHOICES = ("batch", "live", "no")


def batch_api(config: RunConfig) -> BatchAPI:
    api_key = os.environ.get(config.api_key_env)
    if not api_key and not config.base_url:
        raise InputError(config.api_key_env, 0, f"set the environment variable {config.api_key_env} to your API key "
                         "(or give --base-url for a local server)")
    return BatchAPI(config.base_url, api_key, config.timeout, max_retries=config.max_attempts - 1)


class BatchRun:
    """One invocation of a batch run over a prepared run directory (run.json and
    prompts.jsonl written, the directory locked by the caller)."""

    def __init__(self, config: RunConfig, folder: Path, records: list[dict], keys: dict[tuple, str], api: BatchAPI,
                 show_progress: bool = True):
        self.config, self.folder, self.records, self.keys, self.api = config, folder, records, keys, api
        self.show_progress = show_progress
        self.ledger = Ledger(folder)
        self.parameters = config.parameters()
        self.live_prices = config.model_prices()
        self.prices = batch_prices(self.live_prices)
        self.tally = Tally(priced=self.prices is not None)
        self.cache = ResponseCache(Path(config.cache_dir) if config.cache_dir else default_cache_dir(), config.model,
                                   api.base_url)
        lines = read_responses(Run(folder, {}), report=lambda line: None)
        self.spent = sum(line.get("cost") or 0.0 for line in lines if not line.get("cached"))
        self.failures: Counter = Counter(line.get("request") for line in lines if line.get("error"))
        self.failed_now: set[str] = set()  # failed in this invocation
        self.given_up: set[str] = set()  # failed for good in this invocation: not sent again now
        self.problems: list[str] = []

    # ------------------------------------------------------------ the run

    def run(self) -> Tally:
        if self.prices is None:
            print(f"planbench: no batch price for {self.config.model} in the pricing table: cost unknown (give "
                  "batch_input and batch_output with --pricing FILE)", file=sys.stderr)
        with open_appending(self.folder / RESPONSES_FILE) as self.out:
            try:
                self.finish_recorded()
                while wave := self.next_wave():
                    if not self.submit(wave):
                        break
                    self.wait_and_collect()
            finally:
                self.cache.close()
                for problem in self.problems:
                    print(f"planbench: {problem}", file=sys.stderr)
        return self.tally

    def finish_recorded(self) -> None:
        """What an earlier invocation left: files never uploaded are set aside (their
        requests are worked out again), an upload whose batch id was not recorded is looked
        up before a batch is made from it, submitted batches are collected."""
        for name, entry in self.ledger.unfinished(self.problems).items():
            if entry["stage"] == "written":
                self.ledger.record("abandoned", name)
            elif entry["stage"] == "uploaded":
                batch = self.api.find(entry["input_file_id"]) or self._create(name, entry["input_file_id"])
                self.ledger.record("submitted", name, batch_id=batch.id, input_file_id=entry["input_file_id"])
        self.wait_and_collect()

    # ------------------------------------------------------------ waves

    def pending(self) -> dict[str, list[NextTurn]]:
        return pending_turns(self.config, self.folder, self.records, self.keys, self.api.base_url)

    def next_wave(self) -> list[list[NextTurn]]:
        """The requests to submit now. Answers in the cache are written at once (and the
        conversations they move on are looked at again)."""
        while True:
            wave, from_cache = [], False
            for key, turns in self.pending().items():
                if key in self.given_up or self.failures[key] >= self.config.max_attempts:
                    continue
                if key in self.failed_now and self.config.batch_retry != "batch":
                    continue  # sent live after the batches, or left for a resume
                cached = self.cache.get(key)
                if cached is not None:
                    self.write_answers(turns, Result(key, cached, None), None, cached=True,
                                       paid_cost=self.cache.cost(key))
                    from_cache = True
                    continue
                wave.append(turns)
            if wave or not from_cache:
                self.tally.total += len(wave)
                return wave

    def submit(self, wave: list[list[NextTurn]]) -> bool:
        """Write, price, upload and submit one wave; False when ``--max-cost`` stops it."""
        estimate = sum(first_guess(turns[0].prompt, self.prices, self.config.max_tokens) for turns in wave)
        if self.config.max_cost is not None and self.spent + estimate > self.config.max_cost:
            self.tally.stopped_for_cost = True
            print(f"planbench: {len(wave)} requests are estimated at ${estimate:.4f} at batch prices (up to "
                  f"{self.config.max_tokens or 1_000} output tokens each); with ${self.spent:.4f} spent that passes "
                  f"--max-cost ${self.config.max_cost:g}: nothing submitted", file=sys.stderr)
            return False
        lines = []
        for turns in wave:
            path, body = request_body(self.config.model, self.parameters, turns[0].prompt["messages"])
            lines.append(request_line(turns[0].key, path, body))
        files = write_request_files(self.ledger.folder, lines, next_file_number(self.ledger.folder),
                                    self.config.batch_max_requests, self.config.batch_max_bytes)
        rounds = sorted({turns[0].round for turns in wave})
        for path in files:
            self.ledger.record("written", path.name, rounds=rounds, estimate=round(estimate, 6))
        for path in files:
            file_id = self.api.upload(path)
            self.ledger.record("uploaded", path.name, input_file_id=file_id)
            batch = self._create(path.name, file_id)
            self.ledger.record("submitted", path.name, batch_id=batch.id, input_file_id=file_id)
        self.tally.requests += len(wave)
        return True

    def _create(self, name: str, file_id: str):
        endpoint = "/v1/responses" if self.parameters.api == "responses" else "/v1/chat/completions"
        return self.api.create(file_id, endpoint, {"planbench_run": self.folder.name[:500], "file": name})

    # ------------------------------------------------------------ polling and collecting

    def wait_and_collect(self) -> None:
        """Poll every submitted batch until it ends, collecting each as it does."""
        waiting = {name: entry for name, entry in self.ledger.unfinished().items() if entry["stage"] == "submitted"}
        if not waiting:
            return
        with BatchDisplay(self.show_progress) as display:
            while waiting:
                for name, entry in list(waiting.items()):
                    batch = self.api.retrieve(entry["batch_id"], self.ledger.path)
                    display.show(name, batch)
                    if batch.status in TERMINAL:
                        self.collect(name, batch)
                        del waiting[name]
                if waiting:
                    time.sleep(self.config.poll_seconds)

    def collect(self, name: str, batch) -> None:
        """Download a finished batch's output and error files (kept in ``batch/``) and
        write each answer; a request with no result at all is recorded as failed."""
        number = name.removeprefix("requests-").removesuffix(".jsonl")
        if batch.status == "failed" and not batch.output_file_id and not batch.error_file_id:
            errors = list(getattr(batch.errors, "data", None) or [])
            self.ledger.record("collected", name, batch_id=batch.id, status="failed",
                               errors=[{"line": e.line, "message": e.message} for e in errors])
            first = errors[0] if errors else None
            raise InputError(str(self.ledger.folder / name), (first.line or 0) if first else 0,
                             f"batch {batch.id} failed validation: " + (first.message if first else "no reason given")
                             + f" ({len(errors)} error(s))")
        downloads = []
        for kind, file_id in (("output", batch.output_file_id), ("errors", batch.error_file_id)):
            if file_id:
                downloads.append(self.api.download(file_id, self.ledger.folder / f"{kind}-{number}.jsonl",
                                                   self.ledger.path))
        requested = request_ids(self.ledger.folder / name) or set(self.pending())  # the file gone: what is missing
        written = {line.get("request") for line in read_responses(Run(self.folder, {}), report=lambda line: None)
                   if line.get("batch") == batch.id}
        pending = self.pending()
        seen: set[str] = set()
        for path in downloads:
            for result in read_results(path, self.parameters.api, self.problems):
                if result.custom_id not in requested or result.custom_id in seen:
                    self.problems.append(f"{path}: a result for {result.custom_id!r}, which {name} did not ask "
                                         "(or answered twice): skipped")
                    continue
                seen.add(result.custom_id)
                if result.custom_id in pending and result.custom_id not in written:
                    self.write_answers(pending[result.custom_id], result, batch.id)
        for custom_id in requested - seen - written:
            if custom_id in pending:
                missing = Result(custom_id, None, f"batch {batch.status}: no result for this request", True)
                self.write_answers(pending[custom_id], missing, batch.id)
        counts = batch.request_counts
        self.ledger.record("collected", name, batch_id=batch.id, status=batch.status,
                           completed=getattr(counts, "completed", None), failed=getattr(counts, "failed", None))

    def write_answers(self, turns: list[NextTurn], result: Result, batch_id: str | None, cached: bool = False,
                      paid_cost: float | None = None) -> None:
        """Append the answer to each conversation waiting for it, as the live runner does."""
        lines = answer_lines(turns, result, self.config.model, self.prices, self.live_prices, batch_id, cached,
                             paid_cost)
        for line in lines:
            append_line(self.out, line)
            self.tally.add(line)
            self.spent += 0.0 if line["cached"] else line["cost"] or 0.0
        key = turns[0].key
        if lines[0]["error"]:
            self.failures[key] += 1
            self.failed_now.add(key)
            if not result.retryable:
                self.given_up.add(key)
        elif not cached and result.completion is not None:
            self.cache.put(key, result.completion, lines[0]["cost"])


class BatchDisplay:
    """One progress row per batch: its status and completed / failed of all its requests."""

    def __init__(self, enabled: bool):
        self.progress = None
        self.rows: dict[str, int] = {}
        if enabled:
            from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

            self.progress = Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
                                     TextColumn("failed {task.fields[failed]}"), TimeElapsedColumn())

    def __enter__(self) -> "BatchDisplay":
        if self.progress is not None:
            self.progress.start()
        return self

    def show(self, name: str, batch) -> None:
        if self.progress is None:
            return
        counts = batch.request_counts
        total = getattr(counts, "total", 0) or 0
        failed = getattr(counts, "failed", 0) or 0
        done = (getattr(counts, "completed", 0) or 0) + failed
        description = f"{name} {batch.id} {batch.status}"
        if name not in self.rows:
            self.rows[name] = self.progress.add_task(description, total=total or None, failed=failed)
        self.progress.update(self.rows[name], description=description, completed=done, total=total or None,
                             failed=failed)

    def __exit__(self, *exc) -> None:
        if self.progress is not None:
            self.progress.stop()
