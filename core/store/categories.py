"""The office's own categories (sectors, levels, problem types) that an import adds."""

from __future__ import annotations

import tomlkit

from core.base import settings
from core.policy import roles


def add(new: dict[str, list[str]], *, actor) -> None:
    """Append values to the office's lists in its settings file, keeping its comments; only for
    an actor who may change the office's rules (core.policy.roles.SETTINGS)."""
    if not new:
        return
    roles.require(actor, roles.SETTINGS)
    file = settings.path()
    document = (
        tomlkit.parse(file.read_text(encoding="utf-8")) if file.exists() else tomlkit.document()
    )
    merged = settings.with_categories(new)
    categories = document.setdefault("categories", tomlkit.table())
    for column in new:
        key = settings.CATEGORY_KEYS[column]
        categories[key] = list(merged.section("categories")[key])
    tmp = file.with_name(file.name + ".tmp")
    tmp.write_text(tomlkit.dumps(document), encoding="utf-8")
    tmp.replace(file)
