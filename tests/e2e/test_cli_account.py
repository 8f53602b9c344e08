"""`reclaim account create|list|disable` through the real entry point, on SQLite and PostgreSQL."""

from __future__ import annotations

from tests.e2e.test_cli_bank import home_env, lines, new_case
from tests.e2e.test_cli_hash import reclaim

__all__ = ["home_env"]

PASSWORD = "plum tree at dawn"


def test_accounts_are_created_listed_and_disabled(home_env: dict[str, str]) -> None:
    case_id = new_case(home_env, "小美")
    with_password = {**home_env, "RECLAIM_ACCOUNT_PASSWORD": PASSWORD}

    caseworker = reclaim("account", "create", "wang", "--role", "caseworker", "--json", env=with_password)
    victim = reclaim("account", "create", "xiaomei", "--role", "victim", "--case", "小美", env=with_password)

    assert caseworker.returncode == 0, caseworker.stderr
    assert victim.returncode == 0 and "xiaomei" in victim.stdout, victim.stderr
    listed = lines(reclaim("account", "list", "--json", env=home_env).stdout)
    assert [(a["login"], a["role"], a["case_id"], a["status"]) for a in listed] == [
        ("wang", "caseworker", None, "active"),
        ("xiaomei", "victim", case_id, "active"),
    ]
    assert PASSWORD not in str(listed)

    disabled = reclaim("account", "disable", "wang", "--json", env=home_env)
    assert disabled.returncode == 0 and lines(disabled.stdout)[0]["status"] == "disabled"
    assert "disabled" in reclaim("account", "list", env=home_env).stdout


def test_a_missing_or_weak_password_is_refused_in_plain_words(home_env: dict[str, str]) -> None:
    missing = reclaim("account", "create", "wang", "--role", "caseworker", env=home_env)
    weak = reclaim(
        "account",
        "create",
        "wang",
        "--role",
        "caseworker",
        env={**home_env, "RECLAIM_ACCOUNT_PASSWORD": "short"},
    )
    chinese = reclaim(
        "account",
        "create",
        "wang",
        "--role",
        "victim",
        env={**home_env, "RECLAIM_ACCOUNT_PASSWORD": PASSWORD},
        lang="zh",
    )

    assert missing.returncode == 1 and "RECLAIM_ACCOUNT_PASSWORD" in missing.stderr
    assert weak.returncode == 1 and "10" in weak.stderr
    assert chinese.returncode == 1 and "案件" in chinese.stderr
    assert lines(reclaim("account", "list", "--json", env=home_env).stdout) == []
