"""项目地图: counties shaded by 完成率 or by the gap to 序时进度, projects as points by status."""

import streamlit as st

from app_pages import common, signin
from core.base import schema as S
from core.figures import measures as M
from core.figures import status
from core.output import charts, maps

p = common.portfolio()
scope = common.header("项目地图")
common.stop_without_returns(p, "项目地图(按完成率着色)")
conv = common.convention()

projects = M.projects_in_scope(p, scope, conv)
if projects.empty:
    common.empty_notice()
    st.stop()

located = projects[S.LON].notna() & projects[S.LAT].notna()
if p.boundaries.empty and not located.any():
    st.info(
        "还没有区县边界文件,范围内的项目也没有填写经纬度,地图无法显示。"
        "可在“数据管理”页上传区县边界(GeoJSON,如DataV的<行政区划代码>_full.json),"
        "或在项目清单中填写经纬度。",
        icon=":material/map:",
    )
    st.page_link("app_pages/data.py", label="前往数据管理", icon=":material/upload:")
    st.stop()

size = (1700, 600) if common.presenting() else (maps.VIEW_WIDTH, maps.VIEW_HEIGHT)
label_size = 26 if common.presenting() else 18
tile_url = maps.configured_tile_url()


@st.fragment
def _map_with_its_controls() -> None:
    """The shading's choice, the map and its notes: choosing the shading or clicking a point
    reruns this part alone, not the page's heading and filters."""
    signin.fragment_guard()  # a resumed session without its cookie is signed out here too
    metric = st.radio(
        "区县底色", maps.METRICS, horizontal=True, key="map_metric", persist_state="session"
    )

    def _project_map() -> maps.MapOut:
        # The deck's JSON (thousands of points) made once for every session that shows this map.
        return maps.project_map(
            p.boundaries,
            M.county_ranking(p, scope, conv),
            projects,
            metric,
            tile_url=tile_url,
            counties=scope.counties,
            view_size=size,
            label_size=label_size,
        )

    result = p.memo(("project_map", scope, conv, metric, size, label_size, tile_url), _project_map)
    key_size = charts.PROJECTOR_MIN_SIZE if common.presenting() else 14
    common.static_chart(
        p,
        ("map_legend", result.legend_title, tuple(result.legend), key_size),
        lambda: charts.legend(result.legend, result.legend_title, key_size),
    )
    height = 660 if common.presenting() else 640
    if common.presenting():  # nobody clicks a projector
        st.pydeck_chart(result.deck, height=height, key="project_map")
    else:
        # A point clicked opens its project's file: the link is shown above the map, in sight.
        opened = st.empty()
        event = st.pydeck_chart(result.deck, height=height, key="project_map", on_select="rerun",
                                selection_mode="single-object")  # fmt: skip
        code = maps.selected_code(event, result.codes)
        named = projects.loc[projects[S.CODE] == code, S.NAME] if code else ()
        if len(named):
            opened.page_link(
                "app_pages/project.py",
                label=f"打开项目档案:{common.plain(named.iloc[0])}",
                icon=":material/folder_open:",
                query_params={"code": code, "period": scope.period.key},
            )
        else:
            opened.caption("点击地图上的项目圆点,可打开该项目的档案。")
    common.static_chart(
        p,
        ("status_legend", key_size),
        lambda: charts.legend(
            [(k, v) for k, v in status.COLORS.items()],
            "项目圆点:颜色表示状态,大小表示总投资",
            key_size,
        ),
    )
    if not common.presenting():
        st.caption(status.rule())
    if result.points_shown < result.points_total:
        # points_total counts the projects with coordinates: the others have their own note.
        which = "有经纬度的项目" if result.points_without_coordinates else "项目"
        st.info(
            f"范围内{which}共{result.points_total}个,地图只画出总投资最大的{result.points_shown}个,"
            f"其余{result.points_total - result.points_shown}个未画出,以免投影时点位重叠难辨;"
            "请用筛选条件缩小范围查看其余项目。",
            icon=":material/info:",
        )
    if result.points_without_coordinates:
        st.info(
            f"{result.points_without_coordinates}个项目没有填写经纬度,未在地图上显示。",
            icon=":material/location_off:",
        )
    if result.counties_without_polygon:
        st.warning(
            common.plain(
                "边界文件中没有以下区县,其项目只显示为点位:"
                + "、".join(result.counties_without_polygon)
            ),
            icon=":material/warning:",
        )


_map_with_its_controls()
