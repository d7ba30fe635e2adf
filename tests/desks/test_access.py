"""/desk/: each role lands on its desk, other roles get a Chinese 403, a user switches between held roles."""
import pytest
from django.urls import reverse

from hotline.directory.models import Role
from hotline.desks.registry import DESKS, HOME_DESK

DESK_OF = {role: DESKS[slug] for role, slug in HOME_DESK.items()}


@pytest.mark.parametrize("role", sorted(HOME_DESK))
def test_each_role_lands_on_its_desk_whose_title_and_h1_name_it(client, city, role):
    user = city.user(role)
    client.force_login(user)
    resp = client.get("/desk/", follow=True)
    body = resp.content.decode()
    desk = DESK_OF[role]
    assert resp.status_code == 200
    assert resp.redirect_chain[-1][0].startswith(reverse(desk.url_name))  # the knowledge editor's is /kb/
    assert f"<title>{desk.name}" in body and "<h1" in body and desk.name in body.split("<h1", 1)[1]


def test_wrong_role_gets_chinese_403(client, city):
    client.force_login(city.user("handler_a"))
    resp = client.get("/desk/dispatch/")
    assert resp.status_code == 403 and "无权访问" in resp.content.decode()


def test_anonymous_is_sent_to_login(client, db):
    assert client.get("/desk/operator/").url.startswith("/login/")


def test_user_switches_to_a_held_role_only(client, city):
    user = city.user(Role.OPERATOR)
    user.extra_roles = [Role.LEADER]
    user.save()
    client.force_login(user)
    client.post("/desk/role/", {"role": Role.DISPATCHER})
    user.refresh_from_db()
    assert user.role == Role.OPERATOR
    resp = client.post("/desk/role/", {"role": Role.LEADER}, follow=True)
    user.refresh_from_db()
    assert user.role == Role.LEADER and user.extra_roles == [Role.OPERATOR]
    assert resp.redirect_chain[-1][0].startswith("/desk/leader/")


def test_404_page_is_chinese(client, city):
    client.force_login(city.user(Role.OPERATOR))
    resp = client.get("/no-such-page/")
    assert resp.status_code == 404 and "页面不存在" in resp.content.decode()

