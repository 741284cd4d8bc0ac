"""A real local HTTP server speaking the OpenAI API (Chat Completions and Responses), for
tests and the runner benchmark. Faults are scripted per attempt of each distinct prompt:
"429" (with Retry-After), "500", "drop" (close the connection without answering),
"slow" (answer after ``slow_seconds``), "401" (refuse the key, quoting it, as some
servers do), "html" (a 200 page that is not JSON), "trickle" (the headers, then the answer
a byte a second), "ok". A path it does not serve is a 404 quoting the path, query and all.
The server counts every request.

It is an asyncio protocol with a minimal HTTP/1.1 reader (request line, headers,
Content-Length body, keep-alive) rather than http.server or aiohttp.web, because in
``scripts/bench_run.py`` it shares the machine's cores with the client being measured:
measured per request, http.server's threads cost ~0.45 ms CPU, aiohttp's server ~0.35 ms,
this ~0.15 ms. Latency is a timer, not a sleeping thread.

It also speaks the Files and Batch APIs (``/v1/files``, ``/v1/batches``) as OpenAI
documents them: an uploaded JSONL file of requests becomes a batch that moves through
``validating``, ``in_progress``, ``finalizing`` and ``completed`` as it is polled
(``batch_per_poll`` requests answered per poll), can be cancelled, can expire after
``batch_expire_after`` answers, fails validation on a malformed file (with the line), and
leaves output and error files to download. ``batch_custom_ids`` counts every ``custom_id``
submitted in any batch: the log a test reads to see nothing was sent twice.
"""

from __future__ import annotations

import asyncio
import hashlib
import itertools
import json
import re
import threading
import time
from collections import Counter
from typing import Callable

REASONS = {200: "OK", 400: "Bad Request", 401: "Unauthorized", 404: "Not Found", 429: "Too Many Requests", 500: "Internal Server Error"}


class _Connection(asyncio.Protocol):
    """One client connection: reads requests off the stream and answers them in order."""

    def __init__(self, server: "OpenAIServer"):
        self.server = server
        self.buffer = b""
        self.transport: asyncio.Transport | None = None

    def connection_made(self, transport) -> None:
        self.transport = transport

    def data_received(self, data: bytes) -> None:
        self.buffer += data
        while self.transport is not None and not self.transport.is_closing():
            end = self.buffer.find(b"\r\n\r\n")
            if end < 0:
                return
            head = self.buffer[:end].decode("latin-1").split("\r\n")
            headers = dict((k.strip().lower(), v.strip()) for k, _, v in (line.partition(":") for line in head[1:]))
            length = int(headers.get("content-length", "0") or 0)
            if len(self.buffer) < end + 4 + length:
                return
            body = self.buffer[end + 4: end + 4 + length]
            self.buffer = self.buffer[end + 4 + length:]
            parts = head[0].split()
            method, path = (parts[0], parts[1]) if len(parts) > 1 else ("GET", "/")
            if path.startswith(("/v1/files", "/v1/batches")):
                self.server.batch_api(self, method, path.split("?")[0], headers, body)
            else:
                self.server.handle(self, path, headers, body)

    def send(self, status: int, payload: dict | str | bytes, headers: dict | None = None,
             trickle: float | None = None) -> None:
        """An answer; with ``trickle``, the headers at once and then the body one byte every
        ``trickle`` seconds (a stalled proxy that never trips a per-read timeout)."""
        if self.transport is None or self.transport.is_closing():
            return
        if isinstance(payload, bytes):
            data, kind = payload, "application/octet-stream"
        else:
            data = (payload if isinstance(payload, str) else json.dumps(payload)).encode()
            kind = "text/html" if isinstance(payload, str) else "application/json"
        lines = [f"HTTP/1.1 {status} {REASONS.get(status, 'Status')}", f"content-type: {kind}",
                 f"content-length: {len(data)}"] + [f"{k}: {v}" for k, v in (headers or {}).items()]
        head = ("\r\n".join(lines) + "\r\n\r\n").encode()
        if trickle is None:
            return self.transport.write(head + data)
        self.transport.write(head)
        self._drip(data, trickle)

    def _drip(self, data: bytes, every: float) -> None:
        if data and self.transport is not None and not self.transport.is_closing():
            self.transport.write(data[:1])
            asyncio.get_running_loop().call_later(every, self._drip, data[1:], every)

    def drop(self) -> None:
        if self.transport is not None:
            self.transport.abort()

    def connection_lost(self, exc) -> None:
        self.transport = None


class OpenAIServer:
    """Serves on 127.0.0.1 (a free port) from its own thread while used as a context manager."""

    def __init__(self, latency: float = 0.0, script: list[str] | None = None, slow_seconds: float = 3.0,
                 port: int = 0):
        self.latency = latency
        self.script = script or []
        self.slow_seconds = slow_seconds
        self.finish_reason = "stop"
        self.shape = None  # a function that may rewrite each chat answer (odd servers' JSON)
        self.latency_of: Callable[[int], float] | None = None  # request number (from 0) -> its latency
        self.requests = 0
        self.answered = 0
        self.paths: Counter = Counter()
        self.bodies: list[dict] = []  # every request body, in arrival order
        self.arrivals: list[float] = []  # time.monotonic() of each request
        self.attempts: Counter = Counter()
        self.authorizations: set[str] = set()
        self.files: dict[str, dict] = {}
        self.batches: dict[str, dict] = {}
        self.batch_custom_ids: Counter = Counter()  # every custom_id in every batch created
        self.batch_calls: Counter = Counter()  # (method, route) of Files and Batch API calls
        self.batch_per_poll: int | None = None  # answers per poll while in progress (None: all at once)
        self.batch_expire_after: int | None = None  # a batch expires after this many answers
        self.batch_fault: Callable[[str, dict, int], int | None] | None = None  # (custom_id, body, times sent) -> status
        self.batch_reject: str | None = None  # a message: every batch fails validation with it (line 1)
        self._ids = itertools.count(1)
        self.port = port  # 0: a free one
        self._loop: asyncio.AbstractEventLoop | None = None
        self._ready = threading.Event()
        self._thread = threading.Thread(target=self._serve, daemon=True)

    @property
    def host(self) -> str:
        return f"127.0.0.1:{self.port}"

    @property
    def base_url(self) -> str:
        return f"http://{self.host}/v1"

    def answer(self, body: dict) -> str:
        return "1. Pick up the red block\n2. Stack the red block on top of the blue block"

    # ------------------------------------------------------------ requests

    def handle(self, connection: _Connection, path: str, headers: dict, raw: bytes) -> None:
        try:
            body = json.loads(raw or b"{}")
        except json.JSONDecodeError:
            return connection.send(400, {"error": {"message": "the body is not JSON", "type": "invalid_request"}})
        messages = body.get("messages", body.get("input"))
        key = hashlib.sha256(json.dumps(messages, sort_keys=True).encode()).hexdigest()
        self.requests += 1
        self.paths[path] += 1
        self.bodies.append(body)
        self.arrivals.append(time.monotonic())
        attempt = self.attempts[key]
        self.attempts[key] += 1
        self.authorizations.add(headers.get("authorization", ""))
        behaviour = self.script[attempt] if attempt < len(self.script) else "ok"
        latency = self.latency_of(self.requests - 1) if self.latency_of else self.latency
        delay = latency + (self.slow_seconds if behaviour == "slow" else 0.0)
        if behaviour == "401":
            message = f"Incorrect API key provided: {headers.get('authorization', '').removeprefix('Bearer ')}"
            return connection.send(401, {"error": {"message": message, "type": "invalid_request_error"}})
        self._loop.call_later(delay, self._respond, connection, path, body, behaviour)

    def _respond(self, connection: _Connection, path: str, body: dict, behaviour: str) -> None:
        if behaviour == "429":
            return connection.send(429, {"error": {"message": "rate limited", "type": "rate_limit"}},
                                   {"retry-after": "0.05"})
        if behaviour == "500":
            return connection.send(500, {"error": {"message": "server error", "type": "server"}})
        if behaviour == "html":  # a proxy's page instead of the API's JSON
            return connection.send(200, "<html><body>Service temporarily moved</body></html>")
        if behaviour == "drop":
            return connection.drop()
        if behaviour == "trickle" and path.endswith("/chat/completions"):
            return connection.send(200, self._chat(body), trickle=1.0)
        if path.endswith("/chat/completions"):
            self.answered += 1
            payload = self._chat(body)
            return connection.send(200, self.shape(payload) if self.shape else payload)
        if path.endswith("/responses"):
            self.answered += 1
            return connection.send(200, self._responses(body))
        connection.send(404, {"error": {"message": f"no route {path}", "type": "not_found"}})

    def _chat(self, body: dict) -> dict:
        return {
            "id": "chatcmpl-test", "object": "chat.completion", "created": int(time.time()), "model": body.get("model"),
            "choices": [{"index": 0, "finish_reason": self.finish_reason,
                         "message": {"role": "assistant", "content": self.answer(body)}}],
            "usage": {"prompt_tokens": 100, "completion_tokens": 20, "total_tokens": 120,
                      "completion_tokens_details": {"reasoning_tokens": 5},
                      "prompt_tokens_details": {"cached_tokens": 10}},
        }

    def _responses(self, body: dict) -> dict:
        incomplete = self.finish_reason == "length"
        return {
            "id": "resp-test", "object": "response", "created_at": int(time.time()), "model": body.get("model"),
            "status": "incomplete" if incomplete else "completed",
            "incomplete_details": {"reason": "max_output_tokens"} if incomplete else None,
            "output": [{"type": "reasoning", "id": "rs-test", "summary": []},
                       {"type": "message", "id": "msg-test", "role": "assistant", "status": "completed",
                        "content": [{"type": "output_text", "text": self.answer(body), "annotations": []}]}],
            "usage": {"input_tokens": 100, "output_tokens": 20, "total_tokens": 120,
                      "input_tokens_details": {"cached_tokens": 10},
                      "output_tokens_details": {"reasoning_tokens": 5}},
        }

    # ------------------------------------------------------------ files and batches

    def batch_api(self, connection: _Connection, method: str, path: str, headers: dict, raw: bytes) -> None:
        """Files and Batch API routes (a subset: what a batch client needs)."""
        parts = path.strip("/").split("/")[1:]  # after "v1"
        self.batch_calls[(method, "/".join(p if i == 0 or p in ("content", "cancel") else "ID"
                                           for i, p in enumerate(parts)))] += 1
        if parts == ["files"] and method == "POST":
            return connection.send(200, self._upload(headers, raw))
        if len(parts) >= 2 and parts[0] == "files" and parts[1] in self.files:
            stored = self.files[parts[1]]
            if parts[2:] == ["content"]:
                return connection.send(200, stored["data"])
            return connection.send(200, self._file_object(parts[1]))
        if parts == ["batches"] and method == "POST":
            return connection.send(*self._create_batch(json.loads(raw or b"{}")))
        if parts == ["batches"] and method == "GET":
            data = [self._batch_object(b) for b in reversed(list(self.batches))]
            return connection.send(200, {"object": "list", "data": data, "has_more": False,
                                         "first_id": data[0]["id"] if data else None,
                                         "last_id": data[-1]["id"] if data else None})
        if len(parts) >= 2 and parts[0] == "batches" and parts[1] in self.batches:
            batch = self.batches[parts[1]]
            if parts[2:] == ["cancel"] and method == "POST":
                if batch["status"] in ("validating", "in_progress", "finalizing"):
                    batch["status"], batch["cancelling_at"] = "cancelling", int(time.time())
            elif method == "GET":
                self._advance(batch)
            return connection.send(200, self._batch_object(parts[1]))
        connection.send(404, {"error": {"message": f"no route {method} {path}", "type": "invalid_request_error"}})

    def _upload(self, headers: dict, raw: bytes) -> dict:
        boundary = re.search(r"boundary=\"?([^\";]+)", headers.get("content-type", "")).group(1).encode()
        fields: dict[str, tuple[str | None, bytes]] = {}
        for part in raw.split(b"--" + boundary)[1:-1]:
            head, _, content = part.strip(b"\r\n").partition(b"\r\n\r\n")
            disposition = head.decode("latin-1")
            name = re.search(r'name="([^"]*)"', disposition).group(1)
            filename = re.search(r'filename="([^"]*)"', disposition)
            fields[name] = (filename.group(1) if filename else None, content)
        filename, data = fields["file"]
        return self._file_object(self._store(data, filename or "upload", fields["purpose"][1].decode()))

    def _store(self, data: bytes, filename: str, purpose: str) -> str:
        file_id = f"file-{next(self._ids)}"
        self.files[file_id] = {"data": data, "filename": filename, "purpose": purpose, "created_at": int(time.time())}
        return file_id

    def _file_object(self, file_id: str) -> dict:
        stored = self.files[file_id]
        return {"id": file_id, "object": "file", "bytes": len(stored["data"]), "created_at": stored["created_at"],
                "filename": stored["filename"], "purpose": stored["purpose"], "status": "processed"}

    def _create_batch(self, body: dict) -> tuple[int, dict]:
        stored = self.files.get(body.get("input_file_id"))
        if stored is None or body.get("completion_window") != "24h" or body.get("endpoint") not in (
                "/v1/chat/completions", "/v1/responses"):
            return 400, {"error": {"message": "bad batch request", "type": "invalid_request_error"}}
        batch_id = f"batch_{next(self._ids)}"
        now = int(time.time())
        batch = {"id": batch_id, "endpoint": body["endpoint"], "input_file_id": body["input_file_id"],
                 "metadata": body.get("metadata"), "status": "validating", "created_at": now,
                 "expires_at": now + 86400, "requests": [], "done": {}, "errors": None}
        lines = stored["data"].decode("utf-8").splitlines()
        problems = []
        for number, text in enumerate(lines, 1):
            try:
                item = json.loads(text)
                assert isinstance(item, dict) and item.get("method") == "POST" and item.get("url") == body["endpoint"]
                assert isinstance(item.get("custom_id"), str) and isinstance(item.get("body"), dict)
            except (json.JSONDecodeError, AssertionError):
                problems.append({"code": "invalid_request", "message": "not a batch request line", "line": number})
                continue
            batch["requests"].append(item)
        ids = [item["custom_id"] for item in batch["requests"]]
        if self.batch_reject:
            problems.append({"code": "invalid_request", "message": self.batch_reject, "line": 1})
        if len(set(ids)) != len(ids):
            problems.append({"code": "duplicate_custom_id", "message": "custom_id values must be unique", "line": None})
        if problems:
            batch["status"], batch["failed_at"] = "failed", now
            batch["errors"] = {"object": "list", "data": problems}
        else:
            self.batch_custom_ids.update(ids)
        self.batches[batch_id] = batch
        return 200, self._batch_object(batch_id)

    def _advance(self, batch: dict) -> None:
        """One poll's worth of progress (a real batch moves on its own; here polling moves it)."""
        now = int(time.time())
        if batch["status"] == "validating":
            batch["status"], batch["in_progress_at"] = "in_progress", now
        elif batch["status"] == "in_progress":
            waiting = [r for r in batch["requests"] if r["custom_id"] not in batch["done"]]
            for item in waiting[: self.batch_per_poll or len(waiting)]:
                if self.batch_expire_after is not None and len(batch["done"]) >= self.batch_expire_after:
                    return self._close(batch, "expired", "batch_expired", "This request could not be executed "
                                       "before the completion window expired.")
                batch["done"][item["custom_id"]] = self._batch_answer(item)
            if len(batch["done"]) == len(batch["requests"]):
                batch["status"], batch["finalizing_at"] = "finalizing", now
        elif batch["status"] == "finalizing":
            self._close(batch, "completed")
        elif batch["status"] == "cancelling":
            self._close(batch, "cancelled", "batch_cancelled", "This request was not executed: the batch was cancelled.")

    def _batch_answer(self, item: dict) -> dict:
        custom_id, body = item["custom_id"], item["body"]
        status = self.batch_fault(custom_id, body, self.batch_custom_ids[custom_id]) if self.batch_fault else None
        request_id = f"req_{next(self._ids)}"
        if status:
            error = {"error": {"message": f"scripted status {status}", "type": "server_error", "code": None}}
            return {"id": f"batch_req_{next(self._ids)}", "custom_id": custom_id, "error": None,
                    "response": {"status_code": status, "request_id": request_id, "body": error}}
        self.answered += 1
        answer = self._responses(body) if item["url"].endswith("/responses") else self._chat(body)
        return {"id": f"batch_req_{next(self._ids)}", "custom_id": custom_id, "error": None,
                "response": {"status_code": 200, "request_id": request_id, "body": answer}}

    def _close(self, batch: dict, status: str, code: str | None = None, message: str = "") -> None:
        """Finish the batch: answers to the output file; failed answers, and (expired,
        cancelled) requests never run, to the error file."""
        now = int(time.time())
        batch["status"], batch[f"{status}_at"] = status, now
        outputs = [line for line in batch["done"].values() if line["response"]["status_code"] == 200]
        errors = [line for line in batch["done"].values() if line["response"]["status_code"] != 200]
        errors += [{"id": f"batch_req_{next(self._ids)}", "custom_id": r["custom_id"], "response": None,
                    "error": {"code": code, "message": message}}
                   for r in batch["requests"] if r["custom_id"] not in batch["done"]]
        jsonl = lambda lines: "".join(json.dumps(line) + "\n" for line in lines).encode()  # noqa: E731
        if outputs:
            batch["output_file_id"] = self._store(jsonl(outputs), f"{batch['id']}_output.jsonl", "batch_output")
        if errors:
            batch["error_file_id"] = self._store(jsonl(errors), f"{batch['id']}_error.jsonl", "batch_error")

    def _batch_object(self, batch_id: str | dict) -> dict:
        batch = batch_id if isinstance(batch_id, dict) else self.batches[batch_id]
        answered = sum(line["response"]["status_code"] == 200 for line in batch["done"].values())
        failed = len(batch["done"]) - answered
        if batch["status"] in ("expired", "cancelled"):  # requests never run count as failed
            failed = len(batch["requests"]) - answered
        keep = ("id", "endpoint", "input_file_id", "metadata", "status", "created_at", "expires_at", "errors",
                "output_file_id", "error_file_id", "in_progress_at", "finalizing_at", "completed_at", "failed_at",
                "expired_at", "cancelling_at", "cancelled_at")
        return {"object": "batch", "completion_window": "24h", **{k: batch.get(k) for k in keep},
                "request_counts": {"total": len(batch["requests"]), "completed": answered, "failed": failed}}

    # ------------------------------------------------------------ serving

    def _serve(self) -> None:
        self._loop = asyncio.new_event_loop()
        server = self._loop.run_until_complete(
            self._loop.create_server(lambda: _Connection(self), "127.0.0.1", self.port, backlog=1024,
                                    reuse_address=True))
        self.port = server.sockets[0].getsockname()[1]
        self._ready.set()
        try:
            self._loop.run_forever()
        finally:
            server.close()
            self._loop.close()

    def __enter__(self) -> "OpenAIServer":
        self._thread.start()
        self._ready.wait()
        return self

    def __exit__(self, *exc) -> None:
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join()


if __name__ == "__main__":  # python tests/openai_server.py [LATENCY] [--port N]: serve until killed
    import argparse

    parser = argparse.ArgumentParser(description="Serve the OpenAI API on 127.0.0.1 until killed, answering every "
                                     "chat request with the same two-step Blocksworld plan; prints its base URL "
                                     "(for planbench run --base-url URL, with any OPENAI_API_KEY).")
    parser.add_argument("latency", nargs="?", type=float, default=0.0, help="seconds before each answer (default 0)")
    parser.add_argument("--port", type=int, default=0, help="port to listen on (default: a free one)")
    arguments = parser.parse_args()
    with OpenAIServer(latency=arguments.latency, port=arguments.port) as server:
        print(server.base_url, flush=True)
        while True:
            time.sleep(3600)
