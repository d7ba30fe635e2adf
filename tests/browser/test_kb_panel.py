"""受理台's knowledge panel in a real browser: results update while the operator types, an article opens
beside the intake form, "用此答复" cites it, and the call is answered directly citing the article."""
from hotline.directory.models import Region, Role
from hotline.knowledge.models import Citation
from hotline.workorders.models import Status, WorkOrder
from tests.browser.conftest import desk_login, shot
from tests.knowledge.conftest import publish_article


def test_operator_finds_an_article_while_typing_and_answers_directly(page, live_server, city):
    city.users["kb_editor"] = city.user(Role.KB_EDITOR)
    region = Region.objects.create(name="甲区", code="R-A", level=Region.Level.COUNTY)
    article = publish_article(city, title="医疗保险异地就医备案",
                              body="参保人员到外地就医前，可通过国家医保服务平台或社保窗口办理异地就医备案，备案后直接结算。")
    publish_article(city, title="住房公积金提取条件", body="职工购买自住住房的，可以申请提取住房公积金。")
    desk_login(page, live_server, city.user(Role.OPERATOR))
    assert "/desk/operator/" in page.url
    page.fill("#id_citizen_phone", "13812345678")
    page.fill("#id_citizen_name", "张三")
    page.select_option("#id_appeal_type", str(city.appeal_type.pk))
    page.select_option("#id_category_parent", str(city.category.pk))
    page.select_option("#id_region", str(region.pk))
    page.fill("#id_content", "来电咨询去外地看病怎么备案报销。")
    # The operator types the question into the panel: results arrive by htmx while typing.
    page.click("#kb-q")
    page.keyboard.type("异地就医", delay=60)
    first = page.locator("#kb-results .kb-hits li a").first
    first.wait_for()
    assert "医疗保险异地就医备案" in first.inner_text()
    assert page.locator("#kb-results mark").count() > 0
    first.click()
    page.locator("#kb-article [data-kb-use]").wait_for()
    assert "国家医保服务平台" in page.inner_text("#kb-article")
    shot(page, "kb-panel-article")
    page.click("#kb-article [data-kb-use]")
    assert page.input_value("input[name=kb_article]") == str(article.pk)
    assert page.input_value("input[name=kb_query]") == "异地就医"
    assert "医疗保险异地就医备案" in page.input_value("textarea[name=answer]")
    with page.expect_navigation():
        page.click("button[name=outcome][value=answer]")
    shot(page, "kb-panel-answered")
    order = WorkOrder.objects.get()
    assert order.status == Status.ANSWERED
    assert Citation.objects.get(order=order).article == article
    assert "已直接答复办结" in page.inner_text(".saved-number")
