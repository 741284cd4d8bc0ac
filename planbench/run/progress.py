"""A run's progress on stderr: a live bar in a terminal, plain lines in a log file.

Both say the same things, each with its label: done of all, rate, time left, what was
spent ("cost unknown" for a model with no price: never a made-up $0), tokens, errors, and
retries and rate-limit waits when there are any. The bar fits 80 columns; where stderr is
not a terminal (``2> run.log``, a CI job, ``nohup``) a line is written at each tenth of the
run and at least once a minute, which a log keeps and ``tail -f`` reads, instead of a bar
redrawn with control characters that a file cannot show.

Both offer what the runner calls (``add_task``, ``update``, used as a context manager),
as rich's ``Progress`` does.
"""

from __future__ import annotations

import math
import sys
import time
from typing import TextIO

LOG_STEPS = 10  # a line at each tenth of the run
LOG_SECONDS = 60.0  # and at least this often
BAR = 10  # the bar's width on a terminal: the figures beside it are what matter


def progress_bar(priced: bool = True, stream: TextIO | None = None):
    """A rich bar on a terminal, :class:`LogLines` anywhere else (``stream``: stderr)."""
    from rich.console import Console

    stream = stream or sys.stderr
    console = Console(file=stream)
    if console.is_terminal and not console.is_dumb_terminal:
        return _terminal_bar(console, priced)
    return LogLines(stream, priced)


def figures(done: int, total: int, rate: float | None, fields: dict, priced: bool, wide: bool) -> list[str]:
    """The labelled figures after "done/total": rate, time left, spend, errors, retries and
    rate-limit waits (on the bar only when there are some), tokens. ``wide``: a log line's
    fuller words."""
    left = (total - done) / rate if rate and total > done else (0.0 if total and done >= total else None)
    spent = f"spent ${fields.get('spend', 0.0):.4f}" if priced else "cost unknown"
    tokens = int(fields.get("tokens", 0))
    out = [f"{rate:.1f}/s" if rate else "-/s", f"ETA {_clock(left)}", spent, f"errors {fields.get('errors', 0)}"]
    if fields.get("retries") or wide:
        out.append(f"retries {fields.get('retries', 0)}")
    if fields.get("waits") or wide:
        out.append(f"rate-limited {fields.get('waits', 0)}" if wide else f"429s {fields.get('waits', 0)}")
    return out + [f"tokens {tokens:,}" if wide else f"tokens {_short(tokens)}"]


def fit(parts: list[str], width: int) -> str:
    """As many of ``parts`` as fit in ``width`` columns, dropped from the end (tokens first,
    then waits and retries): a bar that fits its terminal's width, never cut mid-word."""
    while len(parts) > 4 and len(" ".join(parts)) > width:
        parts = parts[:-1]
    return " ".join(parts)


def _clock(seconds: float | None) -> str:
    if seconds is None or not math.isfinite(seconds):
        return "-"
    seconds = int(round(seconds))
    hours, rest = divmod(seconds, 3600)
    return f"{hours}:{rest // 60:02d}:{rest % 60:02d}" if hours else f"{rest // 60}:{rest % 60:02d}"


def _short(count: int) -> str:
    """12,345 -> 12.3k: a token count that keeps the bar inside 80 columns."""
    for size, unit in ((1e9, "G"), (1e6, "M"), (1e3, "k")):
        if count >= size:
            return f"{count / size:.1f}{unit}"
    return str(count)


def _terminal_bar(console, priced: bool):
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, ProgressColumn, TextColumn
    from rich.text import Text

    class Figures(ProgressColumn):
        def render(self, task) -> Text:
            total = int(task.total or 0)
            used = len(task.description) + BAR + 2 * len(str(total)) + 4  # the columns before, and their spaces
            shown = figures(int(task.completed), total, task.speed, task.fields, priced, wide=False)
            return Text(fit(shown, console.width - used))

    return Progress(TextColumn("{task.description}"), BarColumn(bar_width=BAR), MofNCompleteColumn(), Figures(),
                    console=console, transient=False)


class LogLines:
    """Progress as plain lines, for a stderr that is a file or a pipe."""

    def __init__(self, stream: TextIO, priced: bool = True):
        self.stream, self.priced = stream, priced
        self.label, self.total, self.done, self.fields = "answers", 0, 0, {}
        self.start = self.last = time.monotonic()
        self.step = 0
        self.written = 0  # done at the last line written

    def __enter__(self) -> "LogLines":
        return self

    def __exit__(self, *exc) -> None:
        if self.total and self.done != self.written:
            self._write()  # where it ended: all done, or how far it got

    def add_task(self, description: str, total: int | None = None, **fields) -> int:
        self.label, self.total, self.fields = description, int(total or 0), fields
        self.start = self.last = time.monotonic()
        return 0

    def update(self, task: int, advance: int = 0, **fields) -> None:
        self.done += advance
        self.fields.update(fields)
        step = LOG_STEPS * self.done // self.total if self.total else 0
        if step > self.step or time.monotonic() - self.last >= LOG_SECONDS:
            self.step = max(step, self.step)
            self._write()

    def line(self) -> str:
        elapsed = time.monotonic() - self.start
        rate = self.done / elapsed if self.done and elapsed > 0 else None
        share = f" ({100 * self.done / self.total:.0f}%)" if self.total else ""
        shown = figures(self.done, self.total, rate, self.fields, self.priced, wide=True)
        return f"planbench: {self.label} {self.done}/{self.total}{share}, " + ", ".join(shown)

    def _write(self) -> None:
        self.last, self.written = time.monotonic(), self.done
        print(self.line(), file=self.stream, flush=True)
