"""Every error the API answers is JSON ``{"error": message, "hint": hint}``, in the reader's language."""

from __future__ import annotations

import contextlib
from typing import Final

from fastapi import FastAPI
from fastapi.exceptions import RequestValidationError
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse

from reclaim.api.language import request_translator
from reclaim.errors import (
    N_,
    MediaError,
    MediaLimitError,
    NotAuthenticatedError,
    NotFoundError,
    NotOfferedError,
    PermissionDeniedError,
    ReclaimError,
    StorageError,
    UserInputError,
    VaultLockedError,
    VaultUnavailableError,
)

# Most specific first: the first class an error is an instance of gives its status.
_STATUS: Final = (
    (NotAuthenticatedError, 401),
    (PermissionDeniedError, 403),
    (NotFoundError, 404),
    (MediaLimitError, 413),
    (MediaError, 415),
    (UserInputError, 400),
    (StorageError, 503),
    # A case route that needs the evidence vault, on a server without its passphrase.
    (VaultUnavailableError, 503),
    (VaultLockedError, 503),
    (NotOfferedError, 501),
)
_HTTP_MESSAGES: Final = {
    404: (N_("There is no such route."), N_("GET /openapi.json lists the routes.")),
    405: (N_("This route does not take that method."), N_("GET /openapi.json lists the routes.")),
}


def error_body(request: Request, error: ReclaimError) -> dict[str, str]:
    translate = request_translator(request)
    hint = translate(error.hint or "")
    # A hint with literal braces, or naming a value this error does not carry, stays as it is.
    with contextlib.suppress(KeyError, IndexError, ValueError):
        hint = hint.format(**error.params)
    return {"error": translate.format(error.message, **error.params), "hint": hint}


def install_error_handlers(app: FastAPI) -> None:
    async def reclaim_error(request: Request, error: Exception) -> JSONResponse:
        assert isinstance(error, ReclaimError)
        status = next((code for kind, code in _STATUS if isinstance(error, kind)), 500)
        headers = {"WWW-Authenticate": "Bearer"} if status == 401 else None
        return JSONResponse(error_body(request, error), status_code=status, headers=headers)

    async def invalid_request(request: Request, error: Exception) -> JSONResponse:
        assert isinstance(error, RequestValidationError)
        details = "; ".join(
            f"{'.'.join(str(part) for part in problem.get('loc', ()))}: {problem.get('msg', '')}"
            for problem in error.errors()
        )
        problem = UserInputError(
            N_("The request is not valid: {details}"),
            hint=N_("GET /openapi.json describes each route's parameters."),
            details=details,
        )
        return JSONResponse(error_body(request, problem), status_code=422)

    async def http_error(request: Request, error: Exception) -> JSONResponse:
        assert isinstance(error, HTTPException)
        message, hint = _HTTP_MESSAGES.get(
            error.status_code, (N_("The request failed: {details}"), N_("Check the request and try again."))
        )
        problem = ReclaimError(message, hint=hint, details=str(error.detail))
        return JSONResponse(
            error_body(request, problem), status_code=error.status_code, headers=error.headers
        )

    async def server_error(request: Request, error: Exception) -> JSONResponse:
        problem = ReclaimError(
            N_("Something went wrong on the server."),
            hint=N_("Try again later; the server's log has the details."),
        )
        return JSONResponse(error_body(request, problem), status_code=500)

    app.add_exception_handler(ReclaimError, reclaim_error)
    app.add_exception_handler(Exception, server_error)
    app.add_exception_handler(RequestValidationError, invalid_request)
    app.add_exception_handler(HTTPException, http_error)
