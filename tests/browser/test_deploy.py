"""The deployment of docs/deploy.md, started by deploy/start-local.sh and driven in Chromium.

nginx (Debian's) in front of two replicas of the app on one PostgreSQL database (a scratch one
on the test server): a browser imports a template workbook on one replica (数据管理), and a
browser on the other replica sees the imported figures at its next rerun, with the notice that
the data changed. Along the way: the two browsers are served by different replicas and each
stays on its own (its page, WebSocket and upload), HTTPS with the security headers, no resource
blocked by the Content-Security-Policy on any page, /_stcore/metrics not reachable through nginx,
and plain HTTP redirected to HTTPS.

Needs Chromium, nginx and a PostgreSQL server; without them the test is skipped, unless CI's
BRIEFING_REQUIRE_BROWSER=1 or BRIEFING_REQUIRE_POSTGRES=1 makes that a failure.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import ssl
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from browser_kit import (
    ALERT,
    CHART,
    ELEMENT_TIMEOUT,
    MAP,
    RUN_TIMEOUT,
    SIDEBAR,
    metric_value,
    sign_in,
    wait_for_run,
)

from bench.deployment import (
    READY,
    START,
    START_TIMEOUT,
    DeploymentError,
    LocalDeployment,
    free_ports,
    viewing_open_settings,
)
from bench.pages import ROOT
from core.access.users import Users
from core.base import schema as S
from core.base.settings import SETTINGS_SETTING
from core.ingest import workbook
from core.output import pages
from core.policy.roles import Role
from core.store import audit, datasource
from core.store.portfolio import DEMO_DIR
from core.store.versions import Store
from tests import store_kit
from tests.access_kit import ADMIN, PASSWORD

pytestmark = pytest.mark.browser

ROUTE_COOKIE = "briefing_route"
IMPORTER = "office-admin"  # the admin who imports on replica A
OVERVIEW = "/?level=省重点"  # own data opens on every level: the demo's default, stated
OVERVIEW_TITLE = "重大项目运行总览"
PROGRESS_TITLE = "项目推进情况"
DATA_TITLE = "数据管理"
COUNT = "项目数"
DEMO_COUNT = "106个"
# Every CSP report in the page, kept where the test can read it.
CSP_LISTENER = """window.__cspReports = [];
document.addEventListener("securitypolicyviolation", (e) => window.__cspReports.push(
  `${e.violatedDirective} blocked ${e.blockedURI || "(inline)"} in ${e.sourceFile}:${e.lineNumber}`
), true);"""
# Every page a viewer reaches (core.output.pages), and 汇报模式.
PAGES = [
    *((p.path, p.heading, {pages.CHART: CHART, pages.MAP: MAP}.get(p.draws))
      for p in pages.for_everyone()),
    ("/?present=1", OVERVIEW_TITLE, "[data-testid='stMetric']"),
]  # fmt: skip


def _required() -> bool:
    return "1" in (
        os.environ.get("BRIEFING_REQUIRE_BROWSER"),
        os.environ.get(store_kit.REQUIRE_SETTING),
    )


def _upstreams(deployment: LocalDeployment, route: str, path_prefix: str = "") -> set[str]:
    """The replicas nginx sent the requests of a route cookie to (those under a path), from
    its access log."""
    found = set()
    for line in deployment.access_log.read_text(errors="replace").splitlines():
        request = re.search(r'"[A-Z]+ (\S+)', line)
        match = re.search(rf"route={re.escape(route)} upstream=(\S+)", line)
        if match and match.group(1) != "-" and request and request.group(1).startswith(path_prefix):
            found.add(match.group(1))
    return found


def _get(url: str) -> tuple[int, dict[str, str], str]:
    """A GET that follows no redirect and trusts the self-signed certificate."""
    context = ssl.create_default_context()
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE

    class NoRedirect(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *args, **kwargs):
            return None

    opener = urllib.request.build_opener(urllib.request.HTTPSHandler(context=context), NoRedirect)
    try:
        with opener.open(url, timeout=10) as r:
            return r.status, dict(r.headers), r.read().decode(errors="replace")
    except urllib.error.HTTPError as e:
        return e.code, dict(e.headers), ""


@pytest.fixture(scope="module")
def database() -> Iterator[str]:
    yield from store_kit.postgres_database()


@pytest.fixture(scope="module")
def deployment(chromium, database: str, tmp_path_factory) -> Iterator[LocalDeployment]:
    if not (shutil.which("nginx") or Path("/usr/sbin/nginx").exists()):
        problem = "nginx is not installed (Debian's nginx: `.ci/run` installs it as root)"
        if _required():
            pytest.fail(problem)
        pytest.skip(problem)
    run = tmp_path_factory.mktemp("deploy")
    # Viewing open to the intranet (through nginx every browser is from elsewhere); the import
    # still needs the admin's sign-in, on whichever replica serves it.
    env = {
        "BRIEFING_CACHE_DIR": str(run / "cache"),
        SETTINGS_SETTING: str(viewing_open_settings(run)),
    }
    d = LocalDeployment(database, run, replicas=2, env=env)
    try:
        with d:
            yield d
    except DeploymentError as exc:
        pytest.fail(str(exc))
    assert d.stopped, d.output()
    assert not list(run.glob("replica-*.pid")), "the script left replicas behind"


@pytest.fixture(scope="module")
def upload(tmp_path_factory) -> tuple[Path, Path, str]:
    """The template workbook filled with the demo less one provincial project with a plan this
    year (so the overview counts 105, not the demo's 106), and the boundary file."""
    tables, boundaries = datasource.folder_tables(DEMO_DIR)
    projects, plans = tables[S.PROJECTS], tables[S.PLANS]
    planned = plans.loc[
        (plans[S.YEAR] == "2026") & (plans[S.ANNUAL_PLAN].astype(float) > 0), S.CODE
    ]
    provincial = projects.loc[projects[S.LEVEL] == S.LEVEL_PROVINCIAL, S.CODE]
    code = sorted(set(provincial) & set(planned))[0]
    for name, frame in tables.items():
        if S.CODE in frame.columns:
            tables[name] = frame.loc[frame[S.CODE] != code].reset_index(drop=True)
    folder = tmp_path_factory.mktemp("deploy_upload")
    book = folder / "重大项目数据_2026年2月.xlsx"
    book.write_bytes(workbook.data_bytes(tables))
    geojson = folder / S.BOUNDARIES_FILE
    geojson.write_text(json.dumps(boundaries, ensure_ascii=False), encoding="utf-8")
    return book, geojson, "105个"


def _admin(deployment: LocalDeployment) -> str:
    """The admin account in the deployment's store, made as `python -m core user add` would;
    its password."""
    store = Store(deployment.database_url)
    try:
        users = Users(store)
        if users.get(IMPORTER) is None:
            users.add(ADMIN, IMPORTER, Role.ADMIN, password=PASSWORD)
    finally:
        store.close()
    return PASSWORD


def _context(browser, deployment: LocalDeployment, route: str | None = None):
    context = browser.new_context(
        base_url=deployment.url,
        ignore_https_errors=True,  # the script's certificate is self-signed
        viewport={"width": 1920, "height": 1080},
        locale="zh-CN",
        timezone_id="Asia/Shanghai",
    )
    context.add_init_script(CSP_LISTENER)
    if route:
        context.add_cookies([{"name": ROUTE_COOKIE, "value": route, "url": deployment.url}])
    page = context.new_page()
    page.set_default_timeout(ELEMENT_TIMEOUT)
    return context, page


def _route(context) -> str:
    return next(c["value"] for c in context.cookies() if c["name"] == ROUTE_COOKIE)


def _route_to(deployment: LocalDeployment, replica: str) -> str:
    """A route cookie value that nginx sends to `replica` (read from its access log)."""
    for i in range(200):
        route = f"test-route-{i}"
        status, _, _ = _get_with_cookie(f"{deployment.url}/_stcore/health", route)
        assert status == 200
        if _upstreams(deployment, route) == {replica}:
            return route
    pytest.fail(f"no route cookie reached {replica}")


def _get_with_cookie(url: str, route: str) -> tuple[int, dict[str, str], str]:
    context = ssl.create_default_context()
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    request = urllib.request.Request(url, headers={"Cookie": f"{ROUTE_COOKIE}={route}"})
    with urllib.request.urlopen(request, timeout=10, context=context) as r:
        return r.status, dict(r.headers), r.read().decode(errors="replace")


def _open(page, path: str, title: str, drawn: str | None = None) -> None:
    from playwright.sync_api import expect

    page.goto(path, wait_until="domcontentloaded")
    wait_for_run(page, title)
    if drawn:
        expect(page.locator(drawn).first).to_be_visible(timeout=RUN_TIMEOUT)
    expect(page.locator("[data-testid='stException']")).to_have_count(0)


def _no_csp_reports(page, where: str) -> None:
    reports = page.evaluate("window.__cspReports || []")
    assert not reports, f"the Content-Security-Policy blocked something on {where}: {reports}"


def _nav(page, label: str, title: str) -> None:
    page.locator(SIDEBAR).get_by_role("link", name=re.compile(label)).first.click()
    wait_for_run(page, title)


def test_headers_metrics_and_redirect(deployment: LocalDeployment) -> None:
    status, headers, body = _get(f"{deployment.url}/")
    assert status == 200 and "<html" in body.lower()
    assert headers["X-Frame-Options"] == "DENY"
    csp = headers["Content-Security-Policy"]
    assert "frame-ancestors 'none'" in csp and "default-src 'self'" in csp
    assert "'unsafe-eval'" not in csp
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["Strict-Transport-Security"].startswith("max-age=")
    assert re.match(rf"{ROUTE_COOKIE}=\w+; Path=/; Secure; HttpOnly", headers["Set-Cookie"])
    # Metrics: not through nginx, only on each replica's own local port.
    assert _get(f"{deployment.url}/_stcore/metrics")[0] == 404
    for replica in deployment.replica_urls:
        assert _get(f"{replica}/_stcore/metrics")[0] == 200
    # Plain HTTP goes to HTTPS.
    query = "county=" + urllib.parse.quote("城东区")
    status, headers, _ = _get(f"{deployment.http_url}/progress?{query}")
    assert status == 301
    assert headers["Location"] == f"{deployment.url}/progress?{query}"


def test_import_on_one_replica_shows_on_the_other(
    browser, deployment: LocalDeployment, upload
) -> None:
    from playwright.sync_api import expect

    book, geojson, count_after = upload
    # A: a first visitor; nginx picks its replica. B: a visitor on the other replica.
    context_a, a = _context(browser, deployment)
    try:
        _open(a, OVERVIEW, OVERVIEW_TITLE, CHART)
        route_a = _route(context_a)
        (replica_a,) = _upstreams(deployment, route_a)
        replicas = [u.removeprefix("http://") for u in deployment.replica_urls]
        replica_b = next(r for r in replicas if r != replica_a)
        context_b, b = _context(browser, deployment, _route_to(deployment, replica_b))
        try:
            _open(b, OVERVIEW, OVERVIEW_TITLE, CHART)
            expect(metric_value(b, COUNT)).to_have_text(DEMO_COUNT)
            expect(b.locator(SIDEBAR)).to_contain_text("当前显示示例数据")

            # Every page through nginx, with nothing blocked by the policy.
            for path, title, drawn in PAGES:
                _open(a, path, title, drawn)
                _no_csp_reports(a, path)

            # The import, on A's replica, by a signed-in admin: the template workbook and the
            # boundaries.
            _open(a, "/data", DATA_TITLE)
            sign_in(a, None, IMPORTER, _admin(deployment))
            wait_for_run(a, DATA_TITLE)
            a.locator("[data-testid='stFileUploader'] input[type=file]").set_input_files(
                [str(book), str(geojson)]
            )
            expect(a.locator(ALERT).filter(has_text="检查通过").first).to_be_visible(
                timeout=RUN_TIMEOUT
            )
            wait_for_run(a, DATA_TITLE)
            a.get_by_role("button", name=re.compile("确认导入$")).click()
            expect(a.locator(ALERT).filter(has_text="导入完成").first).to_be_visible(
                timeout=RUN_TIMEOUT
            )
            wait_for_run(a, DATA_TITLE)
            _open(a, OVERVIEW, OVERVIEW_TITLE, CHART)
            expect(metric_value(a, COUNT)).to_have_text(count_after)
            done_a = metric_value(a, "1-2月完成投资(亿元)").inner_text()

            # B's next rerun (a page switch in the same session) runs on the imported data.
            _nav(b, "项目进度", PROGRESS_TITLE)
            expect(b.locator(ALERT).filter(has_text="更新为第1批(导入)").first).to_be_visible()
            _nav(b, "总览", OVERVIEW_TITLE)
            expect(metric_value(b, COUNT)).to_have_text(count_after)
            expect(metric_value(b, "1-2月完成投资(亿元)")).to_have_text(done_a)
            expect(b.locator(SIDEBAR)).to_contain_text("第1批数据")
            expect(b.locator(SIDEBAR)).not_to_contain_text("当前显示示例数据")
            _no_csp_reports(b, "the second replica")
            _no_csp_reports(a, "the first replica")

            route_b = _route(context_b)
        finally:
            context_b.close()
    finally:
        context_a.close()
    # Each browser stayed on its replica: page, upload and WebSocket (whose line nginx writes
    # when it closes, with the contexts).
    assert _upstreams(deployment, route_a) == {replica_a}
    assert _upstreams(deployment, route_b) == {replica_b}
    assert _upstreams(deployment, route_a, "/_stcore/upload_file") == {replica_a}
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and not _upstreams(deployment, route_b, "/_stcore/stream"):
        time.sleep(0.2)
    for route, replica in ((route_a, replica_a), (route_b, replica_b)):
        assert _upstreams(deployment, route, "/_stcore/stream") == {replica}
    assert "Traceback" not in deployment.replica_logs(), deployment.replica_logs()
    # No session id in nginx's log (an upload URL names one), and the trail names the client's
    # address that nginx saw, not 本机 or a proxy's.
    log = deployment.access_log.read_text(errors="replace")
    assert "/_stcore/upload_file/(redacted)" in log
    assert not re.search(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}", log)
    assert "/_briefing/bind" in log and "?t=" not in log
    store = Store(deployment.database_url)
    try:
        signed = audit.entries(store, audit.Filter(action=audit.SIGN_IN))
    finally:
        store.close()
    assert {e.origin for e in signed if e.user == IMPORTER} == {"127.0.0.1"}


def test_an_upload_before_sign_in_is_refused_at_nginx(deployment: LocalDeployment) -> None:
    """An upload without the sign-in cookie is refused by nginx, whatever the session id (the
    app refuses it too: tests/browser/test_session_binding.py)."""
    context = ssl.create_default_context()
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    session_id, file_id = "8d3c6a52-1f0e-4f55-9b7e-2a7f4e9c1d00", "f1"
    url = f"{deployment.url}/_stcore/upload_file/{session_id}/{file_id}"
    for cookie in ("", "briefing_route=x"):
        request = urllib.request.Request(url, data=b"x" * 4096, method="PUT",
                                         headers={"Cookie": cookie} if cookie else {})  # fmt: skip
        with pytest.raises(urllib.error.HTTPError) as refused:
            urllib.request.urlopen(request, timeout=10, context=context)
        assert refused.value.code == 403
        assert "nginx" in refused.value.read().decode(errors="replace")  # not a replica's answer
    log = deployment.access_log.read_text(errors="replace")
    assert '"PUT /_stcore/upload_file/(redacted) HTTP/1.1" 403' in log and session_id not in log


def test_without_a_database_url_the_script_uses_a_cluster_of_its_own(chromium, tmp_path):
    """The newcomer's path (issue 25 item 6): no BRIEFING_DATABASE_URL. The script makes a
    PostgreSQL cluster of its own in the run folder, on its own port, leaves the machine's
    clusters as they were, says how to make the first admin (no terminal here), and stops its
    cluster with the rest."""
    initdb = sorted(Path("/usr/lib/postgresql").glob("*/bin/initdb"))
    if not initdb or not (shutil.which("nginx") or Path("/usr/sbin/nginx").exists()):
        if _required():
            pytest.fail("PostgreSQL's initdb or nginx is not installed")
        pytest.skip("PostgreSQL's initdb or nginx is not installed")
    https, http, replica, pg = free_ports(4)
    # As root the cluster runs as the user postgres, which must reach the run folder (pytest's
    # own folders are private).
    run = Path(tempfile.mkdtemp(prefix="briefing-deploy-"))
    run.chmod(0o755)
    env = {**os.environ, "BRIEFING_DEPLOY_DIR": str(run), "BRIEFING_HTTPS_PORT": str(https),
           "BRIEFING_HTTP_PORT": str(http), "BRIEFING_REPLICA_PORTS": str(replica),
           "BRIEFING_PG_PORT": str(pg), "BRIEFING_CACHE_DIR": str(tmp_path / "cache"),
           "PYTHON": sys.executable}  # fmt: skip
    env.pop("BRIEFING_DATABASE_URL", None)
    env.pop("BRIEFING_DATA_DIR", None)
    clusters = subprocess.run(["pg_lsclusters", "--no-header"], capture_output=True, text=True)
    out_path = tmp_path / "start-local.out"
    with out_path.open("wb") as out:
        proc = subprocess.Popen(["bash", str(START)], cwd=ROOT, env=env, stdin=subprocess.DEVNULL,
                                stdout=out, stderr=subprocess.STDOUT)  # fmt: skip
    try:
        deadline = time.monotonic() + START_TIMEOUT
        while READY not in out_path.read_text(errors="replace"):
            assert proc.poll() is None and time.monotonic() < deadline, out_path.read_text()
            time.sleep(0.5)
        said = out_path.read_text(errors="replace")
        assert f"PostgreSQL of this deployment on 127.0.0.1:{pg}" in said
        assert "the store has no admin account yet" in said and "--role 管理员" in said
        url = (run / "database_url").read_text().strip()
        assert url.endswith(f"@127.0.0.1:{pg}/briefing") and ":5432" not in url
        assert (run / "database_url").stat().st_mode & 0o077 == 0
        assert (run / "postgres" / "PG_VERSION").exists()
        # The printed command makes the first admin in that store.
        made = subprocess.run([sys.executable, "-m", "core", "user", "add", "王主任", "--role",
                               "管理员", "--password-stdin"], cwd=ROOT, input=PASSWORD + "\n",
                              env={**env, "BRIEFING_DATABASE_URL": url},
                              capture_output=True, text=True)  # fmt: skip
        assert made.returncode == 0, made.stderr
        store = Store(url)
        try:
            assert Users(store).get("王主任").role is Role.ADMIN
        finally:
            store.close()
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.wait(timeout=60)
    try:
        assert "[deploy] stopped" in out_path.read_text(errors="replace")
        assert not (run / "postgres" / "postmaster.pid").exists()  # its cluster stopped
        after = subprocess.run(["pg_lsclusters", "--no-header"], capture_output=True, text=True)
        assert after.stdout == clusters.stdout  # the machine's clusters untouched
    finally:
        shutil.rmtree(run, ignore_errors=True)
