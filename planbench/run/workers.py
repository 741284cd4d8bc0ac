"""Several processes for one run: the SDK's CPU cost per request caps one process at a few
hundred requests per second, so high concurrency against a fast endpoint is spread over
worker processes (forked, each with its share of the jobs and of the concurrency). They
append whole lines to the same files and share one ``--max-cost`` budget.
"""

from __future__ import annotations

import asyncio
import contextlib
import multiprocessing
import os
import queue as queue_module
import threading
import time
from dataclasses import asdict
from pathlib import Path

from planbench.run.cache import cache_file, default_cache_dir
from planbench.run.cost import Budget
from planbench.errors import RunError
from planbench.run.models import OpenAIModel
from planbench.run.progress import progress_bar
from planbench.run.runner import RunConfig, Tally, make_client, run_jobs
from planbench.runs import RESPONSES_FILE, close_last_line


WORKER_SHARE = 32  # concurrent requests one process keeps busy: the SDK costs ~1.5 ms CPU each


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


def _follow_parent(parent: int) -> None:
    """End this worker when the process that started it is gone (killed alone, its
    children would go on sending requests nobody records): checked twice a second."""
    def watch() -> None:
        while True:
            if os.getppid() != parent:
                os._exit(1)
            time.sleep(0.5)

    threading.Thread(target=watch, daemon=True).start()


def _worker(config: RunConfig, folder: Path, jobs: list, queue, index: int, spent, parent: int) -> None:
    _follow_parent(parent)
    progress = _QueueProgress(queue, index)
    tally, failure = None, None
    try:
        budget = Budget(config.max_cost, spent)
        tally = asyncio.run(run_jobs(config, folder, make_client(config), jobs, progress, budget, shared=True,
                                     strategy=config.make_strategy()))
    except KeyboardInterrupt:
        pass
    except Exception as error:  # noqa: BLE001 - reported by the parent, with what was saved
        failure = f"{type(error).__name__}: {error}"
    progress.flush()
    queue.put(("done", index, tally, failure))


def run_workers(config: RunConfig, folder: Path, jobs: list, workers: int, show_progress: bool,
                base_url: str | None = None, priced: bool = True) -> Tally:
    context = multiprocessing.get_context("fork")
    close_last_line(folder / RESPONSES_FILE)  # the workers share these files: repaired once, here
    cache_dir = Path(config.cache_dir) if config.cache_dir else default_cache_dir()
    close_last_line(cache_file(cache_dir, config.model, base_url))
    queue = context.Queue()
    share = RunConfig(**{**asdict(config), "concurrency": max(1, config.concurrency // workers),
                         "rpm": config.rpm / workers if config.rpm else None})
    spent = context.Array("d", 4)  # the Budget's counters, shared across workers
    processes = [context.Process(target=_worker, args=(share, folder, jobs[i::workers], queue, i, spent, os.getpid()),
                                 daemon=True)
                 for i in range(workers)]
    for process in processes:
        process.start()
    total = Tally(total=len(jobs), priced=priced)
    running: dict[int, dict] = {}  # each worker's latest totals, for the live bar
    reported: set[int] = set()
    failures: list[str] = []
    finished = 0
    progress = progress_bar(priced) if show_progress else contextlib.nullcontext()
    with progress:
        label = "conversations" if config.make_strategy().rounds else "answers"  # as one process says it
        bar = progress.add_task(label, total=len(jobs), errors=0, tokens=0, spend=0.0, retries=0,
                                waits=0) if show_progress else None
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
                                                         for name in ("errors", "tokens", "spend", "retries",
                                                                      "waits")})
            elif kind == "done":
                finished += 1
                index, part, failure = payload
                reported.add(index)
                if failure:
                    failures.append(f"worker {index}: {failure}")
                if part is not None:
                    part.total = 0  # the parent counts the jobs it handed out
                    total.merge(part)
                if show_progress:
                    progress.update(bar, errors=total.errors, tokens=total.tokens, spend=total.spend,
                                    retries=total.retries, waits=total.waits)
    for process in processes:
        process.join()
    if failures:
        raise RunError("; ".join(failures) + f". The {total.done} answers that landed are saved in {folder}; "
                       "the same command sends only what is missing.")
    return total
