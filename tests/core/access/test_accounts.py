"""Built-in accounts: argon2 hashes and never a password in the store, wrong passwords, the
lock-out and its end, disabled accounts, the last admin, single sign-on matching, and every
sign-in in the trail."""

from __future__ import annotations

import time

import pytest
import sqlalchemy as sa

from core.access.users import WRONG, SignInRefused, Users
from core.base import settings
from core.policy.roles import Refused, Role
from core.store import audit
from core.store.versions import METADATA, Store
from tests.access_kit import ADMIN, PASSWORD


@pytest.fixture
def own_settings(tmp_path, monkeypatch):
    """An office's settings file with a short lock-out, so that its end can be waited for."""

    def write(**access) -> None:
        body = "[access]\n" + "".join(f"{k} = {v!r}\n" for k, v in access.items())
        path = tmp_path / "settings.toml"
        path.write_text(body, encoding="utf-8")
        monkeypatch.setenv(settings.SETTINGS_SETTING, str(path))

    return write


@pytest.fixture
def users(tmp_path) -> Users:
    store = Store(f"sqlite:///{tmp_path}/accounts.sqlite")
    yield Users(store)
    store.close()


def test_a_password_is_kept_only_as_an_argon2_hash(users, tmp_path):
    secret = "绝密口令-Zx9!long"
    users.add(ADMIN, "wang", Role.ADMIN, password=secret, display_name="王主任")
    users.sign_in("wang", secret, "pytest")
    with pytest.raises(SignInRefused):
        users.sign_in("wang", secret + "x", "pytest")  # a wrong one is not kept either
    users.reset_password(ADMIN, "wang", secret[::-1] + "-new")
    with users.store.engine.connect() as conn:
        stored = conn.execute(sa.text("SELECT password_hash FROM users")).scalar()
        every_value = [
            str(v) for table in METADATA.sorted_tables
            for row in conn.execute(sa.select(table)) for v in row
        ]  # fmt: skip
    assert stored.startswith("$argon2id$")
    assert not any(secret in v or secret[::-1] in v for v in every_value)
    users.store.close()
    raw = (tmp_path / "accounts.sqlite").read_bytes()
    for text in (secret, secret[::-1], secret + "x"):
        assert text.encode() not in raw


def test_wrong_password_unknown_account_and_the_trail(users):
    users.add(ADMIN, "li", Role.VIEWER, password=PASSWORD)
    for name, password in (("li", "wrong password!"), ("nobody", PASSWORD)):
        with pytest.raises(SignInRefused) as refused:
            users.sign_in(name, password, "10.0.0.8")
        assert refused.value.message == WRONG  # the same words: no telling who exists
    actor = users.sign_in("li", PASSWORD, "10.0.0.8")
    assert (actor.user, actor.role, actor.origin) == ("li", Role.VIEWER, "10.0.0.8")
    trail = audit.entries(users.store, audit.Filter(action=audit.SIGN_IN_FAILED))
    assert [(e.user, e.detail, e.origin) for e in trail] == [
        ("nobody", "账户不存在或未设密码", "10.0.0.8"),
        ("li", "密码错误(连续第1次)", "10.0.0.8"),
    ]
    [ok] = audit.entries(users.store, audit.Filter(action=audit.SIGN_IN))
    assert (ok.user, ok.role) == ("li", "查看")
    assert users.get("li").failed_sign_ins == 0  # a success clears the count


def test_lock_out_after_repeated_failures_and_its_end(users, own_settings):
    own_settings(max_failed_sign_ins=3, lockout_minutes=0.03)  # 1.8 s
    users.add(ADMIN, "zhao", Role.REPORTER, password=PASSWORD, counties=["甲区"])
    for _ in range(2):
        with pytest.raises(SignInRefused, match="不正确"):
            users.sign_in("zhao", "guess guess guess")
    with pytest.raises(SignInRefused, match="已锁定"):
        users.sign_in("zhao", "guess guess guess")  # the third: locked
    with pytest.raises(SignInRefused, match="已锁定"):
        users.sign_in("zhao", PASSWORD)  # even the right password, while locked
    assert users.get("zhao").locked_until is not None
    time.sleep(2.0)
    assert users.sign_in("zhao", PASSWORD).counties == ("甲区",)
    details = [e.detail for e in audit.entries(users.store, audit.Filter(user="zhao"))][::-1]
    assert details[:4] == ["密码错误(连续第1次)", "密码错误(连续第2次)",
                           details[2], "账户已锁定"]  # fmt: skip
    assert details[2].startswith("密码错误(连续第3次),账户锁定至")


def test_an_admin_ends_a_lock_by_a_new_password(users, own_settings):
    own_settings(max_failed_sign_ins=1, lockout_minutes=60)
    users.add(ADMIN, "sun", Role.VIEWER, password=PASSWORD)
    with pytest.raises(SignInRefused, match="已锁定"):
        users.sign_in("sun", "not the password")
    users.reset_password(ADMIN, "sun", "a brand new password")
    assert users.sign_in("sun", "a brand new password").user == "sun"


def test_a_disabled_account_cannot_sign_in_either_way(users):
    users.add(ADMIN, "qian", Role.ADMIN, password=PASSWORD, email="Qian@Office.gov.cn")
    users.add(ADMIN, "zhou", Role.ADMIN, password=PASSWORD)
    signed_in = users.sign_in("qian", PASSWORD)
    users.disable(ADMIN, "qian")
    with pytest.raises(SignInRefused, match="已停用"):
        users.sign_in("qian", PASSWORD)
    with pytest.raises(SignInRefused, match="已停用"):
        users.sso({"sub": "x", "email": "qian@office.gov.cn"})
    assert users.current(signed_in) is None  # a session signed in before is ended too
    users.enable(ADMIN, "qian")
    assert users.current(signed_in).role is Role.ADMIN


def test_the_last_admin_stays(users):
    users.add(ADMIN, "only", Role.ADMIN, password=PASSWORD)
    with pytest.raises(Refused, match="唯一可用的管理员"):
        users.disable(ADMIN, "only")
    with pytest.raises(Refused, match="唯一可用的管理员"):
        users.set_role(ADMIN, "only", Role.VIEWER)
    users.add(ADMIN, "second", Role.ADMIN, password=PASSWORD)
    users.set_role(ADMIN, "only", Role.REPORTER, ("乙县",))
    assert users.get("only").counties == ("乙县",)


def test_account_rules(users, own_settings):
    own_settings(min_password_length=12)
    with pytest.raises(ValueError, match="至少12个字符"):
        users.add(ADMIN, "a1", Role.VIEWER, password="short pw")
    with pytest.raises(ValueError, match="至少一个区县"):
        users.add(ADMIN, "a2", Role.REPORTER, password="long enough password")
    with pytest.raises(ValueError, match="账户名"):
        users.add(ADMIN, "a b/c", Role.VIEWER, password="long enough password")
    with pytest.raises(ValueError, match="请设置密码"):
        users.add(ADMIN, "a3", Role.VIEWER)
    users.add(ADMIN, "a4", Role.VIEWER, password="long enough password")
    with pytest.raises(ValueError, match="已有名为"):
        users.add(ADMIN, "a4", Role.VIEWER, password="long enough password")
    viewer = users.sign_in("a4", "long enough password")
    with pytest.raises(Refused, match="无权管理用户"):
        users.add(viewer, "a5", Role.ADMIN, password="long enough password")


def test_single_sign_on_matches_subject_then_email(users, own_settings):
    users.add(ADMIN, "liu", Role.REPORTER, counties=["乙县"], email="Liu@Office.gov.cn")
    users.add(ADMIN, "chen", Role.ADMIN, subject="sub-chen")
    liu = users.sso({"sub": "whatever", "email": "LIU@office.gov.cn", "name": "刘"}, "本机")
    assert (liu.user, liu.role, liu.counties, liu.via) == (
        "liu",
        Role.REPORTER,
        ("乙县",),
        "单点登录",
    )
    assert users.sso({"sub": "sub-chen", "email": "other@x"}).user == "chen"
    stranger = users.sso({"sub": "s-9", "email": "new@office.gov.cn", "name": "新同事"})
    assert (stranger.user, stranger.role) == ("new@office.gov.cn", Role.VIEWER)  # the default
    own_settings(sso_unknown_role="")
    with pytest.raises(SignInRefused, match="尚未开通"):
        users.sso({"sub": "s-10", "email": "other@office.gov.cn"})
    assert users.current(stranger) is None  # the rule changed: the stranger may no longer view
    done = [(e.action, e.user) for e in audit.entries(users.store)][:4][::-1]
    assert done == [(audit.SIGN_IN, "liu"), (audit.SIGN_IN, "chen"),
                    (audit.SIGN_IN, "new@office.gov.cn"),
                    (audit.SIGN_IN_FAILED, "other@office.gov.cn")]  # fmt: skip


def test_a_role_change_reaches_a_signed_in_session(users):
    users.add(ADMIN, "wu", Role.REPORTER, password=PASSWORD, counties=["甲区"])
    session = users.sign_in("wu", PASSWORD)
    users.set_role(ADMIN, "wu", Role.VIEWER)
    assert users.current(session).role is Role.VIEWER
    changed = audit.entries(users.store, audit.Filter(action=audit.USER_CHANGED))
    assert [e.detail for e in changed] == ["区县填报(甲区) → 查看"]
