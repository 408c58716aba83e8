"""Command line: `python -m core demo OUT_DIR` and `python -m core summary [filters]`."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from core import demo
from core import measures as M
from core import overview as O
from core.periods import Convention, Period
from core.portfolio import DEMO_DIR, DataError, load_folder
from core.scope import ALL, DEFAULT_LEVEL, Scope


def _add_scope_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("--data", type=Path, default=DEMO_DIR, help="数据目录(默认:示例数据)")
    p.add_argument("--period", help="报告期YYYY-MM(默认:最新一期)")
    p.add_argument("--county", action="append", default=[], help="区县,可重复")
    p.add_argument("--sector", action="append", default=[], help="行业领域,可重复")
    p.add_argument(
        "--level", default=DEFAULT_LEVEL, help=f"项目级别(默认{DEFAULT_LEVEL};{ALL}=不限)"
    )
    p.add_argument("--stage", default=ALL, help="项目阶段(默认不限)")
    p.add_argument("--schedule", choices=[c.value for c in Convention], default="months",
                   help="序时进度口径:months按月,days按日")  # fmt: skip


def _scope(p, args: argparse.Namespace) -> Scope:
    return Scope(
        period=Period.parse(args.period) if args.period else p.latest_period,
        counties=tuple(args.county),
        sectors=tuple(args.sector),
        level=None if args.level == ALL else args.level,
        stage=None if args.stage == ALL else args.stage,
    )


def _summary(args: argparse.Namespace) -> int:
    p = load_folder(args.data)
    scope = _scope(p, args)
    conv = Convention(args.schedule)
    this, _ = M.year_figures_with_last_year(p, scope, conv)
    print(scope.sentence())
    for sentence in (
        O.pipeline_sentence(M.pipeline(p, scope), scope),
        O.construction_sentence(this, scope),
        O.funding_sentence(M.funding_by_channel(p, scope), scope),
    ):
        if sentence:
            print(sentence)
    if not this.count:
        print("当前范围内本年没有安排年度计划投资的项目。")
    return 0


def _brief(args: argparse.Namespace) -> int:
    from core import briefing, document

    p = load_folder(args.data)
    scope = _scope(p, args)
    conv = Convention(args.schedule)
    text = briefing.write(p, scope, conv).text()
    if args.format == "text":
        if args.out:
            args.out.write_text(text + "\n", encoding="utf-8")
        else:
            print(text)
        return 0
    data = document.docx_bytes(p, scope, conv, text)
    if args.format == "pdf":
        if not document.office_binary():
            print(
                "错误:未安装LibreOffice(soffice),无法生成PDF;可改用 --format docx", file=sys.stderr
            )
            return 1
        data = document.pdf_bytes(data)
    out = args.out or Path(f"简报_{scope.file_label()}_{scope.period.label}.{args.format}")
    out.write_bytes(data)
    print(out)
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m core", description="重大项目运行监测:命令行工具"
    )
    sub = parser.add_subparsers(dest="command", required=True)
    d = sub.add_parser("demo", help="重新生成示例数据(确定性,可复现)")
    d.add_argument("out", type=Path, help="输出目录,例如 data/demo")
    d.add_argument("--scale", type=int, default=1, help="项目数倍数(基准测试用)")
    s = sub.add_parser("summary", help="输出当前范围的主要数字(与页面一致)")
    _add_scope_arguments(s)
    b = sub.add_parser("brief", help="生成简报(文字、Word或PDF),无需浏览器,可定时运行")
    _add_scope_arguments(b)
    b.add_argument(
        "--format",
        choices=["text", "docx", "pdf"],
        default="text",
        help="输出格式(默认text,输出到标准输出)",
    )
    b.add_argument("--out", type=Path, help="输出文件")
    args = parser.parse_args(argv)
    try:
        if args.command == "demo":
            for path in demo.write(demo.generate(scale=args.scale), args.out):
                print(path)
            return 0
        if args.command == "brief":
            return _brief(args)
        return _summary(args)
    except (DataError, ValueError) as exc:
        print(f"错误:{exc}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
