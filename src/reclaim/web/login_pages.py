"""Logging in and out, and the language switch."""

from __future__ import annotations

from typing import Final

from fastapi import APIRouter
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from reclaim.locale import LANGUAGES
from reclaim.services.accounts import SESSION_LIFETIME, LoginRefusedError, LoginThrottledError
from reclaim.web.page_route import PageRoute, error_page
from reclaim.web.rendering import LANGUAGE_COOKIE, page_translator, render
from reclaim.web.sessions import (
    FORM_COOKIE,
    SESSION_COOKIE,
    CheckedForm,
    CurrentVisitor,
    clear_cookie,
    engine_of,
    remember_form_token,
    set_cookie,
)

router = APIRouter(include_in_schema=False, route_class=PageRoute)

HOME: Final = "/cases"


def safe_next(value: str | None) -> str:
    """A path on this site to go on to: never another site (//evil.example, /\\evil.example)."""
    if value and value.startswith("/") and not value.startswith("//") and "\\" not in value:
        return value
    return HOME


@router.get("/")
def home(current: CurrentVisitor) -> Response:
    return RedirectResponse(HOME if current.session else "/login", status_code=303)


@router.get("/login")
def login_page(request: Request, current: CurrentVisitor, next: str = HOME) -> Response:
    if current.session is not None:
        return RedirectResponse(safe_next(next), status_code=303)
    response = _login_form(request, current.form_token, next_path=safe_next(next))
    remember_form_token(response, request, current)
    return response


@router.post("/login")
def log_in_posted(request: Request, current: CurrentVisitor, fields: CheckedForm) -> Response:
    from reclaim.services.accounts import log_in

    next_path = safe_next(fields.get("next"))
    address = request.client.host if request.client else "unknown"
    try:
        opened = log_in(
            engine_of(request), fields.get("login", ""), fields.get("password", ""), client_address=address
        )
    except (LoginRefusedError, LoginThrottledError) as error:
        translate = page_translator(request)
        status = 429 if isinstance(error, LoginThrottledError) else 401
        return _login_form(
            request,
            current.form_token,
            next_path=next_path,
            error=translate.format(error.message, **error.params),
            hint=translate(error.hint or ""),
            login=fields.get("login", ""),
            status_code=status,
        )
    response = RedirectResponse(next_path, status_code=303)
    set_cookie(
        response, request, SESSION_COOKIE, opened.secret, max_age=int(SESSION_LIFETIME.total_seconds())
    )
    clear_cookie(response, request, FORM_COOKIE)
    return response


@router.post("/logout")
def log_out_posted(request: Request, fields: CheckedForm) -> Response:
    from reclaim.services.accounts import log_out

    del fields  # checked: no other site can log her out
    log_out(engine_of(request), request.cookies.get(SESSION_COOKIE, ""))
    response = RedirectResponse("/login", status_code=303)
    clear_cookie(response, request, SESSION_COOKIE)
    return response


@router.post("/language")
def switch_language(request: Request, fields: CheckedForm) -> Response:
    lang = fields.get("lang", "")
    if lang not in LANGUAGES:
        from reclaim.errors import N_, UserInputError

        return error_page(request, UserInputError(N_("There is no such language.")))
    response = RedirectResponse(safe_next(fields.get("next")), status_code=303)
    set_cookie(response, request, LANGUAGE_COOKIE, lang, max_age=365 * 24 * 3600)
    return response


def _login_form(
    request: Request,
    form_token: str,
    *,
    next_path: str,
    error: str | None = None,
    hint: str | None = None,
    login: str = "",
    status_code: int = 200,
) -> Response:
    return render(
        request,
        "login.html",
        status_code=status_code,
        session=None,
        csrf_token=form_token,
        next_path=next_path,
        error=error,
        hint=hint,
        login=login,
    )
