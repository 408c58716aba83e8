"""Who the tests act as: an admin for the writes that only set a scene (the access tests
themselves use real accounts and every role), and accounts created through core."""

from __future__ import annotations

from core.access.users import Users
from core.policy import roles
from core.policy.roles import Actor, Role
from core.store.versions import Store

# The person at the shell, as `python -m core` acts: an admin, recorded as such.
ADMIN = Actor("测试管理员", Role.ADMIN, via=roles.VIA_CLI, origin="pytest")
PASSWORD = "correct horse battery"  # long enough for the settings' minimum


def account(store: Store, name: str, role: Role, counties: tuple[str, ...] = (), **kw) -> Actor:
    """A real account in the store (argon2 hash), signed in with its password."""
    Users(store).add(ADMIN, name, role, password=PASSWORD, counties=counties, **kw)
    return Users(store).sign_in(name, PASSWORD, "pytest")
