"""Signing in, in headless Chromium: the office's single sign-on through st.login against a real
OpenID Connect provider (oidc-provider-mock from PyPI, started here on 127.0.0.1), each person
landing with the role the store gives their e-mail; and the built-in accounts' form, a county
reporter's page and an anonymous visitor's, with screenshots at both sizes."""

from __future__ import annotations

import json
import os
import re
import secrets
import sys
from collections.abc import Iterator

import pytest
from browser_kit import (
    ALERT,
    ELEMENT_TIMEOUT,
    RUN_TIMEOUT,
    SIDEBAR,
    Server,
    account,
    app_server,
    assert_no_exception,
    free_port,
    full_page_screenshot,
    open_page,
    sign_in,
    started,
    wait_for_run,
)

from core.access.users import Users
from core.policy.roles import Role
from core.store import audit
from core.store.versions import Store
from tests.access_kit import ADMIN

PEOPLE = [  # predefined at the provider: one click on its form signs each in
    {"sub": "sub-wang", "email": "wang@office.gov.cn", "name": "王主任"},
    {"sub": "sub-chen", "email": "chen@office.gov.cn", "name": "陈科员"},
    {"sub": "sub-new", "email": "new@office.gov.cn", "name": "新同事"},
]


@pytest.fixture(scope="module")
def provider(tmp_path_factory) -> Iterator[str]:
    """oidc-provider-mock on 127.0.0.1: its discovery document answers at the URL returned."""
    folder = tmp_path_factory.mktemp("provider")
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    command = [sys.executable, "-m", "oidc_provider_mock", "--host", "127.0.0.1",
               "--port", str(port), *(a for p in PEOPLE for a in ("--user-claims", json.dumps(p)))]  # fmt: skip
    with started(command, url, folder / "provider.log", dict(os.environ),
                 "/.well-known/openid-configuration"):  # fmt: skip
        yield url


@pytest.fixture(scope="module")
def sso_server(chromium, provider: str, tmp_path_factory) -> Iterator[Server]:
    """The app with [auth] in its own secrets file, pointing at the provider."""
    folder = tmp_path_factory.mktemp("sso")
    port = free_port()
    secrets_file = folder / "secrets.toml"
    secrets_file.write_text(
        "[auth]\n"
        f'redirect_uri = "http://127.0.0.1:{port}/oauth2callback"\n'
        f'cookie_secret = "{secrets.token_urlsafe(48)}"\n'
        'client_id = "briefing"\n'
        'client_secret = "test-client-secret"\n'
        f'server_metadata_url = "{provider}/.well-known/openid-configuration"\n',
        encoding="utf-8",
    )
    with app_server(
        folder,
        port=port,
        args=("--secrets.files", str(secrets_file)),
        env={"AUTHLIB_INSECURE_TRANSPORT": "1"},
    ) as running:  # http on 127.0.0.1 only
        store = Store(running.database_url)
        users = Users(store)
        users.add(ADMIN, "wang", Role.ADMIN, email="wang@office.gov.cn", display_name="王主任")
        users.add(ADMIN, "chen", Role.REPORTER, counties=("城东区",), email="CHEN@office.gov.cn")
        store.close()
        yield running


def local_only(context) -> None:
    """Nothing leaves the machine: the provider's page links a stylesheet on a CDN."""

    def route(r):
        if re.match(r"^https?://(127\.0\.0\.1|localhost)[:/]", r.request.url):
            r.continue_()
        else:
            r.abort()

    context.route("**/*", route)


def sso_sign_in(browser, server: Server, sub: str):
    context = browser.new_context(base_url=server.url, viewport={"width": 1920, "height": 1080},
                                  locale="zh-CN")  # fmt: skip
    local_only(context)
    page = context.new_page()
    page.set_default_timeout(ELEMENT_TIMEOUT)
    open_page(page, "/")
    sidebar = page.locator(SIDEBAR)
    sidebar.locator("[data-testid='stExpander'] summary").filter(has_text="登录").click()
    sidebar.get_by_role("button", name=re.compile("单点登录")).click()
    page.wait_for_url(re.compile(r"/oauth2/authorize"), timeout=RUN_TIMEOUT)
    page.locator(f"button[name='sub'][value='{sub}']").click()  # the provider's own form
    page.wait_for_url(re.compile(rf"^{re.escape(server.url)}/?($|\?)"), timeout=RUN_TIMEOUT)
    wait_for_run(page)
    return context, page


def test_single_sign_on_lands_with_the_role_of_the_store(browser, sso_server: Server):
    from playwright.sync_api import expect

    context, page = sso_sign_in(browser, sso_server, "sub-wang")
    try:
        sidebar = page.locator(SIDEBAR)
        expect(sidebar.get_by_text(re.compile("^已登录"))).to_contain_text("王主任(管理员)")
        expect(sidebar.get_by_role("link", name="用户管理")).to_be_visible()
        full_page_screenshot(page, "sso_admin")
        sidebar.get_by_role("link", name="操作记录").click()
        wait_for_run(page, "操作记录")
        assert_no_exception(page, sso_server)
        expect(page.locator("[data-testid='stDataFrame']").first).to_be_visible()
    finally:
        context.close()
    context, page = sso_sign_in(browser, sso_server, "sub-chen")
    try:
        sidebar = page.locator(SIDEBAR)
        expect(sidebar.get_by_text(re.compile("^已登录"))).to_contain_text("chen(区县填报·城东区)")
        expect(sidebar.get_by_role("link", name="用户管理")).to_have_count(0)
        sidebar.get_by_role("link", name="数据管理").click()
        wait_for_run(page, "数据管理")
        expect(
            page.locator(ALERT).filter(has_text="只能导入城东区的项目数据").first
        ).to_be_visible()
        expect(page.locator("[data-testid='stFileUploader']")).to_be_visible()
        full_page_screenshot(page, "sso_county_reporter")
    finally:
        context.close()
    context, page = sso_sign_in(browser, sso_server, "sub-new")  # no account: the settings' role
    try:
        expect(page.locator(SIDEBAR).get_by_text(re.compile("^已登录"))).to_contain_text("(查看)")
    finally:
        context.close()
    store = Store(sso_server.database_url)
    signed = [
        (e.user, e.role, e.detail) for e in audit.entries(store, audit.Filter(action=audit.SIGN_IN))
    ]
    store.close()
    assert ("wang", "管理员", "单点登录") in signed and ("chen", "区县填报", "单点登录") in signed
    assert ("new@office.gov.cn", "查看", "单点登录(未登记的账户)") in signed


def test_built_in_accounts_in_the_browser(page, server: Server):
    """An anonymous visitor sees the pages and no write control; a wrong password is refused;
    a county reporter signs in and is offered its county's upload only."""
    from playwright.sync_api import expect

    account(server, "cd-reporter", Role.REPORTER.value, ("城东区",))
    open_page(page, "/data", "数据管理")
    assert_no_exception(page, server)
    expect(page.locator("[data-testid='stFileUploader']")).to_have_count(0)
    expect(page.get_by_role("button", name="回滚")).to_have_count(0)
    expect(
        page.locator(ALERT).filter(has_text="需要以区县填报或管理员账户登录").first
    ).to_be_visible()
    for width, height in ((1920, 1080), (1366, 768)):
        full_page_screenshot(page, "data_anonymous", width, height)
    sidebar = page.locator(SIDEBAR)
    sidebar.locator("[data-testid='stExpander'] summary").filter(has_text="登录").click()
    sidebar.get_by_label("账户", exact=True).fill("cd-reporter")
    sidebar.get_by_label("密码", exact=True).fill("wrong password!!")
    sidebar.locator("[data-testid='stFormSubmitButton'] button").click()
    expect(page.locator(ALERT).filter(has_text="账户或密码不正确").first).to_be_visible()
    sign_in(page, server, "cd-reporter")
    wait_for_run(page, "数据管理")
    expect(page.locator("[data-testid='stFileUploader']")).to_be_visible()
    expect(page.locator(ALERT).filter(has_text="只能导入城东区的项目数据").first).to_be_visible()
    expect(page.get_by_text("上传限制:单个文件不超过200MB").first).to_be_visible()
    for width, height in ((1920, 1080), (1366, 768)):
        full_page_screenshot(page, "data_county_reporter", width, height)
