"""The office's own rules, from one TOML file: names, category lists, thresholds.

`data/settings.toml` is the file and holds the defaults with the reason for each;
BRIEFING_SETTINGS names another file, whose missing keys take the defaults' values. Code reads
`current()`; nothing here is cached across a change of the file.
"""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass
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
        value = str(self.section("access")["viewing"])
        if value not in VIEWING_RULES:
            raise SettingsError(
                f"设置文件中[access] viewing的值“{value}”无效,应为{'、'.join(VIEWING_RULES)}之一"
            )
        return value

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
        value = str(self.section("ranking")["measure"])
        if value not in RANKING_MEASURES:
            raise SettingsError(
                f"设置文件中[ranking]的measure应为{'、'.join(RANKING_MEASURES)}之一,实际为“{value}”"
            )
        return value

    @property
    def ranking_top(self) -> int:
        return int(self.section("ranking")["top"])

    @property
    def ranking_bottom(self) -> int:
        return int(self.section("ranking")["bottom"])

    @property
    def ranking_unit(self) -> str:
        value = str(self.section("ranking")["unit"])
        if value not in RANKING_UNITS:
            raise SettingsError(
                f"设置文件中[ranking]的unit应为{'、'.join(RANKING_UNITS)}之一,实际为“{value}”"
            )
        return value


# What a 红黑榜 may rank by ([ranking] measure) and rank ([ranking] unit: a project column).
RANKING_MEASURES = ("gap", "rate", "start_rate")
RANKING_UNITS = UNIT_KINDS

# [access] viewing: who may view without signing in (data/settings.toml says why each).
VIEW_LOCAL, VIEW_OPEN, VIEW_SIGN_IN = "local", "open", "sign-in"
VIEWING_RULES = (VIEW_LOCAL, VIEW_OPEN, VIEW_SIGN_IN)

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
    return Settings(data)


_cache: dict[tuple, Settings] = {}


def current() -> Settings:
    """The settings in force: re-read whenever the file changes (a stat per call)."""
    file = path()
    try:
        stamp = (str(file), file.stat().st_mtime_ns, DEFAULTS.stat().st_mtime_ns)
    except FileNotFoundError:
        raise SettingsError(f"找不到设置文件{file.name}") from None
    if stamp not in _cache:
        data = _read(DEFAULTS)
        if file.resolve() != DEFAULTS.resolve():
            data = _merged(data, _read(file))
        _cache.clear()
        _cache[stamp] = Settings(data)
    return _cache[stamp]
