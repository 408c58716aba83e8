"""项目地图 under the office's [map] max_points: the map draws that many of the demo's 349
省重点 projects (all with coordinates), the note under it counts those left out, and a change
of the settings file draws the map anew (the map's memo is kept per state of the settings)."""

from __future__ import annotations

import json
import os

from app_kit import open_app
from streamlit.testing.v1 import AppTest

from core.base import settings


def _points(at: AppTest) -> int:
    """The project points of the map's deck as sent: the only features with a radius. The
    deck's JSON reaches the browser as core wrote it, Chinese as UTF-8 (3 bytes a character),
    not as \\u escapes (6)."""
    (chart,) = at.get("deck_gl_json_chart")
    assert "\\u" not in chart.proto.json and "项目" in chart.proto.json
    data = json.loads(chart.proto.json)["layers"][0]["data"]
    return sum("r" in f["properties"] for f in data)


def _notes(at: AppTest) -> list[str]:
    return [i.value for i in at.info]


def _note(shown: int) -> str:
    return (
        f"范围内项目共349个,地图只画出总投资最大的{shown}个,其余{349 - shown}个未画出,"
        "以免投影时点位重叠难辨;请用筛选条件缩小范围查看其余项目。"
    )


def _office_cap(tmp_path, monkeypatch, cap: int):
    """The office's settings file with `[map] max_points = cap`, in force."""
    own = tmp_path / "本办设置.toml"
    own.write_text(f"[map]\nmax_points = {cap}\n", encoding="utf-8")
    monkeypatch.setenv(settings.SETTINGS_SETTING, str(own))
    return own


def test_the_map_follows_the_setting_and_its_change(tmp_path, monkeypatch):
    own = _office_cap(tmp_path, monkeypatch, 200)
    at = open_app("map")
    assert _points(at) == 200
    assert _note(200) in _notes(at)

    own.write_text("[map]\nmax_points = 300\n", encoding="utf-8")
    stat = own.stat()  # a later modification time, whatever the clock's resolution
    os.utime(own, ns=(stat.st_atime_ns, stat.st_mtime_ns + 10**9))
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    assert _points(at) == 300
    assert _note(300) in _notes(at) and _note(200) not in _notes(at)


def test_nothing_is_left_out_under_the_cap(tmp_path, monkeypatch):
    _office_cap(tmp_path, monkeypatch, 349)
    at = open_app("map")
    assert _points(at) == 349
    assert not any("地图只画出" in n for n in _notes(at))
