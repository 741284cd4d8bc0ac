"""Run directories: what was asked (``run.json``) and what came back (``responses.jsonl``).

Every stage is a function from plain files to plain files (DESIGN.md): a run directory
can be re-scored with another extractor without calling a model. ``responses.jsonl`` is
append-only, one finished answer per line; a truncated last line (a killed writer) is
reported and skipped, never fatal, so finished work is never lost.
"""

from __future__ import annotations

import json
import sys
from dataclasses import dataclass
from pathlib import Path

from planbench.errors import InputError

RUN_FILE = "run.json"
RESPONSES_FILE = "responses.jsonl"
PROMPTS_FILE = "prompts.jsonl"


def open_appending(path: Path):
    """An unbuffered append-only file: every :func:`append_line` is one ``write`` call.
    A last line cut short (a writer killed mid-line) is closed with a newline first, or
    the next answer would be glued to it and lost with it."""
    out = path.open("ab", buffering=0)
    if out.tell() > 0:
        with path.open("rb") as existing:
            existing.seek(-1, 2)
            if existing.read(1) != b"\n":
                out.write(b"\n")
    return out


def append_line(out, item: dict) -> None:
    """One JSON line in a single write to an O_APPEND file: whole on disk as soon as it
    returns, and never interleaved with a line another worker process appends at the same
    time (with a buffered text file, its buffer decides when and in how many writes a line
    goes out; this makes the one-write contract explicit rather than an accident)."""
    out.write((json.dumps(item, ensure_ascii=False) + "\n").encode("utf-8"))



@dataclass(frozen=True)
class Run:
    folder: Path
    info: dict  # run.json: set, encoding, style, model, parameters, source

    @property
    def name(self) -> str:
        return self.info.get("name") or self.folder.name


def write_run(folder: Path, info: dict, responses: list[dict]) -> Run:
    """A new run directory (an import, or a finished offline run)."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / RUN_FILE).write_text(json.dumps(info, indent=2) + "\n")
    with (folder / RESPONSES_FILE).open("w") as out:
        for response in responses:
            out.write(json.dumps(response, ensure_ascii=False) + "\n")
    return Run(folder, info)


def read_run(folder: str | Path) -> Run:
    folder = Path(folder)
    path = folder / RUN_FILE
    try:
        info = json.loads(path.read_text())
    except OSError:
        raise InputError(str(folder), 0, f"not a run directory (no readable {RUN_FILE})") from None
    except json.JSONDecodeError as error:
        raise InputError(str(path), error.lineno, f"not JSON: {error.msg}") from None
    return Run(folder, info)


def read_responses(run: Run) -> list[dict]:
    """The answers of a run. A line that is not JSON is reported on stderr with its line
    number and skipped (the last one is usually a write cut short by a kill)."""
    path = run.folder / RESPONSES_FILE
    if not path.exists():
        return []
    out = []
    for number, line in enumerate(path.read_text().splitlines(), 1):
        if not line.strip():
            continue
        try:
            out.append(json.loads(line))
        except json.JSONDecodeError:
            print(f"planbench: {path}:{number}: not a complete JSON line; skipped", file=sys.stderr)
    return out
