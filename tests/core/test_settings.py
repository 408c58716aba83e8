"""The office's settings file: defaults, an office's own file over them, and what reads them."""

import pandas as pd
import pytest

from core.base import settings
from core.figures import status
from core.store import demo


def test_the_demo_generates_the_default_lists():
    own = settings.current()
    assert own.sectors == demo.SECTORS
    assert own.problem_types == demo.PROBLEM_TYPES
    assert own.industry_sectors == (demo.SECTOR_INDUSTRY,)
    assert set(own.funding_channels) == set(own.funding_sources)


def test_an_office_file_overrides_only_what_it_names(tmp_path, monkeypatch):
    own = tmp_path / "本办设置.toml"
    own.write_text('[categories]\nsectors = ["工业", "交通"]\n[status]\nserious_gap_points = 20\n',
                   encoding="utf-8")  # fmt: skip
    monkeypatch.setenv(settings.SETTINGS_SETTING, str(own))
    s = settings.current()
    assert s.sectors == ("工业", "交通")
    assert s.serious_gap == pytest.approx(-0.20)
    assert s.levels == ("省重点", "市重点")  # from the defaults
    gaps = pd.Series([0.0, -0.15, -0.20, None])
    assert status.statuses(gaps).tolist() == ["正常", "滞后", "严重滞后", "无年度计划"]
    assert "落后20个百分点及以上" in status.rule()


@pytest.mark.parametrize(
    ("content", "message"),
    [("[categories\n", "格式有误"), (None, "找不到设置文件")],
)
def test_an_unreadable_file_is_named_in_chinese(tmp_path, monkeypatch, content, message):
    own = tmp_path / "坏设置.toml"
    if content is not None:
        own.write_text(content, encoding="utf-8")
    monkeypatch.setenv(settings.SETTINGS_SETTING, str(own))
    with pytest.raises(settings.SettingsError, match=message):
        settings.current()
