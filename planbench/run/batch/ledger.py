"""``RUN_DIR/batch/batches.jsonl``: the record that makes a batch run safe to kill.

Each step is appended (and fsynced) the moment it happens: a request file written, uploaded
(its file id), submitted (its batch id), collected. A run started again reads the ledger
first: submitted batches are polled and collected, an uploaded file whose batch id was not
recorded is looked up among the endpoint's batches before anything is created, and a file
never uploaded is set aside. So no request is ever submitted twice.
"""

from __future__ import annotations

import os
import time
from pathlib import Path

from planbench.runs import append_line, open_appending, read_json_lines

BATCH_FOLDER = "batch"
LEDGER_FILE = "batches.jsonl"


class Ledger:
    def __init__(self, run_folder: Path):
        self.folder = run_folder / BATCH_FOLDER
        self.path = self.folder / LEDGER_FILE

    def record(self, event: str, file: str, **fields) -> None:
        self.folder.mkdir(parents=True, exist_ok=True)
        with open_appending(self.path) as out:
            append_line(out, {"event": event, "file": file, "at": round(time.time(), 3), **fields})
            os.fsync(out.fileno())

    def files(self) -> dict[str, dict]:
        """Per request file, every field its events recorded (the latest wins) and
        ``stage``: written, uploaded, submitted, collected or abandoned."""
        state: dict[str, dict] = {}
        if not self.path.exists():
            return state
        for _, item, problem in read_json_lines(self.path):
            if problem is not None or not isinstance(item, dict) or "file" not in item:
                continue  # a line cut short by a kill: the step before it stands
            entry = state.setdefault(item["file"], {})
            entry.update({k: v for k, v in item.items() if k not in ("event", "at")})
            entry["stage"] = item.get("event")
        return state

    def unfinished(self) -> dict[str, dict]:
        return {name: entry for name, entry in self.files().items() if entry["stage"] not in ("collected", "abandoned")}
