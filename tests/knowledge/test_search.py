"""Search relevance on a small Chinese fixture: words and bigrams, title weight, synonyms, snippets."""
import pytest

from hotline.knowledge.models import SynonymGroup
from hotline.knowledge.search import search
from tests.knowledge.conftest import publish_article

pytestmark = pytest.mark.django_db

FIXTURE = [
    ("医疗保险异地就医备案", "参保人员到外地就医前，可通过国家医保服务平台或社保窗口办理异地就医备案，备案后直接结算。"),
    ("住房公积金提取条件", "职工购买、建造、翻建、大修自住住房的，可以申请提取住房公积金账户内的存储余额。"),
    ("路灯不亮怎么报修", "城区路灯不亮、损坏，请拨打城管服务热线，说明具体路段，维修单位两个工作日内修复。"),
    ("新生儿落户办理", "新生儿出生后一个月内，由父母持出生医学证明和户口簿到户籍派出所办理出生登记。"),
    ("供暖费缴纳时间", "每年供暖季开始前，住户可通过热力公司营业厅或手机应用缴纳供暖费。"),
    ("职工住房补贴", "单位可按规定为职工发放住房补贴，住房公积金按月缴存，补贴不计入公积金账户。"),
]


@pytest.fixture
def base(kb):
    return {title: publish_article(kb, title=title, body=body) for title, body in FIXTURE}


def keys(query, **kw):
    return [h.article.title for h in search(query, **kw)]


def test_finds_by_chinese_words(base):
    assert keys("公积金怎么提取")[0] == "住房公积金提取条件"
    assert keys("孩子出生怎么上户口")[0] == "新生儿落户办理"


def test_finds_a_variant_the_segmenter_splits_differently(base):
    assert keys("异地就医")[0] == "医疗保险异地就医备案"
    assert keys("路灯坏了")[0] == "路灯不亮怎么报修"


def test_title_match_outranks_a_body_mention(base):
    assert keys("公积金")[:2] == ["住房公积金提取条件", "职工住房补贴"]


def test_synonyms_from_the_admin_list(base):
    SynonymGroup.objects.create(words="医保 = 医疗保险")
    assert keys("医保报销")[0] == "医疗保险异地就医备案"


def test_snippet_highlights_the_query(base):
    hit = search("异地就医备案")[0]
    assert "<mark>" in hit.snippet and "<mark>" in hit.title_html
    assert "异地就医" in hit.snippet.replace("<mark>", "").replace("</mark>", "")


def test_snippet_escapes_html(kb):
    publish_article(kb, title="提示<script>", body="<b>路灯</b> 报修")
    hit = search("路灯报修")[0]
    assert "<script>" not in hit.title_html and "&lt;b&gt;" in hit.snippet


def test_internal_articles_never_reach_public_search(kb):
    publish_article(kb, title="内部口径：拆迁补偿答复要点", body="拆迁补偿按区政府公告执行。", public=False)
    assert keys("拆迁补偿") == ["内部口径：拆迁补偿答复要点"]
    assert keys("拆迁补偿", public_only=True) == []


def test_nothing_for_an_empty_or_unrelated_query(base):
    assert keys("") == [] and keys("   ") == [] and keys("zzzz") == []


def test_a_district_code_in_the_query_outweighs_shared_wording(base, kb, monkeypatch):
    publish_article(kb, title="A2区道路积水处理", body="A2区城管局已安排疏通排水管道。")
    publish_article(kb, title="A6区道路积水严重", body="A6区已疏通排水管道。")
    assert keys("A2区道路积水严重")[0] == "A2区道路积水处理"
    monkeypatch.setattr("hotline.knowledge.search.CODE_WEIGHT", 1.0)  # the rule under test: without it, wording wins
    assert keys("A2区道路积水严重")[0] == "A6区道路积水严重"
