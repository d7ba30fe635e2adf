"""The PDF made by LibreOffice from the Word document: Chinese text, CJK fonts embedded."""
from __future__ import annotations

import datetime as dt
import shutil
import subprocess

import pytest

from hotline.bulletin.period import Month
from hotline.bulletin.render_pdf import MISSING_SOFFICE, PdfError, render_pdf
from hotline.bulletin.services import build

NEEDS_SYSTEM_DEPS = pytest.mark.skipif(
    shutil.which("soffice") is None or shutil.which("pdftotext") is None,
    reason="libreoffice-writer-nogui / poppler-utils not installed: run `bash scripts/system-deps` as root",
)


@NEEDS_SYSTEM_DEPS
def test_pdf_text_holds_the_chinese_headings(yueyang_runs, tmp_path) -> None:
    built = build(month=Month(2024, 5), style="yueyang", issued_on=dt.date(2024, 6, 24), formats=("pdf",))
    pdf = tmp_path / "b.pdf"
    pdf.write_bytes(built.files["2024-05-yueyang.pdf"])
    text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, check=True).stdout.decode()
    flat = text.replace(" ", "").replace("\n", "")
    for heading in ("12345热线工作简报", "一、工作动态", "二、12345热线运行情况", "五、存在的问题", "附件1", "热线综合评价表",
                    "图1 诉求类型分布", "印发"):
        assert heading.replace(" ", "") in flat, heading
    fonts = subprocess.run(["pdffonts", str(pdf)], capture_output=True, check=True).stdout.decode()
    assert any(name in fonts for name in ("UMing", "UKai", "WenQuanYi", "NotoSansCJK", "NotoSerifCJK"))


def test_pdf_without_libreoffice_names_the_package(monkeypatch) -> None:
    monkeypatch.setattr("hotline.bulletin.render_pdf.soffice", lambda: None)
    with pytest.raises(PdfError) as err:
        render_pdf(b"not used")
    assert str(err.value) == MISSING_SOFFICE and "libreoffice-writer-nogui" in str(err.value)


def test_a_conversion_that_hangs_is_killed_with_its_child_processes(tmp_path, monkeypatch) -> None:
    """soffice is a wrapper around soffice.bin: a timeout must not leave the converter running."""
    import os
    import time

    from hotline.bulletin import render_pdf as module

    pidfile = tmp_path / "child.pid"
    fake = tmp_path / "soffice"
    fake.write_text(f"#!/bin/sh\nsleep 60 &\necho $! > {pidfile}\nwait\n")
    fake.chmod(0o755)
    monkeypatch.setattr(module, "soffice", lambda: str(fake))
    monkeypatch.setattr(module, "TIMEOUT_SECONDS", 1)
    with pytest.raises(module.PdfError, match="超时"):
        module.render_pdf(b"not really a docx")
    child = int(pidfile.read_text())
    for _ in range(50):  # the kill is asynchronous; the child is reaped by init shortly after
        try:
            os.kill(child, 0)
        except ProcessLookupError:
            break
        time.sleep(0.05)
    else:
        with open(f"/proc/{child}/stat") as stat:
            assert stat.read().split()[2] == "Z", "the converter's child process survived the timeout"
