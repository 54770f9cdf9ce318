"""kill -9 the server while it appends: nothing committed is lost, checkpoints stay consistent."""

from __future__ import annotations

import base64
import threading
import time

import httpx

from execflow.access.roles import Role
from execflow.config import Settings
from execflow.prove.log import merkle
from execflow.prove.log.checkpoint import Checkpoint, open_checkpoint
from execflow.prove.log.entry import decode_entry
from execflow.prove.log.note import Signer
from tests.conftest import TokenFactory, auth
from tests.server import execflow, serve


def _checkpoint(url: str, signer: Signer, at_least: int) -> tuple[Checkpoint, str]:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        response = httpx.get(url + "/log/checkpoint")
        if response.status_code == 200:
            checkpoint = open_checkpoint(response.text, signer.verifier)
            if checkpoint.size >= at_least:
                return checkpoint, response.text
        time.sleep(0.05)
    raise AssertionError(f"no checkpoint of size {at_least} within 30 s")


def test_kill_9_while_appending_loses_nothing_committed(
    settings: Settings, make_token: TokenFactory, signer: Signer
) -> None:
    secret = make_token(Role.RESPONDER)
    acked: dict[int, str] = {}
    lock = threading.Lock()
    stop = threading.Event()

    def post(url: str, worker: int) -> None:
        with httpx.Client(headers=auth(secret), timeout=5) as client:
            n = 0
            while not stop.is_set():
                n += 1
                marker = f"w{worker}-{n}"
                body = {"type": "custom.load", "subject": {"kind": "job", "id": marker}}
                try:
                    response = client.post(url + "/api/v1/audit/events", json=body)
                except httpx.HTTPError:
                    continue
                if response.status_code == 201:
                    with lock:
                        acked[response.json()["index"]] = marker

    with serve(settings) as server:
        threads = [threading.Thread(target=post, args=(server.url, i)) for i in range(4)]
        for thread in threads:
            thread.start()
        before, before_note = _checkpoint(server.url, signer, 50)
        time.sleep(0.3)  # appends and checkpoints are in flight now
        server.kill()
        stop.set()
        for thread in threads:
            thread.join()
    assert len(acked) >= 50

    with serve(settings) as server:
        after, _ = _checkpoint(server.url, signer, max(acked) + 1)
        with httpx.Client(headers=auth(secret), timeout=10) as client:
            for index, marker in acked.items():
                entry = decode_entry(client.get(f"{server.url}/log/entries/{index}").content)
                assert entry["subject"]["id"] == marker, f"entry {index} lost or changed"
            proof = client.get(
                f"{server.url}/log/proof/consistency",
                params={"old": before.size, "new": after.size},
            ).json()
        path = [base64.b64decode(h) for h in proof["hashes"]]
        if before.size < after.size:
            merkle.verify_consistency(before.size, after.size, path, before.root, after.root)
        else:
            assert before.root == after.root
        state = settings.data_dir / "seen.checkpoint"
        state.write_text(before_note)
        result = execflow(
            settings,
            "audit",
            "verify",
            "--url",
            server.url,
            "--token",
            secret,
            "--vkey",
            signer.verifier.vkey(),
            "--state",
            str(state),
        )
        assert result.returncode == 0, result.stderr
        assert f"consistent with size {before.size}" in result.stdout
