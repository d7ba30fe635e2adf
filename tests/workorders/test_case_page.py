"""The case page: the history in Chinese (labels, names, extension days, new deadline, verification, files)
and one form per action, errors next to the field."""
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from hotline.workorders.services import transition, transition_with_files


@pytest.fixture
def lived(city, settings, tmp_path):
    """A case that went through extension, reply with a letter, callback, verification and supervision."""
    settings.ATTACHMENT_DIR = tmp_path
    for key, name in (("handler_a", ("王", "小明")), ("reviewer", ("李", "审核")), ("callback", ("赵", "回访"))):
        user = city.user(key)
        user.last_name, user.first_name = name
        user.save()
    h = city.user("handler_a")
    order = city.dispatched()
    transition(order=order, action="accept", actor=h)
    transition(order=order, action="request_extension", actor=h, reason="需协调", data={"days": 4})
    transition(order=order, action="approve_extension", actor=city.user("reviewer"))
    transition_with_files(order=order, action="reply", actor=h, data={"text": "已修复"}, kind="reply_letter",
                          files=[SimpleUploadedFile("回复函.pdf", b"%PDF-1.4\n%%EOF\n")])
    transition(order=order, action="accept_reply", actor=city.user("reviewer"))
    transition(order=order, action="callback", actor=city.user("callback"), data={"result": "unsatisfied"})
    transition(order=order, action="verify", actor=city.user("supervisor"), data={"upheld": True}, reason="确认属实")
    transition(order=order, action="supervise", actor=city.user("supervisor"), reason="限期整改")
    return order


def _history(body: str) -> str:
    return body.split("办理记录")[1].split("</table>")[0]


def test_history_reads_as_chinese_with_names_and_details(client, city, lived):
    client.force_login(city.user("supervisor"))
    text = re.sub(r"<[^>]+>", " ", _history(client.get(f"/cases/{lived.number}/").content.decode()))
    for expected in ("申请延期 4 个工作日", "批准延期 4 个工作日", "新时限：", "回访结果：不满意", "人工回访",
                     "核实结果：不满意属实", "督办时限：", "王小明", "李审核", "赵回访", "回复函.pdf", "按期"):
        assert expected in text, expected
    for code in ("unsatisfied", "manual", "handler_a", "reviewer"):
        assert code not in text, code


def test_history_attachment_links_are_scoped(client, city, lived):
    client.force_login(city.user("reviewer"))
    body = client.get(f"/cases/{lived.number}/").content.decode()
    link = re.search(r'href="(/cases/[^"]+/files/\d+/)"', body).group(1)
    assert client.get(link).status_code == 200
    client.force_login(city.user("handler_b"))
    assert client.get(link).status_code == 404 and client.get(f"/cases/{lived.number}/").status_code == 404


def test_one_form_per_action_with_only_its_fields(client, city):
    order = city.new_order()
    client.force_login(city.user("dispatcher"))
    body = client.get(f"/cases/{order.number}/").content.decode()
    dispatch = body.split('id="act-dispatch"')[1].split("</details>")[0]
    names = set(re.findall(r'name="([\w-]+)"', dispatch))
    assert names == {"csrfmiddlewaretoken", "action", "dispatch-version", "dispatch-unit", "dispatch-co_units"}
    assert 'id="act-merge"' in body and "days" not in dispatch and "result" not in dispatch


def test_error_next_to_the_field_and_input_kept(client, city):
    order = city.new_order()
    client.force_login(city.user("dispatcher"))
    resp = client.post(f"/cases/{order.number}/transition/", {
        "action": "mark_invalid", "mark_invalid-version": order.version, "mark_invalid-reason": "长" * 501})
    body = resp.content.decode()
    assert resp.status_code == 400
    assert "不能超过 500 字" in body.split('id="id_mark_invalid-reason-errors"')[1].split("</ul>")[0]
    resp = client.post(f"/cases/{order.number}/transition/", {
        "action": "merge", "merge-version": order.version, "merge-into": "RX-NO-SUCH"})
    body = resp.content.decode()
    assert "要并入的工单不存在" in body.split('id="id_merge-into-errors"')[1] and 'value="RX-NO-SUCH"' in body


def test_supervisor_verifies_through_the_page(client, city):
    h = city.user("handler_a")
    order = city.dispatched()
    transition(order=order, action="accept", actor=h)
    transition(order=order, action="reply", actor=h, data={"text": "已修复"})
    transition(order=order, action="accept_reply", actor=city.user("reviewer"))
    transition(order=order, action="callback", actor=city.user("callback"), data={"result": "unsatisfied"})
    client.force_login(city.user("supervisor"))
    resp = client.post(f"/cases/{order.number}/transition/", {
        "action": "verify", "verify-version": order.version, "verify-upheld": "false", "verify-reason": "已解决"})
    order.refresh_from_db()
    assert resp.status_code == 302 and order.status == "closed"


def test_history_queries_do_not_grow_with_events(client, city, lived, django_assert_max_num_queries):
    client.force_login(city.user("supervisor"))
    with django_assert_max_num_queries(14):
        client.get(f"/cases/{lived.number}/")
