"""Password policy: Django's validators (length >= 10, not common, not numeric, not like the username), in Chinese."""
from __future__ import annotations

import pytest
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.test import Client

from hotline.directory.models import User
from tests.factories import City


@pytest.mark.parametrize(("password", "says"), [
    ("short-pw1", "密码太短：至少需要 10 个字符"),  # 9 characters
    ("password123", "太常见"),
    ("8401927365", "全部为数字"),
    ("zhangwei-2024", "过于相似"),
])
def test_weak_passwords_are_refused_with_a_chinese_reason(db, password: str, says: str) -> None:
    user = User(username="zhangwei-2024", first_name="张伟")
    with pytest.raises(ValidationError) as caught:
        validate_password(password, user)
    assert any(says in message for message in caught.value.messages), caught.value.messages


def test_a_good_password_passes(db) -> None:
    assert validate_password("晚风-lamp-47-river", User(username="zhangwei")) is None


def test_the_password_page_applies_the_policy(city: City) -> None:
    client = Client()
    client.force_login(city.user("operator"))
    page = client.post("/account/password/", {
        "old_password": "pw-12345678", "new_password1": "12345678901", "new_password2": "12345678901",
    })
    assert page.status_code == 200 and "全部为数字" in page.content.decode()
    done = client.post("/account/password/", {
        "old_password": "pw-12345678", "new_password1": "晚风-lamp-47-river", "new_password2": "晚风-lamp-47-river",
    })
    assert done.status_code == 302
    user = city.user("operator")
    user.refresh_from_db()
    assert user.check_password("晚风-lamp-47-river")
