"""A real local HTTP server speaking the OpenAI Chat Completions API, for tests and the
runner benchmark. Faults are scripted per attempt of each distinct prompt:
"429" (with Retry-After), "500", "drop" (close the connection without answering),
"slow" (answer after ``slow_seconds``), "ok". The server counts every request.
"""

from __future__ import annotations

import hashlib
import json
import threading
import time
from collections import Counter
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args) -> None:  # quiet
        return

    def do_POST(self) -> None:  # noqa: N802
        server: OpenAIServer = self.server  # type: ignore[assignment]
        body = json.loads(self.rfile.read(int(self.headers.get("content-length", 0))) or b"{}")
        key = hashlib.sha256(json.dumps(body.get("messages"), sort_keys=True).encode()).hexdigest()
        with server.lock:
            server.requests += 1
            attempt = server.attempts[key]
            server.attempts[key] += 1
            server.authorizations.add(self.headers.get("authorization", ""))
            script = server.script
            behaviour = script[attempt] if attempt < len(script) else "ok"
        if server.latency:
            time.sleep(server.latency)
        if behaviour == "429":
            return self._send(429, {"error": {"message": "rate limited", "type": "rate_limit"}}, {"retry-after": "0.05"})
        if behaviour == "500":
            return self._send(500, {"error": {"message": "server error", "type": "server"}})
        if behaviour == "drop":
            self.close_connection = True
            self.connection.shutdown(2)
            return None
        if behaviour == "slow":
            time.sleep(server.slow_seconds)
        with server.lock:
            server.answered += 1
        text = server.answer(body)
        self._send(200, {
            "id": "chatcmpl-test", "object": "chat.completion", "created": int(time.time()), "model": body.get("model"),
            "choices": [{"index": 0, "finish_reason": server.finish_reason,
                         "message": {"role": "assistant", "content": text}}],
            "usage": {"prompt_tokens": 100, "completion_tokens": 20, "total_tokens": 120,
                      "completion_tokens_details": {"reasoning_tokens": 5},
                      "prompt_tokens_details": {"cached_tokens": 10}},
        })

    def _send(self, status: int, payload: dict, headers: dict | None = None) -> None:
        data = json.dumps(payload).encode()
        self.send_response(status)
        self.send_header("content-type", "application/json")
        self.send_header("content-length", str(len(data)))
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(data)


class OpenAIServer(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 256

    def __init__(self, latency: float = 0.0, script: list[str] | None = None, slow_seconds: float = 3.0):
        super().__init__(("127.0.0.1", 0), Handler)
        self.lock = threading.Lock()
        self.latency = latency
        self.script = script or []
        self.slow_seconds = slow_seconds
        self.finish_reason = "stop"
        self.requests = 0
        self.answered = 0
        self.attempts: Counter = Counter()
        self.authorizations: set[str] = set()
        self.thread = threading.Thread(target=self.serve_forever, daemon=True)

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}/v1"

    def answer(self, body: dict) -> str:
        return "1. Pick up the red block\n2. Stack the red block on top of the blue block"

    def __enter__(self) -> "OpenAIServer":
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.shutdown()
        self.server_close()


if __name__ == "__main__":  # python tests/openai_server.py LATENCY: serve until killed
    import sys

    with OpenAIServer(latency=float(sys.argv[1]) if len(sys.argv) > 1 else 0.0) as server:
        print(server.base_url, flush=True)
        while True:
            time.sleep(3600)
