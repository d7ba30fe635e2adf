"""Login throttling (django-axes): per account and per address, cool-off, admin unlock, the login log."""
from __future__ import annotations

import datetime as dt
import json
import re

import pytest
import time_machine
from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.conf import settings
from django.test import Client
from django.utils import timezone

from hotline.directory.models import User
from tests.factories import City

GOOD = "pw-12345678"


def web_login(username: str, password: str, ip: str = "10.0.0.1", client: Client | None = None):  # type: ignore[no-untyped-def]
    client = client or Client(REMOTE_ADDR=ip)
    return client.post("/login/", {"username": username, "password": password}, REMOTE_ADDR=ip)


def logged_in(response) -> bool:  # type: ignore[no-untyped-def]
    return response.status_code == 302 and response.url == settings.LOGIN_REDIRECT_URL


def without_tokens(page: bytes) -> bytes:
    """The page less its per-request CSRF tokens, which differ between any two answers."""
    return re.sub(rb'[A-Za-z0-9]{64}', b"TOKEN", page)


def fail(n: int, username: str, ip: str = "10.0.0.1") -> None:
    """n wrong passwords; the one that reaches the limit is already answered with the lockout (429)."""
    for _ in range(n):
        assert web_login(username, "wrong-password", ip).status_code in (200, 429)


def test_account_locks_after_the_limit_even_with_the_right_password(city: City) -> None:
    assert settings.AXES_FAILURE_LIMIT == 5
    fail(4, "operator")
    assert logged_in(web_login("operator", GOOD))  # 4 failures: still allowed, and success resets the count
    fail(5, "operator")
    locked = web_login("operator", GOOD)
    assert locked.status_code == 429 and "已暂时锁定" in locked.content.decode()


def test_account_lock_holds_from_another_address(city: City) -> None:
    fail(5, "operator", ip="10.0.0.1")
    assert web_login("operator", GOOD, ip="10.9.9.9").status_code == 429
    assert logged_in(web_login("dispatcher", GOOD, ip="10.9.9.9"))  # other accounts from that address: fine


def test_address_locks_after_failures_on_many_accounts(city: City) -> None:
    for name in ("a1", "a2", "a3", "a4", "a5"):
        fail(1, name, ip="10.6.6.6")
    assert web_login("operator", GOOD, ip="10.6.6.6").status_code == 429
    assert logged_in(web_login("operator", GOOD, ip="10.7.7.7"))


def test_lockout_does_not_reveal_whether_the_account_exists(city: City) -> None:
    fail(1, "operator", ip="10.1.1.1")
    fail(1, "nobody-here", ip="10.1.1.2")
    first_real, first_ghost = (without_tokens(web_login(n, "wrong", ip=ip).content) for n, ip in
                               (("operator", "10.1.1.1"), ("nobody-here", "10.1.1.2")))
    assert first_real == first_ghost and "用户名或密码错误".encode() in first_real
    fail(3, "operator", ip="10.1.1.1")
    fail(3, "nobody-here", ip="10.1.1.2")
    real, ghost = web_login("operator", GOOD, ip="10.1.1.3"), web_login("nobody-here", GOOD, ip="10.1.1.4")
    assert (real.status_code, ghost.status_code) == (429, 429)
    assert without_tokens(real.content) == without_tokens(ghost.content)


def test_lock_lifts_after_the_cool_off(city: City) -> None:
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        fail(5, "operator")
        assert web_login("operator", GOOD).status_code == 429
    with time_machine.travel(start + dt.timedelta(minutes=29), tick=False):
        assert web_login("operator", GOOD, ip="10.2.2.2").status_code == 429
    with time_machine.travel(start + settings.AXES_COOLOFF_TIME + dt.timedelta(minutes=1), tick=False):
        assert logged_in(web_login("operator", GOOD, ip="10.2.2.2"))


def test_an_administrator_unlocks_in_the_admin(city: City) -> None:
    fail(5, "operator")
    assert web_login("operator", GOOD).status_code == 429
    admin = Client()
    admin.force_login(User.objects.create_superuser("root", password=GOOD, role="admin"))
    listing = admin.get("/admin/axes/accessattempt/")
    assert listing.status_code == 200 and "operator" in listing.content.decode()
    ids = [str(pk) for pk in AccessAttempt.objects.filter(username="operator").values_list("pk", flat=True)]
    response = admin.post("/admin/axes/accessattempt/", {"action": "delete_selected", "_selected_action": ids,
                                                         "post": "yes"})
    assert response.status_code == 302
    assert logged_in(web_login("operator", GOOD, ip="10.3.3.3"))


def test_api_login_locks_too_with_a_json_answer(city: City) -> None:
    client = Client(REMOTE_ADDR="10.4.4.4")
    for attempt in range(5):
        response = client.post("/api/auth/login", data=json.dumps({"username": "operator", "password": "nope"}),
                               content_type="application/json")
        assert response.status_code == (401 if attempt < 4 else 429)
    response = client.post("/api/auth/login", data=json.dumps({"username": "operator", "password": GOOD}),
                           content_type="application/json")
    assert response.status_code == 429
    assert response.json()["detail"][0]["code"] == "locked_out" and client.get("/api/auth/me").status_code == 401


def test_logins_logouts_and_failures_are_recorded(city: City) -> None:
    client = Client(REMOTE_ADDR="10.5.5.5")
    web_login("operator", "wrong", ip="10.5.5.5", client=client)
    assert AccessFailureLog.objects.filter(username="operator", ip_address="10.5.5.5").count() == 1
    assert logged_in(web_login("operator", GOOD, ip="10.5.5.5", client=client))
    entry = AccessLog.objects.get(username="operator")
    assert entry.ip_address == "10.5.5.5" and entry.logout_time is None
    client.post("/logout/", REMOTE_ADDR="10.5.5.5")
    entry.refresh_from_db()
    assert entry.logout_time is not None


@pytest.mark.parametrize("header,expected", [("203.0.113.9", "203.0.113.9"), ("1.1.1.1, 203.0.113.9", "203.0.113.9")])
def test_behind_the_proxy_the_forwarded_address_counts(city: City, settings, header: str, expected: str) -> None:  # type: ignore[no-untyped-def]
    settings.BEHIND_PROXY = True
    Client().post("/login/", {"username": "operator", "password": "x"}, REMOTE_ADDR="127.0.0.1",
                  HTTP_X_FORWARDED_FOR=header)
    assert AccessAttempt.objects.get(username="operator").ip_address == expected
