"""审核台: replies awaiting review beside the appeal; approve or rework; decide extension requests."""
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from hotline.workorders.models import Event
from hotline.workorders.services import transition, transition_with_files

URL = "/desk/review/"


@pytest.fixture
def reviewer(client, city):
    client.force_login(city.user("reviewer"))
    return city.user("reviewer")


def _accepted(city, **kw):
    order = city.dispatched(**kw)
    transition(order=order, action="accept", actor=city.user("handler_a"))
    return order


def _replied(city, text="已修复路灯", **kw):
    order = _accepted(city, **kw)
    transition(order=order, action="reply", actor=city.user("handler_a"), data={"text": text})
    return order


def _act(client, number, action, **fields):
    return client.post(f"{URL}case/{number}/{action}/?tab=replies", {f"{action}-{k}": v for k, v in fields.items()})


def test_queue_lists_replies_awaiting_review_only(client, city, reviewer):
    replied, accepted = _replied(city), _accepted(city)
    table = client.get(URL).content.decode().split("<tbody>")[1]
    assert replied.number in table and accepted.number not in table


def test_appeal_and_reply_side_by_side_with_the_reply_files(client, city, reviewer, settings, tmp_path):
    settings.ATTACHMENT_DIR = tmp_path
    order = _accepted(city, content="小区路灯不亮已经一周")
    transition_with_files(order=order, action="reply", actor=city.user("handler_a"), data={"text": "已更换灯泡"},
                          files=[SimpleUploadedFile("回复函.pdf", b"%PDF-1.4\n%%EOF\n")], kind="reply_letter")
    body = client.get(f"{URL}?case={order.number}").content.decode()
    pair = body.split('class="side-by-side"')[1].split('id="act-')[0]
    assert "小区路灯不亮已经一周" in pair and "已更换灯泡" in pair and "回复函.pdf" in pair
    assert 'id="act-accept_reply"' in body and 'id="act-rework"' in body
    assert 'id="act-approve_extension"' not in body


def test_approve_reply(client, city, reviewer):
    order = _replied(city)
    resp = _act(client, order.number, "accept_reply", version=order.version)
    assert resp.status_code == 302
    order.refresh_from_db()
    assert order.status == "callback"


def test_rework_needs_a_reason_shown_next_to_it(client, city, reviewer):
    order = _replied(city)
    resp = _act(client, order.number, "rework", version=order.version, reason="")
    assert resp.status_code == 400
    assert "请填写此项" in resp.content.decode().split('id="id_rework-reason-errors"')[1].split("</ul>")[0]
    resp = _act(client, order.number, "rework", version=order.version, reason="答复文不对题")
    order.refresh_from_db()
    assert resp.status_code == 302 and order.status == "accepted"
    assert Event.objects.get(order=order, kind="rework").reason == "答复文不对题"


def test_extension_requests_prefilled_with_the_requested_days(client, city, reviewer):
    order = _accepted(city)
    transition(order=order, action="request_extension", actor=city.user("handler_a"), reason="需协调", data={"days": 7})
    body = client.get(f"{URL}?tab=extensions&case={order.number}").content.decode()
    assert order.number in body.split("<tbody>")[1] and "申请延期 <strong>7</strong> 个工作日" in body
    assert 'name="approve_extension-days" value="7"' in body and "批准后" in body
    order.refresh_from_db()
    old = order.deadline
    assert _act(client, order.number, "approve_extension", version=order.version, days=5).status_code == 302
    order.refresh_from_db()
    assert not order.extension_pending and order.deadline > old
    assert Event.objects.get(order=order, kind="approve_extension").data["days"] == 5


def test_refuse_extension(client, city, reviewer):
    order = _accepted(city)
    transition(order=order, action="request_extension", actor=city.user("handler_a"), reason="需协调", data={"days": 7})
    order.refresh_from_db()
    assert _act(client, order.number, "refuse_extension", version=order.version, reason="理由不充分").status_code == 302
    order.refresh_from_db()
    assert not order.extension_pending


@pytest.mark.parametrize("days, message", [(0, "不能小于 1"), (31, "不能大于 30"), ("", "请填写此项")])
def test_bad_extension_days(client, city, reviewer, days, message):
    order = _accepted(city)
    transition(order=order, action="request_extension", actor=city.user("handler_a"), reason="需协调", data={"days": 7})
    order.refresh_from_db()
    resp = _act(client, order.number, "approve_extension", version=order.version, days=days)
    assert resp.status_code == 400
    assert message in resp.content.decode().split('id="id_approve_extension-days-errors"')[1].split("</ul>")[0]


def test_stale_review(client, city, reviewer):
    order = _replied(city)
    seen = order.version
    transition(order=order, action="accept_reply", actor=city.user("supervisor"))
    resp = _act(client, order.number, "rework", version=seen, reason="再看看")
    assert resp.status_code == 400 and "该工单已被他人修改" in resp.content.decode()


def test_unit_handler_cannot_open_or_act(client, city):
    order = _replied(city)
    client.force_login(city.user("handler_a"))
    assert client.get(URL).status_code == 403
    assert _act(client, order.number, "accept_reply", version=order.version).status_code == 403
    client.force_login(city.user("handler_b"))  # another unit
    assert _act(client, order.number, "accept_reply", version=order.version).status_code == 403
    order.refresh_from_db()
    assert order.status == "replied"


def test_queries_bounded(client, city, reviewer, django_assert_max_num_queries):
    for _ in range(10):
        _replied(city)
    order = _replied(city)
    with django_assert_max_num_queries(32):  # incl. audit rows and the reply-quality flags (constant)
        client.get(f"{URL}?case={order.number}")


def test_a_reply_waiting_past_its_deadline_says_so_in_words_not_minus_days(client, city, reviewer):
    import datetime as dt

    from hotline.workorders.models import WorkOrder

    order = _replied(city)
    WorkOrder.objects.filter(pk=order.pk).update(deadline=order.received_at - dt.timedelta(days=14))
    row = next(r for r in client.get(URL).content.decode().split("<tr") if order.number in r)
    assert "已过时限" in row and "个工作日" in row and ">-" not in row
