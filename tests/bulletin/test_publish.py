"""Publishing freezes a bulletin; 环比 reads the previous frozen month; the console command."""
from __future__ import annotations

import datetime as dt
import io

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from hotline.bulletin.figures import compute_figures
from hotline.bulletin.models import BulletinText, FrozenBulletinError, PublishedBulletin
from hotline.bulletin.period import BulletinError, Month
from hotline.bulletin.services import build, enter_text, publish, published_files
from hotline.bulletin.styles import load_style

MAY = Month(2024, 5)
ISSUED = dt.date(2024, 6, 24)


@pytest.fixture
def quick_pdf(monkeypatch):
    """Publishing needs a PDF; LibreOffice's own conversion is covered in test_pdf.py, so these tests
    take a fixed PDF body and stay fast."""
    monkeypatch.setattr("hotline.bulletin.render_pdf.render_pdf", lambda docx: b"%PDF-1.7 test body")


def test_publish_freezes_figures_runs_hash_and_files(yueyang_runs, quick_pdf) -> None:
    built = build(month=MAY, style="yueyang", issued_on=ISSUED)
    result = publish(built=built, actor=None)
    bulletin = result.bulletin
    assert result.created and bulletin.version == 1 and len(bulletin.content_hash) == 64
    assert sorted(r["id"] for r in bulletin.assessment_runs) == sorted(r.pk for r in yueyang_runs.values())
    assert bulletin.figures["hotline"]["headline"]["received"] == 8
    assert bulletin.as_of == timezone.make_aware(dt.datetime(2024, 6, 10)) and bulletin.issued_on == ISSUED
    files = published_files(bulletin)
    assert set(files) == {"2024-05-yueyang.docx", "2024-05-yueyang.pdf", "2024-05-yueyang.xlsx",
                          "2024-05-yueyang-chart1.png"}
    assert files["2024-05-yueyang.docx"] == built.files["2024-05-yueyang.docx"]


def test_frozen_bulletin_is_never_changed(yueyang_runs, quick_pdf) -> None:
    bulletin = publish(built=build(month=MAY, style="yueyang", issued_on=ISSUED), actor=None).bulletin
    bulletin.texts = {"work_news": "改写"}
    with pytest.raises(FrozenBulletinError):
        bulletin.save()
    with pytest.raises(FrozenBulletinError):
        bulletin.delete()
    stored = bulletin.files.first()
    stored.content = b"tampered"
    with pytest.raises(FrozenBulletinError):
        stored.save()


def test_republish_unchanged_keeps_the_version_and_a_correction_makes_the_next(yueyang_runs, quick_pdf) -> None:
    first = publish(built=build(month=MAY, style="yueyang", issued_on=ISSUED), actor=None).bulletin
    again = publish(built=build(month=MAY, style="yueyang", issued_on=ISSUED), actor=None)
    assert not again.created and again.bulletin.pk == first.pk
    enter_text(month=MAY, style="yueyang", section="experience", text="经验交流材料。", actor=None)
    second = publish(built=build(month=MAY, style="yueyang", issued_on=ISSUED), actor=None).bulletin
    assert second.version == 2 and second.texts == {"experience": "经验交流材料。"}
    first.refresh_from_db()
    assert first.texts == {} and first.content_hash != second.content_hash


def test_publish_requires_published_assessment_runs(may, quick_pdf) -> None:
    from hotline.assessment.services import run_month

    run_month(scheme="yueyang-hotline", month=dt.date(2024, 5, 1), publish=False)
    with pytest.raises(BulletinError) as err:
        publish(built=build(month=MAY, style="yueyang", issued_on=ISSUED), actor=None)
    assert err.value.field == "assessment" and not PublishedBulletin.objects.exists()


def test_publish_refuses_a_cutoff_in_the_future(yueyang_runs, quick_pdf) -> None:
    built = build(month=MAY, style="yueyang", issued_on=ISSUED)
    with pytest.raises(BulletinError) as err:
        publish(built=built, actor=None, now=timezone.make_aware(dt.datetime(2024, 6, 5)))
    assert err.value.field == "as_of"


def test_month_on_month_reads_the_previous_frozen_bulletin(may) -> None:
    april = PublishedBulletin(
        month=dt.date(2024, 4, 1), style="yueyang", version=1, as_of=timezone.now(), issued_on=ISSUED,
        figures={"scopes": {"hotline": {"headline": {"received": 4, "satisfaction_rate": "60.00"}}}},
        style_definition={}, content_hash="0" * 64, published_at=timezone.now(),
    )
    april.save(force_insert=True)
    figures = compute_figures(style=load_style("yueyang"), month=MAY, issued_on=ISSUED)
    change = figures["hotline"]["change"]
    assert change["received"] == {"kind": "count", "current": 8, "previous": 4, "delta": "100.00",
                                  "source": f"published:{april.pk}"}
    assert change["satisfaction_rate"]["delta"] == "6.67"


def test_month_on_month_is_computed_without_a_frozen_bulletin(may) -> None:
    change = compute_figures(style=load_style("yueyang"), month=MAY, issued_on=ISSUED)["hotline"]["change"]
    assert change["received"]["previous"] == 1 and change["received"]["delta"] == "700.00"
    assert change["received"]["source"] == "computed" and change["dispatched"]["delta"] is None


def test_enter_text_checks_the_section(may) -> None:
    with pytest.raises(BulletinError) as err:
        enter_text(month=MAY, style="yueyang", section="poetry", text="x", actor=None)
    assert err.value.field == "section"
    enter_text(month=MAY, style="yueyang", section="number", text="6", actor=None)
    enter_text(month=MAY, style="yueyang", section="number", text="  ", actor=None)
    assert not BulletinText.objects.exists()


def test_command_writes_the_files(may, tmp_path) -> None:
    out = io.StringIO()
    call_command("bulletin", "--month", "2024-05", "--style", "xiangtan", "--out", str(tmp_path),
                 "--formats", "docx,xlsx", "--text", "number=9", "--date", "2024-10-12", stdout=out)
    assert (tmp_path / "2024-05-xiangtan.docx").stat().st_size > 10_000
    assert (tmp_path / "2024-05-xiangtan.xlsx").exists() and (tmp_path / "2024-05-xiangtan-chart5.png").exists()
    assert "用时" in out.getvalue()
    assert BulletinText.objects.get(section="number").text == "9"


def test_command_reports_bad_input_by_field(may, tmp_path) -> None:
    with pytest.raises(CommandError, match="month"):
        call_command("bulletin", "--month", "2024-5", "--style", "xiangtan", "--out", str(tmp_path))
    with pytest.raises(CommandError, match="style"):
        call_command("bulletin", "--month", "2024-05", "--style", "paris", "--out", str(tmp_path))
    with pytest.raises(CommandError, match="formats"):
        call_command("bulletin", "--month", "2024-05", "--style", "xiangtan", "--out", str(tmp_path),
                     "--formats", "odt")
    assert not list(tmp_path.iterdir())
