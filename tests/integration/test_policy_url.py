"""A policy served from the intranet, against a real HTTPS server on 127.0.0.1.

The server's certificate is signed by a CA made for the test run (``cryptography``) and trusted only
through the ``network.ca_certificates`` setting. Proxies are real too: a small HTTP CONNECT proxy on
127.0.0.1 that logs each tunnel it opens, and a PAC script served by the HTTPS server.
"""

from __future__ import annotations

import datetime as dt
import http.server
import re
import select
import socket
import ssl
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from desktop.adapters import http as chorus_http
from desktop.adapters.policy_fetch import HttpPolicyFetcher
from desktop.core.policy import policies_dir
from desktop.core.policy.active import load_active_policy
from desktop.core.policy.remote import PolicyDownloadCache, RemotePolicy
from desktop.core.settings import Settings

ACME = (policies_dir() / "acme-example.toml").read_text(encoding="utf-8")
PROXY_VARIABLES = ("HTTPS_PROXY", "https_proxy", "HTTP_PROXY", "http_proxy", "ALL_PROXY", "all_proxy",
                   "NO_PROXY", "no_proxy")


def acme_version(version: str) -> bytes:
    return re.sub(r'(?m)^version = ".*"$', f'version = "{version}"', ACME, count=1).encode()


# -- a certificate authority for the test run ------------------------------------------------------
@dataclass(frozen=True)
class Pki:
    ca_pem: Path
    server_cert: Path
    server_key: Path


def _name(common: str) -> x509.Name:
    return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common)])


def make_pki(folder: Path) -> Pki:
    now = dt.datetime.now(dt.UTC)
    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca = (x509.CertificateBuilder().subject_name(_name("Chorus test intranet CA")).issuer_name(_name("Chorus test intranet CA"))
          .public_key(ca_key.public_key()).serial_number(x509.random_serial_number())
          .not_valid_before(now - dt.timedelta(days=1)).not_valid_after(now + dt.timedelta(days=2))
          .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
          .add_extension(x509.KeyUsage(digital_signature=True, key_cert_sign=True, crl_sign=True,
                                       content_commitment=False, key_encipherment=False, data_encipherment=False,
                                       key_agreement=False, encipher_only=False, decipher_only=False), critical=True)
          .add_extension(x509.SubjectKeyIdentifier.from_public_key(ca_key.public_key()), critical=False)
          .sign(ca_key, hashes.SHA256()))
    key = ec.generate_private_key(ec.SECP256R1())
    import ipaddress

    cert = (x509.CertificateBuilder().subject_name(_name("127.0.0.1")).issuer_name(ca.subject)
            .public_key(key.public_key()).serial_number(x509.random_serial_number())
            .not_valid_before(now - dt.timedelta(days=1)).not_valid_after(now + dt.timedelta(days=1))
            .add_extension(x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1")),
                                                        x509.DNSName("localhost")]), critical=False)
            .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
            .add_extension(x509.ExtendedKeyUsage([x509.oid.ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
            .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()), critical=False)
            .sign(ca_key, hashes.SHA256()))
    pki = Pki(folder / "intranet-ca.pem", folder / "server.pem", folder / "server.key")
    pki.ca_pem.write_bytes(ca.public_bytes(serialization.Encoding.PEM))
    pki.server_cert.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    pki.server_key.write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                                 serialization.NoEncryption()))
    return pki


# -- the intranet's policy server ------------------------------------------------------------------
@dataclass
class Served:
    """What the server answers for /policy.toml (changed by the tests) and what it was asked."""

    body: bytes = b""
    etag: str = '"v1"'
    status: int = 200
    pac: bytes = b""
    requests: list[dict[str, str]] = field(default_factory=list)


class PolicyServer:
    def __init__(self, pki: Pki) -> None:
        self.served = Served()
        served = self.served
        connections: set[socket.socket] = set()
        self.connections = connections

        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def setup(self) -> None:
                super().setup()
                connections.add(self.connection)

            def do_GET(self) -> None:
                served.requests.append({"path": self.path, **{k.lower(): v for k, v in self.headers.items()}})
                if self.path == "/proxy.pac":
                    self._answer(200, served.pac, {"Content-Type": "application/x-ns-proxy-autoconfig"})
                elif served.status != 200:
                    self._answer(served.status, b"policy service unavailable", {"Content-Type": "text/plain"})
                elif self.headers.get("If-None-Match") == served.etag:
                    self._answer(304, b"", {"ETag": served.etag})
                else:
                    self._answer(200, served.body, {"ETag": served.etag, "Content-Type": "application/toml",
                                                    "Last-Modified": "Tue, 01 Dec 2026 10:00:00 GMT"})

            def _answer(self, status: int, body: bytes, headers: dict[str, str]) -> None:
                self.send_response(status)
                for name, value in headers.items():
                    self.send_header(name, value)
                if status != 304:
                    self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                if status != 304:
                    self.wfile.write(body)

            def log_message(self, *args: object) -> None:
                pass

        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(pki.server_cert, pki.server_key)
        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.httpd.socket = context.wrap_socket(self.httpd.socket, server_side=True)
        self.port = self.httpd.server_address[1]
        self.url = f"https://127.0.0.1:{self.port}/policy.toml"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()

    def stop(self) -> None:
        """Stop listening and cut the kept-alive connections too (as a laptop leaving the network)."""
        self.httpd.shutdown()
        self.httpd.server_close()
        for connection in list(self.connections):
            try:
                connection.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
        self.thread.join(5)


class ConnectProxy:
    """A real HTTP CONNECT proxy on 127.0.0.1 that logs the request line of every tunnel."""

    def __init__(self) -> None:
        self.log: list[str] = []
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        self.url = f"http://127.0.0.1:{self.port}"
        self._stopping = False
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def _serve(self) -> None:
        while not self._stopping:
            try:
                client, _ = self.listener.accept()
            except OSError:
                return
            threading.Thread(target=self._tunnel, args=(client,), daemon=True).start()

    def _tunnel(self, client: socket.socket) -> None:
        with client:
            head = b""
            while b"\r\n\r\n" not in head:
                chunk = client.recv(4096)
                if not chunk:
                    return
                head += chunk
            line = head.split(b"\r\n", 1)[0].decode("latin-1")
            self.log.append(line)
            method, target, _ = line.split(" ", 2)
            if method != "CONNECT":
                client.sendall(b"HTTP/1.1 405 Method Not Allowed\r\nContent-Length: 0\r\n\r\n")
                return
            host, port = target.rsplit(":", 1)
            with socket.create_connection((host, int(port)), timeout=10) as upstream:
                client.sendall(b"HTTP/1.1 200 Connection established\r\n\r\n")
                pair = {client: upstream, upstream: client}
                while True:
                    ready, _, _ = select.select(list(pair), [], [], 10)
                    if not ready:
                        return
                    for sock in ready:
                        data = sock.recv(65536)
                        if not data:
                            return
                        pair[sock].sendall(data)

    def stop(self) -> None:
        self._stopping = True
        try:
            self.listener.shutdown(socket.SHUT_RDWR)  # wakes the blocked accept()
        except OSError:
            pass
        self.listener.close()
        self.thread.join(5)


# -- fixtures ------------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def pki(tmp_path_factory) -> Pki:
    return make_pki(tmp_path_factory.mktemp("pki"))


@pytest.fixture
def server(pki) -> Iterator[PolicyServer]:
    running = PolicyServer(pki)
    yield running
    running.stop()


@pytest.fixture
def proxy() -> Iterator[ConnectProxy]:
    running = ConnectProxy()
    yield running
    running.stop()


@pytest.fixture
def settings(pki, monkeypatch) -> Iterator[Settings]:
    """The app's settings, trusting the test CA; every HTTP session reads them (as in the app)."""
    for name in PROXY_VARIABLES:
        monkeypatch.delenv(name, raising=False)
    values = Settings(None)
    values.set("network.ca_certificates", str(pki.ca_pem))
    chorus_http.use_settings(values.get)
    yield values
    chorus_http.use_settings(None)


@pytest.fixture
def remote(settings, tmp_path) -> Iterator[RemotePolicy]:
    fetcher = HttpPolicyFetcher()
    yield RemotePolicy(fetcher, PolicyDownloadCache(tmp_path / "cache" / "policy-download"))
    fetcher.close()


def load(server: PolicyServer, remote: RemotePolicy, last_good: Path | None = None):
    return load_active_policy(server.url, last_good, remote=remote)


# -- the policy URL ------------------------------------------------------------------------------------
def test_first_download_is_used_and_kept_then_a_304_keeps_it_and_refreshes_its_time(server, remote, tmp_path):
    server.served.body = acme_version("2026.12.1")
    first = load(server, remote, tmp_path / "last-good.toml")
    assert first.ok and first.origin == "url" and first.etag == '"v1"'
    assert first.policy.info.version == "2026.12.1" and first.policy.info.source == server.url
    assert first.source_label == "127.0.0.1" and first.freshness() == "updated just now"
    assert "if-none-match" not in server.served.requests[-1]
    cache = remote.cache
    assert cache.text_file.read_bytes() == server.served.body
    assert (tmp_path / "last-good.toml").read_bytes() == server.served.body
    kept = cache.read(server.url)
    assert kept is not None and kept.etag == '"v1"' and kept.last_modified == "Tue, 01 Dec 2026 10:00:00 GMT"
    assert oct(cache.text_file.stat().st_mode & 0o777) == "0o600"

    # an hour later (recorded time moved back): the server says "not modified"
    earlier = kept.fetched_at - dt.timedelta(hours=1)
    cache.confirm(kept, earlier)
    server.served.body = b"never sent: the 304 carries no body"
    second = load(server, remote)
    asked = server.served.requests[-1]
    assert asked["if-none-match"] == '"v1"' and asked["if-modified-since"] == "Tue, 01 Dec 2026 10:00:00 GMT"
    assert second.ok and second.policy.info.version == "2026.12.1"
    refreshed = cache.read(server.url)
    assert refreshed is not None and refreshed.fetched_at > earlier and second.fetched_at == refreshed.fetched_at
    assert cache.text_file.read_bytes() == acme_version("2026.12.1")

    # a new version: new ETag, new text
    server.served.body, server.served.etag = acme_version("2026.12.2"), '"v2"'
    third = load(server, remote)
    assert third.ok and third.policy.info.version == "2026.12.2" and third.etag == '"v2"'
    assert server.served.requests[-1]["if-none-match"] == '"v1"'
    assert cache.read(server.url).etag == '"v2"'


def test_offline_the_kept_copy_is_used_and_the_app_says_so(server, remote):
    server.served.body = acme_version("2026.12.1")
    assert load(server, remote).ok
    server.stop()  # the laptop leaves the office network
    active = load(server, remote)
    assert active.policy is not None and active.policy.info.version == "2026.12.1"
    assert active.fallback and active.offline
    fetched = remote.cache.read(server.url).fetched_at
    assert active.freshness() == f"offline: using the copy from {fetched:%H:%M}"
    assert active.freshness(fetched + dt.timedelta(days=2)) == \
        f"offline: using the copy from {fetched.day} {fetched:%b %H:%M}"
    notice = active.notice
    assert notice.startswith(f"The policy at {server.url} could not be updated:")
    assert f"offline: Chorus cannot reach the policy server 127.0.0.1:{server.port} (connection refused)" in notice
    assert "Chorus keeps checking with the copy downloaded before: Acme Corp social media policy 2026.12.1" in notice


def test_an_invalid_policy_keeps_the_previous_one_and_names_the_problem(server, remote):
    server.served.body = acme_version("2026.12.1")
    assert load(server, remote).ok
    server.served.body = acme_version("2026.12.2").replace(b'severity = "warn"', b'severity = "warning"', 1)
    server.served.etag = '"v2-broken"'
    active = load(server, remote)
    assert active.fallback and not active.offline
    assert active.policy.info.version == "2026.12.1"
    assert f"{server.url}: rule R5-launch-timing: severity: must be one of block, warn, info, not 'warning'" \
        in active.notice
    assert active.freshness().startswith("update failed: using the copy from ")
    kept = remote.cache.read(server.url)
    assert kept.etag == '"v1"' and kept.text == acme_version("2026.12.1")  # never replaced by the broken one
    # the next attempt still asks with the good copy's ETag
    load(server, remote)
    assert server.served.requests[-1]["if-none-match"] == '"v1"'


def test_a_server_error_keeps_the_previous_policy(server, remote):
    server.served.body = acme_version("2026.12.1")
    assert load(server, remote).ok
    server.served.status = 500
    active = load(server, remote)
    assert active.fallback and not active.offline and active.policy.info.version == "2026.12.1"
    assert f"the policy server 127.0.0.1:{server.port} answered 500 Internal Server Error " \
           "(“policy service unavailable”). The server has a problem; Chorus tries again later." in active.notice


def test_a_first_download_that_fails_with_no_copy_means_no_policy(server, remote):
    server.served.status = 503
    active = load(server, remote)
    assert active.policy is None and active.refusal.startswith("Publishing is refused")
    assert "answered 503" in active.notice


def test_without_the_extra_ca_the_certificate_is_refused_clearly(server, remote, settings):
    settings.reset("network.ca_certificates")
    server.served.body = acme_version("2026.12.1")
    active = load(server, remote)
    assert active.policy is None and not active.offline
    assert (f"Chorus does not trust the certificate of the policy server 127.0.0.1:{server.port} "
            "(unable to get local issuer certificate), so nothing was sent.") in active.notice
    assert "network.ca_certificates" in active.notice
    assert server.served.requests == []  # the handshake failed: no request reached the server

    settings.set("network.ca_certificates", str(remote.cache.folder.parent / "missing.pem"))
    active = load(server, remote)
    assert "The extra CA certificates file set in Settings (network.ca_certificates) cannot be read" \
        in active.notice and "missing.pem" in active.notice


def test_plain_http_to_another_computer_is_refused_without_any_connection(remote, settings, proxy):
    settings.set("network.proxy", proxy.url)  # any connection attempt would show up in its log
    url = "http://policy.intranet.example/chorus/policy.toml"
    active = load_active_policy(url, None, remote=remote)
    assert active.policy is None
    assert ("Chorus downloads policies over https:// only, not plain http:// "
            "(http://policy.intranet.example/chorus/policy.toml)") in active.notice
    assert proxy.log == []


# -- proxies -----------------------------------------------------------------------------------------------
def test_the_policy_download_goes_through_the_configured_proxy(server, remote, settings, proxy):
    settings.set("network.proxy", proxy.url)
    server.served.body = acme_version("2026.12.1")
    assert load(server, remote).ok
    assert proxy.log == [f"CONNECT 127.0.0.1:{server.port} HTTP/1.0"]
    assert chorus_http.describe_proxy(server.url) == proxy.url


def test_direct_ignores_the_environment_proxy_and_empty_follows_it(server, remote, settings, proxy, monkeypatch):
    monkeypatch.setenv("HTTPS_PROXY", proxy.url)
    server.served.body = acme_version("2026.12.1")
    settings.set("network.proxy", "direct")
    assert load(server, remote).ok
    assert proxy.log == []
    settings.set("network.proxy", "")  # the system's proxy, here from the environment
    server.served.etag = '"v2"'
    assert load(server, remote).ok
    assert proxy.log == [f"CONNECT 127.0.0.1:{server.port} HTTP/1.0"]
    assert chorus_http.describe_proxy(server.url) == f"system: {proxy.url}"


def test_a_proxy_auto_config_script_chooses_the_proxy(server, remote, settings, proxy):
    server.served.pac = (
        "function FindProxyForURL(url, host) {\n"
        "  if (shExpMatch(url, 'https://127.0.0.1:*') && host == '127.0.0.1')\n"
        f"    return 'SOCKS5 127.0.0.1:1; PROXY 127.0.0.1:{proxy.port}; DIRECT';\n"
        "  return 'DIRECT';\n"
        "}\n").encode()
    settings.set("network.proxy", f"pac+https://127.0.0.1:{server.port}/proxy.pac")
    server.served.body = acme_version("2026.12.1")
    assert load(server, remote).ok
    assert proxy.log == [f"CONNECT 127.0.0.1:{server.port} HTTP/1.0"]  # the script itself came directly
    assert [r["path"] for r in server.served.requests] == ["/proxy.pac", "/policy.toml"]
    assert chorus_http.describe_proxy("https://localhost/") == \
        f"auto-config https://127.0.0.1:{server.port}/proxy.pac: direct"
