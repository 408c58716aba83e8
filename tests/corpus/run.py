"""Import each ledger of the corpus into a new store as an office would, unattended, and compare
every figure with the file's truth.

Unattended: the product reads the file and decides everything itself; the only question it may
ask is the projects' level (项目级别), which a file rarely states, and that one is answered with
市重点. `python -m tests.corpus.run` prints one line per case and the shares.
"""

from __future__ import annotations

import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from core.base import schema as S
from core.base.periods import Period
from core.ingest import importing, layouts
from core.ingest.findings import ERROR
from core.policy.roles import Actor, Role
from core.store import datasource
from core.store.versions import Store
from tests.corpus.layouts import Case, Truth

ADMIN = Actor("corpus", Role.ADMIN, ())
LEVEL_ANSWER = "市重点"
ROUNDING = 0.011  # 万元 per project: the truth is summed from the values written


@dataclass
class Outcome:
    case: str
    imported: bool = False
    questions: list[str] = field(default_factory=list)  # asked beyond the level
    errors: list[str] = field(default_factory=list)
    projects: int | None = None
    differences: list[str] = field(default_factory=list)  # figure: got vs truth

    @property
    def exact(self) -> bool:
        return self.imported and not self.questions and not self.differences

    def line(self) -> str:
        state = "exact" if self.exact else ("imported" if self.imported else "refused")
        why = "; ".join(self.questions[:2] + self.errors[:2] + self.differences[:3])
        return f"{self.case:42s} {state:9s} {why[:300]}"


def import_unattended(name: str, content: bytes, folder: Path) -> tuple[Outcome, Store | None]:
    out = Outcome(name)
    store = Store(f"sqlite:///{folder / 'corpus.sqlite'}")
    upload = importing.inspect([(name, content)], store)
    for i, plan in enumerate(upload.plans):
        asked = plan.unsettled()
        level = [q for q in asked if q.startswith("项目级别")]
        if level:
            upload = importing.with_plan(
                upload, i, layout=layouts.with_default(plan.layout, S.LEVEL, LEVEL_ANSWER)
            )
        out.questions += [q for q in asked if not q.startswith("项目级别")]
    report = importing.check(upload, store, actor=ADMIN)
    out.errors = [f.text() for f in report.findings if f.level == ERROR]
    if report.importable and not out.questions:
        importing.commit(report, store, actor=ADMIN)
        out.imported = True
        return out, store
    return out, None


def compare(out: Outcome, store: Store, period: str, truth: Truth) -> None:
    p = datasource.load(store)
    projects = p.projects
    out.projects = len(projects)
    diffs = out.differences
    if len(projects) != truth.projects:
        diffs.append(f"projects {len(projects)} vs {truth.projects}")
    month = Period.parse(period)

    def check(label: str, got: float, want: float | None, n: int) -> None:
        if want is not None and abs(got - want) > ROUNDING * max(n, 1):
            diffs.append(f"{label} {got:.2f} vs {want:.2f}")

    total = projects[S.TOTAL_INVESTMENT].astype(float).sum()
    check("total", total, truth.total_investment, truth.projects)
    plans = p.plans.loc[p.plans[S.YEAR] == month.year, S.ANNUAL_PLAN].sum()
    check("plan", plans, truth.annual_plan, truth.projects)
    ytd = p.ytd
    done = float(ytd[period].sum()) if period in ytd.columns else 0.0
    check("ytd", done, truth.year_to_date, truth.projects)
    if truth.by_county:
        got = projects.groupby(S.COUNTY).size().to_dict()
        want = {c: v["projects"] for c, v in truth.by_county.items()}
        if got != want:
            diffs.append(f"by county {got} vs {want}")


def run(case: Case) -> Outcome:
    with tempfile.TemporaryDirectory() as folder:
        out, store = import_unattended(case.filename, case.content, Path(folder))
        out.case = case.name
        if store is not None:
            compare(out, store, case.period, case.truth)
            store.engine.dispose()
        return out


def main() -> int:
    from tests.corpus.layouts import cases

    outcomes = [run(c) for c in cases()]
    for o in outcomes:
        print(o.line())
    exact = sum(o.exact for o in outcomes)
    print(f"{exact}/{len(outcomes)} imported unattended with exact figures")
    return 0


if __name__ == "__main__":
    sys.exit(main())
