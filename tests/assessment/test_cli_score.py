"""`hotline assess score`: a CSV table on stdout, or an error naming row and column and no table."""
import io
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from tests.assessment.test_engine import XT, XT_EXAMPLE, YY_HOTLINE, YY_MAILBOX

pytestmark = pytest.mark.django_db


def score(tmp_path: Path, scheme: str, text: str) -> str:
    path = tmp_path / "in.csv"
    path.write_text(text, encoding="utf-8")
    out = io.StringIO()
    call_command("assess", "score", "--scheme", scheme, "--input", str(path), stdout=out)
    return out.getvalue()


def test_yueyang_hotline_table(tmp_path):
    text = YY_HOTLINE + ("屈原管理区,county,139,139,139,9,143,4\n市国资委,department,17,17,11,11,17,5\n"
                         "市农业农村局,department,1,1,1,1,1,0\n")
    assert score(tmp_path, "yueyang-hotline", text) == (
        "unit,group,done_rate,on_time_rate,rework_rate,unsatisfied_rate,score,grade,rank\n"
        "屈原管理区,county,100.00,100.00,6.47,2.80,98.1,A,1\n"
        "市农业农村局,department,100.00,100.00,100.00,0.00,80.0,C,1\n"
        "市国资委,department,100.00,64.71,64.71,29.41,70.6,E,2\n"
    )


def test_yueyang_mailbox_table(tmp_path):
    text = YY_MAILBOX + "岳阳经开区,county,124,124,124,0,124,123\n市工信局,department,18,18,13,0,18,13\n"
    assert score(tmp_path, "yueyang-mailbox", text) == (
        "unit,group,done_rate,on_time_rate,rework_rate,satisfied_rate,score,grade,rank\n"
        "岳阳经开区,county,100.00,100.00,0.00,99.19,99.84,A,1\n"
        "市工信局,department,100.00,72.22,0.00,72.22,86.11,B,1\n"
    )


def test_xiangtan_table(tmp_path):
    assert score(tmp_path, "xiangtan-hotline", XT + XT_EXAMPLE) == (
        "unit,group,on_time_rate,extension_rate,contact_rate,satisfaction_mean,on_time_score,extension_score,"
        "contact_score,satisfaction_score,rejection_score,knowledge_score,cooperation_score,bonus_score,total,"
        "tier,rank\n"
        "岳塘区人民政府,county,100.00,11.16,100.00,67.54,10.00,10.00,20.00,18.77,8.80,20.00,4.00,5.00,96.57,,1\n"
        "韶山市人民政府,county,100.00,19.63,100.00,76.07,10.00,7.69,20.00,23.04,9.80,19.00,4.00,0.00,93.53,,2\n"
        "市住房公积金中心,department,100.00,0.00,100.00,38.89,10.00,10.00,20.00,1.94,9.50,20.00,5.00,2.00,78.44,"
        "C,1\n"
    )


def test_bad_row_prints_no_partial_table(tmp_path):
    path = tmp_path / "in.csv"
    path.write_text(YY_HOTLINE + "a,county,1,1,1,0,1,0\nb,county,2,3,1,0,1,0\n", encoding="utf-8")
    out = io.StringIO()
    with pytest.raises(CommandError) as exc:
        call_command("assess", "score", "--scheme", "yueyang-hotline", "--input", str(path), stdout=out)
    assert "第 2 行" in str(exc.value) and "done" in str(exc.value)
    assert out.getvalue() == ""


def test_unknown_scheme_is_named(tmp_path):
    with pytest.raises(CommandError, match="没有考核方案 nowhere"):
        score(tmp_path, "nowhere", YY_HOTLINE)


def test_console_exit_status_and_stderr(tmp_path):
    """The real console command: exit 1, the message on stderr, nothing on stdout (no database needed)."""
    path = tmp_path / "in.csv"
    path.write_text(YY_MAILBOX + "a,county,1,1,1,0,1,x\n", encoding="utf-8")
    env = dict(os.environ, HOTLINE_DATA_DIR=str(tmp_path / "data"))
    env.pop("HOTLINE_DATABASE_URL", None)
    bad = subprocess.run([sys.executable, "-m", "hotline.cli", "assess", "score", "--scheme", "yueyang-mailbox",
                          "--input", str(path)], capture_output=True, text=True, env=env, timeout=60)
    assert bad.returncode != 0 and bad.stdout == ""
    assert "第 1 行" in bad.stderr and "satisfied" in bad.stderr
