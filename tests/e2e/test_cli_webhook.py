"""``reclaim webhook`` through the real entry point, delivering to a real receiver on 127.0.0.1."""

from __future__ import annotations

from pathlib import Path

from tests.api.conftest import protect_astronaut
from tests.e2e.test_cli_bank import home_env, lines
from tests.e2e.test_cli_hash import reclaim
from tests.services.test_webhooks import Receiver, receiver, verify

__all__ = ["home_env", "receiver"]


def test_add_deliver_list_and_remove(home_env: dict[str, str], receiver: Receiver, tmp_path: Path) -> None:
    protected = protect_astronaut(home_env, tmp_path / "mine")

    run = reclaim("webhook", "add", receiver.url, "--name", "platform-x", "--json", env=home_env)
    assert run.returncode == 0, run.stderr
    [added] = lines(run.stdout)
    webhook_id, secret = str(added["webhook_id"]), str(added["secret"])
    assert webhook_id.startswith("whk_") and secret.startswith("whsec_")
    assert added["cursor"] == "0" and added["name"] == "platform-x"

    run = reclaim("webhook", "deliver", "--once", "--json", env=home_env)
    assert run.returncode == 0, run.stderr
    [outcome] = lines(run.stdout)
    assert outcome["webhook_id"] == webhook_id and outcome["delivered"] == 3 and outcome["error"] is None
    [delivery] = receiver.deliveries
    assert verify(secret, delivery.headers["X-Reclaim-Signature"], delivery.body)
    assert {e["entry_id"] for e in delivery.json()["entries"]} == set(protected.entry_ids.values())

    run = reclaim("withdraw", protected.case_id, "--yes", env=home_env)
    assert run.returncode == 0, run.stderr
    receiver.status = 503
    run = reclaim("webhook", "deliver", "--once", env=home_env)
    assert run.returncode == 0, run.stderr
    assert "delivery failed (HTTP 503)" in run.stdout

    run = reclaim("webhook", "list", "--json", env=home_env)
    [listed] = lines(run.stdout)
    assert listed["failures"] == 1 and listed["last_error"] == "HTTP 503"
    assert listed["cursor"] == delivery.json()["next_cursor"]  # the withdrawal is still to come
    assert "secret" not in listed and secret not in run.stdout
    shown = reclaim("webhook", "list", env=home_env)
    assert "failing (1 in a row, last: HTTP 503)" in shown.stdout and secret not in shown.stdout

    run = reclaim("webhook", "remove", webhook_id, env=home_env)
    assert run.returncode == 0, run.stderr
    assert f"Removed webhook {webhook_id}." in run.stdout
    assert lines(reclaim("webhook", "list", "--json", env=home_env).stdout) == []
    [removed] = lines(reclaim("webhook", "list", "--removed", "--json", env=home_env).stdout)
    assert removed["active"] is False


def test_plain_http_to_another_computer_is_refused_with_a_hint(home_env: dict[str, str]) -> None:
    run = reclaim("webhook", "add", "http://platform.example/reclaim", env=home_env)
    assert run.returncode == 1
    assert "plain http" in run.stderr and "https://" in run.stderr
    run = reclaim("webhook", "add", "http://platform.example/reclaim", lang="zh", env=home_env)
    assert run.returncode == 1 and "明文 http" in run.stderr and "https://" in run.stderr
    run = reclaim("webhook", "add", "ftp://platform.example/reclaim", env=home_env)
    assert run.returncode == 1 and "is not an https:// address" in run.stderr


def test_the_secret_is_printed_once_for_people_too(home_env: dict[str, str], receiver: Receiver) -> None:
    run = reclaim("webhook", "add", receiver.url, env=home_env)
    assert run.returncode == 0, run.stderr
    secret = next(line for line in run.stdout.splitlines() if line.startswith("whsec_"))
    assert "only time the secret is shown" in run.stdout
    assert secret not in reclaim("webhook", "list", env=home_env).stdout
    assert "nothing delivered yet" in reclaim("webhook", "list", env=home_env).stdout
    assert "No webhooks yet" not in reclaim("webhook", "list", env=home_env).stdout
    assert reclaim("webhook", "remove", "whk_nosuch", env=home_env).returncode == 1
