"""A test upstream: an OpenAI-compatible server process that is not the kit's gateway.

It is a second services process in its own state folder (the stand-in serving as
someone's model API), started and stopped through the kit's process helper. It asks for
a bearer key, as a hosted API does, so a test sees whether the gateway added the real one.
"""

from __future__ import annotations

import os
import sys
import uuid
from pathlib import Path
from typing import Any

import httpx

from workshop.testing import Settings, processes


class TestUpstream:
    """A stand-in model API on loopback, in its own state folder, wanting key `api_key`."""

    __test__ = False  # not a pytest class

    def __init__(self, state_dir: Path, api_key: str | None = None) -> None:
        self.cfg = Settings(state_dir=state_dir)
        self.api_key = api_key or f"sk-test-upstream-{uuid.uuid4().hex}"
        self.port = processes.free_port()
        self.root = f"http://{processes.LOOPBACK}:{self.port}"

    @property
    def base_url(self) -> str:
        """The OpenAI-compatible base URL (what OPENAI_BASE_URL is set to)."""
        return f"{self.root}/v1"

    def start(self) -> TestUpstream:
        """Start the process and wait until it answers."""
        self.cfg.ensure_dirs()
        env = {
            k: v
            for k, v in processes.kit_env(self.cfg).items()
            if not k.startswith(("OPENAI_", "WORKSHOP_GATEWAY", "WORKSHOP_UPSTREAM"))
        }
        env["WORKSHOP_SERVICES_API_KEY"] = self.api_key
        args = [sys.executable, "-m", "workshop.services", "--port", str(self.port)]
        args += ["--state-dir", str(self.cfg.state_dir)]
        log = self.cfg.logs_dir / "upstream.log"
        proc = processes.start(
            self.cfg, "upstream", args, log_file=log, cwd=self.cfg.state_dir, env=env
        )
        processes.wait_ready(proc, self._answers, what="The test upstream", log_file=log)
        return self

    def _answers(self) -> bool:
        try:
            return httpx.get(f"{self.root}/health", timeout=1.0).status_code == 200
        except httpx.HTTPError:
            return False

    def health(self) -> dict[str, Any]:
        """Its health report: `calls["model"]` is every model request it received."""
        return dict(httpx.get(f"{self.root}/health", timeout=5.0).json())

    def model_requests(self) -> int:
        """Model requests it received (the gateway's count must match it)."""
        return int(self.health()["calls"].get("model", 0))

    def inject(self, kind: str, **rule: Any) -> None:
        """A fault in the upstream itself (not in the gateway)."""
        body = {"target": "model", "kind": kind, **rule}
        httpx.post(f"{self.root}/admin/faults", json=body, timeout=5.0).raise_for_status()

    def clear(self) -> None:
        """Remove the upstream's faults."""
        httpx.delete(f"{self.root}/admin/faults", timeout=5.0).raise_for_status()

    def stop(self) -> None:
        """Stop the process."""
        processes.stop(self.cfg, "upstream", 5.0)


def upstream_env(upstream: TestUpstream) -> dict[str, str]:
    """The environment a learner with a key would have: the upstream and its secret."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("WORKSHOP_GATEWAY")}
    env.update(OPENAI_BASE_URL=upstream.base_url, OPENAI_API_KEY=upstream.api_key)
    env.pop("OPENAI_DEFAULT_MODEL", None)
    return env
