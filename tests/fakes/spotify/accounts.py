"""accounts.spotify.com: the authorization page (consent with a user picker) and /api/token."""

from __future__ import annotations

import base64
import binascii
import hashlib
import html
import re
import secrets
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from quart import Blueprint, jsonify, request
from quart.wrappers import Response

from .apiutil import state

accounts = Blueprint("accounts", __name__)

SCOPES = {
    "user-read-private": "Access your subscription details",
    "user-read-email": "Get your email address",
    "user-top-read": "Read your top artists and content",
    "user-library-read": "Access your saved content",
    "user-library-modify": "Manage your saved content",
    "streaming": "Play content and control playback on your other devices",
    "user-read-playback-state": "Read your currently playing content and Spotify Connect devices",
    "user-modify-playback-state": "Control playback on your Spotify clients and Connect devices",
    "user-read-currently-playing": "Read your currently playing content",
    "user-read-recently-played": "Access your recently played items",
    "playlist-read-private": "Access your private playlists",
    "playlist-modify-private": "Manage your private playlists",
    "playlist-modify-public": "Manage your public playlists",
}
_VERIFIER = re.compile(r"^[A-Za-z0-9_.~-]{43,128}$")
_CHALLENGE = re.compile(r"^[A-Za-z0-9_-]{43}$")


def _page(title: str, body: str, status: int = 200) -> Response:
    text = (f"<!doctype html><html lang=en><head><meta charset=utf-8><title>{html.escape(title)}"
            f"</title><meta name=viewport content='width=device-width'></head>"
            f"<body><main>{body}</main></body></html>")
    return Response(text, status=status, content_type="text/html; charset=utf-8")


def _error_page(message: str) -> Response:
    return _page("Error - Spotify", f"<h1>Oops! Something went wrong</h1><p role=alert>"
                 f"{html.escape(message)}</p>", 400)


def _redirect_with(uri: str, **params: str | None) -> Response:
    parts = urlsplit(uri)
    query = parse_qsl(parts.query) + [(k, v) for k, v in params.items() if v is not None]
    location = urlunsplit(parts._replace(query=urlencode(query)))
    return Response("", status=302, headers={"Location": location})


@accounts.get("/authorize")
async def authorize() -> Response:
    emulator, args = state(), request.args
    client = emulator.client
    if args.get("client_id") != client.client_id:
        return _error_page("INVALID_CLIENT: Invalid client")
    redirect_uri = args.get("redirect_uri", "")
    if redirect_uri not in client.redirect_uris:  # never redirect to an unregistered URI
        return _error_page("INVALID_CLIENT: Invalid redirect URI")
    st = args.get("state")
    if args.get("response_type") != "code":
        return _redirect_with(redirect_uri, error="unsupported_response_type", state=st)
    challenge, method = args.get("code_challenge"), args.get("code_challenge_method")
    if (challenge or method) and (method != "S256" or not _CHALLENGE.match(challenge or "")):
        return _redirect_with(redirect_uri, error="invalid_request", state=st)
    scope = " ".join(args.get("scope", "").split())
    if any(s not in SCOPES for s in scope.split()):
        return _redirect_with(redirect_uri, error="invalid_scope", state=st)
    request_id = secrets.token_urlsafe(16)
    emulator.pending[request_id] = {"redirect_uri": redirect_uri, "scope": scope,
                                    "state": st or "", "challenge": challenge or ""}
    if emulator.auto_approve:  # the user approved this app before: no dialog
        return _decide(request_id, str(emulator.auto_approve), agree=True)
    return _consent_page(request_id, scope)


def _consent_page(request_id: str, scope: str) -> Response:
    emulator = state()
    name = html.escape(emulator.client.name)
    users = "".join(f"<option value='{html.escape(u.id)}'>{html.escape(u.display_name)} "
                    f"({'Premium' if u.product == 'premium' else 'Free'})</option>"
                    for u in emulator.users.values())
    scopes = "".join(f"<li>{html.escape(SCOPES[s])} <code>{s}</code></li>" for s in scope.split())
    return _page(f"Connect {emulator.client.name} to Spotify", f"""
<h1>{name} would like to connect to your Spotify account</h1>
<form method=post action="/authorize">
  <input type=hidden name=request_id value="{request_id}">
  <label>Log in as <select name=user>{users}</select></label>
  <p>{name} will be able to:</p><ul>{scopes or '<li>See your public profile</li>'}</ul>
  <button type=submit name=action value=agree>Agree</button>
  <button type=submit name=action value=cancel>Cancel</button>
</form>""")


@accounts.post("/authorize")
async def authorize_decision() -> Response:
    form = await request.form
    if form.get("request_id") not in state().pending:
        return _error_page("This authorization request has expired. Please try again.")
    if form.get("user") not in state().users and form.get("action") == "agree":
        return _error_page("Unknown user")
    return _decide(form["request_id"], form.get("user", ""), agree=form.get("action") == "agree")


def _decide(request_id: str, user_id: str, *, agree: bool) -> Response:
    emulator = state()
    pending = emulator.pending.pop(request_id)
    st = pending["state"] or None
    if not agree:
        return _redirect_with(pending["redirect_uri"], error="access_denied", state=st)
    code = emulator.issue_code(pending["redirect_uri"], user_id, pending["scope"],
                               pending["challenge"] or None)
    return _redirect_with(pending["redirect_uri"], code=code, state=st)


# -- /api/token ---------------------------------------------------------------------------------
class _TokenError(Exception):
    def __init__(self, error: str, description: str, status: int = 400) -> None:
        super().__init__(description)
        self.error, self.description, self.status = error, description, status


def _client_auth(form: dict[str, str]) -> tuple[str, bool]:
    """(client_id, authenticated with the secret). Basic auth or form fields."""
    client = state().client
    header = request.headers.get("Authorization", "")
    client_id, secret = form.get("client_id"), form.get("client_secret")
    if header.startswith("Basic "):
        try:
            client_id, _, secret = base64.b64decode(header[6:]).decode().partition(":")
        except (binascii.Error, UnicodeDecodeError):
            raise _TokenError("invalid_client", "Invalid client", 401) from None
    if client_id != client.client_id:
        raise _TokenError("invalid_client", "Invalid client", 401)
    if secret is not None and secret != client.client_secret:
        raise _TokenError("invalid_client", "Invalid client secret", 401)
    return client_id, secret is not None


def _verifier_matches(verifier: str, challenge: str) -> bool:
    digest = hashlib.sha256(verifier.encode()).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode() == challenge


def _code_grant(form: dict[str, str]) -> dict[str, object]:
    emulator = state()
    client_id, confidential = _client_auth(form)
    if not form.get("code"):
        raise _TokenError("invalid_request", "code must be supplied")
    code = emulator.codes.get(form["code"])
    if code is None or code.used or code.client_id != client_id:
        raise _TokenError("invalid_grant", "Invalid authorization code")
    if code.expires_at <= emulator.now():
        raise _TokenError("invalid_grant", "Authorization code expired")
    if form.get("redirect_uri") != code.redirect_uri:
        raise _TokenError("invalid_grant", "Invalid redirect URI")
    if code.challenge:
        verifier = form.get("code_verifier")
        if not verifier:
            raise _TokenError("invalid_request", "code_verifier required")
        if not _VERIFIER.match(verifier) or not _verifier_matches(verifier, code.challenge):
            raise _TokenError("invalid_grant", "code_verifier was incorrect")
    elif not confidential:
        raise _TokenError("invalid_client", "Invalid client", 401)
    code.used = True
    emulator.counters["code_grants"] += 1
    now = emulator.now()
    return {
        "access_token": emulator.issue_access_token(code.user_id, client_id, code.scope),
        "token_type": "Bearer",
        "scope": code.scope,
        "expires_in": int(emulator.token_ttl),
        "refresh_token": emulator.issue_refresh_token(code.user_id, client_id, code.scope, now),
    }


def _refresh_grant(form: dict[str, str]) -> dict[str, object]:
    emulator = state()
    client_id, _ = _client_auth(form)
    if not form.get("refresh_token"):
        raise _TokenError("invalid_request", "refresh_token must be supplied")
    emulator.counters["refresh_attempts"] += 1
    old = emulator.refresh_tokens.get(form["refresh_token"])
    if old is None or old.client_id != client_id:
        raise _TokenError("invalid_grant", "Invalid refresh token")
    if old.revoked or emulator.now() >= old.authorized_at + emulator.refresh_token_lifetime:
        raise _TokenError("invalid_grant", "Refresh token revoked")
    emulator.counters["refresh_grants"] += 1
    answer: dict[str, object] = {
        "access_token": emulator.issue_access_token(old.user_id, client_id, old.scope),
        "token_type": "Bearer",
        "scope": old.scope,
        "expires_in": int(emulator.token_ttl),
    }
    if emulator.rotate_refresh_tokens:
        answer["refresh_token"] = emulator.issue_refresh_token(
            old.user_id, client_id, old.scope, old.authorized_at)
        old.revoked = True
    return answer


@accounts.post("/api/token")
async def token() -> Response:
    emulator = state()
    emulator.counters["token_requests"] += 1
    if emulator.take_failure():
        response = jsonify({"error": "server_error", "error_description": "Service unavailable"})
        response.status_code = 503
        return response
    form = dict((await request.form).items())
    grants = {"authorization_code": _code_grant, "refresh_token": _refresh_grant}
    try:
        if "grant_type" not in form:
            raise _TokenError("unsupported_grant_type", "grant_type parameter is missing")
        if form["grant_type"] not in grants:
            raise _TokenError("unsupported_grant_type",
                              "grant_type must be authorization_code or refresh_token")
        response = jsonify(grants[form["grant_type"]](form))
    except _TokenError as err:
        response = jsonify({"error": err.error, "error_description": err.description})
        response.status_code = err.status
        if err.status == 401:
            response.headers["WWW-Authenticate"] = 'Basic realm="accounts.spotify.com"'
    response.headers["Cache-Control"] = "no-store"
    return response
