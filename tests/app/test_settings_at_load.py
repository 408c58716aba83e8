"""A wrong settings file is named when the app opens, in Chinese, before any page reads a key:
every problem with its file, section and key, and no error id to look up."""

from __future__ import annotations

from app_kit import APP, unescaped
from streamlit.testing.v1 import AppTest

from core.base import settings


def test_the_app_names_each_wrong_setting_before_any_page(tmp_path, monkeypatch):
    own = tmp_path / "本办设置.toml"
    own.write_text('[alerts]\nlate_start_red_months = "三"\n[ranking]\nmeasure = "score"\n',
                   encoding="utf-8")  # fmt: skip
    monkeypatch.setenv(settings.SETTINGS_SETTING, str(own))
    at = AppTest.from_file(APP, default_timeout=60)
    at.run()
    assert not at.exception
    shown = unescaped(at.error[0].value)
    assert "设置文件本办设置.toml中[alerts]的late_start_red_months应为不小于0的整数" in shown
    assert "[ranking]的measure应为" in shown
    assert "错误编号" not in shown
