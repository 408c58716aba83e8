"""命令行工具 (the same core code as the app).

python -m core template OUT.xlsx        blank template with 填表说明
python -m core export OUT.xlsx [--batch N]  the data in use (or as of batch N) as a workbook
python -m core validate FILE...         exit 0 when importable, 1 with the report when not
python -m core import FILE... [--note]  check and import as one batch
python -m core history                  every batch, newest first
python -m core rollback BATCH [--note]  make an earlier batch current again
python -m core summary [filters]        the main figures for a scope
python -m core brief [filters] [--format text|docx|pdf] [--out FILE]
python -m core demo OUT_DIR [--scale N] rewrite the demo files
python -m core migrate                  bring the database's schema up to date
python -m core check-store              check the database and the snapshot, clean up
python -m core backup [--to DIR]        write a backup of the database
python -m core restore FILE             make a backup's data current again
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from core.data import datasource, demo
from core.data.portfolio import DataError, Portfolio, load_folder
from core.figures import measures as M
from core.figures import overview as O
from core.figures.periods import Convention, Period
from core.figures.scope import ALL, DEFAULT_LEVEL, Scope
from core.ingest import importing, recovery, workbook
from core.ingest.store import DATABASE_URL_SETTING, Store, StoreError


def _store(args: argparse.Namespace) -> Store:
    return Store(args.database)


def _portfolio(args: argparse.Namespace) -> Portfolio:
    if getattr(args, "data", None):
        return load_folder(args.data)
    return datasource.portfolio(datasource.current(_store(args)))


def _add_scope_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--data", type=Path, help="从CSV数据目录读取(默认:当前导入的数据,未导入时为示例数据)"
    )
    p.add_argument("--period", help="报告期YYYY-MM(默认:最新一期)")
    p.add_argument("--county", action="append", default=[], help="区县,可重复")
    p.add_argument("--sector", action="append", default=[], help="行业领域,可重复")
    p.add_argument(
        "--level", default=DEFAULT_LEVEL, help=f"项目级别(默认{DEFAULT_LEVEL};{ALL}=不限)"
    )
    p.add_argument("--stage", default=ALL, help="项目阶段(默认不限)")
    p.add_argument(
        "--schedule",
        choices=[c.value for c in Convention],
        default="months",
        help="序时进度口径:months按月,days按日",
    )


def _scope(p: Portfolio, args: argparse.Namespace) -> Scope:
    return Scope(
        period=Period.parse(args.period) if args.period else p.latest_period,
        counties=tuple(args.county),
        sectors=tuple(args.sector),
        level=None if args.level == ALL else args.level,
        stage=None if args.stage == ALL else args.stage,
    )


def _summary(args: argparse.Namespace) -> int:
    p = _portfolio(args)
    scope = _scope(p, args)
    this, _ = M.year_figures_with_last_year(p, scope, Convention(args.schedule))
    print(p.source)
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
    from core.figures import briefing
    from core.output import document

    p = _portfolio(args)
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


def _print_report(report) -> None:
    for finding in report.findings:
        print(finding.text())
    print(report.summary())


def _validate(args: argparse.Namespace) -> int:
    report = importing.check(importing.read_paths(args.files), _store(args))
    _print_report(report)
    return 0 if report.importable else 1


def _import(args: argparse.Namespace) -> int:
    store = _store(args)
    report = importing.check(importing.read_paths(args.files), store)
    _print_report(report)
    if not report.importable:
        print("未导入:数据库保持不变。", file=sys.stderr)
        return 1
    batch = importing.commit(report, store, args.note or "")
    print(f"已导入为{datasource.batch_label(batch)}。")
    return 0


def _history(args: argparse.Namespace) -> int:
    batches = _store(args).history()
    if not batches:
        print("尚未导入任何数据,当前显示示例数据。")
        return 0
    current = batches[0].id
    for b in batches:
        counts = "、".join(f"{t}{n}行" for t, n in b.row_counts.items())
        extra = f",恢复自第{b.restored_from}批" if b.restored_from else ""
        files = "、".join(b.files) or "—"
        mark = "(当前)" if b.id == current else ""
        print(
            f"第{b.id}批{mark} {b.created_at:%Y-%m-%d %H:%M} {b.kind}{extra} 文件:{files} "
            f"{counts} 备注:{b.note or '—'}"
        )
    return 0


def _rollback(args: argparse.Namespace) -> int:
    batch = _store(args).rollback(args.batch, args.note or "")
    print(f"已回滚:当前为{datasource.batch_label(batch)},数据来自第{batch.restored_from}批。")
    return 0


def _template(args: argparse.Namespace) -> int:
    args.out.write_bytes(workbook.template_bytes())
    print(args.out)
    return 0


def _export(args: argparse.Namespace) -> int:
    if args.batch is not None:  # the data as they were once that batch was made
        store = _store(args)
        tables, _ = store.tables_as_of(args.batch)
        entry = next(b for b in store.history() if b.id == args.batch)
        args.out.write_bytes(workbook.data_bytes(tables))
        print(f"{args.out}(第{args.batch}批之后的数据:{datasource.batch_label(entry)})")
        return 0
    data = datasource.current(_store(args))
    args.out.write_bytes(workbook.data_bytes(data.tables))
    print(f"{args.out}({data.source})")
    return 0


def _demo(args: argparse.Namespace) -> int:
    for path in demo.write(demo.generate(scale=args.scale), args.out):
        print(path)
    return 0


def _migrate(args: argparse.Namespace) -> int:
    before, after = Store(args.database, migrate=False).migrate()
    if before == after:
        print(f"数据库结构已是最新版本({after}),无需升级。")
    elif before is None:
        print(f"已建立数据库结构(版本{after})。")
    else:
        print(f"数据库结构已从版本{before}升级到{after}。")
    return 0


def _check_store(args: argparse.Namespace) -> int:
    ok, lines = recovery.check(args.database)
    print("\n".join(lines))
    return 0 if ok else 1


def _backup(args: argparse.Namespace) -> int:
    print(f"已备份到 {recovery.backup(args.database, args.to)}")
    return 0


def _restore(args: argparse.Namespace) -> int:
    entry = recovery.restore(args.file, args.database)
    if entry is None:
        print("已恢复:备份中没有导入的数据,各页面显示示例数据。")
    else:
        print(f"已恢复:当前为{datasource.batch_label(entry)}。")
    return 0


def parser() -> argparse.ArgumentParser:
    main = argparse.ArgumentParser(prog="python -m core", description="重大项目运行监测:命令行工具")
    main.add_argument(
        "--database",
        help=f"数据库地址(SQLAlchemy URL;默认读环境变量{DATABASE_URL_SETTING},"
        "未设置时为 data/briefing.sqlite)",
    )
    sub = main.add_subparsers(dest="command", required=True, metavar="命令")

    def command(name: str, help_text: str, run) -> argparse.ArgumentParser:
        p = sub.add_parser(name, help=help_text, description=help_text)
        p.set_defaults(run=run)
        return p

    command("template", "生成空白填报模板(含填表说明)", _template).add_argument(
        "out", type=Path, help="输出的.xlsx文件"
    )
    p = command("export", "把当前数据(或某一批次时的数据)导出为可再次导入的工作簿", _export)
    p.add_argument("out", type=Path, help="输出的.xlsx文件")
    p.add_argument("--batch", type=int, help="导出第N批导入或回滚之后当时的数据(默认:当前数据)")
    command("validate", "检查文件,可导入时退出码为0,否则为1并列出问题", _validate).add_argument(
        "files", type=Path, nargs="+", help="工作簿(.xlsx)、CSV或区县边界(.geojson)文件"
    )
    p = command("import", "检查并导入为一个批次(有错误时不导入)", _import)
    p.add_argument("files", type=Path, nargs="+", help="工作簿(.xlsx)、CSV或区县边界(.geojson)文件")
    p.add_argument("--note", help="本批次备注")
    command("history", "列出全部导入批次(最新在前)", _history)
    p = command("rollback", "把某一批次恢复为当前数据(回滚本身也记入历史)", _rollback)
    p.add_argument("batch", type=int, help="批次号")
    p.add_argument("--note", help="备注")
    _add_scope_arguments(command("summary", "输出当前范围的主要数字(与页面一致)", _summary))
    p = command("brief", "生成简报(文字、Word或PDF),无需浏览器,可定时运行", _brief)
    _add_scope_arguments(p)
    p.add_argument(
        "--format",
        choices=["text", "docx", "pdf"],
        default="text",
        help="输出格式(默认text,输出到标准输出)",
    )
    p.add_argument("--out", type=Path, help="输出文件")
    p = command("demo", "重新生成示例数据(确定性,可复现)", _demo)
    p.add_argument("out", type=Path, help="输出目录,例如 data/demo")
    p.add_argument("--scale", type=int, default=1, help="项目数倍数(基准测试用)")
    command("migrate", "把数据库结构升级到本程序的版本(打开数据库时也会自动升级)", _migrate)
    command("check-store", "检查数据库与快照文件,清理中断留下的临时文件", _check_store)
    p = command("backup", "备份数据库(备份为一个SQLite文件)", _backup)
    p.add_argument(
        "--to", type=Path, help=f"备份文件夹(默认读环境变量{recovery.BACKUPS_SETTING},"
        "未设置时为 data/backups)"
    )  # fmt: skip
    p = command("restore", "从备份恢复数据库(恢复前的数据被备份替换)", _restore)
    p.add_argument("file", type=Path, help="备份文件(.sqlite)")
    return main


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    try:
        return args.run(args)
    except StoreError as exc:
        print(f"错误:{exc.message}", file=sys.stderr)
        return 1
    except (DataError, ValueError, OSError) as exc:
        print(f"错误:{exc}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
