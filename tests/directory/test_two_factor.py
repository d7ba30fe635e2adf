"""TOTP two-factor login: required for administrators, leaders and superusers, available to everyone."""
from __future__ import annotations

import datetime as dt
import json

import pytest
import time_machine
from django.conf import settings
from django.test import Client
from django.utils import timezone
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from hotline.directory.models import User
from tests.factories import City

GOOD = "pw-12345678"


@pytest.fixture(autouse=True)
def _required(settings):  # type: ignore[no-untyped-def]
    settings.TWO_FACTOR_ROLES = ("admin", "leader")  # the product's setting (tests/conftest.py turns it off)


def code(device: TOTPDevice) -> str:
    """The code an authenticator app shows now for this device's key."""
    generator = TOTP(device.bin_key, step=device.step, t0=device.t0, digits=device.digits)
    generator.time = timezone.now().timestamp()
    return f"{generator.token():0{device.digits}d}"


def password_login(username: str) -> tuple[Client, object]:
    client = Client()
    response = client.post("/login/", {"username": username, "password": GOOD})
    assert response.status_code == 302, response.content[:300]
    return client, response


def confirmed_device(user: User) -> TOTPDevice:
    return TOTPDevice.objects.create(user=user, name="身份验证器", confirmed=True)


@pytest.mark.parametrize("role", ["leader", "admin"])
def test_required_roles_must_enrol_before_anything_else(city: City, role: str) -> None:
    client, _ = password_login(role)
    assert client.get("/cases/").url == "/account/two-factor/"
    assert client.get("/admin/").status_code == 302
    assert client.get("/api/cases").status_code == 401
    page = client.get("/account/two-factor/").content.decode()
    assert 'src="data:image/svg+xml' in page and "密钥" in page and "须启用两步验证" in page


def test_a_superuser_of_any_role_must_enrol(city: City) -> None:
    User.objects.create_superuser("root", password=GOOD, role="operator")
    client, _ = password_login("root")
    assert client.get("/admin/").url == "/account/two-factor/"


def test_enrolment_with_the_shown_key_unlocks_the_session(city: City) -> None:
    client, _ = password_login("leader")
    client.get("/account/two-factor/")
    device = TOTPDevice.objects.get(user=city.user("leader"), confirmed=False)
    wrong = client.post("/account/two-factor/", {"token": "000000" if code(device) != "000000" else "111111"})
    assert wrong.status_code == 200 and "验证码不正确" in wrong.content.decode()
    # django-otp throttles a device for 2^(failures-1) s after a failure; the user retries a little later.
    with time_machine.travel(timezone.now() + dt.timedelta(seconds=3)):
        device.refresh_from_db()
        assert client.post("/account/two-factor/", {"token": code(device)}).url == settings.LOGIN_REDIRECT_URL
    device.refresh_from_db()
    assert device.confirmed
    assert client.get("/cases/").status_code == 200 and client.get("/api/cases").status_code == 200


def test_with_a_device_the_password_alone_is_not_enough(city: City) -> None:
    device = confirmed_device(city.user("leader"))
    client, _ = password_login("leader")
    assert client.get("/cases/").url == "/login/verify/"
    assert client.get("/api/cases").status_code == 401
    assert client.get("/account/two-factor/").url == "/login/verify/"  # no re-enrolment to skip the code
    bad = client.post("/login/verify/", {"token": "12345"})
    assert "6 位数字" in bad.content.decode()
    assert client.post("/login/verify/", {"token": code(device)}).url == settings.LOGIN_REDIRECT_URL
    assert client.get("/cases/").status_code == 200


def test_a_wrong_code_does_not_log_in(city: City) -> None:
    device = confirmed_device(city.user("admin"))
    client, _ = password_login("admin")
    right = code(device)
    wrong = f"{(int(right) + 1) % 1000000:06d}"
    response = client.post("/login/verify/", {"token": wrong})
    assert response.status_code == 200 and "验证码错误" in response.content.decode()
    assert client.get("/cases/").url == "/login/verify/"


def test_other_roles_log_in_with_the_password_and_may_enrol(city: City) -> None:
    client, response = password_login("operator")
    assert response.url == settings.LOGIN_REDIRECT_URL and client.get("/cases/").status_code == 200  # type: ignore[attr-defined]
    client.get("/account/two-factor/")
    device = TOTPDevice.objects.get(user=city.user("operator"))
    client.post("/account/two-factor/", {"token": code(device)})
    client.post("/logout/")
    again, _ = password_login("operator")
    assert again.get("/cases/").url == "/login/verify/"  # once enrolled, the code is asked every time


def test_api_login_asks_the_code_of_enrolled_accounts(city: City) -> None:
    device = confirmed_device(city.user("leader"))
    client = Client()

    def login(**extra: str):  # type: ignore[no-untyped-def]
        body = {"username": "leader", "password": GOOD, **extra}
        return client.post("/api/auth/login", data=json.dumps(body), content_type="application/json")

    missing = login()
    assert missing.status_code == 401 and missing.json()["detail"][0]["field"] == "otp_token"
    assert client.get("/api/auth/me").status_code == 401
    assert login(otp_token=code(device)).status_code == 200
    assert client.get("/api/cases").status_code == 200


def test_api_login_of_a_required_role_without_a_device_is_refused(city: City) -> None:
    response = Client().post("/api/auth/login", data=json.dumps({"username": "admin", "password": GOOD}),
                             content_type="application/json")
    assert response.status_code == 403 and response.json()["detail"][0]["code"] == "otp_enrolment_required"


def test_sessions_end_after_inactivity(city: City, settings) -> None:  # type: ignore[no-untyped-def]
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        client, _ = password_login("operator")
        assert client.get("/cases/").status_code == 200
    with time_machine.travel(start + dt.timedelta(minutes=settings.SESSION_IDLE_MINUTES - 1), tick=False):
        assert client.get("/cases/").status_code == 200  # activity moves the deadline on
    later = start + dt.timedelta(minutes=2 * settings.SESSION_IDLE_MINUTES - 3)
    with time_machine.travel(later, tick=False):
        assert client.get("/cases/").status_code == 200
    with time_machine.travel(later + dt.timedelta(minutes=settings.SESSION_IDLE_MINUTES + 1), tick=False):
        assert client.get("/cases/").url.startswith("/login/")
        assert client.get("/api/cases").status_code == 401


def test_switching_to_another_role_does_not_skip_the_second_factor(city: City) -> None:
    """A leader who also holds the operator role and acts as operator still owes the second factor."""
    User.objects.create_user("acting", password=GOOD, role="operator", extra_roles=["leader"])
    client, _ = password_login("acting")
    assert client.get("/cases/").url == "/account/two-factor/"
