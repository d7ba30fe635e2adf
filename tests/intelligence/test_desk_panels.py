"""The intelligence panels of the desks: category and unit suggestions, hot topics and surges, reply flags."""
from __future__ import annotations

import re

import pytest
from django.core.management import call_command
from django.template import engines
from django.test import RequestFactory
from django.utils import timezone

from hotline.directory.models import Category, Role
from hotline.workorders.services import transition
from tests.intelligence.test_hotspots import NOISE, OTHER
from tests.intelligence.test_routing import history  # noqa: F401  (fixture)

SUGGEST = "/desk/operator/suggestions/"
HOTSPOTS = "/intel/hotspots/"
TOPIC = "/intel/topic/"


@pytest.fixture(autouse=True)
def _data_dir(models_in_tmp):
    return models_in_tmp


def _scores(html: str) -> list[str]:
    return re.findall(r'title="模型评分">([0-9.]+)<', html)


# --- operator's desk: top-3 categories ----------------------------------------------------------

def test_operator_desk_has_the_suggestion_slot_refreshed_as_content_is_typed(client, city):
    client.force_login(city.user(Role.OPERATOR))
    html = client.get("/desk/operator/").content.decode()
    assert 'id="category-suggestions"' in html and "from:#id_content" in html
    assert "尚未训练分类模型" in html  # no model yet: a short note, not an error


def test_operator_sees_top3_categories_with_scores(client, city, history):  # noqa: F811
    call_command("classify", "train", "--from-cases", "--target", "category")
    client.force_login(city.user(Role.OPERATOR))
    response = client.get(SUGGEST, {"title": "", "content": "学校老师补课收费，幼儿园招生"})
    html = response.content.decode()
    assert response.status_code == 200
    names = re.findall(r"<li><span>([^<]+)</span>", html)
    assert len(names) == 3 and names[0] == "城乡/教育文体"
    scores = _scores(html)
    assert len(scores) == 3 and float(scores[0]) >= float(scores[1]) >= float(scores[2])


def test_category_suggestions_without_a_model_say_so(client, city):
    client.force_login(city.user(Role.OPERATOR))
    html = client.get(SUGGEST, {"content": "公交站台拥堵"}).content.decode()
    assert "尚未训练分类模型" in html and not _scores(html)


def test_a_unit_handler_cannot_use_the_operator_suggestions(client, city):
    client.force_login(city.user("handler_b"))
    assert client.get(SUGGEST, {"content": "公交站台拥堵"}).status_code == 403


# --- dispatcher's desk: top-3 units per queued case ---------------------------------------------

def test_dispatcher_queue_shows_top3_units_per_case_in_one_batch(client, city, history):  # noqa: F811
    call_command("classify", "train", "--from-cases", "--target", "unit")
    client.force_login(city.user(Role.DISPATCHER))
    city.new_order(content="公交站台拥堵，班次太少")
    one = _count_queries(client)
    for _ in range(6):
        city.new_order(content="学校老师补课收费")
    html = client.get("/desk/dispatch/").content.decode()
    assert len(_scores(html)) == 7 * 3 and city.unit_a.name in html
    assert _count_queries(client) == one  # no query per case


def _count_queries(client) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as ctx:
        assert client.get("/desk/dispatch/").status_code == 200
    return len(ctx.captured_queries)


def test_dispatcher_without_a_unit_model_sees_a_note(client, city):
    city.new_order(content="公交站台拥堵")
    client.force_login(city.user(Role.DISPATCHER))
    html = client.get("/desk/dispatch/").content.decode()
    assert "尚未训练派单模型" in html and not _scores(html)


def test_dispatch_case_page_shows_top3_units(client, city, history):  # noqa: F811
    call_command("classify", "train", "--from-cases", "--target", "unit")
    order = city.new_order(content="工地噪音和粉尘污染，污水排放")
    client.force_login(city.user(Role.DISPATCHER))
    html = client.get(f"/desk/dispatch/{order.number}/").content.decode()
    assert len(_scores(html)) == 3 and "智能建议" in html


def test_a_unit_handler_cannot_open_the_dispatch_queue(client, city):
    city.new_order(content="公交站台拥堵")
    client.force_login(city.user("handler_b"))
    assert client.get("/desk/dispatch/").status_code == 403


# --- hot topics and surges on the leader's and the supervisor's desks ----------------------------

def _month() -> str:
    return timezone.localdate().strftime("%Y-%m")


def test_leader_and_supervisor_desks_load_the_hotspot_panel(client, city):
    client.force_login(city.user(Role.LEADER))
    assert 'hx-get="/intel/hotspots/?month=' in client.get("/desk/leader/").content.decode()
    client.force_login(city.user(Role.SUPERVISOR))
    assert 'hx-get="/intel/hotspots/"' in client.get("/desk/supervise/?tab=hotspots").content.decode()


def test_hotspot_panel_lists_topics_with_count_linking_to_their_cases(client, city):
    cases = [city.dispatched(unit=city.unit_a, title=t, content=t) for t in NOISE]
    for t in OTHER:
        city.dispatched(unit=city.unit_b, title=t, content=t)
    client.force_login(city.user(Role.LEADER))
    html = client.get(HOTSPOTS, {"month": _month()}).content.decode()
    link = re.search(r'href="(/intel/topic/\?month=[^"]+)"', html)
    assert link and "丽发新城" in html and '<td class="num">5</td>' in html
    page = client.get(link.group(1).replace("&amp;", "&")).content.decode()
    assert all(o.number in page for o in cases)


def test_surge_alerts_show_on_the_panel(client, city):
    for _ in range(8):
        city.dispatched(title="岳阳楼景区停车难", content="岳阳楼景区停车难", address="岳阳楼景区")
    client.force_login(city.user(Role.SUPERVISOR))
    html = client.get(HOTSPOTS).content.decode()
    assert "突增预警" in html and "地点：岳阳楼景区" in html


def test_a_unit_handler_cannot_see_hot_topics_or_topic_cases(client, city):
    for t in NOISE:
        city.dispatched(unit=city.unit_a, title=t, content=t)
    client.force_login(city.user("handler_b"))
    assert client.get(HOTSPOTS).status_code == 403
    assert client.get(TOPIC, {"month": _month(), "topic": "丽发新城 搅拌站噪音扰民"}).status_code == 403


def test_bad_month_is_a_clear_400(client, city):
    client.force_login(city.user(Role.LEADER))
    response = client.get(HOTSPOTS, {"month": "2024-13"})
    assert response.status_code == 400 and "YYYY-MM" in response.content.decode()


# --- reply flags include for the reviewer's desk -------------------------------------------------

def _render_flags(user, order) -> str:
    request = RequestFactory().get("/")
    request.user = user
    template = engines["django"].from_string('{% include "intelligence/_reply_flags.html" with case=order %}')
    return template.render({"order": order}, request)


def test_reply_flags_include_shows_reasons_for_the_reviewer_not_another_unit(city):
    order = city.dispatched(unit=city.unit_a, content="小区路灯不亮已经一个月，晚上出行很不安全")
    handler = city.user("handler_a")
    transition(order=order, action="accept", actor=handler)
    transition(order=order, action="reply", actor=handler, data={"text": "已收悉"})
    html = _render_flags(city.user(Role.REVIEWER), order)
    assert "答复过短" in html and "未记录与诉求人联系" in html and "不会自动退回" in html
    other = _render_flags(city.user("handler_b"), order)
    assert "答复过短" not in other


def test_a_suggestion_of_the_intake_taxonomy_offers_to_fill_both_levels(client, city, history, settings):  # noqa: F811
    settings.HOTLINE_INTAKE_TAXONOMY = "test"
    call_command("classify", "train", "--from-cases", "--target", "category")
    client.force_login(city.user(Role.OPERATOR))
    html = client.get(SUGGEST, {"content": "学校老师补课收费，幼儿园招生"}).content.decode()
    cats = history[0]
    assert (f'data-apply-category="{cats["教育文体"].parent_id}" '
            f'data-apply-subcategory="{cats["教育文体"].pk}"') in html
    settings.HOTLINE_INTAKE_TAXONOMY = "elsewhere"
    Category.objects.create(taxonomy="elsewhere", name="其他")
    html = client.get(SUGGEST, {"content": "学校老师补课收费，幼儿园招生"}).content.decode()
    assert "data-apply-category" not in html and _scores(html)  # shown, but not offered for a form it does not fit
