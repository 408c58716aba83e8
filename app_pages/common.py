"""What every page shares, by one name: `from app_pages import common`. The code is in five
modules, each of one kind:

- `source`: data access — the store in use, the data loaded once per data version
  (`portfolio()`, `store()`), the notice when the data changed;
- `filters`: the sidebar's filters bound to the URL (`scope()`, `convention()`), 汇报模式's
  switch (`presenting()`), the notices of a link's values that do not exist;
- `widgets`: KPI cards, charts with their downloads, tables, CSV downloads;
- `chrome`: the heading with the scope sentence, empty-scope and missing-table notices, who
  may edit, the CSS that hides Streamlit's English, errors shown by their id;
- `escape`: `plain()`, text from the data made inert for Markdown.

Pages call `portfolio()`, `scope()` and `convention()` and never draw filters themselves.
"""

from __future__ import annotations

from app_pages.chrome import (
    CHROME_CSS,
    LANG_SCRIPT,
    editable_version,
    empty_notice,
    header,
    missing_table,
    report_error,
    settings_value,
    stop_when_scope_is_empty,
    stop_without_returns,
    style,
)
from app_pages.escape import WORD_JOINER, plain
from app_pages.filters import (
    PRESENT_PARAM,
    SCHEDULE_PARAM,
    add_notice,
    convention,
    page_not_found,
    presenting,
    scope,
    set_presenting,
    sidebar,
    url_notices,
)
from app_pages.source import (
    DATA_DIR_SETTING,
    data_change_notice,
    database_url_in_use,
    portfolio,
    store,
    this_run,
)
from app_pages.widgets import (
    PRESENT_CHART_HEIGHT,
    _Unvalidated,
    arrow_table,
    card,
    dataframe,
    download_csv,
    indicator_cards,
    scoped_chart,
    screen_spec,
    shared_table,
    static_chart,
    table_height,
)

__all__ = [
    "CHROME_CSS", "DATA_DIR_SETTING", "LANG_SCRIPT", "PRESENT_CHART_HEIGHT", "PRESENT_PARAM",
    "SCHEDULE_PARAM", "WORD_JOINER", "_Unvalidated", "add_notice", "arrow_table", "card", "convention",
    "data_change_notice", "database_url_in_use", "dataframe", "download_csv", "editable_version",
    "empty_notice", "header", "indicator_cards", "missing_table",
    "page_not_found", "plain", "portfolio", "presenting", "report_error", "scope",
    "scoped_chart", "screen_spec", "set_presenting", "settings_value", "shared_table", "sidebar", "static_chart",
    "stop_when_scope_is_empty", "stop_without_returns", "store", "style", "table_height", "this_run", "url_notices",
]  # fmt: skip
