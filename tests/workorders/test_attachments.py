"""Case attachments: type sniffed from the bytes, size/count limits, owner-only storage, scoped download."""
import io
import stat
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from hotline.workorders.models import Attachment, Event
from hotline.workorders.services import DomainError, ForbiddenMove, attach_files, transition, transition_with_files

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PNG = bytes.fromhex("89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c4890000000d49444154789c6300010000050001"
                    "0d0a2db40000000049454e44ae426082")


def docx_bytes() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr("word/document.xml", "<w:document/>")
    return out.getvalue()


@pytest.fixture(autouse=True)
def _files_dir(settings, tmp_path):
    settings.ATTACHMENT_DIR = tmp_path / "attachments"
    return settings.ATTACHMENT_DIR


def up(name: str, data: bytes, content_type: str = "application/octet-stream") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type=content_type)


def _accepted(city):
    order = city.dispatched()
    transition(order=order, action="accept", actor=city.user("handler_a"))
    return order


def test_files_are_kept_with_the_sniffed_type_owner_only(city, _files_dir):
    order = _accepted(city)
    rows = attach_files(order=order, actor=city.user("handler_a"), kind="evidence",
                        files=[up("现场.png", PNG, "text/plain"), up("回复.docx", docx_bytes())])
    assert [r.content_type for r in rows] == ["image/png",
                                             "application/vnd.openxmlformats-officedocument.wordprocessingml.document"]
    assert rows[0].original_name == "现场.png" and rows[0].size == len(PNG)
    path = next(_files_dir.rglob(rows[0].stored_name))
    assert stat.S_IMODE(path.stat().st_mode) == 0o600 and stat.S_IMODE(_files_dir.stat().st_mode) == 0o700
    assert path.read_bytes() == PNG and "现场" not in rows[0].stored_name


def test_type_is_judged_by_bytes_not_name(city, _files_dir):
    order = _accepted(city)
    with pytest.raises(DomainError) as info:
        attach_files(order=order, actor=city.user("handler_a"), kind="reply",
                     files=[up("ok.pdf", PDF), up("virus.pdf", b"MZ\x90\x00 this is an exe", "application/pdf")])
    assert info.value.field == "files" and "virus.pdf" in info.value.message
    assert not Attachment.objects.exists() and not list(_files_dir.rglob("*.*"))  # nothing half-written


def test_size_and_count_limits(city, settings):
    order = _accepted(city)
    settings.ATTACHMENT_MAX_BYTES = 20
    with pytest.raises(DomainError, match="超过"):
        attach_files(order=order, actor=city.user("handler_a"), kind="reply", files=[up("a.pdf", PDF)])
    settings.ATTACHMENT_MAX_BYTES = 10_000
    with pytest.raises(DomainError, match="最多"):
        attach_files(order=order, actor=city.user("handler_a"), kind="reply", files=[up("a.pdf", PDF)] * 6)
    with pytest.raises(DomainError, match="空文件"):
        attach_files(order=order, actor=city.user("handler_a"), kind="reply", files=[up("a.pdf", b"")])


def test_another_unit_cannot_attach(city):
    order = _accepted(city)
    with pytest.raises(ForbiddenMove):
        attach_files(order=order, actor=city.user("handler_b"), kind="reply", files=[up("a.pdf", PDF)])


def test_reply_with_a_bad_file_writes_neither(city):
    order = _accepted(city)
    version = order.version
    with pytest.raises(DomainError):
        transition_with_files(order=order, action="reply", actor=city.user("handler_a"), data={"text": "已修复"},
                              files=[up("a.pdf", b"not a pdf at all")], kind="reply_letter")
    order.refresh_from_db()
    assert order.status == "accepted" and order.version == version
    assert not Event.objects.filter(order=order, kind="reply").exists()


def test_download_only_for_who_may_see_the_case(client, city):
    order = _accepted(city)
    event = transition_with_files(order=order, action="reply", actor=city.user("handler_a"), data={"text": "已修复"},
                                  files=[up("函.pdf", PDF)], kind="reply_letter")
    att = Attachment.objects.get(event=event)
    url = f"/cases/{order.number}/files/{att.pk}/"
    client.force_login(city.user("reviewer"))
    resp = client.get(url)
    assert resp.status_code == 200 and b"".join(resp.streaming_content) == PDF
    assert resp["Content-Type"] == "application/pdf" and "attachment" in resp["Content-Disposition"]
    client.force_login(city.user("handler_b"))  # another unit
    assert client.get(url).status_code == 404
    other = city.dispatched(unit=city.unit_b)
    client.force_login(city.user("handler_a"))
    assert client.get(f"/cases/{other.number}/files/{att.pk}/").status_code == 404  # id under another case


def test_reply_with_attachment_from_the_unit_desk(client, city):
    order = _accepted(city)
    client.force_login(city.user("handler_a"))
    resp = client.post(f"/desk/unit/case/{order.number}/reply/", {
        "reply-version": order.version, "reply-text": "已修复", "reply-kind": "reply_letter",
        "reply-attachments": [up("回复函.pdf", PDF), up("照片.png", PNG)],
    })
    assert resp.status_code == 302
    reply = Event.objects.get(order=order, kind="reply")
    assert sorted(reply.attachments.values_list("original_name", flat=True)) == ["回复函.pdf", "照片.png"]


def test_bad_attachment_on_the_desk_is_shown_next_to_the_field(client, city):
    order = _accepted(city)
    client.force_login(city.user("handler_a"))
    resp = client.post(f"/desk/unit/case/{order.number}/reply/", {
        "reply-version": order.version, "reply-text": "已修复", "reply-kind": "reply",
        "reply-attachments": [up("x.pdf", b"#!/bin/sh\necho hi")],
    })
    body = resp.content.decode()
    assert resp.status_code == 400 and "文件类型不允许" in body.split('id="id_reply-attachments-errors"')[1]
    assert "已修复" in body
