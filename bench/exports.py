"""The files a meeting asks for afterwards, timed on the largest portfolio: a chart as PNG and
the briefing as a Word document, for the default view (the whole city, 省重点, latest period)."""

from __future__ import annotations

import time
from dataclasses import dataclass

import vl_convert

from core.base.periods import Convention, schedule_share
from core.figures import briefing
from core.figures import measures as M
from core.figures.scope import Scope
from core.output import charts, document, export
from core.store import datasource
from core.store.versions import Store


@dataclass(frozen=True)
class ExportTimes:
    png_s: float  # 红黑榜 chart: measure, chart, PNG at 2×
    docx_s: float  # the generated briefing text and its Word document (with its charts)
    docx_bytes: int


def time_exports(database_url: str) -> ExportTimes:
    store = Store(database_url)
    p = datasource.load(store)  # as the app loads it
    store.close()
    scope = Scope(period=p.latest_period)
    # Warm-up, not measured: the font registration and vl-convert's engine, paid once a process.
    export.font_directory()
    vl_convert.vegalite_to_png({"mark": "point", "data": {"values": [{}]}})

    started = time.perf_counter()
    ranking = M.county_ranking(p, scope)
    export.png(charts.county_ranking(ranking, scope, schedule_share(scope.period)))
    png_s = time.perf_counter() - started

    started = time.perf_counter()
    text = briefing.write(p, scope).text()
    docx = document.docx_bytes(p, scope, Convention.MONTHS, text)
    docx_s = time.perf_counter() - started
    return ExportTimes(png_s, docx_s, len(docx))
