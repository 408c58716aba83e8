"""The session benchmark's client (bench.sessions) against the app served for real: sessions
that speak Streamlit's protocol open the overview, change the county and open 项目进度, and a
step whose page is wrong is counted as an error, not as a time."""

from __future__ import annotations

import pytest

from bench import sessions
from bench.browser import Server
from core.store.portfolio import load_folder


def test_percentiles():
    assert sessions.percentile([], 95) is None
    assert sessions.percentile([3.0], 95) == 3.0
    assert sessions.percentile([1.0, 2.0, 3.0, 4.0, 5.0], 50) == 3.0
    assert sessions.percentile([1.0, 2.0, 3.0, 4.0, 5.0], 95) == pytest.approx(4.8)
    assert sessions.summary([2.0, 1.0, 4.0]) == (2.0, pytest.approx(3.8), 4.0)


def test_only_this_machine_is_contacted():
    with pytest.raises(ValueError, match="only contacts this machine"):
        sessions.run("http://10.0.0.1:8501", ["城东区"], 1)


@pytest.fixture(scope="module")
def app(tmp_path_factory):
    with Server("app.py", tmp_path_factory.mktemp("sessions") / "server.log") as server:
        yield server


def test_sessions_take_the_three_steps(app):
    counties = load_folder().counties
    assert sessions.warm_up(app.url) > 0
    run = sessions.run(app.url, counties[:2], 3)
    assert run.errors() == [], app.log_tail()
    for step in sessions.STEPS:
        assert len(run.times(step)) == 3
        assert all(0 < t < sessions.STEP_TIMEOUT for t in run.times(step))
    assert [s.county for s in run.sessions] == [counties[0], counties[1], counties[0]]


def test_a_wrong_page_is_an_error(app):
    run = sessions.run(app.url, ["不存在的县"], 1)
    (error,) = run.errors()
    assert "change county" in error
    assert "open overview" in run.sessions[0].times
    assert "change county" not in run.sessions[0].times


def test_first_visit_and_each_pages_rerun(app):
    from bench.proc import wait_idle

    assert 0 < sessions.first_visit(app.url) < sessions.STEP_TIMEOUT
    assert 0 < wait_idle(app.proc.pid, quiet_s=0.5) < 900
    counties = load_folder().counties
    costs = sessions.page_cpu(app.url, app.proc.pid, ["", "progress", "data"], counties, runs=2)
    assert [c.path for c in costs] == ["", "progress", "data"]
    for c in costs:
        assert c.cpu_ms >= 0 and 0 < c.wall_ms < sessions.STEP_TIMEOUT * 1000
        assert c.elements >= 5, c  # the heading, the scope and the sidebar's filters at least
    # 项目进度's table and its columns: more elements than 数据管理's default view
    assert costs[1].elements > costs[2].elements
