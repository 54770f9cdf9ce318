"""`execflow serve --no-workers` beside `execflow worker`: two processes on one database."""

from __future__ import annotations

import signal
import threading
import time

import httpx

from execflow.access.roles import Role
from execflow.config import Settings
from execflow.prove.log.checkpoint import open_checkpoint
from execflow.prove.log.note import Signer
from tests.conftest import TokenFactory, auth
from tests.server import serve, worker


def test_a_separate_worker_signs_while_the_api_takes_concurrent_writes(
    settings: Settings, make_token: TokenFactory, signer: Signer
) -> None:
    secret = make_token(Role.RESPONDER)
    statuses: list[int] = []
    lock = threading.Lock()
    with serve(settings, "--no-workers") as server, worker(settings) as background:

        def post(n: int) -> None:
            with httpx.Client(headers=auth(secret), timeout=30) as client:
                for i in range(40):
                    body = {"type": "custom.load", "subject": {"kind": "job", "id": f"{n}-{i}"}}
                    response = client.post(server.url + "/api/v1/audit/events", json=body)
                    with lock:
                        statuses.append(response.status_code)

        threads = [threading.Thread(target=post, args=(n,)) for n in range(6)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert statuses == [201] * 240, "no request may fail, and none may see a locked database"
        deadline = time.monotonic() + 20
        size = 0
        while time.monotonic() < deadline and size < 241:
            response = httpx.get(server.url + "/log/checkpoint")
            if response.status_code == 200:
                size = open_checkpoint(response.text, signer.verifier).size
            time.sleep(0.05)
        assert size == 241  # the test token's entry and 240 events, signed by the worker
        background.send_signal(signal.SIGTERM)
        assert background.wait(timeout=20) == 0
