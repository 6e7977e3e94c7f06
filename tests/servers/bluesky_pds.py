"""The reference Bluesky PDS (npm ``@atproto/pds``) with an in-memory PLC directory, for tests.

``tests/servers/bluesky/`` is a pinned node project (package.json + package-lock.json);
``packaging/dev/quickstart.sh test`` runs ``npm ci`` there. The session fixture :func:`bluesky_pds`
starts ``node start.js <tmp dir>`` in its own process group on 127.0.0.1 (ports picked free by the
script), waits until ``/xrpc/_health`` answers, and kills the group after the session.

If the PDS cannot start the fixture FAILS. Only a developer may skip these tests locally, with
``CHORUS_ALLOW_SKIP=1`` (ignored when ``CI`` is set).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import os
import secrets
import shutil
import signal
import subprocess
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
import requests

HERE = Path(__file__).resolve().parent
PROJECT = HERE / "bluesky"
START_TIMEOUT_S = 90.0


@dataclass
class PDSAccount:
    handle: str
    did: str
    password: str  # the main password
    access: str
    refresh: str
    app_passwords: dict[str, str] = field(default_factory=dict)


class BlueskyPDS:
    """A running PDS: its URLs, its secrets (to mint tokens) and small XRPC helpers."""

    def __init__(self, url: str, plc_url: str, jwt_secret: str, admin_password: str, log_path: Path,
                 process: subprocess.Popen, started_in_s: float) -> None:
        self.url = url
        self.plc_url = plc_url
        self.jwt_secret = jwt_secret
        self.admin_password = admin_password
        self.log_path = log_path
        self.process = process
        self.started_in_s = started_in_s
        self.http = requests.Session()

    # ---- XRPC helpers (test scaffolding, not the code under test)

    def get(self, method: str, token: str | None = None, **params) -> requests.Response:
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        return self.http.get(f"{self.url}/xrpc/{method}", params=params, headers=headers, timeout=30)

    def post(self, method: str, body: dict | None = None, token: str | None = None) -> requests.Response:
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        return self.http.post(f"{self.url}/xrpc/{method}", json=body, headers=headers, timeout=30)

    def create_account(self, name: str) -> PDSAccount:
        handle = f"{name}-{secrets.token_hex(3)}.test"
        password = secrets.token_urlsafe(12)
        response = self.post("com.atproto.server.createAccount",
                             {"handle": handle, "email": f"{handle}@example.com", "password": password})
        assert response.status_code == 200, response.text
        data = response.json()
        return PDSAccount(handle, data["did"], password, data["accessJwt"], data["refreshJwt"])

    def create_app_password(self, account: PDSAccount, name: str = "Chorus") -> str:
        response = self.post("com.atproto.server.createAppPassword", {"name": name}, token=account.access)
        assert response.status_code == 200, response.text
        password = response.json()["password"]
        account.app_passwords[name] = password
        return password

    def revoke_app_password(self, account: PDSAccount, name: str) -> None:
        response = self.post("com.atproto.server.revokeAppPassword", {"name": name}, token=account.access)
        assert response.status_code == 200, response.text

    def list_posts(self, did: str) -> list[dict]:
        response = self.get("com.atproto.repo.listRecords", repo=did, collection="app.bsky.feed.post", limit=100)
        assert response.status_code == 200, response.text
        return response.json()["records"]

    def get_post(self, did: str, rkey: str) -> dict:
        response = self.get("com.atproto.repo.getRecord", repo=did, collection="app.bsky.feed.post", rkey=rkey)
        assert response.status_code == 200, response.text
        return response.json()

    def mint_expired(self, token: str, *, age_s: int = 3 * 3600) -> str:
        """*token* with the same claims, but issued *age_s* ago and already expired; validly signed
        with the server's JWT secret (HS256), exactly as the PDS signs its own access tokens."""
        header_b64, payload_b64, _ = token.split(".")
        header = json.loads(_b64d(header_b64))
        claims = json.loads(_b64d(payload_b64))
        now = int(time.time())
        claims["iat"] = now - age_s
        claims["exp"] = now - age_s + 7200  # the PDS's 120-minute lifetime, long over
        signing_input = f"{_b64e(json.dumps(header, separators=(',', ':')).encode())}." \
                        f"{_b64e(json.dumps(claims, separators=(',', ':')).encode())}"
        signature = hmac.new(self.jwt_secret.encode(), signing_input.encode(), hashlib.sha256).digest()
        return f"{signing_input}.{_b64e(signature)}"

    def log_tail(self, lines: int = 40) -> str:
        try:
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return ""


def _b64e(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _b64d(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _cannot_start(reason: str) -> None:
    if os.environ.get("CHORUS_ALLOW_SKIP") == "1" and not os.environ.get("CI"):
        pytest.skip(f"Bluesky PDS unavailable (CHORUS_ALLOW_SKIP=1): {reason}")
    pytest.fail(f"The Bluesky test PDS cannot start: {reason}. Install it with "
                "`bash packaging/dev/quickstart.sh test` (apt nodejs npm, then npm ci in tests/servers/bluesky).",
                pytrace=False)


def start_pds(data_dir: Path, *, rate_limits: bool = True) -> BlueskyPDS:
    node = shutil.which("node")
    if not node:
        _cannot_start("node is not installed")
    if not (PROJECT / "node_modules" / "@atproto" / "pds").is_dir():
        _cannot_start(f"{PROJECT / 'node_modules'} is missing (npm ci was not run)")
    jwt_secret = secrets.token_hex(16)
    admin_password = secrets.token_hex(16)
    env = {k: v for k, v in os.environ.items() if not k.startswith("PDS_")}
    env.update(PDS_JWT_SECRET=jwt_secret, PDS_ADMIN_PASSWORD=admin_password,
               PDS_RATE_LIMITS_ENABLED="true" if rate_limits else "false", LOG_ENABLED="true",
               LOG_LEVEL="info", LOG_DESTINATION=str(data_dir / "pds-requests.log"), NODE_ENV="test")
    data_dir.mkdir(parents=True, exist_ok=True)
    log_path = data_dir / "pds.log"  # stderr: start-up failures
    started = time.monotonic()
    with open(log_path, "wb") as log:
        process = subprocess.Popen([node, "start.js", str(data_dir / "data")], cwd=PROJECT, env=env,
                                   stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=log,
                                   start_new_session=True)
    line: list[bytes] = []
    reader = threading.Thread(target=lambda: line.append(process.stdout.readline()), daemon=True)
    reader.start()
    reader.join(START_TIMEOUT_S)
    if not line or not line[0].strip():
        stop_pds(process)
        _cannot_start(f"no ready line within {START_TIMEOUT_S:.0f} s; log:\n{_tail(log_path)}")
    # Anything printed later goes to the log, so the pipe never fills.
    threading.Thread(target=_drain, args=(process, log_path), daemon=True).start()
    ready = json.loads(line[0])
    pds = BlueskyPDS(ready["pds"], ready["plc"], jwt_secret, admin_password, log_path, process, 0.0)
    deadline = time.monotonic() + 30
    while True:
        try:
            if pds.http.get(f"{pds.url}/xrpc/_health", timeout=5).status_code == 200:
                break
        except requests.RequestException:
            pass
        if time.monotonic() > deadline or process.poll() is not None:
            stop_pds(process)
            _cannot_start(f"/xrpc/_health never answered; log:\n{_tail(log_path)}")
        time.sleep(0.1)
    pds.started_in_s = time.monotonic() - started
    return pds


def _drain(process: subprocess.Popen, log_path: Path) -> None:
    with open(log_path, "ab") as log:
        for chunk in iter(process.stdout.readline, b""):
            log.write(chunk)
            log.flush()


def _tail(path: Path, lines: int = 40) -> str:
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return "(no log)"


def stop_pds(process: subprocess.Popen) -> None:
    """Stop the node process group: SIGTERM, then SIGKILL after 10 s."""
    if process.poll() is None:
        try:
            os.killpg(process.pid, signal.SIGTERM)
        except ProcessLookupError:
            pass
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=10)
    else:  # the leader is gone; make sure nothing it started is left
        try:
            os.killpg(process.pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass
    for stream in (process.stdin, process.stdout):
        if stream:
            try:
                stream.close()
            except OSError:
                pass


@pytest.fixture(scope="session")
def bluesky_pds(tmp_path_factory: pytest.TempPathFactory) -> Iterator[BlueskyPDS]:
    pds = start_pds(tmp_path_factory.mktemp("bluesky-pds"))
    print(f"\nBluesky PDS {pds.url} (PLC {pds.plc_url}) ready in {pds.started_in_s:.2f} s")
    try:
        yield pds
    finally:
        stop_pds(pds.process)
