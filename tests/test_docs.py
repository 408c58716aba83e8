"""The README cannot drift from the code (as datasette checks its documentation): every settings
key is in its settings table and every row of that table is a key; every page of the registry is
in its page table and the other way round; every command of `python -m core --help` is in its
command block; and its recipes name files, names and revision numbers that exist."""

from __future__ import annotations

import argparse
import re
import tomllib

import pytest

from core import ROOT
from core.__main__ import parser
from core.output import pages
from core.policy import roles

README = (ROOT / "README.md").read_text(encoding="utf-8")
SETTINGS = tomllib.loads((ROOT / "data" / "settings.toml").read_text(encoding="utf-8"))
VERSIONS = ROOT / "core" / "store" / "migrations" / "versions"


def _part(start: str, end: str = "\n#") -> str:
    """README from the heading or phrase `start` to the next heading (or `end`)."""
    assert README.count(start) == 1, f"README should hold {start!r} once"
    return README.split(start, 1)[1].split(end, 1)[0]


def _rows(part: str) -> list[list[str]]:
    """A Markdown table's body rows, as cells."""
    rows = [
        [cell.strip() for cell in line.strip().strip("|").split("|")]
        for line in part.splitlines()
        if line.startswith("|")
    ]
    return [r for r in rows[2:] if r]  # the header and its --- line left out


# --- settings ---------------------------------------------------------------------------------


def _documented_keys() -> list[tuple[str, str]]:
    part = _part("### The settings file\n")
    return [tuple(re.fullmatch(r"`\[(\w+)\] (\w+)`", r[0]).groups()) for r in _rows(part)]


def test_every_settings_key_is_in_the_readme_and_every_row_is_a_key():
    in_file = [(section, key) for section, keys in SETTINGS.items() for key in keys]
    documented = _documented_keys()
    assert len(documented) == len(set(documented)), "a key twice in README's settings table"
    assert sorted(set(in_file) - set(documented)) == [], "settings keys README does not list"
    assert sorted(set(documented) - set(in_file)) == [], "README rows for keys the file lacks"
    assert documented == in_file, "README's settings table is not in the file's order"


def test_the_sections_the_readme_names_elsewhere_exist():
    for section, key in re.findall(r"`\[(\w+)\] (\w+)`", README):
        if section == "auth":  # .streamlit/secrets.toml's, not the settings file's
            continue
        assert key in SETTINGS.get(section, {}), f"README names [{section}] {key}"


# --- pages ------------------------------------------------------------------------------------


def test_every_page_is_in_the_readme_page_table_and_every_row_is_a_page():
    rows = _rows(_part("### Pages\n"))
    documented = [(r[0], r[1].strip("`"), r[2]) for r in rows]
    registry = [(p.title, p.path, " → ".join(p.screens) or "—") for p in pages.PAGES]
    assert documented == registry
    for row, page in zip(rows, pages.PAGES, strict=True):
        assert ("管理员" in row[3]) == (page.action != roles.VIEW), page.key


def test_the_screenshot_table_shows_registered_pages():
    shots = _part("![总览](docs/screenshots/overview.png)", "## Set-up")
    for title, path in re.findall(r"([^\s*|]+) `(/\w*)`", shots):
        assert (title, path) in {(p.title, p.path) for p in pages.PAGES}, (title, path)


# --- the command line -------------------------------------------------------------------------


def _commands() -> list[str]:
    sub = next(a for a in parser()._actions if isinstance(a, argparse._SubParsersAction))
    return list(sub.choices)


def test_every_command_is_in_the_readme_command_block():
    block = _part("The same from the command line (the same core code):", "\n```\n")
    written = set(re.findall(r"python -m core ([a-z-]+)", block))
    assert [c for c in _commands() if c not in written] == []
    assert sorted(written - set(_commands())) == [], "README shows commands that do not exist"


def test_every_command_the_readme_shows_exists():
    shown = set(re.findall(r"python -m core ([a-z][a-z-]*)", README))
    assert sorted(shown - set(_commands())) == []


# --- recipes ----------------------------------------------------------------------------------


def _revisions() -> list[str]:
    return sorted(f.name.split("_", 1)[0] for f in VERSIONS.glob("[0-9]*.py"))


def test_the_migration_recipe_names_the_next_revision():
    newest = _revisions()[-1]
    following = f"{int(newest) + 1:04d}"
    recipe = _part("### Changing the store's schema\n")
    assert f'down_revision = "{newest}"' in recipe
    assert f'revision = "{following}"' in recipe
    assert f"versions/{following}_remark.py" in recipe
    for number in _revisions():  # each revision said in a word
        assert f"`{number}`" in recipe, number


def test_the_column_recipe_names_what_exists():
    from core.base import schema
    from core.store import migrations

    recipe = _part("### Changing the store's schema\n")
    for name in re.findall(r"`([A-Z_]+)`", recipe.split("```python")[0]):
        assert hasattr(schema, name), f"README's recipe names schema.{name}"
    assert callable(migrations.add_optional_column)


def _recipe_files(title: str) -> list[str]:
    part = _part(f"#### {title}\n")
    return sorted(set(re.findall(r"`((?:core|app_pages|data|tests)/[\w/.<>-]+)`", part)))


@pytest.mark.parametrize(
    "title", ["Adding a 预警 rule", "Adding an import column", "Adding a page"]
)
def test_each_recipe_touches_at_most_three_files_that_exist(title):
    part = _part(f"#### {title}\n")
    touched = re.findall(r"^\d\. .*?`((?:core|app_pages|data)/[\w/.<>-]+)`", part, flags=re.M)
    assert 1 <= len(touched) <= 3, touched
    assert "Then README" in part, "the recipe says which README row to add"
    for file in _recipe_files(title):
        if "<" not in file:  # a file the recipe makes: app_pages/<key>.py
            assert (ROOT / file).exists(), f"{title}: {file}"
    tests = re.findall(r"`(tests/[\w/.]+\.py)`", part)
    assert tests and all((ROOT / t).exists() for t in tests), f"{title}: its test {tests}"


def test_the_recipes_name_what_exists():
    from core.figures import alerts
    from core.ingest import workbook
    from core.output import deck

    assert hasattr(alerts, "REGISTRY") and hasattr(alerts, "AlertRule")
    assert callable(workbook._doc) and isinstance(deck._BUILDERS, dict)
    assert "alerts" in SETTINGS and pages.PAGES
