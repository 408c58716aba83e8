"""One project search for every page: the rows where each word of the query (words are split
by spaces) occurs, in any case, in the project's name, code, county or owner unit — or in the
further columns a page adds (an alert's reason). 项目进度, 预警, 挂图作战 and the project page
find the same projects for the same words.
"""

from __future__ import annotations

from collections.abc import Iterable

import pandas as pd

from core.base import schema as S

COLUMNS = (S.NAME, S.CODE, S.COUNTY, S.OWNER)
PLACEHOLDER = "输入项目名称、代码、区县或建设单位中的文字,可用空格分隔多个词"


def matches(frame: pd.DataFrame, query: str | None, more: Iterable[str] = ()) -> pd.Series:
    """True for the rows that hold every word of `query` in one of the searched columns (those
    of COLUMNS and `more` that the frame has); every row for an empty query."""
    hit = pd.Series(True, index=frame.index)
    columns = [c for c in (*COLUMNS, *more) if c in frame.columns]
    for word in (query or "").split():
        in_any = pd.Series(False, index=frame.index)
        for column in columns:
            text = frame[column]
            if not pd.api.types.is_string_dtype(text):
                text = text.astype(str)
            in_any |= text.str.contains(word, case=False, regex=False, na=False)
        hit &= in_any
    return hit


def projects(frame: pd.DataFrame, query: str | None, more: Iterable[str] = ()) -> pd.DataFrame:
    """The rows of `frame` that `matches` finds, in their order."""
    return frame.loc[matches(frame, query, more)]
