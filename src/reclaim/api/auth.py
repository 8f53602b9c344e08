"""Who is calling: the bearer token, checked on every request, and the roles a route admits.

The dependencies are ``async``: a sync one would cost every request a hop to the thread pool
and back. A token seen valid within the last second is answered from memory
(services/tokens.remembered_token); only the others wait for the database, in the thread pool.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Annotated, Any, Final

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from starlette.concurrency import run_in_threadpool

from reclaim.errors import N_, NotAuthenticatedError, PermissionDeniedError
from reclaim.store.tokens import TokenRecord

# The key under which a route's roles appear in the OpenAPI document (tests read it from there).
ROLES_KEY: Final = "x-reclaim-roles"
PLATFORM_ROLES: Final = ("platform", "admin")

# auto_error=False: a missing header is our 401 with a hint, not FastAPI's bare 403.
_bearer = HTTPBearer(auto_error=False, description="A token from `reclaim token create`.")


async def caller(
    request: Request, credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)]
) -> TokenRecord:
    """The valid token the request carries; 401 when none, or unknown, expired or revoked."""
    from reclaim.services.tokens import remembered_token, valid_token

    if credentials is None or not credentials.credentials:
        raise NotAuthenticatedError(N_("This route needs a token."))
    engine = request.app.state.engine
    record = remembered_token(engine, credentials.credentials)
    if record is None:
        record = await run_in_threadpool(valid_token, engine, credentials.credentials)
    if record is None:
        raise NotAuthenticatedError(N_("The token is not valid: unknown, expired or revoked."))
    return record


def require_roles(*roles: str) -> Callable[..., Awaitable[TokenRecord]]:
    """A dependency that admits only tokens of ``roles`` (403 for the others)."""

    async def check(record: Annotated[TokenRecord, Depends(caller)]) -> TokenRecord:
        if record.role not in roles:
            raise PermissionDeniedError(N_("A {role} token may not use this route."), role=record.role)
        return record

    return check


def guarded(*roles: str) -> dict[str, Any]:
    """Route keyword arguments that admit ``roles`` only and say so in the OpenAPI document."""
    return {"dependencies": [Depends(require_roles(*roles))], "openapi_extra": {ROLES_KEY: list(roles)}}
