"""A table made once for every session (app_pages.widgets.shared_table) reaches the browser as
the same bytes as the frame it was made of, and a second session is sent the same again."""

from __future__ import annotations

from streamlit.testing.v1 import AppTest


def _page() -> None:
    import numpy as np
    import pandas as pd

    from app_pages import common
    from core.base.memo import Memo

    class Shared:  # a portfolio's memo, nothing else
        memo_ = Memo()

        def memo(self, key, compute):
            return self.memo_.get(key, compute)

    def frame() -> pd.DataFrame:
        f = pd.DataFrame(
            {
                "项目名称": ["甲项目", "乙项目", "丙项目"],
                "级别": [["红色"], ["黄色"], ["红色"]],  # a label column's lists
                "完成率": [12.5, np.nan, 3.0],
                "项目数": [3, 0, 7],
            },
            index=[7, 2, 9],  # rows picked from a larger frame: not a range
        )
        return f.astype({"项目名称": "string"})

    p = Shared()
    common.dataframe(frame(), width="stretch")
    common.dataframe(common.shared_table(p, ("t",), frame), width="stretch")
    common.dataframe(common.shared_table(p, ("t",), frame), width="stretch")


def test_a_shared_table_sends_the_bytes_of_its_frame():
    at = AppTest.from_function(_page).run()
    assert not at.exception, [e.value for e in at.exception]
    plain, shared, again = (d.proto.arrow_data.data for d in at.dataframe)
    assert plain and shared == plain and again == plain
    assert list(at.dataframe[1].value["项目名称"]) == ["甲项目", "乙项目", "丙项目"]
