"""Sign-up, sign-in and sign-out."""

from __future__ import annotations

from quart import Blueprint, Response, jsonify, request
from quart_schema import validate_request

from .. import accounts
from ..accounts import AccountResponse, LoginRequest, SignupRequest
from ..app_types import app
from . import signed_in

bp = Blueprint("auth", __name__, url_prefix="/api/auth")


def _account(user: accounts.User) -> dict[str, str]:
    return AccountResponse(username=user.username, display_name=user.display_name).model_dump()


@bp.post("/signup")
@validate_request(SignupRequest)
async def signup(data: SignupRequest) -> Response:
    user = await accounts.sign_up(app().store, data)
    response = jsonify(_account(user))
    response.status_code = 201
    await signed_in.start(response, user.username)
    return response


@bp.post("/login")
@validate_request(LoginRequest)
async def login(data: LoginRequest) -> Response:
    user = await accounts.sign_in(
        app().store, app().login_throttle, data, request.remote_addr or "unknown"
    )
    response = jsonify(_account(user))
    await signed_in.start(response, user.username)
    return response


@bp.post("/logout")
async def logout() -> Response:
    response = Response("", status=204)
    await signed_in.end(response)
    return response
