"""The office's own rules, from one TOML file: names, category lists, thresholds.

`data/settings.toml` is the file and holds the defaults with the reason for each;
BRIEFING_SETTINGS names another file, whose missing keys take the defaults' values. Code reads
`current()`; nothing here is cached across a change of the file.

The file is checked whole when it is read (`check`), not when a page first reads a key: a key
the defaults file does not have, a value of the wrong kind (the kind of the default's value:
text, a list of texts, a whole number, a number, a pair of numbers) or out of its range, each
is one Chinese line of the SettingsError that names the file, the section and the key
(`设置文件本办设置.toml中[alerts]的late_start_red_months应为不小于0的整数,实际为"三"`). So a
new threshold is one key in data/settings.toml: its kind is its default's.
"""

from __future__ import annotations

import os
import tomllib
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from core import ROOT
from core.base.schema import UNIT_KINDS

SETTINGS_SETTING = "BRIEFING_SETTINGS"
DEFAULTS = ROOT / "data" / "settings.toml"


class SettingsError(ValueError):
    """The settings file cannot be read; the message says which file and what, in Chinese."""


def path() -> Path:
    return Path(os.environ.get(SETTINGS_SETTING) or DEFAULTS)


def _read(file: Path) -> dict[str, Any]:
    try:
        return tomllib.loads(file.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise SettingsError(f"找不到设置文件{file.name}") from None
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise SettingsError(f"设置文件{file.name}格式有误:{exc}") from None


def _merged(defaults: dict, own: dict) -> dict:
    out = dict(defaults)
    for key, value in own.items():
        if isinstance(value, dict) and isinstance(defaults.get(key), dict):
            out[key] = _merged(defaults[key], value)
        else:
            out[key] = value
    return out


@dataclass(frozen=True)
class Settings:
    data: dict[str, Any]
    # Which state of the files these are (path and modification times): what a result
    # computed under them is kept for (stamp(), core.store.portfolio.Portfolio.memo).
    stamp: tuple = field(default=(), compare=False)

    def section(self, name: str) -> dict[str, Any]:
        return self.data.get(name, {})

    @property
    def office(self) -> str:
        return str(self.section("office")["name"])

    @property
    def sectors(self) -> tuple[str, ...]:
        return tuple(self.section("categories")["sectors"])

    @property
    def industry_sectors(self) -> tuple[str, ...]:
        return tuple(self.section("categories")["industry_sectors"])

    @property
    def levels(self) -> tuple[str, ...]:
        return tuple(self.section("categories")["levels"])

    @property
    def problem_types(self) -> tuple[str, ...]:
        return tuple(self.section("categories")["problem_types"])

    @property
    def funding_sources(self) -> tuple[str, ...]:
        return tuple(self.section("categories")["funding_sources"])

    @property
    def funding_channels(self) -> dict[str, str]:
        return dict(self.section("categories")["funding_channels"])

    @property
    def max_amount(self) -> float:
        """The largest plausible amount, in 万元."""
        return float(self.section("limits")["max_amount_wan"])

    @property
    def max_months_ahead(self) -> int:
        return int(self.section("limits")["max_months_ahead"])

    @property
    def max_plan_years_ahead(self) -> int:
        return int(self.section("limits")["max_plan_years_ahead"])

    @property
    def earliest_year(self) -> int:
        return int(self.section("limits")["earliest_year"])

    @property
    def lon_range(self) -> tuple[float, float]:
        low, high = self.section("limits")["lon_range"]
        return float(low), float(high)

    @property
    def lat_range(self) -> tuple[float, float]:
        low, high = self.section("limits")["lat_range"]
        return float(low), float(high)

    # --- [access]: who may do what (core.access) ---------------------------------------------

    @property
    def viewing(self) -> str:
        """ "local", "open" or "sign-in": who may view without signing in (VIEWING_RULES)."""
        return str(self.section("access")["viewing"])

    @property
    def idle_minutes(self) -> float:
        return float(self.section("access")["idle_minutes"])

    @property
    def max_failed_sign_ins(self) -> int:
        return int(self.section("access")["max_failed_sign_ins"])

    @property
    def lockout_minutes(self) -> float:
        return float(self.section("access")["lockout_minutes"])

    @property
    def min_password_length(self) -> int:
        return int(self.section("access")["min_password_length"])

    @property
    def sso_unknown_role(self) -> str:
        return str(self.section("access")["sso_unknown_role"])

    @property
    def serious_gap(self) -> float:
        """严重滞后 from this gap on, as a fraction (−0.10 for 10 points)."""
        return -float(self.section("status")["serious_gap_points"]) / 100

    # --- 预警 ([alerts]) and 红黑榜 ([ranking]) ---------------------------------------------

    def _alert(self, key: str) -> int:
        return int(self.section("alerts")[key])

    @property
    def serious_gap_red(self) -> float:
        """严重滞后's red level from this gap on, as a fraction (−0.30 for 30 points)."""
        return -float(self.section("alerts")["serious_gap_red_points"]) / 100

    @property
    def consecutive_months(self) -> tuple[int, int]:
        """连续滞后: months behind in a row for (yellow, red)."""
        return self._alert("consecutive_yellow_months"), self._alert("consecutive_red_months")

    @property
    def late_start_red_months(self) -> int:
        return self._alert("late_start_red_months")

    @property
    def late_end_red_months(self) -> int:
        return self._alert("late_end_red_months")

    @property
    def unreported_red_months(self) -> int:
        return self._alert("unreported_red_months")

    @property
    def problem_overdue_red_days(self) -> int:
        return self._alert("problem_overdue_red_days")

    @property
    def problem_open_months(self) -> tuple[int, int]:
        """问题超期 without a deadline: months open for (yellow, red)."""
        return self._alert("problem_open_yellow_months"), self._alert("problem_open_red_months")

    @property
    def node_late_red_months(self) -> int:
        return self._alert("node_late_red_months")

    @property
    def ranking_measure(self) -> str:
        return str(self.section("ranking")["measure"])

    @property
    def ranking_top(self) -> int:
        return int(self.section("ranking")["top"])

    @property
    def ranking_bottom(self) -> int:
        return int(self.section("ranking")["bottom"])

    @property
    def ranking_unit(self) -> str:
        return str(self.section("ranking")["unit"])

    @property
    def ranking_red_needs_schedule(self) -> bool:
        """[ranking] red_needs_schedule: the 红榜 only for units at or ahead of 序时进度."""
        return bool(self.section("ranking").get("red_needs_schedule", False))

    @property
    def ranking_rank_unreported(self) -> bool:
        """[ranking] rank_unreported: a unit without returns for the month is ranked on its
        figures as they stand (the missing month as zero) instead of marked 未报送."""
        return bool(self.section("ranking").get("rank_unreported", False))

    # --- 序时进度 ([schedule]; checked with the rest of the file at load) ------------------

    @property
    def schedule_convention(self) -> str:
        """months, days, half_months, target or plans (core.base.periods.Convention)."""
        return str(self.section("schedule").get("convention", "months"))

    @property
    def schedule_target(self) -> float:
        """[schedule] target_percent as a fraction (1.2 for 120)."""
        return float(self.section("schedule").get("target_percent", 100)) / 100

    @property
    def schedule_plan_fallback(self) -> str:
        """[schedule] plan_fallback: the rule of a project without a monthly plan under
        "plans" (months, days, half_months or target)."""
        return str(self.section("schedule").get("plan_fallback", "months"))

    # --- Published precision ([format]) -------------------------------------------------------

    @property
    def percent_decimals(self) -> int:
        """[format] percent_decimals: 完成率, 序时进度 and their gaps to 1 or 2 decimals."""
        return int(self.section("format").get("percent_decimals", 1))

    @property
    def amount_decimals(self) -> int:
        """[format] amount_decimals: amounts (亿元, 万元) to 1 or 2 decimals."""
        return int(self.section("format").get("amount_decimals", 1))

    # --- 项目地图 ([map]) -------------------------------------------------------------------

    @property
    def map_max_points(self) -> int:
        """[map] max_points: the most project points a map draws (the largest by 总投资)."""
        return int(self.section("map").get("max_points", 1000))


# What a 红黑榜 may rank by ([ranking] measure) and rank ([ranking] unit: a project column).
RANKING_MEASURES = ("gap", "rate", "start_rate")
RANKING_UNITS = UNIT_KINDS
# [schedule] convention: core.base.periods.Convention's values.
SCHEDULE_CONVENTIONS = ("months", "days", "half_months", "target", "plans")
# [schedule] plan_fallback: a rule that needs no project's plan.
PLAN_FALLBACKS = SCHEDULE_CONVENTIONS[:4]

# [access] viewing: who may view without signing in (data/settings.toml says why each).
VIEW_LOCAL, VIEW_OPEN, VIEW_SIGN_IN = "local", "open", "sign-in"
VIEWING_RULES = (VIEW_LOCAL, VIEW_OPEN, VIEW_SIGN_IN)

# [access] sso_unknown_role: a role's name (core.policy.roles.Role, above this layer; a test
# keeps the two alike), or "" to refuse a person without an account.
SSO_ROLES = ("查看", "区县填报", "管理员")

# The values a key may take, beyond the kind of its default's value.
CHOICES: dict[tuple[str, str], tuple[str, ...]] = {
    ("access", "viewing"): VIEWING_RULES,
    ("access", "sso_unknown_role"): (*SSO_ROLES, ""),
    ("ranking", "measure"): RANKING_MEASURES,
    ("ranking", "unit"): RANKING_UNITS,
    ("schedule", "convention"): SCHEDULE_CONVENTIONS,
    ("schedule", "plan_fallback"): PLAN_FALLBACKS,
}
# Whole numbers that may take only these values: the decimals an office publishes.
PRECISIONS = (1, 2)
NUMBER_CHOICES: dict[tuple[str, str], tuple[int, ...]] = {
    ("format", "percent_decimals"): PRECISIONS,
    ("format", "amount_decimals"): PRECISIONS,
}
# Whole numbers within a range (low, high), both allowed: a map's points beyond about a
# thousand cannot be told apart on a projector, and each is bytes re-sent on every filter change.
RANGES: dict[tuple[str, str], tuple[int, int]] = {("map", "max_points"): (200, 5000)}
# Numbers that must be above 0 (the others may be 0): a time-out, a count, a length, a limit.
POSITIVE = {("access", "idle_minutes"), ("access", "max_failed_sign_ins"),
            ("access", "lockout_minutes"), ("access", "min_password_length"),
            ("limits", "max_amount_wan"), ("limits", "max_plan_years_ahead"),
            ("limits", "earliest_year"), ("schedule", "target_percent")}  # fmt: skip
# Keys whose default is a whole number but that may be a fraction (points, minutes, 万元).
FRACTIONAL_SUFFIXES = ("_points", "_minutes", "_wan", "_percent", "_share")
# Lists that may be empty (an office without 产业项目).
MAY_BE_EMPTY = {("categories", "industry_sectors")}
# Pairs where the second must not be below the first: a red threshold after its yellow one.
ORDERED = [(("alerts", "consecutive_yellow_months"), ("alerts", "consecutive_red_months")),
           (("alerts", "problem_open_yellow_months"), ("alerts", "problem_open_red_months")),
           (("status", "serious_gap_points"), ("alerts", "serious_gap_red_points"))]  # fmt: skip


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _shown(value: Any) -> str:
    """A value as the file writes it, for messages: 3, "三", true, ["甲", "乙"], { "甲" = 1 }."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return f'"{value}"'
    if isinstance(value, list):
        return "[" + ", ".join(map(_shown, value)) + "]"
    if isinstance(value, dict):
        return "{ " + ", ".join(f"{_shown(str(k))} = {_shown(v)}" for k, v in value.items()) + " }"
    return str(value)


def _whole(key: str, default: Any) -> bool:
    return isinstance(default, int) and not key.endswith(FRACTIONAL_SUFFIXES)


def expectation(section: str, key: str, default: Any) -> str:
    """What a key's value must be, in Chinese (应为…), from its default and the tables above."""
    if (section, key) in CHOICES:
        return "、".join(f"“{c}”" for c in CHOICES[section, key]) + "之一"
    if (section, key) in NUMBER_CHOICES:
        return "或".join(map(str, NUMBER_CHOICES[section, key]))
    if (section, key) in RANGES:
        low, high = RANGES[section, key]
        return f"{low}至{high}之间的整数"
    if isinstance(default, bool):
        return "true或false"
    if isinstance(default, str):
        return "文字"
    if _is_number(default):
        low = "大于0" if (section, key) in POSITIVE else "不小于0"
        return f"{low}的{'整数' if _whole(key, default) else '数'}"
    if isinstance(default, list) and len(default) == 2 and all(map(_is_number, default)):
        return "两个数组成的范围,如[73.0, 136.0],前小后大"
    if isinstance(default, list):
        empty = "" if (section, key) in MAY_BE_EMPTY else "非空的"
        return f'{empty}文字列表,如["甲", "乙"],不重复'
    if isinstance(default, dict):
        return '文字对照表,如{ "甲" = "乙" }'
    return type(default).__name__


def _fits(section: str, key: str, value: Any, default: Any) -> bool:
    if (section, key) in CHOICES:
        return isinstance(value, str) and value in CHOICES[section, key]
    if (section, key) in NUMBER_CHOICES:
        return (
            isinstance(value, int)
            and not isinstance(value, bool)
            and (value in NUMBER_CHOICES[section, key])
        )
    if (section, key) in RANGES:
        low, high = RANGES[section, key]
        return isinstance(value, int) and not isinstance(value, bool) and low <= value <= high
    if isinstance(default, bool):
        return isinstance(value, bool)
    if isinstance(default, str):
        return isinstance(value, str)
    if _is_number(default):
        if not _is_number(value):
            return False
        if _whole(key, default) and not isinstance(value, int):
            return False
        return value > 0 if (section, key) in POSITIVE else value >= 0
    if isinstance(default, list) and len(default) == 2 and all(map(_is_number, default)):
        return (
            isinstance(value, list) and len(value) == 2 and all(map(_is_number, value))
            and value[0] < value[1]
        )  # fmt: skip
    if isinstance(default, list):
        return (
            isinstance(value, list)
            and all(isinstance(v, str) and v.strip() for v in value)
            and len(set(value)) == len(value)
            and (bool(value) or (section, key) in MAY_BE_EMPTY)
        )
    if isinstance(default, dict):
        return isinstance(value, dict) and all(
            isinstance(k, str) and isinstance(v, str) for k, v in value.items()
        )
    return isinstance(value, type(default))


def check(own: dict[str, Any], defaults: dict[str, Any], name: str) -> list[str]:
    """What is wrong with a settings file's content `own` (named `name` in the messages),
    against the defaults file's content: one Chinese line per wrong section, key or value."""
    where = f"设置文件{name}中"
    problems = []
    for section, keys in own.items():
        if section not in defaults:
            known = "、".join(f"[{s}]" for s in defaults)
            problems.append(f"{where}没有[{section}]这一节,可用的节为{known}")
            continue
        if not isinstance(keys, dict):
            problems.append(f"{where}的{section}应为一节([{section}]及其下的设置项)")
            continue
        for key, value in keys.items():
            if key not in defaults[section]:
                known = "、".join(defaults[section])
                problems.append(f"{where}[{section}]没有设置项{key},可用的设置项为{known}")
                continue
            default = defaults[section][key]
            if not _fits(section, key, value, default):
                problems.append(
                    f"{where}[{section}]的{key}应为{expectation(section, key, default)},"
                    f"实际为{_shown(value)}"
                )
    return problems


def _check_order(data: dict[str, Any], name_of) -> list[str]:
    """The pairs of ORDERED in the merged settings: a red threshold not below its yellow one."""
    problems = []
    for (s1, k1), (s2, k2) in ORDERED:
        a, b = data.get(s1, {}).get(k1), data.get(s2, {}).get(k2)
        if _is_number(a) and _is_number(b) and b < a:
            problems.append(
                f"设置文件{name_of(s2, k2)}中[{s2}]的{k2}应不小于[{s1}]的{k1}({_shown(a)}),"
                f"实际为{_shown(b)}"
            )
    return problems


# Lists a ledger may add to: schema column → key of [categories].
CATEGORY_KEYS = {"行业领域": "sectors", "项目级别": "levels", "问题类型": "problem_types"}


def with_categories(new: dict[str, list[str]], base: Settings | None = None) -> Settings:
    """The settings with new values appended to the office's lists (nothing written)."""
    base = base or current()
    if not new:
        return base
    data = {**base.data, "categories": dict(base.section("categories"))}
    for column, values in new.items():
        key = CATEGORY_KEYS[column]
        data["categories"][key] = list(dict.fromkeys([*data["categories"][key], *values]))
    added = tuple(sorted((column, tuple(values)) for column, values in new.items()))
    return Settings(data, (*base.stamp, added))


_cache: dict[tuple, Settings] = {}
# Values the office's imports added to its lists, kept in its database (core.store.categories):
# settings key → values. Set whenever the data are loaded; part of every Settings made.
_added: dict[str, tuple[str, ...]] = {}


def use_added(lists: dict[str, tuple[str, ...]]) -> None:
    """The lists in force are the file's and these (from the office's database)."""
    global _added
    if lists != _added:
        _added = dict(lists)
        _cache.clear()


def _load(file: Path) -> dict[str, Any]:
    """The defaults with the office's file over them, each checked whole; SettingsError with
    every problem, one line each, when either is wrong."""
    defaults = _read(DEFAULTS)
    data, problems, own = defaults, [], {}
    if file.resolve() != DEFAULTS.resolve():
        own = _read(file)
        problems += check(own, defaults, file.name)
        data = _merged(defaults, own)
    for section, keys in defaults.items():  # the defaults file itself (edited in place)
        overridden = own.get(section) if isinstance(own.get(section), dict) else {}
        for key, value in keys.items() if isinstance(keys, dict) else ():
            if key not in overridden and not _fits(section, key, value, value):
                what = expectation(section, key, value)
                problems.append(
                    f"设置文件{DEFAULTS.name}中[{section}]的{key}应为{what},实际为{_shown(value)}"
                )
    if not problems:
        problems += _check_order(
            data, lambda s, k: file.name if k in (own.get(s) or {}) else DEFAULTS.name
        )
    if problems:
        raise SettingsError("\n".join(problems))
    return data


# The settings a computation holds (held()): current() returns them without a stat.
_held: ContextVar[Settings | None] = ContextVar("settings_held", default=None)


def current() -> Settings:
    """The settings in force: re-read whenever the file changes. A stat of the file per call
    (two when BRIEFING_SETTINGS names another file than the defaults), none inside held().

    Called for every figure formatted (core.base.formatting: tens of thousands in one 预警
    list), so the common case is a dictionary look-up after os.stat on the path's text."""
    held = _held.get()
    if held is not None:
        return held
    defaults = str(DEFAULTS)
    name = os.environ.get(SETTINGS_SETTING) or defaults
    try:
        mtime = os.stat(name).st_mtime_ns
        stamp = (name, mtime, mtime if name == defaults else os.stat(defaults).st_mtime_ns)
    except FileNotFoundError:
        raise SettingsError(f"找不到设置文件{path().name}") from None
    found = _cache.get(stamp)
    return found if found is not None else _read_current(path(), stamp)


def stamp() -> tuple:
    """Which state of the settings files is in force (the held one inside held()): results
    computed from the settings are kept only as long as it does not change."""
    return current().stamp


@contextmanager
def held() -> Iterator[Settings]:
    """The settings in force read once, and current() returning them without a stat until the
    block ends (in this thread or task): for a computation that reads them thousands of times,
    which thus also sees one state of the file throughout."""
    token = _held.set(current())
    try:
        yield _held.get()
    finally:
        _held.reset(token)


def _read_current(file: Path, stamp: tuple) -> Settings:
    if stamp not in _cache:
        data = _load(file)
        if _added:
            known = dict(data.get("categories", {}))
            for key, values in _added.items():
                known[key] = list(dict.fromkeys([*known.get(key, []), *values]))
            data = {**data, "categories": known}
        _cache.clear()
        added = tuple(sorted((key, tuple(values)) for key, values in _added.items()))
        _cache[stamp] = Settings(data, (*stamp, added))  # the office's added values too
    return _cache[stamp]
