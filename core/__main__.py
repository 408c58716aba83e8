"""命令行工具 (the same core code as the app).

python -m core template OUT.xlsx        blank template with 填表说明
python -m core export OUT.xlsx [--batch N]  the data in use (or as of batch N) as a workbook
python -m core validate FILE...         exit 0 when it has no error, 1 with the report when it has
python -m core import FILE... [--note]  check and import as one batch; a ledger is read by its
    saved or recognised layout, --period/--level/--map "表头=字段"/--section settle the rest
python -m core layouts [--rename A B | --delete A]   saved ledger layouts
python -m core withdraw CODE... --period YYYY-MM     withdraw projects (调出), recorded
python -m core history                  every batch, newest first
python -m core rollback BATCH [--note]  make an earlier batch current again
python -m core summary [filters]        the main figures for a scope
python -m core brief [filters] [--kind monthly|annual] [--format text|docx|pdf] [--out FILE]
python -m core deck [--agenda NAME | filters] [--out FILE.pptx]
python -m core collection [filters]    报送情况: each county's returns, the late, the missing
python -m core demo OUT_DIR [--scale N] rewrite the demo files
python -m core migrate                  bring the database's schema up to date
python -m core check-store              check the database and the snapshot, clean up
python -m core backup [--to DIR]        write a backup of the database
python -m core restore FILE             make a backup's data current again
python -m core user add|list|set-role|disable|enable|reset-password|set-sso   accounts
python -m core audit [--user U] [--action A] [--since YYYY-MM-DD]   the audit trail

The commands act as an admin, recorded in the history and the audit trail as the shell's
user@host (core.policy.roles.cli_actor): whoever can run them can open the database anyway.
"""

from __future__ import annotations

import argparse
import getpass
import re
import sys
import unicodedata
from dataclasses import replace
from datetime import datetime, timedelta
from pathlib import Path

from core.access.users import Users
from core.base import schema as S
from core.base.periods import Convention, Period
from core.figures import measures as M
from core.figures import overview as O
from core.figures.scope import ALL, DEFAULT_LEVEL, Scope, default_level
from core.ingest import importing, layouts, workbook
from core.ingest.layouts import Layouts
from core.policy import roles
from core.store import audit, datasource, demo, recovery
from core.store.portfolio import DataError, Portfolio, load_folder
from core.store.versions import DATABASE_URL_SETTING, Store, StoreError


def _store(args: argparse.Namespace) -> Store:
    return Store(args.database)


def _portfolio(args: argparse.Namespace) -> Portfolio:
    if getattr(args, "data", None):
        return load_folder(args.data)
    store = _store(args)
    p = datasource.portfolio(datasource.current(store))
    return datasource.with_month_plans(p, datasource.month_plans_in_force(store))


def _add_scope_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--data", type=Path, help="从CSV数据目录读取(默认:当前导入的数据,未导入时为示例数据)"
    )
    p.add_argument("--period", help="报告期YYYY-MM(默认:最新一期)")
    p.add_argument("--county", action="append", default=[], help="区县,可重复")
    p.add_argument("--sector", action="append", default=[], help="行业领域,可重复")
    p.add_argument(
        "--level",
        help=f"项目级别(默认:示例数据为{DEFAULT_LEVEL},自有数据为全部;{ALL}=不限)",
    )
    p.add_argument("--stage", default=ALL, help="项目阶段(默认不限)")
    p.add_argument(
        "--schedule",
        choices=[c.value for c in Convention],
        default=None,
        help="序时进度口径(默认:设置文件[schedule]的口径):months按月,days按日,"
        "half_months按半月,target按年度目标,plans按项目月度计划(数据中有月度计划时;"
        "没有月度计划的项目按设置文件规定的口径)",
    )


def _convention(args: argparse.Namespace) -> Convention:
    """The 序时进度 rule asked for, else the office's own ([schedule] in its settings)."""
    return Convention(args.schedule) if args.schedule else Convention.default()


def _add_import_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("files", type=Path, nargs="+",
                   help="台账或模板工作簿(.xlsx/.xls/.ods等)、CSV或区县边界(.geojson)文件")  # fmt: skip
    p.add_argument("--period", help="台账的报告期YYYY-MM(标题和表头没有写明时必填)")
    p.add_argument("--level", help="台账没有写明时全部项目的项目级别,如市重点")
    p.add_argument("--sector", help="台账没有写明时的行业领域")
    p.add_argument("--stage", help="台账没有写明时的项目阶段")
    p.add_argument("--county", help="台账没有写明时的所在区县")
    p.add_argument("--map", action="append", metavar="表头=字段",
                   help='指定某列对应的字段,表头可写列字母,如 --map "G=不导入",可重复')  # fmt: skip
    p.add_argument("--section", action="append", metavar="级=含义",
                   help='指定分组行的含义,如 --section "1=所在区县",可重复')  # fmt: skip
    p.add_argument("--layout", help="使用这个名称的已保存台账格式(默认按表头自动匹配)")
    p.add_argument("--layout-name", help="保存台账格式时使用的名称")


def _periods_text(periods: list[Period]) -> str:
    """The months with returns in words: 2024年1月至2026年2月 when they run without a gap."""
    ordered = sorted(periods)
    first, last = ordered[0], ordered[-1]
    span = (last.year - first.year) * 12 + last.month - first.month + 1
    if len(ordered) == span and len(ordered) > 2:
        return f"{first.label}至{last.label}"
    return "、".join(x.label for x in ordered)


def _refusals(p: Portfolio, args: argparse.Namespace) -> list[str]:
    """What the pages would not show for these options: a month without returns (the 报告期
    filter offers only months with returns) and names the data do not have (a link's unknown
    county falls back with a notice there; a command that would write a report refuses)."""
    problems = []
    if not p.has_returns:  # a project list alone: nothing to report on (the pages say so too)
        return [
            "当前数据只有项目清单,尚未导入月度进度,不能按报告期统计或生成报告。"
            "请先导入月度进度(或本办台账)后再运行。"
        ]
    if args.period:
        period = Period.parse(args.period)
        periods = p.periods()
        if period not in periods:
            problems.append(
                f"报告期{period.label}没有月度进度数据(尚无项目报送),不能按此报告期统计。"
                + (f"有数据的报告期为{_periods_text(periods)},请用 --period 选择其中一个。"
                   if periods else "当前数据中还没有任何月度进度数据。")
            )  # fmt: skip
    for option, label, given, allowed in (
        ("--county", "区县", args.county, p.counties),
        ("--sector", "行业领域", args.sector, p.sectors),
        ("--level", "项目级别", [args.level] if args.level else [], [ALL, *p.levels]),
        ("--stage", "项目阶段", [args.stage] if args.stage else [], [ALL, *S.STAGES]),
    ):
        unknown = [x for x in dict.fromkeys(given) if x not in allowed]
        if unknown:
            names = "、".join(f"“{x}”" for x in unknown)
            problems.append(
                f"{option} {names}:当前数据中没有这个{label}。可选的{label}:{'、'.join(allowed)}。"
            )
    asked = getattr(args, "schedule", None)
    if asked and Convention(asked) not in Convention.offered(M.has_month_plans(p)):
        problems.append(
            "--schedule plans:当前数据中没有项目月度计划,不能按月度计划计算序时进度。"
            "可在台账中填写“1月计划”…“12月计划”列后导入,或改用其他口径。"
        )
    return problems


def _scope(p: Portfolio, args: argparse.Namespace) -> Scope:
    """The scope of summary, brief and deck; a ValueError naming every refusal (exit 1) when
    an option asks for what the data do not have."""
    problems = _refusals(p, args)
    if problems:
        raise ValueError("\n".join(problems))
    scope = Scope(
        period=Period.parse(args.period) if args.period else p.latest_period,
        counties=tuple(args.county),
        sectors=tuple(args.sector),
        level=default_level(p.is_demo)
        if args.level is None
        else (None if args.level == ALL else args.level),
        opening_level=default_level(p.is_demo),
        stage=None if args.stage == ALL else args.stage,
    )
    if not scope.mask(p.projects).any():  # the pages' notice, on the error stream
        print(f"提示:当前筛选条件下没有项目({scope.sentence()})。", file=sys.stderr)
    return scope


def _summary(args: argparse.Namespace) -> int:
    p = _portfolio(args)
    scope = _scope(p, args)
    this, _ = M.year_figures_with_last_year(p, scope, _convention(args))
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
    import datetime as dt

    from core.figures import annual, briefing
    from core.output import document

    p = _portfolio(args)
    scope = _scope(p, args)
    conv = _convention(args)
    if args.kind == "annual":
        # The year-end of the latest year by default; --period names the year (and its month).
        year = Period.parse(args.period).year if args.period else None
        report = annual.write(p, scope, conv, year)
        scope = replace(scope, period=annual.report_period(p, year))
        name = "年度工作报告"
    else:
        report = briefing.write(p, scope, conv)
        name = "简报"
    text = report.text()
    if args.format == "text":
        if args.out:
            args.out.write_text(text + "\n", encoding="utf-8")
        else:
            print(text)
        return 0
    # The 简报's 第N期 is taken from the office's database (core.store.numbers).
    data = document.docx_bytes(p, scope, conv, text, annual=args.kind == "annual",
                               store=_store(args), day=dt.date.today())  # fmt: skip
    if args.format == "pdf":
        if not document.office_binary():
            print(
                "错误:未安装LibreOffice(soffice),无法生成PDF;可改用 --format docx", file=sys.stderr
            )
            return 1
        data = document.pdf_bytes(data)
    out = args.out or Path(f"{name}_{scope.file_label()}_{scope.period.label}.{args.format}")
    out.write_bytes(data)
    print(out)
    return 0


def _deck(args: argparse.Namespace) -> int:
    from core.output import agenda as A
    from core.output import deck

    p = _portfolio(args)
    scope = _scope(p, args)
    if args.agenda:
        agenda = A.Agendas(_store(args)).get(args.agenda)
        if agenda is None:
            names = "、".join(A.Agendas(_store(args)).names()) or "无"
            print(f"错误:没有名为“{args.agenda}”的会议议程(已保存:{names})", file=sys.stderr)
            return 1
        problems = A.check(agenda, p.counties, p.sectors)
        if problems:
            print("错误:" + "".join(problems), file=sys.stderr)
            return 1
    else:
        agenda = deck.every_page(scope)
    store = None if getattr(args, "data", None) else _store(args)  # a project's photos
    data = deck.pptx_bytes(p, agenda, scope.period, _convention(args), store)
    out = args.out or Path(f"{agenda.name}_{scope.period.label}.pptx")
    out.write_bytes(data)
    print(out)
    return 0


def _collection(args: argparse.Namespace) -> int:
    """报送情况: each county's returns for the period, the late ones, the missing projects. The
    month after the newest returns (the one being collected) is allowed too."""
    from core.figures import collection as C

    p = _portfolio(args)
    asked = argparse.Namespace(**vars(args))
    period = Period.parse(args.period) if args.period else p.latest_period
    if p.periods() and period == p.periods()[0].shift(1):
        asked.period = None  # no return yet is what this month may look like
    scope = replace(_scope(p, asked), period=period)
    store = None if args.data else _store(args)
    record = None
    if store is not None and datasource.store_version(p.version) is not None:
        record = C.upload_record(store, period)
    c = C.collection(p, scope, record)
    print(p.source)
    print(scope.sentence())
    print(C.deadline_sentence(period))
    print(c.sentence())
    if c.counties.empty:
        return 0
    shown = c.counties.drop(columns=[C.LATE])
    print("\t".join(shown.columns))
    for row in shown.itertuples(index=False):
        print("\t".join(str(v) for v in row))
    if len(c.missing):
        print("未报送项目:")
        for r in c.missing.to_dict("records"):
            print(f"{r[S.COUNTY]}\t{r[S.CODE]}\t{r[S.NAME]}\t最近报送:{r[C.LAST_RETURN]}")
    return 0


def _print_report(report) -> None:
    for line in report.lines():
        print(line.text())
    print(report.summary())
    if report.changes is not None:
        print(report.changes.summary())
    for column, values in report.new_categories.items():
        print(f"将加入{column}类别:{'、'.join(values)}")


def _upload(args: argparse.Namespace, store: Store) -> importing.Upload | None:
    """The files read, every ledger's layout settled by the options; None (after saying what
    is undecided) when a ledger still needs a person's choice."""
    upload = importing.inspect(importing.read_paths(args.files), store)
    choices = dict(_pairs(args.map, "--map"))
    choices |= {f"第{k}级": v for k, v in _pairs(args.section, "--section")}
    choices |= {column: value for column, value in ((S.LEVEL, args.level), (S.SECTOR, args.sector),
                (S.STAGE, args.stage), (S.COUNTY, args.county)) if value}  # fmt: skip
    period = Period.parse(args.period) if args.period else None
    named = Layouts(store).named(args.layout) if args.layout else None
    if args.layout and named is None:
        raise ValueError(f"没有名为“{args.layout}”的台账格式")
    for i, plan in enumerate(upload.plans):
        base = layouts.merged(named, plan.layout) if named else plan.layout
        mine = {k: v for k, v in choices.items()
                if k in layouts.DEFAULT_COLUMNS or k.startswith("第")
                or layouts.find_column(plan.ledger, k)}  # fmt: skip
        layout = layouts.with_choices(base, plan.ledger, mine)
        if args.layout_name:
            layout = replace(layout, name=args.layout_name)
        upload = importing.with_plan(upload, i, layout=layout, period=period)
    unknown = [k for k in _pairs(args.map, "--map") if not any(
        layouts.find_column(p.ledger, k[0]) for p in upload.plans)]  # fmt: skip
    if unknown:
        raise ValueError(f"台账中没有这些列:{'、'.join(k for k, _ in unknown)}")
    undecided = upload.unsettled()
    if undecided:
        print("无法自动确定以下内容,未导入:", file=sys.stderr)
        for text in undecided:
            print(f"  {text}", file=sys.stderr)
        print('请用 --period YYYY-MM、--level 级别、--map "表头=字段"(或 "G=不导入")、'
              '--section "1=所在区县" 指定后重试。', file=sys.stderr)  # fmt: skip
        return None
    for plan in upload.plans:
        source = "已保存的台账格式" if plan.saved else "自动识别"
        print(f"{plan.ledger.name}:按{source}“{plan.layout.name}”读取,报告期{plan.period.label}")
    return upload


def _pairs(values: list[str] | None, option: str) -> list[tuple[str, str]]:
    out = []
    for text in values or []:
        what, sep, value = text.partition("=")
        if not sep or not what.strip() or not value.strip():
            raise ValueError(f'{option}的写法应为“表头=字段”,例如 {option} "G=不导入"')
        out.append((what.strip(), value.strip()))
    return out


def _validate(args: argparse.Namespace) -> int:
    store = _store(args)
    upload = _upload(args, store)
    if upload is None:
        return 1
    report = importing.check(upload, store)
    _print_report(report)
    return 0 if report.valid else 1


def _import(args: argparse.Namespace) -> int:
    store = _store(args)
    upload = _upload(args, store)
    if upload is None:
        return 1
    report = importing.check(upload, store)
    _print_report(report)
    if not report.importable:
        print("未导入:数据库保持不变。", file=sys.stderr)
        return 1
    batch = importing.commit(report, store, args.note or "", actor=roles.cli_actor())
    print(f"已导入为{datasource.batch_label(batch)}。")
    return 0


def _layouts(args: argparse.Namespace) -> int:
    saved = Layouts(_store(args))
    if args.rename:
        saved.rename(*args.rename, actor=roles.cli_actor())
        print(f"已改名为“{args.rename[1]}”。")
    elif args.delete:
        saved.delete(args.delete, actor=roles.cli_actor())
        print(f"已删除“{args.delete}”。")
    else:
        found = saved.all()
        if not found:
            print("还没有保存的台账格式。")
        for layout, when in found:
            fields = "、".join(v for v in layout.fields.values() if v != "不导入")
            print(f"{layout.name}(保存于{when:%Y-%m-%d %H:%M}):{fields}")
    return 0


def _withdraw(args: argparse.Namespace) -> int:
    batch = importing.withdraw(_store(args), args.codes, Period.parse(args.period),
                               args.note or "", actor=roles.cli_actor())  # fmt: skip
    print(f"已调出,记为{datasource.batch_label(batch)}。")
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
        who = f"{b.user}({b.role})" if b.user else audit.NOBODY
        print(
            f"第{b.id}批{mark} {b.created_at:%Y-%m-%d %H:%M} {b.kind}{extra} 操作人:{who} "
            f"文件:{files} {counts} 备注:{b.note or '—'}"
        )
    return 0


def _rollback(args: argparse.Namespace) -> int:
    batch = _store(args).rollback(args.batch, args.note or "", actor=roles.cli_actor())
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
    print(f"已备份到 {recovery.backup(args.database, args.to, actor=roles.cli_actor())}")
    return 0


def _restore(args: argparse.Namespace) -> int:
    entry = recovery.restore(args.file, args.database, actor=roles.cli_actor())
    if entry is None:
        print("已恢复:备份中没有导入的数据,各页面显示示例数据。")
    else:
        print(f"已恢复:当前为{datasource.batch_label(entry)}。")
    return 0


def _password(args: argparse.Namespace) -> str:
    """The new password: one line of standard input with --password-stdin (scripts), else asked
    twice without echo. Never an argument: it would stay in the shell's history."""
    if args.password_stdin:
        return sys.stdin.readline().rstrip("\r\n")
    first = getpass.getpass("新密码:")
    if getpass.getpass("再输入一次:") != first:
        raise ValueError("两次输入的密码不一致")
    return first


def _user(args: argparse.Namespace) -> int:
    users = Users(_store(args))
    actor = roles.cli_actor()
    counties = tuple(args.county or ())
    if args.action == "list":
        found = users.all()
        if not found:
            print("还没有账户。添加第一位管理员:python -m core user add 账户名 --role 管理员")
        for u in found:
            state = "已停用" if u.disabled else ("已锁定" if u.locked(datetime.now()) else "正常")
            sso = "、".join(x for x in (u.email, u.subject) if x)
            print(f"{u.username} {u.display_name or ''} {u.role.value}"
                  + (f"({'、'.join(u.counties)})" if u.counties else "")
                  + f" {state} 密码:{'已设' if u.has_password else '无'}"
                  + (f" 单点登录:{sso}" if sso else "")
                  + (f" 最近登录:{u.last_sign_in:%Y-%m-%d %H:%M}" if u.last_sign_in else ""))  # fmt: skip
        return 0
    if not args.username:
        raise ValueError("请写出账户名")
    if args.action == "add":
        wants_password = args.password_stdin or not (args.email or args.subject)
        user = users.add(actor, args.username, args.role or roles.Role.VIEWER,
                         password=_password(args) if wants_password else None,
                         counties=counties, email=args.email or "", subject=args.subject or "",
                         display_name=args.name or "")  # fmt: skip
        print(f"已添加账户“{user.username}”({user.role.value})。")
    elif args.action == "set-role":
        if not args.role:
            raise ValueError("请用 --role 指定角色:查看、区县填报或管理员")
        user = users.set_role(actor, args.username, args.role, counties)
        print(
            f"“{user.username}”现为{user.role.value}"
            + (f"({'、'.join(user.counties)})" if user.counties else "")
            + "。"
        )
    elif args.action == "disable":
        users.disable(actor, args.username)
        print(f"已停用“{args.username}”。")
    elif args.action == "enable":
        users.enable(actor, args.username)
        print(f"已启用“{args.username}”。")
    elif args.action == "reset-password":
        users.reset_password(actor, args.username, _password(args))
        print(f"已重设“{args.username}”的密码,并解除锁定。")
    elif args.action == "set-sso":
        users.set_sso(actor, args.username, email=args.email or "", subject=args.subject or "")
        print(f"已设置“{args.username}”的单点登录信息。")
    return 0


def _audit(args: argparse.Namespace) -> int:
    since = datetime.strptime(args.since, "%Y-%m-%d") if args.since else None
    until = datetime.strptime(args.until, "%Y-%m-%d") + timedelta(days=1) if args.until else None
    found = audit.entries(_store(args), audit.Filter(args.user, args.action, since, until, args.text),
                          limit=args.limit)  # fmt: skip
    if args.csv:
        from core.base import cells

        args.csv.write_bytes(cells.csv_bytes(audit.frame(found)))
        print(f"{args.csv}({len(found)}条)")
        return 0
    if not found:
        print("没有符合条件的操作记录。")
    for entry in found:
        print(audit.line(entry))
    return 0


# --- argparse in Chinese ----------------------------------------------------------------------

# Placeholders of the options' values in the help, by the option's dest (argparse would print
# the dest in capitals: --period PERIOD).
METAVARS = {
    "database": "数据库地址", "data": "目录", "period": "年月", "county": "区县",
    "sector": "行业领域", "level": "级别", "stage": "阶段", "files": "文件", "out": "输出文件",
    "batch": "批次号", "layout": "格式名称", "layout_name": "格式名称", "codes": "项目代码",
    "note": "备注", "agenda": "议程名称", "scale": "倍数", "to": "文件夹", "file": "备份文件",
    "username": "账户名", "name": "姓名", "email": "邮箱", "subject": "标识", "user": "账户",
    "since": "日期", "until": "日期", "text": "文字", "limit": "条数", "csv": "文件",
    "action": "操作",
}  # fmt: skip
_TYPES = {"int": "整数", "float": "数字"}
# argparse's messages (Python 3.11–3.13) as it formats them, and the same in Chinese: the
# gettext catalogue argparse lacks, matched on the formatted text. {m} is translated again.
_MESSAGES = (
    (r"argument (?P<a>.+?): (?P<m>.+)", "参数{a}:{m}"),
    (r"the following arguments are required: (?P<a>.+)", "缺少必需的参数:{a}"),
    (r"unrecognized arguments: (?P<a>.+)", "无法识别的参数:{a}"),
    (r"invalid choice: (?P<v>.+?) \(choose from (?P<c>.+)\)", "{v}不是可选的值(可选:{c})"),
    (r"invalid (?P<t>\w+) value: (?P<v>.+)", "{v}不是有效的{t}"),
    (r"expected one argument", "需要一个值"),
    (r"expected at most one argument", "最多只能有一个值"),
    (r"expected at least one argument", "至少需要一个值"),
    (r"expected (?P<n>\d+) arguments?", "需要{n}个值"),
    (r"not allowed with argument (?P<a>.+)", "不能与参数{a}同时使用"),
    (r"ignored explicit argument (?P<v>.+)", "不接受值{v}"),
    (r"ambiguous option: (?P<o>.+?) could match (?P<m2>.+)", "选项{o}有歧义,可能是:{m2}"),
    (r"one of the arguments (?P<a>.+) is required", "必须给出参数{a}中的一个"),
    (r"unknown parser (?P<v>.+?) \(choices: (?P<c>.+)\)", "没有命令{v}(可选:{c})"),
    (r"can't open '(?P<f>.+)': (?P<e>.+)", "无法打开“{f}”:{e}"),
    (r"unexpected option string: (?P<o>.+)", "意外的选项:{o}"),
)


def chinese(message: str) -> str:
    """An argparse message in Chinese (unchanged when it is not one of argparse's)."""
    for pattern, template in _MESSAGES:
        found = re.fullmatch(pattern, message, flags=re.S)
        if found:
            parts = found.groupdict()
            if "m" in parts:
                parts["m"] = chinese(parts["m"])
            if "t" in parts:
                parts["t"] = _TYPES.get(parts["t"], "值")
            return template.format(**parts)
    return message


def _width(text: str) -> int:
    """Columns a terminal gives the text: two for a Chinese character or full-width sign."""
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


_NO_LINE_START = set(",.;:!?)]}、,。;:!?)】》”’")  # closing signs stay on the line before


def wrap(text: str, width: int) -> list[str]:
    """Lines of at most `width` columns, Chinese counted double; a run of ASCII letters and
    digits (an option, a file name, a number) is never split, nor a closing sign carried to the
    start of a line."""
    lines, line = [], ""
    for token in re.findall(r"[\w\-/=@{}\[\]\"'.]+|\s+|.", " ".join(text.split()), flags=re.A):
        if line and _width(line + token) > width and token not in _NO_LINE_START:
            lines.append(line.rstrip())
            line = "" if token.isspace() else token
        else:
            line += token
    if line.strip():
        lines.append(line.rstrip())
    return lines


class ChineseHelpFormatter(argparse.HelpFormatter):
    """用法: instead of usage:, Chinese placeholders for option values, and each option's help
    on the lines below it, wrapped by the columns Chinese takes (argparse counts characters,
    so columns beside Chinese placeholders would not line up)."""

    def __init__(self, prog: str, indent_increment: int = 2, max_help_position: int = 6,
                 width: int | None = None, **kwargs) -> None:  # fmt: skip
        super().__init__(prog, indent_increment, max_help_position, width, **kwargs)

    def _split_lines(self, text: str, width: int) -> list[str]:
        return wrap(text, width)

    def _fill_text(self, text: str, width: int, indent: str) -> str:
        return "\n".join(indent + line for line in wrap(text, width - len(indent)))

    def add_usage(self, usage, actions, groups, prefix=None) -> None:
        super().add_usage(usage, actions, groups, "用法:" if prefix is None else prefix)

    def _get_default_metavar_for_optional(self, action: argparse.Action) -> str:
        return METAVARS.get(action.dest, "值")

    def _get_default_metavar_for_positional(self, action: argparse.Action) -> str:
        return METAVARS.get(action.dest, "值")


class ChineseArgumentParser(argparse.ArgumentParser):
    """An ArgumentParser whose help and errors are wholly in Chinese: section titles, the
    -h option, usage and every error message (its subcommands' parsers are of this class)."""

    def __init__(self, *args, **kwargs) -> None:
        kwargs.setdefault("formatter_class", ChineseHelpFormatter)
        add_help = kwargs.pop("add_help", True)
        super().__init__(*args, add_help=False, **kwargs)
        self._positionals.title = "位置参数"
        self._optionals.title = "选项"
        if add_help:
            self.add_argument(
                "-h", "--help", action="help", default=argparse.SUPPRESS, help="显示本帮助并退出"
            )

    def add_argument(self, *args, **kwargs) -> argparse.Action:
        # A positional is named by its metavar in usage and errors ("缺少必需的参数:输出文件").
        positional = args and not args[0].startswith(tuple(self.prefix_chars))
        if positional and "metavar" not in kwargs:
            kwargs["metavar"] = METAVARS.get(kwargs.get("dest", args[0]), "值")
        return super().add_argument(*args, **kwargs)

    def error(self, message: str):
        self.print_usage(sys.stderr)
        self.exit(2, f"{self.prog}:错误:{chinese(message)}\n")


def parser() -> argparse.ArgumentParser:
    main = ChineseArgumentParser(prog="python -m core", description="重大项目运行监测:命令行工具")
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
    for name, text, run in (("validate", "检查文件,可导入时退出码为0,否则为1并列出问题", _validate),
                            ("import", "检查并导入为一个批次(有错误时不导入)", _import)):  # fmt: skip
        p = command(name, text, run)
        _add_import_arguments(p)
        if name == "import":
            p.add_argument("--note", help="本批次备注")
    p = command("layouts", "列出、改名或删除已保存的台账格式", _layouts)
    p.add_argument("--rename", nargs=2, metavar=("原名称", "新名称"), help="改名")
    p.add_argument("--delete", metavar="名称", help="删除")
    p = command("withdraw", "调出项目:自某月起不再统计(记入导入历史)", _withdraw)
    p.add_argument("codes", nargs="+", help="项目代码")
    p.add_argument("--period", required=True, help="自哪个月起,YYYY-MM")
    p.add_argument("--note", help="调出原因")
    command("history", "列出全部导入批次(最新在前)", _history)
    p = command("rollback", "把某一批次恢复为当前数据(回滚本身也记入历史)", _rollback)
    p.add_argument("batch", type=int, help="批次号")
    p.add_argument("--note", help="备注")
    _add_scope_arguments(command("summary", "输出当前范围的主要数字(与页面一致)", _summary))
    p = command("brief", "生成简报或年度工作报告(文字、Word或PDF),无需浏览器,可定时运行", _brief)
    _add_scope_arguments(p)
    p.add_argument(
        "--kind",
        choices=["monthly", "annual"],
        default="monthly",
        help="monthly月度简报(默认);annual年度工作报告(默认为最近一个有12月数据的年度,"
        "--period指定年度)",
    )
    p.add_argument(
        "--format",
        choices=["text", "docx", "pdf"],
        default="text",
        help="输出格式(默认text,输出到标准输出)",
    )
    p.add_argument("--out", type=Path, help="输出文件")
    p = command("collection", "报送情况:各区县应报、已报、未报项目,逾期区县和未报送项目清单",
                _collection)  # fmt: skip
    _add_scope_arguments(p)
    p = command("deck", "生成汇报幻灯片(.pptx,16:9):按会议议程,或按筛选条件生成全部页面", _deck)
    _add_scope_arguments(p)
    p.add_argument("--agenda", help="会议议程名称(在“会议议程”页保存的)")
    p.add_argument("--out", type=Path, help="输出的.pptx文件")
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
    p = command("restore", "从备份恢复数据库(恢复前的数据被备份替换;账户和操作记录保留)", _restore)
    p.add_argument("file", type=Path, help="备份文件(.sqlite)")
    p = command("user", "管理账户:add添加、list列出、set-role改角色、disable停用、enable启用、"
                "reset-password重设密码、set-sso设置单点登录邮箱", _user)  # fmt: skip
    p.add_argument("action", choices=["add", "list", "set-role", "disable", "enable",
                                      "reset-password", "set-sso"],
                   help="add、list、set-role、disable、enable、reset-password、set-sso之一")  # fmt: skip
    p.add_argument("username", nargs="?", help="账户名")
    p.add_argument("--role", choices=[r.value for r in roles.Role], help="角色")
    p.add_argument("--county", action="append", help="区县填报账户的区县,可重复")
    p.add_argument("--name", help="姓名(显示用)")
    p.add_argument("--email", help="单点登录的邮箱(按它匹配账户)")
    p.add_argument("--subject", help="单点登录的用户标识sub(按它匹配账户)")
    p.add_argument("--password-stdin", action="store_true",
                   help="从标准输入读一行作为密码(脚本用);默认在终端输入两次")  # fmt: skip
    p = command("audit", "列出操作记录(最新在前),或导出为CSV", _audit)
    p.add_argument("--user", help="只看这个账户")
    p.add_argument("--action", choices=list(audit.ACTIONS), help="只看这种操作")
    p.add_argument("--since", help="自这一天起,YYYY-MM-DD")
    p.add_argument("--until", help="到这一天止,YYYY-MM-DD")
    p.add_argument("--text", help="对象或详情中含这些字")
    p.add_argument("--limit", type=int, help="最多列出多少条")
    p.add_argument("--csv", type=Path, help="写入CSV文件而不是显示")
    return main


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    try:
        return args.run(args)
    except (StoreError, roles.Refused) as exc:
        print(f"错误:{exc.message}", file=sys.stderr)
        return 1
    except (DataError, ValueError, OSError) as exc:
        print(f"错误:{exc}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
