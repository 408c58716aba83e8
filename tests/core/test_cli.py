"""The command line refuses what the pages refuse (issue 20): a month without returns, a
county, sector, level or stage the data do not have; and speaks Chinese throughout, argparse's
own help and errors included."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

from core.__main__ import chinese, main, parser, wrap
from core.store.portfolio import DEMO_DIR, load_folder
from tests.store_kit import cli

ROOT = Path(__file__).parents[2]
DEMO = ("--data", str(DEMO_DIR))
COMMANDS = ["summary", "brief", "deck"]
NO_RETURNS = "报告期2026年3月没有月度进度数据"
WITH_RETURNS = "有数据的报告期为2024年1月至2026年2月"


def _outputs(command: str, tmp_path: Path) -> list[str]:
    """Options that would make the command write a file, so a refusal can show it wrote none."""
    if command == "brief":
        return ["--format", "docx", "--out", str(tmp_path / "简报.docx")]
    if command == "deck":
        return ["--out", str(tmp_path / "汇报.pptx")]
    return []


@pytest.mark.parametrize("command", COMMANDS)
def test_a_month_without_returns_is_refused(command, tmp_path):
    code, out, err = cli(command, *DEMO, "--period", "2026-03", *_outputs(command, tmp_path))
    assert code == 1
    assert out == ""
    assert err.startswith("错误:" + NO_RETURNS) and WITH_RETURNS in err
    assert not list(tmp_path.iterdir())  # no 简报 of a month in which nothing was reported


@pytest.mark.parametrize("period", ["2027-01", "2023-12"])
def test_the_annual_report_of_a_month_without_returns_is_refused(period):
    code, out, err = cli("brief", *DEMO, "--kind", "annual", "--period", period)
    assert (code, out) == (1, "")
    assert "没有月度进度数据" in err


def test_the_months_with_returns_still_work():
    code, out, err = cli("summary", *DEMO, "--period", "2026-01")
    assert code == 0 and err == ""
    assert "截至2026年1月底" in out
    code, out, _ = cli("brief", *DEMO, "--period", "2026-02")
    assert code == 0 and "截至2月底,全市106个省重点项目累计完成投资172.6亿元" in out


def test_a_period_written_wrongly_is_refused_in_chinese():
    code, _, err = cli("summary", *DEMO, "--period", "2026年3月")
    assert code == 1 and "格式不对,应为YYYY-MM" in err


@pytest.mark.parametrize("command", COMMANDS)
def test_unknown_county_and_sector_are_refused_naming_the_valid_ones(command, tmp_path):
    demo = load_folder(DEMO_DIR)
    code, out, err = cli(command, *DEMO, "--county", "城东区", "--county", "不存在区",
                         "--sector", "乱写", *_outputs(command, tmp_path))  # fmt: skip
    assert (code, out) == (1, "")
    county_line, sector_line = err.strip().splitlines()
    assert county_line.startswith("错误:--county “不存在区”:当前数据中没有这个区县。")
    assert "城东区”" not in county_line  # only the unknown one is named as unknown
    assert f"可选的区县:{'、'.join(demo.counties)}。" in county_line
    assert sector_line.startswith("--sector “乱写”:当前数据中没有这个行业领域。")
    assert f"可选的行业领域:{'、'.join(demo.sectors)}。" in sector_line
    assert not list(tmp_path.iterdir())


def test_unknown_level_and_stage_are_refused_naming_the_valid_ones():
    code, _, err = cli("summary", *DEMO, "--level", "国重点", "--stage", "开工")
    assert code == 1
    assert (
        "--level “国重点”:当前数据中没有这个项目级别。可选的项目级别:全部、省重点、市重点。" in err
    )
    assert "可选的项目阶段:全部、储备、申报、前期、在建、竣工。" in err


def test_a_scope_without_projects_says_so_as_the_pages_do():
    code, out, err = cli("summary", *DEMO, "--county", "城东区", "--sector", "生态环保")
    assert code == 0
    assert "范围:城东区 · 生态环保 · 省重点" in out
    assert err.startswith("提示:当前筛选条件下没有项目")


def test_the_process_exits_non_zero_with_the_message():
    """As a schedule runs it: `python -m core brief` in its own process."""
    done = subprocess.run(
        [sys.executable, "-m", "core", "brief", *DEMO, "--period", "2026-03"],
        cwd=ROOT, capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
    assert done.returncode == 1
    assert done.stdout == ""
    assert done.stderr.startswith("错误:" + NO_RETURNS)


# --- Help and argparse's own messages ------------------------------------------------------------


def _helps() -> dict[str, str]:
    main_parser = parser()
    commands = next(a for a in main_parser._actions if a.dest == "command").choices
    return {"": main_parser.format_help()} | {n: p.format_help() for n, p in commands.items()}


ENGLISH = ["usage:", "options:", "optional arguments:", "positional arguments:",
           "show this help message and exit", "error:"]  # fmt: skip
# What stays in Latin letters: option values typed as they are, file formats, names of
# software and of environment variables.
TECHNICAL = {"YYYY", "MM", "DD", "YYYY-MM", "YYYY-MM-DD", "CSV", "PDF", "Word", "SQLAlchemy", "SQLite", "URL", "python",
             "core", "xls", "xlsx", "ods", "geojson", "pptx", "sqlite", "data", "briefing",
             "backups", "sub", "text", "monthly", "annual", "months", "days", "half_months", "target", "plans", "schedule", "add", "list",
             "set-role", "disable", "enable", "reset-password", "set-sso",
             "BRIEFING_DATABASE_URL", "BRIEFING_BACKUP_DIR"}  # fmt: skip


def test_help_is_wholly_chinese():
    helps = _helps()
    assert len(helps) == 20
    for name, text in helps.items():
        assert text.startswith("用法:python -m core"), name
        assert "选项:\n  -h, --help\n      显示本帮助并退出" in text, name
        for english in ENGLISH:
            assert english not in text, (name, english)
        assert not re.search(r"--[\w-]+ [A-Z_]{2,}\b", text), name  # no PERIOD, COUNTY …
        words = re.sub(r"\{[^}]*\}|(?<![\w-])--?[\w-]+", " ", text)  # options and choices
        latin = set(re.findall(r"[A-Za-z][A-Za-z0-9_-]*[A-Za-z]", words)) - set(helps)
        assert latin <= TECHNICAL, (name, latin - TECHNICAL)
    assert "位置参数:\n  命令" in helps[""]
    assert "--period 年月\n      报告期YYYY-MM" in helps["summary"]


@pytest.mark.parametrize("argv", [["--help"], ["brief", "--help"], ["deck", "-h"]])
def test_help_exits_zero(argv, capsys):
    with pytest.raises(SystemExit) as exit_:
        main(argv)
    assert exit_.value.code == 0
    assert capsys.readouterr().out.startswith("用法:")


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        ([], "python -m core:错误:缺少必需的参数:命令"),
        (["foo"], "python -m core:错误:参数命令:'foo'不是可选的值(可选:'template',"),
        (["template"], "python -m core template:错误:缺少必需的参数:输出文件"),
        (["rollback", "abc"], "python -m core rollback:错误:参数批次号:'abc'不是有效的整数"),
        (["summary", "--schedule", "weeks"],
         "python -m core summary:错误:参数--schedule:'weeks'不是可选的值(可选:'months', 'days', 'half_months', 'target', 'plans')"),
        (["summary", "--period"], "python -m core summary:错误:参数--period:需要一个值"),
        (["summary", "--bogus"], "python -m core:错误:无法识别的参数:--bogus"),
    ],
)  # fmt: skip
def test_argparse_errors_in_chinese(argv, message, capsys):
    with pytest.raises(SystemExit) as exit_:
        main(argv)
    assert exit_.value.code == 2
    err = capsys.readouterr().err
    assert err.startswith("用法:python -m core")
    assert message in err
    assert not any(english in err for english in ENGLISH)


def test_messages_of_other_argparse_versions_are_translated_too():
    assert chinese("argument --out: expected at least one argument") == "参数--out:至少需要一个值"
    assert chinese("ambiguous option: --s could match --sector, --stage") == (
        "选项--s有歧义,可能是:--sector, --stage"
    )
    assert chinese("argument 命令: invalid choice: 'x' (choose from template, export)") == (
        "参数命令:'x'不是可选的值(可选:template, export)"
    )
    assert chinese("某条中文消息") == "某条中文消息"


def test_help_lines_fit_the_columns_chinese_takes():
    text = "年度工作报告(默认为最近一个有12月数据的年度,--period指定年度)" * 2
    lines = wrap(text, 40)
    assert all(sum(2 if ord(c) > 0x2E80 else 1 for c in line) <= 42 for line in lines)
    assert "".join(lines) == text.replace(" ", "")
    assert not any(line.startswith((",", ")", ",")) for line in lines)
    assert any("--period指定" in line for line in lines)  # an option is never cut
