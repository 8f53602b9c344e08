"""Accounts for people on real SQLite and PostgreSQL: Argon2id hashes, sessions that end, throttled logins."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import Engine, select, text
from sqlalchemy.orm import Session

from reclaim.config import Settings
from reclaim.errors import UserInputError
from reclaim.services.accounts import (
    FAILURE_WINDOW,
    MAX_FAILURES_PER_ADDRESS,
    MAX_FAILURES_PER_LOGIN,
    SESSION_IDLE,
    SESSION_LIFETIME,
    LoginRefusedError,
    LoginThrottledError,
    all_accounts,
    create_account,
    csrf_token_of,
    disable_account,
    log_in,
    log_out,
    session_of,
)
from reclaim.services.cases import new_case
from reclaim.services.home import initialize_home, open_store
from reclaim.store.models import AccountRow, AuditEvent

PASSWORD = "plum tree at dawn"


@pytest.fixture
def store(settings: Settings) -> Iterator[Engine]:
    initialize_home(settings)
    engine = open_store(settings)
    yield engine
    engine.dispose()


def test_an_account_keeps_only_an_argon2id_hash_and_is_audited(store: Engine) -> None:
    record = create_account(store, " Wang ", PASSWORD, role="caseworker", actor="admin")

    assert record.login == "wang" and [a.login for a in all_accounts(store)] == ["wang"]
    with Session(store) as session:
        stored = session.scalars(select(AccountRow.password_hash)).one()
        actions = list(session.scalars(select(AuditEvent.action)))
    assert stored.startswith("$argon2id$v=19$m=65536,t=3,p=4$") and PASSWORD not in stored
    assert "account.create" in actions
    with store.connect() as connection:  # nowhere in the database, not only not in that column
        assert PASSWORD not in str(connection.execute(text("SELECT * FROM accounts")).all())


@pytest.mark.parametrize(
    ("login", "password", "role", "with_case"),
    [
        ("x", PASSWORD, "caseworker", False),  # too short a login
        ("wang", "short", "caseworker", False),
        ("wang", PASSWORD, "platform", False),  # platforms use API tokens
        ("xiaomei", PASSWORD, "victim", False),  # a victim's account needs her case
        ("boss", PASSWORD, "admin", True),
    ],
)
def test_unusable_accounts_are_refused_in_plain_words(
    store: Engine, login: str, password: str, role: str, with_case: bool
) -> None:
    case_id = new_case(store, "小美", actor="admin").id if with_case else None
    with pytest.raises(UserInputError):
        create_account(store, login, password, role=role, actor="admin", case_id=case_id)
    assert all_accounts(store) == []


def test_a_login_name_is_taken_once(store: Engine) -> None:
    create_account(store, "wang", PASSWORD, role="caseworker", actor="admin")
    with pytest.raises(UserInputError, match="already"):
        create_account(store, "WANG", PASSWORD, role="admin", actor="admin")


def test_the_right_password_opens_a_session_the_cookie_secret_finds(store: Engine) -> None:
    create_account(store, "wang", PASSWORD, role="caseworker", actor="admin")

    opened = log_in(store, "Wang", PASSWORD, client_address="127.0.0.1")

    found = session_of(store, opened.secret)
    assert found is not None and found.account.login == "wang"
    assert found.csrf_token == csrf_token_of(opened.secret) != opened.secret
    assert session_of(store, opened.secret + "x") is None
    with store.connect() as connection:
        assert opened.secret not in str(connection.execute(text("SELECT * FROM web_sessions")).all())


def test_a_wrong_password_and_an_unknown_name_get_the_same_answer(store: Engine) -> None:
    create_account(store, "wang", PASSWORD, role="caseworker", actor="admin")

    with pytest.raises(LoginRefusedError) as wrong:
        log_in(store, "wang", "not the password", client_address="10.0.0.1")
    with pytest.raises(LoginRefusedError) as unknown:
        log_in(store, "nobody", PASSWORD, client_address="10.0.0.1")

    assert wrong.value.message == unknown.value.message
    with Session(store) as session:
        refused = list(
            session.scalars(select(AuditEvent).where(AuditEvent.action == "account.login_refused"))
        )
    assert len(refused) == 2 and all("nobody" not in str(event.detail) for event in refused)


def test_too_many_wrong_passwords_lock_the_name_even_against_the_right_one(store: Engine) -> None:
    create_account(store, "wang", PASSWORD, role="caseworker", actor="admin")
    now = datetime.now(UTC)
    for attempt in range(MAX_FAILURES_PER_LOGIN):
        with pytest.raises(LoginRefusedError):
            log_in(store, "wang", f"guess {attempt}", client_address=f"10.0.0.{attempt}", now=now)

    with pytest.raises(LoginThrottledError) as throttled:
        log_in(store, "wang", PASSWORD, client_address="10.9.9.9", now=now)

    assert throttled.value.wait_minutes == 15
    later = now + FAILURE_WINDOW + timedelta(seconds=1)
    assert (
        log_in(store, "wang", PASSWORD, client_address="10.9.9.9", now=later).session.account.login == "wang"
    )


def test_one_address_trying_many_names_is_throttled(store: Engine) -> None:
    now = datetime.now(UTC)
    for attempt in range(MAX_FAILURES_PER_ADDRESS):
        with pytest.raises(LoginRefusedError):
            log_in(store, f"name{attempt}", PASSWORD, client_address="203.0.113.7", now=now)
    with pytest.raises(LoginThrottledError):
        log_in(store, "another", PASSWORD, client_address="203.0.113.7", now=now)


def test_a_session_ends_when_idle_too_long_or_too_old(store: Engine) -> None:
    create_account(store, "wang", PASSWORD, role="caseworker", actor="admin")
    start = datetime.now(UTC)
    opened = log_in(store, "wang", PASSWORD, client_address="127.0.0.1", now=start)

    assert session_of(store, opened.secret, now=start + SESSION_IDLE - timedelta(minutes=1)) is not None
    # That visit restarted the idle clock; idling a full period from it ends the session.
    assert session_of(store, opened.secret, now=start + 2 * SESSION_IDLE - timedelta(minutes=3)) is not None
    assert session_of(store, opened.secret, now=start + 3 * SESSION_IDLE) is None

    kept_busy = log_in(store, "wang", PASSWORD, client_address="127.0.0.1", now=start)
    moment = start
    while moment < start + SESSION_LIFETIME - SESSION_IDLE:
        moment += SESSION_IDLE - timedelta(hours=1)
        assert session_of(store, kept_busy.secret, now=moment) is not None
    assert session_of(store, kept_busy.secret, now=start + SESSION_LIFETIME) is None


def test_logout_and_disabling_end_sessions_at_once(store: Engine) -> None:
    create_account(store, "wang", PASSWORD, role="caseworker", actor="admin")
    first = log_in(store, "wang", PASSWORD, client_address="127.0.0.1")
    second = log_in(store, "wang", PASSWORD, client_address="127.0.0.1")

    log_out(store, first.secret)
    assert session_of(store, first.secret) is None and session_of(store, second.secret) is not None

    disabled = disable_account(store, "wang", actor="admin")
    assert disabled.disabled_at is not None and session_of(store, second.secret) is None
    with pytest.raises(LoginRefusedError):
        log_in(store, "wang", PASSWORD, client_address="127.0.0.1")
    with Session(store) as session:
        actions = set(session.scalars(select(AuditEvent.action)))
    assert {"account.login", "account.logout", "account.disable", "account.login_refused"} <= actions


def test_a_victims_account_goes_with_her_withdrawn_case(store: Engine, settings: Settings) -> None:
    from reclaim.services.withdraw import withdraw_case

    case = new_case(store, "小美", actor="admin")
    create_account(store, "xiaomei", PASSWORD, role="victim", actor="admin", case_id=case.id)
    opened = log_in(store, "xiaomei", PASSWORD, client_address="127.0.0.1")
    assert opened.session.account.case_id == case.id

    withdraw_case(store, settings, case.id)

    assert all_accounts(store) == [] and session_of(store, opened.secret) is None
