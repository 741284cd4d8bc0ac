"""planbench from a notebook: ``evaluate`` where an event loop already runs (a Jupyter
kernel, ``asyncio.run(main())``), ``await evaluate_async``, and an interrupted cell that
loses nothing. A real IPython kernel (ipykernel, driven by jupyter_client) against the real
local server, through the real SDK."""

from __future__ import annotations

import asyncio
import json
import textwrap
import time
from collections import Counter
from pathlib import Path

import pytest

import planbench
from openai_server import OpenAIServer
from planbench.runs import RESPONSES_FILE


def test_dir_lists_the_api() -> None:
    assert {"load", "evaluate", "evaluate_async", "export"} <= set(dir(planbench))


def options(server: OpenAIServer, tmp_path: Path, name: str) -> dict:
    return dict(set="planbench-3", model="gpt-4o-mini", style="zero-shot", base_url=server.base_url, limit=5,
                out=tmp_path / name, cache_dir=str(tmp_path / f"cache-{name}"), timeout=5.0)


def test_evaluate_inside_a_running_event_loop(tmp_path) -> None:
    """``evaluate`` called from a coroutine (asyncio.run(main())) runs its requests in a
    thread; ``evaluate_async`` sends them on the caller's loop, whose other tasks go on."""
    ticks = []

    async def ticker() -> None:
        while True:
            ticks.append(time.monotonic())
            await asyncio.sleep(0.01)

    async def main():
        blocking = planbench.evaluate(**options(server, tmp_path, "sync"))
        clock = asyncio.create_task(ticker())
        start = time.monotonic()
        awaited = await planbench.evaluate_async(**options(server, tmp_path, "async"))
        elapsed = time.monotonic() - start
        clock.cancel()
        return blocking, awaited, elapsed

    with OpenAIServer(latency=0.2) as server:
        blocking, awaited, elapsed = asyncio.run(main())
    assert server.requests == 10
    for frame in (blocking, awaited):
        assert len(frame) == 5 and set(frame["outcome"]) <= {"valid", "invalid"}
    # The loop kept running while the answers were awaited (0.2 s each): ticks every 10 ms.
    assert elapsed >= 0.2 and len(ticks) >= 10
    assert (tmp_path / "async" / "report.html").exists() and (tmp_path / "async" / "results.json").exists()


class Kernel:
    """A real IPython kernel; ``cell`` runs code in it and returns (status, printed text)."""

    def __init__(self, cwd: Path):
        manager = pytest.importorskip("jupyter_client.manager")
        pytest.importorskip("ipykernel")
        self.manager, self.client = manager.start_new_kernel(kernel_name="python3", cwd=str(cwd))

    def cell(self, code: str, timeout: float = 120) -> tuple[str, str]:
        printed = []

        def hook(message: dict) -> None:
            kind, content = message["msg_type"], message["content"]
            if kind == "stream":
                printed.append(content["text"])
            elif kind == "error":
                printed.append(f"{content['ename']}: {content['evalue']}")

        reply = self.client.execute_interactive(textwrap.dedent(code), timeout=timeout, output_hook=hook)
        return reply["content"]["status"], "".join(printed)

    def close(self) -> None:
        self.client.stop_channels()
        self.manager.shutdown_kernel(now=True)


@pytest.fixture
def kernel(tmp_path):
    started = Kernel(tmp_path)
    yield started
    started.close()


def test_evaluate_in_a_jupyter_kernel(kernel, tmp_path) -> None:
    """In a cell (IPython runs it inside its event loop) and awaited at the top level; the
    notebook's matplotlib backend is left as it was (the report draws its figures without
    pyplot)."""
    with OpenAIServer() as server:
        status, printed = kernel.cell(f"""
            import matplotlib, planbench
            before = matplotlib.get_backend()
            frame = planbench.evaluate(set="planbench-3", model="gpt-4o-mini", style="zero-shot", limit=5,
                                       base_url="{server.base_url}", out="sync", cache_dir="cache-sync")
            print("sync", len(frame), sorted(set(frame["outcome"])))
        """)
        assert status == "ok", printed
        assert printed.startswith("sync 5 ") and (tmp_path / "sync" / "report.html").exists()
        status, printed = kernel.cell(f"""
            frame = await planbench.evaluate_async(set="planbench-3", model="gpt-4o-mini", style="zero-shot",
                                                   limit=5, base_url="{server.base_url}", out="awaited",
                                                   cache_dir="cache-awaited")
            print("awaited", len(frame), matplotlib.get_backend() == before, "evaluate_async" in dir(planbench))
        """)
        assert status == "ok", printed
        assert printed.strip() == "awaited 5 True True"
    assert server.requests == 10


def test_an_interrupted_cell_keeps_every_answer_and_resumes(kernel, tmp_path) -> None:
    """Interrupting the kernel mid-run (Jupyter's stop button) stops sending; the answers
    that landed are whole lines, and running the cell again sends only what is missing."""
    with OpenAIServer(latency=0.3) as server:
        code = f"""
            import planbench
            frame = planbench.evaluate(set="planbench-3", model="gpt-4o-mini", style="zero-shot", limit=20,
                                       concurrency=2, base_url="{server.base_url}", out="run", cache_dir="cache")
            print("done", len(frame))
        """
        # stop_on_error=False: after an error ipykernel aborts requests that reach it before its
        # loop turns again, so a re-run sent at once could come back "aborted" (it did in CI).
        # A person clicks run again seconds later; this lets the test re-run at once.
        kernel.client.execute(textwrap.dedent(code), stop_on_error=False)
        answers = tmp_path / "run" / RESPONSES_FILE
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and (not answers.exists() or len(answers.read_bytes().splitlines()) < 4):
            time.sleep(0.05)
        kernel.manager.interrupt_kernel()
        reply = kernel.client.get_shell_msg(timeout=60)
        assert reply["content"]["status"] == "error" and reply["content"]["ename"] == "KeyboardInterrupt"
        kept = [json.loads(line) for line in answers.read_text().splitlines()]  # every line whole
        assert 4 <= len(kept) < 20 and all(answer["error"] is None for answer in kept)
        status, printed = kernel.cell(code)
        assert status == "ok" and printed.strip() == "done 20", printed
    prompts = map(json.loads, (tmp_path / "run" / "prompts.jsonl").open())
    asked = {json.dumps(item["messages"]): item["id"] for item in prompts}
    sent = Counter(asked[json.dumps(body["messages"])] for body in server.bodies)
    # the answers kept were never asked again; the rest were (those cut off in flight, twice)
    assert all(sent[answer["id"]] == 1 for answer in kept) and set(sent) == set(asked.values())
    assert sorted(answer["id"] for answer in map(json.loads, answers.open())) == sorted(asked.values())
