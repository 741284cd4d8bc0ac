"""Running the runner's coroutines from code that may already be inside an event loop.

``asyncio.run`` refuses to start where a loop is running in the same thread: in a Jupyter
kernel (IPython runs every cell inside one) and in an asyncio program that calls
``planbench.evaluate``. There the coroutine runs to its end in a thread with a loop of its
own, and the caller waits for it, as it would for ``asyncio.run``.
"""

from __future__ import annotations

import asyncio
import threading
from typing import Any, Coroutine, TypeVar

T = TypeVar("T")


def run_to_end(coroutine: Coroutine[Any, Any, T]) -> T:
    """``asyncio.run(coroutine)``, also where an event loop already runs in this thread."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return asyncio.run(coroutine)
    return _in_a_thread(coroutine)


def _in_a_thread(coroutine: Coroutine[Any, Any, T]) -> T:
    """The coroutine in a thread of its own, this thread waiting. Ctrl-C here (a notebook's
    interrupt) cancels it as ``asyncio.run`` would on the main thread: the runner stops
    sending, closes its files with every finished answer written, and the interrupt goes
    on to the caller once it has."""
    started = threading.Event()
    held: dict[str, Any] = {}

    async def main() -> T:
        held["loop"], held["task"] = asyncio.get_running_loop(), asyncio.current_task()
        started.set()
        return await coroutine

    def target() -> None:
        try:
            held["value"] = asyncio.run(main())
        except BaseException as error:  # noqa: BLE001 - handed to the waiting thread as it is
            held["error"] = error
        finally:
            started.set()

    thread = threading.Thread(target=target, name="planbench-run", daemon=True)
    thread.start()
    try:
        thread.join()
    except KeyboardInterrupt:
        started.wait()
        if "task" in held:
            try:
                held["loop"].call_soon_threadsafe(held["task"].cancel)
            except RuntimeError:  # its loop has closed: it finished meanwhile
                pass
        thread.join()
        raise
    if "error" in held:
        raise held["error"]
    return held["value"]
