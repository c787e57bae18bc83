"""A real TLS-terminating proxy for tests: Debian's nginx on a free 127.0.0.1 port, with a
certificate made for the test (a throw-away CA and a leaf for 127.0.0.1 and localhost).

nginx runs as its own unprivileged process with its own prefix (config, logs, temp files,
pid): as the test's user, or as `nobody` when the tests run as root. Its server block is the
one docs/deploy.md shows, read from that page (`deploy_server_block`).
"""

from __future__ import annotations

import base64
import datetime
import hashlib
import ipaddress
import os
import pwd
import re
import shutil
import signal
import ssl
import subprocess
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import httpx
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from tests.dynalite import free_port

ROOT = Path(__file__).resolve().parents[1]
NGINX = "/usr/sbin/nginx"
DEPLOY_DOC = ROOT / "docs" / "deploy.md"
# What the test changes in the documented server block, and to what.
DOC_LISTEN = "listen 443 ssl;"
DOC_UPSTREAM = "server 127.0.0.1:8000;"
DOC_CERT = "/etc/ssl/music.example/fullchain.pem"
DOC_KEY = "/etc/ssl/music.example/privkey.pem"


@dataclass
class Certificate:
    ca: Path  # the CA certificate (PEM) a client trusts
    cert: Path  # the leaf and the CA, as nginx serves them
    key: Path
    spki_sha256: str  # base64 SHA-256 of the leaf's public key (Chromium's pin format)


def make_certificate(folder: Path, hosts: tuple[str, ...] = ("127.0.0.1", "localhost")) -> (
        Certificate):
    """A CA and a one-day leaf certificate for `hosts`, written into `folder`."""
    now = datetime.datetime.now(datetime.UTC)
    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Encore test CA")])
    ca = (
        x509.CertificateBuilder()
        .subject_name(ca_name).issuer_name(ca_name)
        .public_key(ca_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(x509.KeyUsage(digital_signature=False, content_commitment=False,
                                     key_encipherment=False, data_encipherment=False,
                                     key_agreement=False, key_cert_sign=True, crl_sign=True,
                                     encipher_only=False, decipher_only=False), critical=True)
        .sign(ca_key, hashes.SHA256())
    )
    key = ec.generate_private_key(ec.SECP256R1())
    names: list[x509.GeneralName] = []
    for host in hosts:
        try:
            names.append(x509.IPAddress(ipaddress.ip_address(host)))
        except ValueError:
            names.append(x509.DNSName(host))
    leaf = (
        x509.CertificateBuilder()
        .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, hosts[0])]))
        .issuer_name(ca_name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(x509.SubjectAlternativeName(names), critical=False)
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(x509.ExtendedKeyUsage([x509.oid.ExtendedKeyUsageOID.SERVER_AUTH]),
                       critical=False)
        .sign(ca_key, hashes.SHA256())
    )
    pem = serialization.Encoding.PEM
    paths = Certificate(folder / "ca.pem", folder / "fullchain.pem", folder / "privkey.pem", "")
    paths.ca.write_bytes(ca.public_bytes(pem))
    paths.cert.write_bytes(leaf.public_bytes(pem) + ca.public_bytes(pem))
    paths.key.write_bytes(key.private_bytes(pem, serialization.PrivateFormat.PKCS8,
                                            serialization.NoEncryption()))
    paths.key.chmod(0o600)
    spki = key.public_key().public_bytes(serialization.Encoding.DER,
                                         serialization.PublicFormat.SubjectPublicKeyInfo)
    paths.spki_sha256 = base64.b64encode(hashlib.sha256(spki).digest()).decode()
    return paths


def deploy_server_block() -> str:
    """The ```nginx block of docs/deploy.md, as written there."""
    blocks = re.findall(r"```nginx\n(.*?)```", DEPLOY_DOC.read_text(), flags=re.S)
    assert len(blocks) == 1, "docs/deploy.md must show exactly one nginx configuration"
    return str(blocks[0])


def _replace_once(text: str, old: str, new: str) -> str:
    assert text.count(old) == 1, f"docs/deploy.md's nginx block must contain {old!r} once"
    return text.replace(old, new)


class Nginx:
    """nginx with the documented server block, proxying to `upstream_port`."""

    def __init__(self, upstream_port: int, workdir: Path | None = None) -> None:
        self.port = free_port()
        self.origin = f"https://127.0.0.1:{self.port}"
        self.upstream_port = upstream_port
        self._as_nobody = os.geteuid() == 0
        # nobody cannot enter pytest's private temp folders, so then nginx gets its own.
        self.dir = (Path(tempfile.mkdtemp(prefix="encore-nginx-")) if self._as_nobody
                    else (workdir or Path(tempfile.mkdtemp(prefix="encore-nginx-"))))
        self.certificate = make_certificate(self.dir)
        self.access_log = self.dir / "access.log"
        self.error_log = self.dir / "error.log"
        self._proc: subprocess.Popen[bytes] | None = None

    def _write_config(self) -> Path:
        server = deploy_server_block()
        server = _replace_once(server, DOC_LISTEN, f"listen 127.0.0.1:{self.port} ssl;")
        server = _replace_once(server, DOC_UPSTREAM, f"server 127.0.0.1:{self.upstream_port};")
        server = _replace_once(server, DOC_CERT, str(self.certificate.cert))
        server = _replace_once(server, DOC_KEY, str(self.certificate.key))
        (self.dir / "encore.conf").write_text(server)
        temp = {name: self.dir / name for name in
                ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")}
        config = self.dir / "nginx.conf"
        config.write_text(f"""daemon off;
worker_processes 1;
pid {self.dir}/nginx.pid;
error_log {self.error_log} info;
events {{ worker_connections 256; }}
http {{
    access_log {self.access_log};
    client_body_temp_path {temp['client_body']};
    proxy_temp_path {temp['proxy']};
    fastcgi_temp_path {temp['fastcgi']};
    uwsgi_temp_path {temp['uwsgi']};
    scgi_temp_path {temp['scgi']};
    include {self.dir}/encore.conf;
}}
""")
        return config

    def start(self, timeout: float = 20.0) -> Nginx:
        config = self._write_config()
        user: dict[str, object] = {}
        if self._as_nobody:
            nobody = pwd.getpwnam("nobody")
            for path in [self.dir, *self.dir.iterdir()]:
                os.chown(path, nobody.pw_uid, nobody.pw_gid)
            user = {"user": nobody.pw_uid, "group": nobody.pw_gid, "extra_groups": []}
        self._proc = subprocess.Popen(
            [NGINX, "-p", str(self.dir), "-c", str(config), "-e", str(self.error_log)],
            stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT, start_new_session=True,
            **user,  # type: ignore[arg-type]
        )
        context = ssl.create_default_context(cafile=str(self.certificate.ca))
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self._proc.poll() is not None:
                raise RuntimeError(f"nginx exited: {self.errors()}")
            try:
                httpx.get(f"{self.origin}/healthz", verify=context, timeout=2)
                return self
            except httpx.TransportError:
                time.sleep(0.1)
        raise TimeoutError(f"nginx did not answer: {self.errors()}")

    def errors(self) -> str:
        return self.error_log.read_text()[-2000:] if self.error_log.exists() else ""

    def requests(self) -> list[str]:
        """The access log's request lines with their status, e.g. 'POST /api/interactions 200'."""
        pattern = re.compile(r'"(\S+) (\S+) HTTP/[\d.]+" (\d{3})')
        lines = self.access_log.read_text().splitlines() if self.access_log.exists() else []
        return [" ".join(m.groups()) for m in map(pattern.search, lines) if m]

    def stop(self) -> None:
        if self._proc and self._proc.poll() is None:
            os.killpg(self._proc.pid, signal.SIGTERM)  # nginx's fast shutdown, workers too
            try:
                self._proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                os.killpg(self._proc.pid, signal.SIGKILL)
                self._proc.wait(timeout=10)
        if self._as_nobody:
            shutil.rmtree(self.dir, ignore_errors=True)
