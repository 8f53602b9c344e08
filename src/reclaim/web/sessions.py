"""Who is looking at a page: the session cookie, the CSRF token every form post carries, the roles.

Cookies are HttpOnly (no script reads them), SameSite=Strict (no other site's page sends them)
and Secure unless the settings turn that off for tests on http://127.0.0.1. SameSite alone is
not the CSRF defence: a per-session token in each form (or htmx's X-CSRF-Token header) is
checked on every post. Before login, a random token in its own cookie is checked the same way
(double submit), so no other site can log a browser into an account of its choosing.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Annotated, Final

from fastapi import Depends
from starlette.requests import Request
from starlette.responses import Response

from reclaim.config import Settings
from reclaim.errors import N_, PermissionDeniedError
from reclaim.services.accounts import WebSession, csrf_token_matches, session_of
from reclaim.web.forms import form_fields

if TYPE_CHECKING:
    from sqlalchemy import Engine

SESSION_COOKIE: Final = "reclaim_session"
FORM_COOKIE: Final = "reclaim_form"
CSRF_FIELD: Final = "csrf_token"
CSRF_HEADER: Final = "x-csrf-token"


class NoSessionError(Exception):
    """No live session: the page answers with the login page (PageRoute turns this into a redirect)."""


class ForgedFormError(PermissionDeniedError):
    """A form post without this session's token: from another site, or an old page."""

    default_hint = N_("Go back, reload the page and send the form again.")


@dataclass(frozen=True, slots=True)
class Visitor:
    """The session, if any, and the token this visitor's forms carry."""

    session: WebSession | None
    form_token: str
    new_form_token: bool  # the pre-login token must be set as a cookie with the page


def engine_of(request: Request) -> Engine:
    engine: Engine = request.app.state.engine
    return engine


def settings_of(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


def visitor(request: Request) -> Visitor:
    session = session_of(engine_of(request), request.cookies.get(SESSION_COOKIE, ""))
    if session is not None:
        return Visitor(session, session.csrf_token, new_form_token=False)
    token = request.cookies.get(FORM_COOKIE, "")
    if len(token) == 43:  # token_urlsafe(32)
        return Visitor(None, token, new_form_token=False)
    return Visitor(None, secrets.token_urlsafe(32), new_form_token=True)


CurrentVisitor = Annotated[Visitor, Depends(visitor)]


def signed_in(*roles: str) -> Callable[[Visitor], WebSession]:
    """A dependency that admits a live session of ``roles``; the login page for the others."""

    def check(current: CurrentVisitor) -> WebSession:
        if current.session is None:
            raise NoSessionError
        if current.session.account.role not in roles:
            raise PermissionDeniedError(
                N_("A {role} account may not open this page."), role=current.session.account.role
            )
        return current.session

    return check


_FORGED = N_("This form was not sent from this site's own page, or the page is too old.")


def require_token(session: WebSession, given: str | None) -> None:
    """Refuse a post to a signed-in page whose CSRF token is not this session's: a form or a
    script on another site, or a page older than the session."""
    if not csrf_token_matches(session, given):
        raise ForgedFormError(_FORGED)


async def checked_form(request: Request) -> dict[str, str]:
    """The posted fields, once the CSRF token in them (or in X-CSRF-Token) is this visitor's."""
    from starlette.concurrency import run_in_threadpool

    fields = await form_fields(request)
    given = fields.get(CSRF_FIELD) or request.headers.get(CSRF_HEADER)
    current = await run_in_threadpool(visitor, request)
    if current.session is not None:
        require_token(current.session, given)
    elif current.new_form_token or given is None or not secrets.compare_digest(current.form_token, given):
        raise ForgedFormError(_FORGED)  # a sign-in form: its token lives in a cookie until then
    return fields


CheckedForm = Annotated[dict[str, str], Depends(checked_form)]


def set_cookie(response: Response, request: Request, name: str, value: str, max_age: int | None) -> None:
    response.set_cookie(
        name,
        value,
        max_age=max_age,
        path="/",
        secure=settings_of(request).secure_cookies,
        httponly=True,
        samesite="strict",
    )


def clear_cookie(response: Response, request: Request, name: str) -> None:
    response.delete_cookie(
        name, path="/", secure=settings_of(request).secure_cookies, httponly=True, samesite="strict"
    )


def remember_form_token(response: Response, request: Request, current: Visitor) -> None:
    if current.new_form_token:
        set_cookie(response, request, FORM_COOKIE, current.form_token, max_age=None)
