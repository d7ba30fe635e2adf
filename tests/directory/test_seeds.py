import csv
import io
from importlib.resources import files

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from hotline.directory.models import AppealType, Category, Channel, Region, Tag, Unit
from hotline.directory.seeds import SeedError, city_unit_rows, seed_city, seed_directory

UPPER_PLATFORMS = {"provincial_12345", "state_council", "national_platform", "governor_mailbox", "people_daily",
                   "xiangyiban"}
HOT_ITEMS = {"社会保险", "消费维权", "劳动维权", "医疗/生育保险", "退休服务", "通信管理", "学校管理", "物业管理",
             "停车管理", "生活噪音", "社保卡"}
BULLETIN_TOP = ["人力资源和社会保障类", "住房与城乡建设类", "社会治安与综合治理类", "市场管理类", "交通运输与交通秩序类",
                "公共服务类", "城市管理类", "环境保护类"]


def calibration(name: str) -> list[dict[str, str]]:
    text = (files("hotline.directory.data") / "calibration" / name).read_text(encoding="utf-8")
    return list(csv.DictReader(io.StringIO(text)))


@pytest.fixture
def seeded(db):
    seed_directory()


def test_channels_cover_every_intake_route_with_upper_platform_flags(seeded):
    channels = dict(Channel.objects.values_list("code", "upper_platform"))
    assert len(channels) == 12
    assert {code for code, upper in channels.items() if upper} == UPPER_PLATFORMS
    assert Channel.objects.get(code="phone").name == "电话"
    assert Channel.objects.get(code="mayor_mailbox").name == "市长信箱"


def test_appeal_types_are_the_eight_of_the_intake_form(seeded):
    assert dict(AppealType.objects.values_list("code", "name")) == {
        "consultation": "咨询", "help": "求助", "complaint": "投诉", "report": "举报", "suggestion": "建议",
        "praise": "表扬", "other": "其他", "invalid": "无效",
    }


def test_special_line_tags(seeded):
    assert set(Tag.objects.values_list("name", flat=True)) == {
        "人大代表", "政企通", "旅游投诉专席", "文明创建", "领导接听日", "政协委员"}


def test_national_taxonomy_has_three_levels_from_the_official_list(seeded):
    national = Category.objects.filter(taxonomy="national")
    assert [national.filter(depth=d).count() for d in (1, 2, 3)] == [15, 118, 517]
    leaf = national.get(depth=3, name="事故处理", parent__parent__name="城乡建设")
    assert (leaf.parent.name, leaf.parent.parent.name) == ("安全生产", "城乡建设")
    assert not national.filter(depth=3, parent__depth=1).exists()


def test_yueyang_categories_have_the_bulletin_top_level_and_hot_items(seeded):
    yueyang = Category.objects.filter(taxonomy="yueyang")
    tops = set(yueyang.filter(depth=1).values_list("name", flat=True))
    assert set(BULLETIN_TOP) <= tops
    hot = yueyang.filter(hot=True)
    assert set(hot.values_list("name", flat=True)) == HOT_ITEMS
    assert all(c.depth == 2 for c in hot)
    assert yueyang.get(name="社会保险").parent.name == "人力资源和社会保障类"
    assert yueyang.get(name="物业管理").parent.name == "住房与城乡建设类"
    assert yueyang.get(name="通信管理").parent.name == "公共服务类"


def test_regions_form_a_city_county_street_community_tree(seeded):
    yueyang = Region.objects.get(code="430600")
    counties = set(Region.objects.filter(parent=yueyang).values_list("name", flat=True))
    assert {"岳阳楼区", "云溪区", "君山区", "岳阳县", "华容县", "湘阴县", "平江县", "汨罗市", "临湘市", "屈原管理区",
            "岳阳经开区", "南湖新区"} <= counties
    xiangtan = set(Region.objects.filter(parent__code="430300").values_list("name", flat=True))
    assert {"雨湖区", "岳塘区", "湘潭县", "湘乡市", "韶山市", "湘潭高新区", "湘潭经开区", "昭山示范区", "九华示范区"} <= xiangtan
    village = Region.objects.get(name="韶山村")
    assert [village.level, village.parent.level, village.parent.parent.name] == ["community", "street", "韶山市"]


def test_seeding_twice_creates_nothing_more(seeded):
    before = {m.__name__: m.objects.count() for m in (Channel, AppealType, Tag, Region, Category)}
    assert seed_directory() == {"channels": 0, "appeal_types": 0, "tags": 0, "regions": 0, "categories": 0}
    assert {m.__name__: m.objects.count() for m in (Channel, AppealType, Tag, Region, Category)} == before


def test_reseeding_keeps_an_administrators_correction(seeded):
    Channel.objects.filter(code="rednet").update(name="红网百姓呼声", upper_platform=True)
    seed_directory()
    assert Channel.objects.filter(code="rednet").values_list("name", "upper_platform").get() == ("红网百姓呼声", True)


def test_yueyang_units_are_the_union_of_hotline_and_mailbox_lists(db):
    hotline = calibration("yueyang-2024-05-hotline-units.csv")
    mailbox = calibration("yueyang-2024-05-mailbox-units.csv")
    report = seed_city(city="yueyang")
    names = {r["unit"] for r in hotline} | {r["unit"] for r in mailbox}
    units = Unit.objects.filter(city="yueyang")
    assert report.created == len(names) == units.count() == 68
    assert set(units.values_list("name", flat=True)) == names
    first_group: dict[str, str] = {}
    for r in hotline + mailbox:
        first_group.setdefault(r["unit"], r["group"])
    assert dict(units.values_list("name", "group")) == first_group


def test_chenglingji_listed_in_two_groups_is_one_county_unit(db):
    report = seed_city(city="yueyang")
    assert list(Unit.objects.filter(city="yueyang", name="城陵矶新港区").values_list("group", flat=True)) == ["county"]
    assert report.folded == {"城陵矶新港区": ["county", "department"]}


def test_county_units_are_linked_to_their_regions(db):
    seed_city(city="yueyang")
    seed_city(city="xiangtan")
    assert Unit.objects.get(city="yueyang", name="岳阳楼区").region.code == "430602"
    assert Unit.objects.get(city="xiangtan", name="岳塘区人民政府").region.name == "岳塘区"
    assert Unit.objects.get(city="xiangtan", name="湘潭高新区管委会").region.name == "湘潭高新区"
    assert not Unit.objects.filter(group__in=["department", "enterprise"], region__isnull=False).exists()


def test_xiangtan_units_match_its_list_with_groups(db):
    rows = calibration("xiangtan-2023-09-units.csv")
    seed_city(city="xiangtan")
    assert dict(Unit.objects.filter(city="xiangtan").values_list("name", "group")) == {
        r["unit"]: r["group"] for r in rows}
    assert Unit.objects.filter(city="xiangtan").count() == 57


def test_unit_codes_are_unique_stable_and_city_prefixed(db):
    rows, _ = city_unit_rows("yueyang")
    assert [r.code for r in rows] == [r.code for r in city_unit_rows("yueyang")[0]]
    seed_city(city="yueyang")
    seed_city(city="xiangtan")
    codes = list(Unit.objects.values_list("code", flat=True))
    assert len(codes) == len(set(codes))
    assert Unit.objects.get(city="yueyang", name="屈原管理区").code == "YY-C001"
    assert Unit.objects.get(city="xiangtan", name="湘潭城发集团").code == "XT-E001"


def test_seeding_a_city_twice_creates_nothing_more(db):
    seed_city(city="yueyang")
    again = seed_city(city="yueyang")
    assert (again.created, again.existing) == (0, 68)
    assert Unit.objects.filter(city="yueyang").count() == 68


def test_unknown_city_is_refused_naming_the_field(db):
    with pytest.raises(SeedError) as err:
        seed_city(city="changsha")
    assert err.value.field == "city"


def test_code_clash_writes_nothing(db):
    Unit.objects.create(name="别的单位", code="YY-C001", city="other", group="county")
    with pytest.raises(SeedError) as err:
        seed_city(city="yueyang")
    assert err.value.field == "code"
    assert not Unit.objects.filter(city="yueyang").exists()
    assert not Channel.objects.exists()


def test_seed_command_loads_every_city(db):
    out = io.StringIO()
    call_command("seed", "--city", "all", stdout=out)
    assert Unit.objects.filter(city="yueyang").count() == 68
    assert Unit.objects.filter(city="xiangtan").count() == 57
    assert "城陵矶新港区" in out.getvalue()


def test_seed_command_reports_a_clash_as_a_command_error(db):
    Unit.objects.create(name="别的单位", code="XT-C001", city="other", group="county")
    with pytest.raises(CommandError, match="code"):
        call_command("seed", "--city", "xiangtan", stdout=io.StringIO())
