"""Scheme definitions are data; broken ones are refused with the JSON path of the problem."""
import copy

import pytest

from hotline.assessment.definition import SHIPPED, DefinitionError, compile_definition, shipped_definition


def broken(name: str, change) -> dict:
    data = copy.deepcopy(shipped_definition(name))
    change(data)
    return data


@pytest.mark.parametrize("name", SHIPPED)
def test_shipped_schemes_compile(name):
    sdef = compile_definition(shipped_definition(name))
    assert sdef.name == name and sdef.score.round in (1, 2)


def test_yueyang_hotline_definition_matches_the_spec():
    sdef = compile_definition(shipped_definition("yueyang-hotline"))
    assert sdef.input_names == ["due", "done", "on_time", "reworked", "callbacks", "unsatisfied"]
    assert [(b.label, b.min) for b in sdef.grades] == [("A", 90), ("B", 85), ("C", 80), ("D", 75), ("E", None)]
    assert sdef.score.round == 1 and sdef.volume == "due"
    assert {g: int(f) for g, f in sdef.top_floors.items()} == {"county": 0, "park": 0, "department": 50,
                                                               "enterprise": 100}


def test_xiangtan_definition_matches_the_spec():
    sdef = compile_definition(shipped_definition("xiangtan-hotline"))
    assert sdef.tiers is not None and sdef.tiers.groups == ("department", "enterprise")
    assert [(b.label, b.min) for b in sdef.tiers.bands] == [("A", 100), ("B", 20), ("C", 0)]
    assert [p.round for p in sdef.parts] == [2] * 8 and sdef.score.name == "total"
    assert [(k.column, k.desc) for k in sdef.ranking] == [("total", True), ("orders", True)]
    assert {i.name: int(i.ledger.start) for i in sdef.ledger_inputs} == {"knowledge": 20, "cooperation": 5, "bonus": 0}


def test_formula_naming_an_unknown_input_is_refused_with_its_path():
    data = broken("yueyang-hotline", lambda d: d["rates"][0].update(expr="100 * finished / due"))
    with pytest.raises(DefinitionError) as exc:
        compile_definition(data)
    assert exc.value.path == "$.rates[0].expr" and "finished" in exc.value.message


def test_formula_may_not_use_a_later_column():
    data = broken("xiangtan-hotline", lambda d: d["parts"][0].update(expr="contact_score"))
    with pytest.raises(DefinitionError, match=r"\$\.parts\[0\]\.expr"):
        compile_definition(data)


def test_unparseable_formula_is_refused():
    data = broken("yueyang-mailbox", lambda d: d["score"].update(expr="0.3 * done_rate +"))
    with pytest.raises(DefinitionError, match=r"\$\.score\.expr"):
        compile_definition(data)


def test_grade_bands_must_descend():
    data = broken("yueyang-hotline", lambda d: d["grades"].__setitem__(1, {"grade": "B", "min": "95"}))
    with pytest.raises(DefinitionError, match=r"\$\.grades\[1\]"):
        compile_definition(data)


def test_per_group_parameter_must_cover_every_group():
    data = broken("xiangtan-hotline", lambda d: d["params"]["target"].pop("park"))
    with pytest.raises(DefinitionError, match=r"\$\.params\.target"):
        compile_definition(data)


def test_score_must_say_how_it_is_rounded():
    data = broken("yueyang-hotline", lambda d: d["score"].pop("round"))
    with pytest.raises(DefinitionError, match=r"\$\.score\.round"):
        compile_definition(data)


def test_names_cannot_repeat_or_shadow_output_columns():
    data = broken("yueyang-hotline", lambda d: d["rates"][0].update(name="due"))
    with pytest.raises(DefinitionError, match="already used"):
        compile_definition(data)
    data = broken("yueyang-hotline", lambda d: d["rates"][0].update(name="rank"))
    with pytest.raises(DefinitionError, match="already used"):
        compile_definition(data)


def test_a_grade_penalty_cannot_feed_the_score_it_comes_from():
    def change(d):
        d["grades"] = [{"grade": "A", "min": "90"}, {"grade": "B", "min": None}]
        d["ledger"]["auto"]["grade_penalty"] = {"indicator": "工作配合", "points": {"B": "-2"}}
    with pytest.raises(DefinitionError, match="grade penalty"):
        compile_definition(broken("xiangtan-hotline", change))


def test_unknown_automatic_rule_is_refused():
    data = broken("yueyang-hotline", lambda d: d["ledger"]["auto"].update(typo={"indicator": "x", "points": "-1"}))
    with pytest.raises(DefinitionError, match="unknown rule"):
        compile_definition(data)


@pytest.mark.parametrize("change", [
    lambda d: d.update(inputs="due"),
    lambda d: d["inputs"].append(7),
    lambda d: d.update(ranking=[]),
    lambda d: d["grades"].append("F"),
])
def test_malformed_structure_is_a_definition_error_not_a_crash(change):
    with pytest.raises(DefinitionError):
        compile_definition(broken("yueyang-hotline", change))


@pytest.mark.parametrize("rule, conf, path", [
    ("x", {"evidence": "nope", "indicator": "i", "points": "-1"}, "$.ledger.auto.x.evidence"),
    ("x", {"evidence": "case_faults", "indicator": "i", "points": "-1"}, "$.ledger.auto.x.codes"),
    ("x", {"evidence": "case_faults", "indicator": "i", "points": "-1", "codes": "off_point"},
     "$.ledger.auto.x.codes"),
    ("x", {"evidence": "appeal_type", "indicator": "i", "points": "1", "codes": ["praise"], "per": "month"},
     "$.ledger.auto.x.per"),
    ("x", {"evidence": "case_mark", "indicator": "i", "points": "1"}, "$.ledger.auto.x.marks"),
    ("leader_day", {"indicator": "i", "points": "abc"}, "$.ledger.auto.leader_day.points"),
    ("x", {"evidence": "case_faults", "indicator": "i", "points": "-1", "first_contact_working_days": -1},
     "$.ledger.auto.x.first_contact_working_days"),
])
def test_event_rules_are_checked_naming_the_path(rule, conf, path):
    data = broken("yueyang-hotline", lambda d: d["ledger"]["auto"].update({rule: conf}))
    with pytest.raises(DefinitionError) as exc:
        compile_definition(data)
    assert exc.value.path == path


def test_manual_lines_need_indicator_points_label_and_why():
    def change(d):
        d["ledger"]["manual"].append({"key": "media_published", "indicator": "信息报送", "points": "1",
                                      "label": "x", "why": "y"})
    with pytest.raises(DefinitionError, match="already used"):
        compile_definition(broken("yueyang-hotline", change))
    with pytest.raises(DefinitionError) as exc:
        compile_definition(broken("yueyang-hotline", lambda d: d["ledger"]["manual"][0].pop("why")))
    assert exc.value.path == "$.ledger.manual[0].why"


def test_every_shipped_scheme_names_its_rules_evidence():
    from hotline.assessment.definition import SHIPPED, rule_evidence

    kinds = {rule_evidence(r, c) for n in SHIPPED for r, c in compile_definition(shipped_definition(n)).auto.items()}
    assert kinds == {"serious_overdue", "knowledge_missed", "grade_penalty", "case_faults", "extension_unexplained",
                     "appeal_type", "case_mark", "leader_day"}
