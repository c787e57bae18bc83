"""The account as a whole: POST /api/me/password, GET /api/me/export, DELETE /api/me."""

from __future__ import annotations

import json

from quart import Blueprint, Response, request
from quart_schema import validate_request

from .. import account_data
from ..account_data import AccountDeletion, PasswordChange
from ..app_types import app
from . import signed_in

bp = Blueprint("account", __name__, url_prefix="/api/me")


def _address() -> str:
    return request.remote_addr or "unknown"  # as the sign-in's throttle counts it


@bp.post("/password")
@signed_in.required
@validate_request(PasswordChange)
async def change_password(data: PasswordChange) -> Response:
    user = await signed_in.user()
    session = await signed_in.session()
    await account_data.change_password(app().store, app().login_throttle, _address(), user,
                                       data, session.sid_hash)
    return Response("", status=204)


@bp.get("/export")
@signed_in.required
async def export() -> Response:
    user = await signed_in.user()
    document = await account_data.export(app().store, app().spotify, user)
    response = Response(json.dumps(document, indent=1), mimetype="application/json")
    response.headers["Content-Disposition"] = (
        f'attachment; filename="encore-{user.username}.json"')
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.delete("")
@signed_in.required
@validate_request(AccountDeletion)
async def delete_account(data: AccountDeletion) -> Response:
    user = await signed_in.user()
    await account_data.delete_account(app().login_throttle, _address(), app().models.local,
                                      user, data.password)
    response = Response("", status=204)
    await signed_in.end(response)
    return response
