"""A run's progress, read where users read it: a terminal 80 columns wide (a real pty), and a
log file (stderr redirected). Both say done/total, rate, time left, spend and errors, each
labelled."""

from __future__ import annotations

import fcntl
import os
import pty
import re
import select
import struct
import subprocess
import sys
import termios
from pathlib import Path

from openai_server import OpenAIServer

ESCAPES = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]|\x1b\][^\x07]*\x07")


def run_command(server: OpenAIServer, tmp_path: Path, *extra: str, limit: int = 20) -> list[str]:
    return [sys.executable, "-m", "planbench", "run", "--set", "planbench-3", "--style", "zero-shot",
            "--model", "gpt-4o-mini", "--base-url", server.base_url, "--api-key-env", "PROGRESS_KEY",
            "--limit", str(limit),
            "--concurrency", "2", "--cache-dir", str(tmp_path / "cache"), "--no-score", *extra]


def in_a_terminal(command: list[str], columns: int = 80) -> str:
    """What a terminal of ``columns`` columns shows of the command's output, redraws split
    into lines, colours and cursor moves removed."""
    master, slave = pty.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 24, columns, 0, 0))
    env = {**os.environ, "COLUMNS": str(columns), "LINES": "24", "TERM": "xterm-256color", "PROGRESS_KEY": "k"}
    env.pop("NO_COLOR", None)
    process = subprocess.Popen(command, stdin=slave, stdout=slave, stderr=slave, env=env, close_fds=True)
    os.close(slave)
    shown = b""
    while True:
        ready, _, _ = select.select([master], [], [], 0.5)
        if ready:
            try:
                data = os.read(master, 65536)
            except OSError:  # the command ended and closed the terminal
                break
            if not data:
                break
            shown += data
        elif process.poll() is not None:
            break
    process.wait(timeout=60)
    os.close(master)
    assert process.returncode == 0, shown.decode(errors="replace")[-2000:]
    return ESCAPES.sub("", shown.decode())


def test_the_bar_fits_80_columns_and_says_what_each_figure_is(tmp_path) -> None:
    """Two-round conversations, the server rate-limiting every first attempt: the bar's
    every redraw fits 80 columns, uncut, with its figures labelled."""
    with OpenAIServer(latency=0.2, script=["429"]) as server:
        shown = in_a_terminal(run_command(server, tmp_path, "--strategy", "revise", "--rounds", "1",
                                          "--out", str(tmp_path / "run"), limit=10))
    bars = [line for line in re.split(r"[\r\n]+", shown) if line.startswith("conversations ")]
    assert len(bars) >= 3, shown
    assert all(len(line) <= 80 and "…" not in line for line in bars), "\n".join(bars)
    last = bars[-1]
    # 80 columns hold the figures that matter; the rest (429s, tokens) are left out whole, never cut
    assert re.search(r"10/10 [\d.]+/s ETA 0:00 spent \$0\.\d{4} errors 0 retries 20$", last), last
    assert any(re.search(r" \d+/10 [\d.]+/s ETA \d+:\d\d ", line) for line in bars[:-1])


def test_a_log_file_gets_plain_lines(tmp_path) -> None:
    """stderr a file: a line at each tenth of the run, plain text (no bar, no control
    characters), each figure labelled; the last says where it ended."""
    log = tmp_path / "run.log"
    with OpenAIServer(latency=0.05) as server, log.open("w") as stderr:
        done = subprocess.run(run_command(server, tmp_path, "--out", str(tmp_path / "run")), stdout=subprocess.PIPE,
                              stderr=stderr, text=True, timeout=300, env={**os.environ, "PROGRESS_KEY": "k"})
    assert done.returncode == 0
    lines = log.read_text().splitlines()
    pattern = re.compile(r"planbench: answers (\d+)/20 \((\d+)%\), (?:[\d.]+|-)/s, ETA (?:\d+:\d\d|-), "
                         r"spent \$\d+\.\d{4}, errors 0, retries 0, rate-limited 0, tokens [\d,]+$")
    progress = [pattern.match(line) for line in lines]
    assert all(progress) and len(progress) == 10, lines  # 2/20, 4/20, ... 20/20
    assert [int(m.group(1)) for m in progress] == list(range(2, 21, 2))
    assert all(int(m.group(2)) == 5 * int(m.group(1)) for m in progress)
    assert "\x1b" not in log.read_text() and "\r" not in log.read_text()
    assert lines[-1].startswith("planbench: answers 20/20 (100%)") and "tokens 2,400" in lines[-1]
