"""The response cache: answers stored under the identity of the request that made them,
so a new run (or a rerun in another directory) never pays twice for an identical call.
"""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path

from planbench.models import Completion, Parameters
from planbench.runs import append_line, open_appending


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


class ResponseCache:
    """Content-addressed answers of one (model, endpoint): an append-only JSON-lines file
    keyed by :func:`cache_key`, read once into memory. One file, not one per answer,
    because creating files cost more than a request to a fast local server."""

    def __init__(self, folder: Path, model: str, base_url: str | None):
        name = hashlib.sha256(f"{model}\n{base_url}".encode()).hexdigest()[:20]
        self.path = folder / f"{name}.jsonl"
        self.entries: dict[str, dict] = {}
        if self.path.exists():
            for line in self.path.read_text().splitlines():
                try:
                    item = json.loads(line)
                    self.entries[item["key"]] = item["completion"]
                except (json.JSONDecodeError, KeyError, TypeError):
                    continue  # a line cut short
        self._out = None

    def get(self, key: str) -> Completion | None:
        found = self.entries.get(key)
        try:
            return Completion.from_dict(found) if found else None
        except TypeError:
            return None

    def put(self, key: str, completion: Completion) -> None:
        if self._out is None:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self._out = open_appending(self.path)
        entry = completion.as_dict()
        self.entries[key] = entry
        append_line(self._out, {"key": key, "completion": entry})

    def close(self) -> None:
        if self._out is not None:
            self._out.close()
