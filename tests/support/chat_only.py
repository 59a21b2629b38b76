"""A Chat-Completions-only upstream: 404 on /v1/responses, as some Ollama and vLLM versions.

`python -m tests.support.chat_only --port P`: the stand-in answers /v1/chat/completions
(streaming too); every request path is counted at /health.
"""

from __future__ import annotations

import argparse
import json
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from workshop.model.convert import respond_chat
from workshop.model.stream import chat_stream

SEEN: list[str] = []


class Handler(BaseHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
        pass

    def _json(self, status: int, body: Any) -> None:
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_GET(self) -> None:  # noqa: N802
        self._json(200, {"ok": True, "seen": SEEN})

    def do_POST(self) -> None:  # noqa: N802
        SEEN.append(self.path)
        request = json.loads(self.rfile.read(int(self.headers.get("Content-Length") or 0)))
        if self.path != "/v1/chat/completions":
            self._json(404, {"error": {"message": f"no route {self.path}", "type": "not_found"}})
            return
        completion = respond_chat(request)
        if not request.get("stream"):
            self._json(200, completion)
            return
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream")
        self.end_headers()
        usage = bool((request.get("stream_options") or {}).get("include_usage"))
        for chunk in chat_stream(completion, usage):
            self.wfile.write(chunk)
            self.wfile.flush()
        self.close_connection = True


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, required=True)
    port = parser.parse_args().port
    ThreadingHTTPServer(("127.0.0.1", port), Handler).serve_forever()
