"""The app's pages as the benchmark visits them."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
APP = ROOT / "app.py"


@dataclass(frozen=True)
class Page:
    script: str  # for AppTest.switch_page, relative to app.py
    path: str  # URL path
    title: str  # the page's h1
    draws: str | None  # "chart", "map" or None: what must be on screen before it counts as drawn
    has_scope: bool = True  # heads its content with the scope sentence (范围:…)


PAGES = (
    Page("app_pages/overview.py", "/", "重大项目运行总览", "chart"),
    Page("app_pages/progress.py", "/progress", "项目推进情况", "chart"),
    Page("app_pages/growth.py", "/growth", "投资增长", "chart"),
    Page("app_pages/map.py", "/map", "项目地图", "map"),
    Page("app_pages/factors.py", "/factors", "要素保障", "chart"),
    Page("app_pages/alerts.py", "/alerts", "预警", "chart"),
    Page("app_pages/ranking.py", "/ranking", "红黑榜", "chart"),
    Page("app_pages/supervision.py", "/supervision", "问题督办", None),
    Page("app_pages/milestones.py", "/milestones", "挂图作战", "chart"),
    Page("app_pages/indicators.py", "/indicators", "经济指标", None),
    Page("app_pages/briefing.py", "/briefing", "简报", None),
    Page("app_pages/data.py", "/data", "数据管理", None, has_scope=False),
)
