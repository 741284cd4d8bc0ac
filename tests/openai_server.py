"""A real local HTTP server speaking the OpenAI API (Chat Completions and Responses), for
tests and the runner benchmark. Faults are scripted per attempt of each distinct prompt:
"429" (with Retry-After), "500", "drop" (close the connection without answering),
"slow" (answer after ``slow_seconds``), "401" (refuse the key, quoting it, as some
servers do), "html" (a 200 page that is not JSON), "ok". The server counts every request.

It is an asyncio protocol with a minimal HTTP/1.1 reader (request line, headers,
Content-Length body, keep-alive) rather than http.server or aiohttp.web, because in
``scripts/bench_run.py`` it shares the machine's cores with the client being measured:
measured per request, http.server's threads cost ~0.45 ms CPU, aiohttp's server ~0.35 ms,
this ~0.15 ms. Latency is a timer, not a sleeping thread.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import threading
import time
from collections import Counter

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
            self.server.handle(self, parts[1] if len(parts) > 1 else "/", headers, body)

    def send(self, status: int, payload: dict | str, headers: dict | None = None) -> None:
        if self.transport is None or self.transport.is_closing():
            return
        data = (payload if isinstance(payload, str) else json.dumps(payload)).encode()
        kind = "text/html" if isinstance(payload, str) else "application/json"
        lines = [f"HTTP/1.1 {status} {REASONS.get(status, 'Status')}", f"content-type: {kind}",
                 f"content-length: {len(data)}"] + [f"{k}: {v}" for k, v in (headers or {}).items()]
        self.transport.write(("\r\n".join(lines) + "\r\n\r\n").encode() + data)

    def drop(self) -> None:
        if self.transport is not None:
            self.transport.abort()

    def connection_lost(self, exc) -> None:
        self.transport = None


class OpenAIServer:
    """Serves on 127.0.0.1 (a free port) from its own thread while used as a context manager."""

    def __init__(self, latency: float = 0.0, script: list[str] | None = None, slow_seconds: float = 3.0):
        self.latency = latency
        self.script = script or []
        self.slow_seconds = slow_seconds
        self.finish_reason = "stop"
        self.shape = None  # a function that may rewrite each chat answer (odd servers' JSON)
        self.requests = 0
        self.answered = 0
        self.paths: Counter = Counter()
        self.bodies: list[dict] = []  # every request body, in arrival order
        self.arrivals: list[float] = []  # time.monotonic() of each request
        self.attempts: Counter = Counter()
        self.authorizations: set[str] = set()
        self.port = 0
        self._loop: asyncio.AbstractEventLoop | None = None
        self._ready = threading.Event()
        self._thread = threading.Thread(target=self._serve, daemon=True)

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/v1"

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
        delay = self.latency + (self.slow_seconds if behaviour == "slow" else 0.0)
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

    # ------------------------------------------------------------ serving

    def _serve(self) -> None:
        self._loop = asyncio.new_event_loop()
        server = self._loop.run_until_complete(
            self._loop.create_server(lambda: _Connection(self), "127.0.0.1", 0, backlog=1024))
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


if __name__ == "__main__":  # python tests/openai_server.py LATENCY: serve until killed
    import sys

    with OpenAIServer(latency=float(sys.argv[1]) if len(sys.argv) > 1 else 0.0) as server:
        print(server.base_url, flush=True)
        while True:
            time.sleep(3600)
