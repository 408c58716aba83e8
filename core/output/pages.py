"""The app's pages, one entry each: the one list that the router and the sidebar (app.py),
汇报模式 (its screens), the meeting agendas (the views they may hold), the slide deck, the
benchmark and the tests read. Plain data, no streamlit: app.py makes its `st.Page`s from it.

Adding a page is an entry here and its file `app_pages/<key>.py` (README, "Adding a page");
`tests/app/test_page_registry.py` checks that the two agree and that every list is this one.
"""

from __future__ import annotations

from dataclasses import dataclass

from core.policy import roles

APP_PAGES = "app_pages"  # the folder of the page files, relative to app.py

CHART = "chart"  # what a page draws before it counts as drawn (benchmark, browser tests)
MAP = "map"


@dataclass(frozen=True)
class Page:
    key: str  # the file's name, app_pages/<key>.py, and the URL path (总览's is "/")
    title: str  # in the sidebar's menu and in 汇报模式's bar
    icon: str  # a Material icon, :material/name: (drawn by the bundled icon font)
    heading: str  # the page's h1
    # 汇报模式: the page's screens in order, each fitting 1920×1080. A page with screens is
    # presented, may be a view of a meeting agenda and is a slide of the deck.
    screens: tuple[str, ...] = ()
    # Whether core.output.deck has a slide of the page's own figures (else its slide holds the
    # scope sentence and the page's title only).
    slide: bool = False
    action: str = roles.VIEW  # who may see it: the router lists it for the roles allowed this
    draws: str | None = None  # CHART or MAP: what must be on screen for it to count as drawn
    scoped: bool = True  # heads its content with the scope sentence (范围:…)
    default: bool = False  # served at "/"
    hidden: bool = False  # routed but not in the menu: opened by links (项目档案)

    @property
    def script(self) -> str:
        """The page's file, relative to app.py (st.Page, AppTest.switch_page)."""
        return f"{APP_PAGES}/{self.key}.py"

    @property
    def url_path(self) -> str:
        return "" if self.default else self.key

    @property
    def path(self) -> str:
        """The page's address: "/" for the default page, else "/<key>"."""
        return f"/{self.url_path}"

    @property
    def presented(self) -> bool:
        return bool(self.screens)


PAGES: tuple[Page, ...] = (
    Page("overview", "总览", ":material/dashboard:", "重大项目运行总览",
         ("年度投资", "区县排名与行业构成", "资金来源"), slide=True, draws=CHART, default=True),
    Page("progress", "项目进度", ":material/checklist:", "项目推进情况",
         ("项目清单", "单个项目"), slide=True, draws=CHART),
    Page("growth", "投资增长", ":material/trending_up:", "投资增长",
         ("累计完成投资", "固定资产投资增速", "区县与行业对比"), slide=True, draws=CHART),
    Page("map", "项目地图", ":material/map:", "项目地图", ("项目地图",), slide=True, draws=MAP),
    Page("factors", "要素保障", ":material/construction:", "要素保障",
         ("存在问题", "未解决问题清单", "资金保障"), slide=True, draws=CHART),
    Page("alerts", "预警", ":material/warning:", "预警", ("预警概况", "预警清单"), slide=True,
         draws=CHART),
    Page("ranking", "红黑榜", ":material/leaderboard:", "红黑榜", ("红黑榜", "名次变化"),
         slide=True, draws=CHART),
    Page("supervision", "问题督办", ":material/assignment_turned_in:", "问题督办",
         ("督办统计", "问题清单"), slide=True),
    Page("milestones", "挂图作战", ":material/view_timeline:", "挂图作战",
         ("区县项目节点", "单个项目"), slide=True, draws=CHART),
    Page("indicators", "经济指标", ":material/monitoring:", "经济指标",
         ("产业转型与固定资产投资", "科技创新与绿色发展", "营商环境与对外开放", "民生保障"),
         slide=True),
    Page("briefing", "简报", ":material/article:", "简报", ("简报",), slide=True),
    Page("agenda", "会议议程", ":material/event_note:", "会议议程"),
    Page("collection", "报送情况", ":material/fact_check:", "报送情况"),
    # A county reporter's form for its own counties' returns; an admin any county's.
    Page("filling", "在线填报", ":material/edit_note:", "在线填报", action=roles.IMPORT,
         scoped=False),
    Page("data", "数据管理", ":material/database:", "数据管理", scoped=False),
    Page("project", "项目档案", ":material/folder_open:", "项目档案", scoped=False, hidden=True),
    # Only for an admin: the router does not know these pages for anyone else, and each page
    # asks core again (roles.require) before it shows anything.
    Page("users", "用户管理", ":material/group:", "用户管理", action=roles.USERS, scoped=False),
    Page("audit", "操作记录", ":material/history_edu:", "操作记录", action=roles.AUDIT,
         scoped=False),
)  # fmt: skip


# 汇报模式 of one project's file (项目档案, opened by link or as an agenda's view): its screens,
# each fitting 1920×1080. Not the Page's `screens`: the page is no view of every-page 汇报模式.
PROJECT_SCREENS = ("概况", "本年进度", "形象进度", "问题与督办", "节点计划", "资金来源", "当前预警",
                   "变更记录")  # fmt: skip


def by_key() -> dict[str, Page]:
    return {p.key: p for p in PAGES}


def get(key: str) -> Page:
    return by_key()[key]


def presented() -> tuple[Page, ...]:
    """The pages of 汇报模式, of agendas and of the deck, in the app's order."""
    return tuple(p for p in PAGES if p.presented)


def for_everyone() -> tuple[Page, ...]:
    """The pages any viewer reaches (the admin's pages left out)."""
    return tuple(p for p in PAGES if p.action == roles.VIEW)


def titles() -> dict[str, str]:
    """Key → title of the presented pages (an agenda's views), in the app's order."""
    return {p.key: p.title for p in presented()}


def screens() -> dict[str, tuple[str, ...]]:
    """Key → 汇报模式 screens of the presented pages, in the app's order."""
    return {p.key: p.screens for p in presented()}
