"""Login, CSRF and upload checks of the desk.

- The password (asked for at the first start on a non-local host) is stored as a scrypt hash with a random salt
  in ``<state>/auth.json``; the plain password is never stored or logged.
- Every POST carries the session's CSRF token (form field ``csrf`` or header ``X-CSRF-Token``).
- The session cookie is marked ``Secure`` when the request came over HTTPS (the ASGI scope's scheme: TLS, or a
  reverse proxy's ``X-Forwarded-Proto`` that uvicorn trusts, from 127.0.0.1 by default) or always with ``--https``
  (:class:`SecureCookies`); over plain HTTP on the office network it is sent without, so the desk keeps working.
- Uploads are read in chunks up to :data:`MAX_UPLOAD_BYTES`; an ``.xlsx`` must be a zip archive whose members
  unpack to at most :data:`MAX_XLSX_UNPACKED_BYTES` (a zip bomb is refused before anything opens it).
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import secrets
import zipfile
from pathlib import Path

LOCAL_HOSTS = frozenset({"127.0.0.1", "localhost", "::1"})
MAX_UPLOAD_BYTES = 10 * 1024 * 1024
MAX_XLSX_UNPACKED_BYTES = 100 * 1024 * 1024
MAX_XLSX_MEMBERS = 1000
_SCRYPT = {"n": 2 ** 14, "r": 8, "p": 1}


def needs_login(host: str) -> bool:
    """A desk listening beyond this computer needs a login."""
    return host not in LOCAL_HOSTS


def hash_password(password: str, salt: bytes | None = None) -> dict:
    salt = salt or secrets.token_bytes(16)
    digest = hashlib.scrypt(password.encode("utf-8"), salt=salt, dklen=32, **_SCRYPT)
    return {"scheme": "scrypt", **_SCRYPT, "salt": salt.hex(), "hash": digest.hex()}


def verify_password(password: str, stored: dict) -> bool:
    if stored.get("scheme") != "scrypt":
        return False
    digest = hashlib.scrypt(password.encode("utf-8"), salt=bytes.fromhex(stored["salt"]), dklen=32,
                            n=stored["n"], r=stored["r"], p=stored["p"])
    return hmac.compare_digest(digest.hex(), stored["hash"])


def auth_file(state_dir: Path) -> Path:
    return Path(state_dir) / "auth.json"


def load_auth(state_dir: Path) -> dict | None:
    path = auth_file(state_dir)
    return json.loads(path.read_text(encoding="utf-8")) if path.is_file() else None


def save_password(state_dir: Path, password: str) -> None:
    """Store the hash of ``password`` (file readable by its owner only)."""
    if len(password) < 8:
        from ..i18n import _

        raise ValueError(_("desk.password_short", id="kata sandi minimal 8 karakter",
                           en="the password needs at least 8 characters"))
    state_dir = Path(state_dir)
    state_dir.mkdir(parents=True, exist_ok=True)
    tmp = auth_file(state_dir).with_suffix(".tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as f:
        json.dump(hash_password(password), f)
    os.replace(tmp, auth_file(state_dir))


def csrf_token(session: dict) -> str:
    tok = session.get("csrf")
    if not tok:
        tok = session["csrf"] = secrets.token_urlsafe(32)
    return tok


def csrf_ok(session: dict, sent: str | None) -> bool:
    tok = session.get("csrf")
    return bool(tok and sent and hmac.compare_digest(tok, sent))


class UploadRefused(ValueError):
    """An upload refused before it is read as data; ``key`` names the message in web.strings."""

    def __init__(self, key: str):
        super().__init__(key)
        self.key = key


async def read_upload(upload, limit: int = MAX_UPLOAD_BYTES) -> bytes:
    """The bytes of an upload, refusing more than ``limit``."""
    chunks, size = [], 0
    while True:
        chunk = await upload.read(1 << 16)
        if not chunk:
            break
        size += len(chunk)
        if size > limit:
            raise UploadRefused("too_large")
        chunks.append(chunk)
    return b"".join(chunks)


def check_upload(name: str, data: bytes, allowed: tuple[str, ...] = (".xlsx", ".csv")) -> str:
    """The upload's suffix when it may be read: a known suffix, and an .xlsx a zip of bounded size."""
    suffix = Path(name or "").suffix.lower()
    if suffix not in allowed:
        raise UploadRefused("wrong_type")
    if not data:
        raise UploadRefused("no_file")
    if suffix == ".xlsx":
        import io

        try:
            with zipfile.ZipFile(io.BytesIO(data)) as z:
                infos = z.infolist()
        except zipfile.BadZipFile:
            raise UploadRefused("not_xlsx") from None
        if len(infos) > MAX_XLSX_MEMBERS or sum(i.file_size for i in infos) > MAX_XLSX_UNPACKED_BYTES:
            raise UploadRefused("not_xlsx")
    return suffix


class LoginThrottle:
    """Failed log-ins counted per client: after ``max_failures`` within ``window`` seconds, the client is refused
    for ``lockout`` seconds (a password is not guessed at the speed of a script). ``clock``: seconds, monotonic
    (injected by tests)."""

    def __init__(self, max_failures: int = 5, window: float = 15 * 60, lockout: float = 15 * 60, clock=None):
        import threading
        import time

        self.max_failures, self.window, self.lockout = max_failures, window, lockout
        self.clock = clock or time.monotonic
        self._fails: dict[str, list[float]] = {}
        self._until: dict[str, float] = {}
        self._lock = threading.Lock()

    def refused_for(self, client: str) -> float:
        """Seconds ``client`` must still wait (0: may try)."""
        with self._lock:
            left = self._until.get(client, 0.0) - self.clock()
            if left <= 0:
                self._until.pop(client, None)
                return 0.0
            return left

    def failed(self, client: str) -> None:
        with self._lock:
            now = self.clock()
            recent = [t for t in self._fails.get(client, []) if now - t < self.window] + [now]
            if len(recent) >= self.max_failures:
                self._until[client] = now + self.lockout
                recent = []
            self._fails[client] = recent
            if len(self._fails) > 10000:  # bounded memory: forget the oldest clients
                for k in list(self._fails)[:5000]:
                    del self._fails[k]

    def succeeded(self, client: str) -> None:
        with self._lock:
            self._fails.pop(client, None)
            self._until.pop(client, None)


class SecureCookies:
    """ASGI middleware: every ``Set-Cookie`` of a response gets ``Secure`` when the request came over HTTPS
    (``scope["scheme"] == "https"``), or always when ``always`` (the desk is only reached through HTTPS)."""

    def __init__(self, app, always: bool = False):
        self.app, self.always = app, always

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http" or not (self.always or scope.get("scheme") == "https"):
            return await self.app(scope, receive, send)

        async def send_secure(message):
            if message["type"] == "http.response.start":
                message = {**message, "headers": [(k, secure_cookie(v) if k.lower() == b"set-cookie" else v)
                                                  for k, v in message.get("headers", [])]}
            await send(message)

        return await self.app(scope, receive, send_secure)


def secure_cookie(header: bytes) -> bytes:
    """A ``Set-Cookie`` value with the ``Secure`` attribute (unchanged when it has it)."""
    attrs = [a.strip().lower() for a in header.split(b";")[1:]]
    return header if b"secure" in attrs else header + b"; secure"
