"""``RUN_DIR/batch/batches.jsonl``: the record that makes a batch run safe to kill.

Each step is appended (and fsynced) the moment it happens: a request file written, uploaded
(its file id), submitted (its batch id), collected. A run started again reads the ledger
first: submitted batches are polled and collected, an uploaded file whose batch id was not
recorded is looked up among the endpoint's batches before anything is created, and a file
never uploaded is set aside. So no request is ever submitted twice.
"""

from __future__ import annotations

import os
import re
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

    def files(self, problems: list[str] | None = None) -> dict[str, dict]:
        """Per request file, every field its events recorded (the latest wins) and
        ``stage``: written, uploaded, submitted, collected or abandoned. A line that is not
        such an event (cut short by a kill, or edited by hand) is skipped, and said in
        ``problems`` unless it is the last: the step before it stands, and a batch whose
        id is lost with it is found again by its input file."""
        state: dict[str, dict] = {}
        if not self.path.exists():
            return state
        lines = list(read_json_lines(self.path))
        for number, item, problem in lines:
            if problem is not None or not _event(item):
                if problems is not None and number != lines[-1][0]:
                    problems.append(f"{self.path}:{number}: not a batch ledger event: skipped")
                continue
            entry = state.setdefault(item["file"], {})
            entry.update({k: v for k, v in item.items() if k not in ("event", "at")})
            entry["stage"] = item["event"]
        return state

    def unfinished(self, problems: list[str] | None = None) -> dict[str, dict]:
        return {name: entry for name, entry in self.files(problems).items()
                if entry["stage"] not in ("collected", "abandoned")}


REQUIRED = {"written": (), "uploaded": ("input_file_id",), "submitted": ("batch_id", "input_file_id"),
            "collected": (), "abandoned": ()}


def _event(item) -> bool:
    """A ledger line as :meth:`Ledger.record` writes it: a known event on a request file
    of this folder, with the ids that event needs."""
    return (isinstance(item, dict) and item.get("event") in REQUIRED and isinstance(item.get("file"), str)
            and re.fullmatch(r"requests-\d+\.jsonl", item["file"]) is not None
            and all(isinstance(item.get(k), str) and item[k] for k in REQUIRED[item["event"]]))
