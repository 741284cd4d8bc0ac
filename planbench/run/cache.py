"""The response cache: answers stored under the identity of the request that made them,
so a new run (or a rerun in another directory) never pays twice for an identical call.
Each answer keeps what it cost when it was paid for, so a run that takes it from here
reports that cost (and "paid now": nothing), not $0.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import sys
from pathlib import Path

from planbench.run.models import Completion, Parameters
from planbench.runs import append_line, open_appending, read_json_lines


def messages_digest(messages: list) -> str:
    """SHA-256 of the messages as canonical JSON: computed once per prompt, shared by its samples."""
    return hashlib.sha256(json.dumps(messages, sort_keys=True).encode()).hexdigest()


def cache_key(model: str, base_url: str | None, messages: list, parameters: Parameters, sample: int,
              digest: str | None = None) -> str:
    """The request's identity: model, endpoint, messages, parameters and sample index."""
    payload = json.dumps({"model": model, "base_url": base_url, "messages": digest or messages_digest(messages),
                          "parameters": parameters.as_dict(), "sample": sample}, sort_keys=True)
    return hashlib.sha256(payload.encode()).hexdigest()


def default_cache_dir() -> Path:
    return Path(os.environ.get("PLANBENCH_CACHE", Path.home() / ".cache" / "planbench"))


def cache_file(folder: Path, model: str, base_url: str | None) -> Path:
    """The file holding one (model, endpoint)'s answers."""
    return folder / (hashlib.sha256(f"{model}\n{base_url}".encode()).hexdigest()[:20] + ".jsonl")


class ResponseCache:
    """Content-addressed answers of one (model, endpoint): an append-only JSON-lines file
    keyed by :func:`cache_key`, read once into memory. One file, not one per answer,
    because creating files cost more than a request to a fast local server."""

    def __init__(self, folder: Path, model: str, base_url: str | None, repair: bool = True):
        self.path = cache_file(folder, model, base_url)
        self.entries: dict[str, dict] = {}
        self.costs: dict[str, float] = {}  # what each answer cost when paid (entries written since costs were kept)
        self.broken: str | None = None  # why the cache stopped being written, if it did
        self.repair = repair  # False in worker processes: the parent repaired the file
        try:
            if self.path.exists():
                for _, item, _ in read_json_lines(self.path):
                    try:
                        self.entries[item["key"]] = item["completion"]
                    except (KeyError, TypeError):
                        continue  # a line cut short
                    if isinstance(item.get("cost"), (int, float)) and not isinstance(item["cost"], bool):
                        self.costs[item["key"]] = float(item["cost"])
        except OSError as error:
            self._give_up(error)
        self._out = None

    def get(self, key: str) -> Completion | None:
        found = self.entries.get(key)
        try:
            return Completion.from_dict(found) if found else None
        except TypeError:
            return None

    def cost(self, key: str) -> float | None:
        """What the answer under ``key`` cost when it was paid for (None: not known, an
        unpriced model's answer or one cached before costs were kept)."""
        return self.costs.get(key)

    def put(self, key: str, completion: Completion, cost: float | None = None) -> None:
        """Keep an answer and what it cost; a cache that cannot be written is a warning,
        never a lost run (the answer is in responses.jsonl already)."""
        entry = completion.as_dict()
        self.entries[key] = entry
        if cost is not None:
            self.costs[key] = cost
        if self.broken:
            return
        try:
            if self._out is None:
                self.path.parent.mkdir(parents=True, exist_ok=True)
                self._out = open_appending(self.path, self.repair)
            append_line(self._out, {"key": key, "completion": entry, "cost": cost})
        except OSError as error:
            self._give_up(error)

    def _give_up(self, error: OSError) -> None:
        self.broken = f"{self.path}: {error.strerror or error}"
        print(f"planbench: the response cache cannot be used ({self.broken}); answers are still recorded "
              "in the run directory", file=sys.stderr)

    def close(self) -> None:
        if self._out is not None:
            with contextlib.suppress(OSError):
                self._out.close()
