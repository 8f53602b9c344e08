"""Routes whose errors are pages: the login page for a visitor without a session, else a page
that says what went wrong and what to do, in the reader's language (the API answers JSON)."""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Coroutine
from typing import Any, Final
from urllib.parse import quote

from fastapi.exceptions import RequestValidationError
from fastapi.routing import APIRoute
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from reclaim.errors import (
    N_,
    NotAuthenticatedError,
    NotFoundError,
    PermissionDeniedError,
    ReclaimError,
    UserInputError,
    VaultLockedError,
    VaultUnavailableError,
)
from reclaim.services.accounts import LoginThrottledError
from reclaim.web.rendering import page_translator, render
from reclaim.web.sessions import NoSessionError

# Most specific first, as in api/errors.py.
_STATUS: Final = (
    (LoginThrottledError, 429),
    (NotAuthenticatedError, 401),
    (PermissionDeniedError, 403),
    (NotFoundError, 404),
    (UserInputError, 400),
    (VaultUnavailableError, 503),
    (VaultLockedError, 503),
)


class PageRoute(APIRoute):
    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()

        async def page_handler(request: Request) -> Response:
            try:
                return await handler(request)
            except NoSessionError:
                return RedirectResponse(f"/login?next={quote(request.url.path)}", status_code=303)
            except RequestValidationError:
                # A malformed id in the path is a page that does not exist.
                return error_page(request, NotFoundError(N_("There is no such page.")))
            except ReclaimError as error:
                return error_page(request, error)

        return page_handler


def error_page(request: Request, error: ReclaimError) -> Response:
    status = next((code for kind, code in _STATUS if isinstance(error, kind)), 500)
    translate = page_translator(request)
    hint = translate(error.hint or "")
    with contextlib.suppress(KeyError, IndexError, ValueError):
        hint = hint.format(**error.params)
    message = translate.format(error.message, **error.params)
    if request.headers.get("hx-request") == "true":
        # htmx asked for a piece of a page: the message goes to the page's message area.
        response = render(request, "problem.html", status_code=status, message=message, hint=hint)
        response.headers.update({"HX-Retarget": "#messages", "HX-Reswap": "innerHTML"})
        return response
    return render(
        request,
        "error.html",
        status_code=status,
        message=message,
        hint=hint,
        session=None,
        csrf_token="",
    )
