"""The 预警 rules as one registry (core.figures.alerts.REGISTRY): every rule named, stated,
checked in the settings and listed in README's table in the same order; a throwaway rule
added to the registry shows in the counts; and one event under two rules is one alert."""

import datetime as dt
import re

import pytest

from core import ROOT
from core.base import settings
from core.base.periods import Period
from core.figures import alerts as A
from core.figures.scope import Scope
from tests.cycle_kit import portfolio_of, project

RED, YELLOW = A.RED, A.YELLOW
LATE_IN_YEAR = dt.date(2026, 11, 27)


def alerts_at(p, period: Period):
    return A.alerts(p, Scope(period, level=None), today=LATE_IN_YEAR)


def test_the_registry_names_every_rule_once_in_the_page_order():
    names = A.rule_names()
    assert names == A.RULES and len(set(names)) == len(names) == 7
    for rule in A.REGISTRY:
        assert rule.keys and set(rule.levels) <= {RED, YELLOW}
        assert rule.sentence().endswith("。")


def test_every_key_a_rule_names_is_in_the_settings_file_with_a_reason():
    text = (ROOT / "data" / "settings.toml").read_text(encoding="utf-8")
    own = settings.current()
    for rule in A.REGISTRY:
        for key in rule.keys:
            section, name = key.split(".")
            assert name in own.section(section), key
            # a comment above the key (above the pair it belongs to): its reason
            above = text.split(f"\n{name} =")[0].rstrip().splitlines()
            while above and re.match(r"^\w+ =", above[-1]):
                above.pop()
            assert above and above[-1].startswith("#"), key
    assert A.check_settings() == []


def test_the_settings_check_names_a_key_a_rule_needs_and_the_file_lacks(monkeypatch):
    rule = A.AlertRule("试验预警", ("alerts.trial_red_months",), lambda: "试验。",
                       lambda *_: A._Found([], [], []))  # fmt: skip
    monkeypatch.setattr(A, "REGISTRY", [*A.REGISTRY, rule])
    assert A.check_settings() == ["设置文件缺少[alerts]的trial_red_months(试验预警预警的阈值)"]


def test_readme_lists_every_rule_in_its_table_in_order():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    part = readme.split("**预警** (`/alerts`)")[1].split("**红黑榜**")[0]
    rows = re.findall(r"^\| (\S+) \|", part, flags=re.M)
    assert [r for r in rows if r not in ("rule", "---")] == list(A.rule_names())
    assert f"{len(A.REGISTRY)} rules" in part or "seven rules" in part


def test_a_throwaway_rule_added_to_the_registry_is_counted(monkeypatch):
    """An 8th rule is one entry: its finder, its sentence, its keys; counts, sentences and the
    order of the list follow."""

    def every_second_project(p, scope, conv, day):
        codes = sorted(p.projects.loc[scope.mask(p.projects), "项目代码"])[::2]
        return A._Found(codes, [RED] * len(codes), ["试验规则"] * len(codes))

    rule = A.AlertRule("试验预警", ("alerts.node_late_red_months",), lambda: "试验。",
                       every_second_project)  # fmt: skip
    monkeypatch.setattr(A, "REGISTRY", [*A.REGISTRY, rule])
    p = portfolio_of([project(c) for c in "ABC"], monthly=[(c, "2026-02", "1") for c in "ABC"])
    frame = alerts_at(p, Period(2026, 2))
    counts = A.counts_by_rule(frame).set_index(A.RULE)
    assert counts.index.tolist() == [*A.RULES, "试验预警"]
    assert counts.loc["试验预警"].tolist() == [2, 0, 2]
    assert A.rule_sentences()["试验预警"] == "试验。"


# --- one event, one alert -----------------------------------------------------------------

LATE = {"计划开工年月": "2026-01", "实际开工年月": ""}


@pytest.mark.parametrize(
    ("node", "level", "reason"),
    [
        # 应开未开 yellow (1 month late) and the 开工 node red (3 months: planned November):
        # one alert, red, both reasons
        (("S", "开工", "2025-11", ""), RED,
         "计划2026年1月开工,截至2026年2月底尚未开工(逾期1个月);"
         "“开工”节点计划2025年11月完成,截至2026年2月底未完成(逾期3个月)"),
        (("S", "项目开工", "2026-01", ""), YELLOW,
         "计划2026年1月开工,截至2026年2月底尚未开工(逾期1个月);"
         "“项目开工”节点计划2026年1月完成,截至2026年2月底未完成(逾期1个月)"),
    ],
)  # fmt: skip
def test_a_late_start_and_its_start_node_are_one_alert(node, level, reason):
    p = portfolio_of([project("S", stage="前期", **LATE), project("Z")],
                     monthly=[("Z", "2026-02", "1")], milestones=[node])  # fmt: skip
    frame = alerts_at(p, Period(2026, 2))
    assert frame[[A.RULE, A.LEVEL, A.REASON, A.SUBJECT]].values.tolist() == [
        [A.LATE_START, level, reason, node[1]]
    ]


def test_a_late_completion_and_its_completion_node_are_one_alert():
    p = portfolio_of(
        [project("E", **{"计划竣工年月": "2025-12"})],
        monthly=[("E", "2026-02", "1")],
        milestones=[("E", "竣工投产", "2025-12", ""), ("E", "设备安装", "2025-12", "")],
    )
    frame = alerts_at(p, Period(2026, 2))
    assert sorted(zip(frame[A.RULE], frame[A.LEVEL], frame[A.SUBJECT], strict=True)) == [
        (A.LATE_END, YELLOW, "竣工投产"),
        (A.NODE_LATE, YELLOW, "设备安装"),  # another event: its own alert
    ]
    merged = frame.loc[frame[A.RULE] == A.LATE_END, A.REASON].item()
    assert merged == (
        "计划2025年12月竣工,截至2026年2月底尚未竣工(逾期2个月);"
        "“竣工投产”节点计划2025年12月完成,截至2026年2月底未完成(逾期2个月)"
    )


def test_a_start_node_of_a_project_already_started_stays_a_node_alert():
    p = portfolio_of([project("N")], monthly=[("N", "2026-02", "1")],
                     milestones=[("N", "开工", "2025-12", "")])  # fmt: skip
    frame = alerts_at(p, Period(2026, 2))
    assert frame[A.RULE].tolist() == [A.NODE_LATE]


def test_a_start_planned_in_the_period_is_due_at_its_end():
    """Planned for February: not late at the end of January, late (no months) at the end of
    February."""
    p = portfolio_of([project("S", stage="前期", **{"计划开工年月": "2026-02", "实际开工年月": ""}),
                      project("Z")], monthly=[("Z", "2025-12", "1")])  # fmt: skip
    assert alerts_at(p, Period(2026, 1)).empty
    assert alerts_at(p, Period(2026, 2))[A.REASON].tolist() == [
        "计划2026年2月开工,截至2026年2月底尚未开工"
    ]


def test_the_most_red_alerts_keep_ties():
    frame = A.pd.DataFrame(
        {A.LEVEL: [RED] * 9 + [YELLOW],
         "所在区县": ["甲"] * 3 + ["乙"] * 2 + ["丙"] * 2 + ["丁"] * 2 + ["戊"]}
    )  # fmt: skip
    assert A.most_red_by_county(frame, 2).to_dict() == {"甲": 3, "乙": 2, "丙": 2, "丁": 2}
    assert A.most_red_by_county(frame, 1).to_dict() == {"甲": 3}
    assert A.most_red_by_county(frame.iloc[9:], 3).empty
