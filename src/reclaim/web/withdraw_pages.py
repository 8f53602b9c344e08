"""Withdraw: she deletes her case, through the same service as `reclaim withdraw`.

Everything of the case goes (hashes, sightings, screenshots, notices, leads) and, with the case,
the accounts tied to it: hers, so her session ends too. The page after it needs no account: it
only says that it is done.
"""

from __future__ import annotations

from fastapi import APIRouter
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from reclaim.errors import N_, UserInputError
from reclaim.locale import LANGUAGES, load_translator
from reclaim.web.case_pages import acting_settings
from reclaim.web.page_route import PageRoute
from reclaim.web.rendering import render
from reclaim.web.sessions import SESSION_COOKIE, CheckedForm, clear_cookie, engine_of
from reclaim.web.victims import Victim, her_case

router = APIRouter(include_in_schema=False, route_class=PageRoute)

# The word she types to confirm, in either language: a slip of the mouse cannot delete her case.
CONFIRM_WORD = N_("delete")


@router.get("/withdraw")
def withdraw_page(request: Request, session: Victim) -> Response:
    from reclaim.store.withdrawals import case_contents

    case = her_case(request, session)
    return render(
        request,
        "withdraw.html",
        session=session,
        csrf_token=session.csrf_token,
        case=case,
        contents=case_contents(engine_of(request), case.id),
        confirm_word=CONFIRM_WORD,
    )


@router.post("/withdraw")
def withdraw_posted(request: Request, session: Victim, fields: CheckedForm) -> Response:
    from reclaim.services.withdraw import withdraw_case

    case = her_case(request, session)
    typed = fields.get("confirm", "").strip().lower()
    if typed not in {load_translator(lang)(CONFIRM_WORD).lower() for lang in LANGUAGES}:
        raise UserInputError(
            N_("Nothing was deleted: the word you typed does not match."),
            hint=N_("Go back and type the word shown, to confirm that you want to delete your case."),
        )
    withdraw_case(engine_of(request), acting_settings(request, session), case.id)
    # Her account went with the case, and its sessions with it; the cookie goes too.
    response = RedirectResponse("/withdrawn", status_code=303)
    clear_cookie(response, request, SESSION_COOKIE)
    return response


@router.get("/withdrawn")
def withdrawn_page(request: Request) -> Response:
    return render(request, "withdrawn.html", session=None, csrf_token="")
