"""The settings file is checked whole when it is read: each wrong section, key or value is one
Chinese line naming the file, the section and the key — not an error when a page first reads
the key. A table of wrong office files, each with its message."""

from __future__ import annotations

import pytest

from core.base import settings
from core.policy.roles import Role

OWN = "本办设置.toml"
WHERE = f"设置文件{OWN}中"

WRONG = [
    ("[alerts]\nlate_start_red_months = \"三\"\n",
     f'{WHERE}[alerts]的late_start_red_months应为不小于0的整数,实际为"三"'),
    ("[alerts]\nlate_start_red_months = 2.5\n",
     f"{WHERE}[alerts]的late_start_red_months应为不小于0的整数,实际为2.5"),
    ("[alerts]\nnode_late_red_months = -1\n",
     f"{WHERE}[alerts]的node_late_red_months应为不小于0的整数,实际为-1"),
    ("[alerts]\nlate_start_red_month = 3\n",
     f"{WHERE}[alerts]没有设置项late_start_red_month,可用的设置项为serious_gap_red_points、"),
    ("[alert]\nlate_start_red_months = 3\n", f"{WHERE}没有[alert]这一节,可用的节为[office]、"),
    ("alerts = 3\n", f"{WHERE}的alerts应为一节([alerts]及其下的设置项)"),
    ("[status]\nserious_gap_points = true\n",
     f"{WHERE}[status]的serious_gap_points应为不小于0的数,实际为true"),
    ("[access]\nviewing = \"everyone\"\n",
     f'{WHERE}[access]的viewing应为“local”、“open”、“sign-in”之一,实际为"everyone"'),
    ("[access]\nsso_unknown_role = \"访客\"\n",
     f'{WHERE}[access]的sso_unknown_role应为“查看”、“区县填报”、“管理员”、“”之一,实际为"访客"'),
    ("[access]\nidle_minutes = 0\n", f"{WHERE}[access]的idle_minutes应为大于0的数,实际为0"),
    ("[access]\nmin_password_length = \"10\"\n",
     f'{WHERE}[access]的min_password_length应为大于0的整数,实际为"10"'),
    ("[ranking]\nmeasure = \"score\"\n",
     f'{WHERE}[ranking]的measure应为“gap”、“rate”、“start_rate”之一,实际为"score"'),
    ("[ranking]\nunit = \"乡镇\"\n",
     f'{WHERE}[ranking]的unit应为“所在区县”、“所属园区”之一,实际为"乡镇"'),
    ("[ranking]\ntop = 3.0\n", f"{WHERE}[ranking]的top应为不小于0的整数,实际为3.0"),
    ("[categories]\nsectors = []\n", f"{WHERE}[categories]的sectors应为非空的文字列表"),
    ("[categories]\nlevels = \"省重点\"\n", f"{WHERE}[categories]的levels应为非空的文字列表"),
    ("[categories]\nproblem_types = [\"用地\", \"用地\"]\n",
     f"{WHERE}[categories]的problem_types应为非空的文字列表"),
    ("[categories]\nfunding_channels = [\"专项债券\"]\n",
     f"{WHERE}[categories]的funding_channels应为文字对照表"),
    ("[office]\nname = 3\n", f"{WHERE}[office]的name应为文字,实际为3"),
    ("[limits]\nlon_range = [136.0, 73.0]\n",
     f"{WHERE}[limits]的lon_range应为两个数组成的范围,如[73.0, 136.0],前小后大,实际为[136.0, 73.0]"),
    # [map] max_points: a whole number from 200 to 5000, both allowed
    ("[map]\nmax_points = 199\n", f"{WHERE}[map]的max_points应为200至5000之间的整数,实际为199"),
    ("[map]\nmax_points = 5001\n", f"{WHERE}[map]的max_points应为200至5000之间的整数,实际为5001"),
    ("[map]\nmax_points = 0\n", f"{WHERE}[map]的max_points应为200至5000之间的整数,实际为0"),
    ("[map]\nmax_points = 1000.0\n",
     f"{WHERE}[map]的max_points应为200至5000之间的整数,实际为1000.0"),
    ("[map]\nmax_points = \"1000\"\n",
     f'{WHERE}[map]的max_points应为200至5000之间的整数,实际为"1000"'),
    ("[map]\nmax_points = true\n", f"{WHERE}[map]的max_points应为200至5000之间的整数,实际为true"),
    ("[alerts]\nconsecutive_red_months = 2\n",
     f"{WHERE}[alerts]的consecutive_red_months应不小于[alerts]的consecutive_yellow_months(3),"
     "实际为2"),
    ("[status]\nserious_gap_points = 40\n",
     "设置文件settings.toml中[alerts]的serious_gap_red_points应不小于[status]的"
     "serious_gap_points(40),实际为30"),
]  # fmt: skip


def _own(tmp_path, monkeypatch, text: str) -> None:
    own = tmp_path / OWN
    own.write_text(text, encoding="utf-8")
    monkeypatch.setenv(settings.SETTINGS_SETTING, str(own))


@pytest.mark.parametrize(("text", "message"), WRONG, ids=[m[len(WHERE) :][:40] for _, m in WRONG])
def test_each_wrong_setting_is_named_when_the_file_is_read(tmp_path, monkeypatch, text, message):
    _own(tmp_path, monkeypatch, text)
    with pytest.raises(settings.SettingsError) as raised:
        settings.current()
    assert str(raised.value).startswith(message), str(raised.value)


def test_every_problem_of_a_file_is_said_at_once(tmp_path, monkeypatch):
    _own(tmp_path, monkeypatch, '[alerts]\nlate_start_red_months = "三"\nnode_late_red_months = -1\n'
                                '[ranking]\nmeasure = "score"\n')  # fmt: skip
    with pytest.raises(settings.SettingsError) as raised:
        settings.current()
    lines = str(raised.value).splitlines()
    assert [line.split("的")[1].split("应为")[0] for line in lines] == [
        "late_start_red_months", "node_late_red_months", "measure"]  # fmt: skip


def test_a_right_file_reads_and_keeps_the_api(tmp_path, monkeypatch):
    _own(tmp_path, monkeypatch, '[alerts]\nlate_start_red_months = 4\n[status]\n'
                                'serious_gap_points = 12.5\n[access]\nsso_unknown_role = ""\n')  # fmt: skip
    s = settings.current()
    assert s.late_start_red_months == 4 and s.serious_gap == pytest.approx(-0.125)
    assert s.sso_unknown_role == "" and s.viewing == settings.VIEW_LOCAL
    assert settings.with_categories({"行业领域": ["工业"]}, s).sectors[-1] == "工业"
    assert settings.CATEGORY_KEYS["行业领域"] == "sectors"


@pytest.mark.parametrize(
    ("text", "points"),
    [
        ("", 1000),  # the defaults file's
        ("[map]\nmax_points = 200\n", 200),  # the least allowed
        ("[map]\nmax_points = 5000\n", 5000),  # the most allowed
        ("[map]\nmax_points = 1_500\n", 1500),
    ],
)
def test_the_maps_points_within_their_range_are_read(tmp_path, monkeypatch, text, points):
    _own(tmp_path, monkeypatch, text)
    assert settings.current().map_max_points == points


def test_the_defaults_are_right_and_the_roles_are_core_policys():
    assert settings.check(settings._read(settings.DEFAULTS), settings._read(settings.DEFAULTS),
                          "settings.toml") == []  # fmt: skip
    assert tuple(r.value for r in Role) == settings.SSO_ROLES
