"""Batch request and result files: OpenAI's JSONL format, which vLLM's ``run-batch`` shares.

A request line is ``{"custom_id", "method": "POST", "url": "/v1/chat/completions", "body"}``;
a result line is ``{"id", "custom_id", "response": {"status_code", "request_id", "body"} |
null, "error": {"code", "message"} | null}`` (output and error files alike).
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

from planbench.errors import InputError
from planbench.redact import redact
from planbench.run.models import Completion, completion_from
from planbench.runs import read_json_lines

MAX_REQUESTS = 50_000  # OpenAI's limits per input file (requests, bytes)
MAX_BYTES = 200 * 1024 * 1024


def request_line(custom_id: str, path: str, body: dict) -> bytes:
    """One request line; ``path`` is the API path under /v1 (``/chat/completions``)."""
    line = {"custom_id": custom_id, "method": "POST", "url": f"/v1{path}", "body": body}
    return (json.dumps(line, ensure_ascii=False) + "\n").encode("utf-8")


def write_request_files(folder: Path, lines: list[bytes], first: int, max_requests: int = MAX_REQUESTS,
                        max_bytes: int = MAX_BYTES) -> list[Path]:
    """``requests-NNN.jsonl`` files from ``first`` on, each under both limits, each on disk
    (fsynced) before it is named in the ledger: what is uploaded is what is kept."""
    folder.mkdir(parents=True, exist_ok=True)
    chunks: list[list[bytes]] = [[]]
    size = 0
    for line in lines:
        if len(line) > max_bytes:
            raise InputError("batch", 0, f"one request is {len(line):,} bytes, over the {max_bytes:,} bytes a batch "
                             "file may hold")
        if chunks[-1] and (len(chunks[-1]) >= max_requests or size + len(line) > max_bytes):
            chunks.append([])
            size = 0
        chunks[-1].append(line)
        size += len(line)
    paths = []
    for number, chunk in enumerate(c for c in chunks if c):
        path = folder / f"requests-{first + number:03d}.jsonl"
        with open(path, "wb") as out:
            out.write(b"".join(chunk))
            out.flush()
            os.fsync(out.fileno())
        paths.append(path)
    return paths


def request_ids(path: Path) -> set[str]:
    """The custom_ids a request file asks (empty if the file is gone)."""
    ids: set[str] = set()
    if not path.exists():
        return ids
    for _, item, problem in read_json_lines(path):
        if problem is None and isinstance(item, dict) and isinstance(item.get("custom_id"), str):
            ids.add(item["custom_id"])
    return ids


def next_file_number(folder: Path) -> int:
    numbers = [int(p.stem.split("-")[1]) for p in folder.glob("requests-*.jsonl") if p.stem.split("-")[1].isdigit()]
    return max(numbers, default=-1) + 1


@dataclass
class Result:
    """One result line: the answer, or why there is none (``retryable``: worth sending again)."""

    custom_id: str
    completion: Completion | None
    error: str | None
    retryable: bool = False


RETRYABLE_CODES = {"batch_expired", "batch_cancelled", "batch_failed"}


def read_results(path: Path, api: str, problems: list[str] | None = None) -> Iterator[Result]:
    """The results in an output or error file. A line that cannot be read is reported in
    ``problems`` (file and line) and skipped: its request stays unanswered, nothing else is lost."""
    with open(path, "rb") as handle:
        for number, raw in enumerate(handle, 1):
            if not raw.strip():
                continue
            try:
                item = json.loads(raw)
                custom_id = item["custom_id"]
                if not isinstance(custom_id, str):
                    raise TypeError
            except (ValueError, KeyError, TypeError):
                if problems is not None:
                    problems.append(f"{path}:{number}: not a batch result line (no JSON object with a custom_id)")
                continue
            yield _result(custom_id, item, api)


def _result(custom_id: str, item: dict, api: str) -> Result:
    response = item.get("response") if isinstance(item.get("response"), dict) else None
    status = response.get("status_code") if response else None
    body = response.get("body") if response else None
    error = item.get("error")
    if response and status == 200 and isinstance(body, dict) and not error:
        return Result(custom_id, completion_from(api, body), None)
    code, message = _error_of(error if error else body)
    message = redact(message)  # an endpoint's message may quote a URL with a key in it
    if code in RETRYABLE_CODES:
        return Result(custom_id, None, f"batch {code}: {message}", True)
    retryable = isinstance(status, int) and (status in (408, 409, 429) or status >= 500)
    what = f"HTTP {status}" if status else f"{code or 'error'}"
    return Result(custom_id, None, f"batch {what}: {message}".rstrip(": "), retryable)


def _error_of(error) -> tuple[str | None, str]:
    """(code, message) of an error as engines write it: OpenAI's ``{"code", "message"}``,
    vLLM's plain string or its ``{"error": {...}}`` / ``{"object": "error", ...}`` response."""
    if isinstance(error, str):
        return None, error.splitlines()[0][:200] if error else ""
    if not isinstance(error, dict):
        return None, ""
    if isinstance(error.get("error"), dict):
        return _error_of(error["error"])
    code = error.get("code")
    return (str(code) if code is not None else None), str(error.get("message") or "")[:200]
