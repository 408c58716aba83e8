"""The lock-out without races (issue 24): parallel wrong passwords each count and each is in the
trail, on SQLite and PostgreSQL; and a name without an account is locked out in the same words
as an account, so the answers never tell who exists."""

from __future__ import annotations

import re
import threading

import pytest

from core.access.users import WRONG, SignInRefused, Users
from core.base import settings
from core.policy.roles import Role
from core.store import audit
from core.store.versions import Store
from tests.access_kit import ADMIN, PASSWORD
from tests.store_kit import DATABASES, database

PARALLEL = 20


@pytest.fixture
def own_settings(tmp_path, monkeypatch):
    def write(**access) -> None:
        body = "[access]\n" + "".join(f"{k} = {v!r}\n" for k, v in access.items())
        path = tmp_path / "settings.toml"
        path.write_text(body, encoding="utf-8")
        monkeypatch.setenv(settings.SETTINGS_SETTING, str(path))

    return write


@pytest.fixture(params=DATABASES)
def users(request, tmp_path):
    for url in database(request.param, tmp_path):
        store = Store(url)
        yield Users(store)
        store.close()


def _in_parallel(users: Users, name: str, password: str, n: int = PARALLEL) -> list[str]:
    """n sign-ins at once, as n sessions would; the messages they got (any other exception is
    raised here)."""
    answers: list[str] = []
    errors: list[BaseException] = []
    start = threading.Barrier(n)

    def attempt(i: int) -> None:
        start.wait()
        try:
            users.sign_in(name, password, f"10.0.0.{i}")
            answers.append("signed in")
        except SignInRefused as refused:
            answers.append(refused.message)
        except BaseException as exc:  # 数据库操作失败 and the like
            errors.append(exc)

    threads = [threading.Thread(target=attempt, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors, errors
    return answers


def _failures(users: Users, name: str) -> list[audit.Entry]:
    return audit.entries(users.store, audit.Filter(user=name, action=audit.SIGN_IN_FAILED))


def test_parallel_wrong_passwords_all_count(users, own_settings):
    own_settings(max_failed_sign_ins=100, lockout_minutes=15)
    users.add(ADMIN, "wu", Role.VIEWER, password=PASSWORD)
    answers = _in_parallel(users, "wu", "wrong password!!")
    assert answers == [WRONG] * PARALLEL
    assert users.get("wu").failed_sign_ins == PARALLEL
    trail = _failures(users, "wu")
    assert len(trail) == PARALLEL
    counts = sorted(int(re.search(r"连续第(\d+)次", e.detail).group(1)) for e in trail)
    assert counts == list(range(1, PARALLEL + 1))  # each attempt saw its own count


def test_parallel_wrong_passwords_lock_the_account_once(users, own_settings):
    own_settings(max_failed_sign_ins=5, lockout_minutes=15)
    users.add(ADMIN, "zheng", Role.VIEWER, password=PASSWORD)
    answers = _in_parallel(users, "zheng", "wrong password!!")
    assert answers.count(WRONG) == 4
    assert all(a.startswith("连续输错密码次数过多,账户已锁定") for a in answers if a != WRONG)
    user = users.get("zheng")
    assert user.locked_until is not None and user.failed_sign_ins == 0
    details = [e.detail for e in _failures(users, "zheng")]
    assert len(details) == PARALLEL
    assert sum("账户锁定至" in d for d in details) == 1
    assert details.count("账户已锁定") == PARALLEL - 5
    with pytest.raises(SignInRefused, match="已锁定"):
        users.sign_in("zheng", PASSWORD)  # the right one too, while locked


def test_a_name_without_an_account_is_locked_out_in_the_same_words(users, own_settings):
    own_settings(max_failed_sign_ins=3, lockout_minutes=15)
    users.add(ADMIN, "feng", Role.VIEWER, password=PASSWORD)
    said = {}
    for name in ("feng", "nobody"):
        said[name] = []
        for _ in range(5):
            with pytest.raises(SignInRefused) as refused:
                users.sign_in(name, "wrong password!!")
            said[name].append(re.sub(r"\d\d:\d\d", "HH:MM", refused.value.message))
    assert said["nobody"] == said["feng"]
    assert said["feng"][:2] == [WRONG, WRONG] and "已锁定" in said["feng"][2]
    # In parallel too: every attempt recorded, and the same answers as an account gets.
    answers = _in_parallel(users, "nobody-2", "wrong password!!")
    assert answers.count(WRONG) == 2
    assert len(_failures(users, "nobody-2")) == PARALLEL
