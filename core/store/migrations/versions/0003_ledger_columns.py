"""The ledger's optional columns: 项目清单 gains 建设内容, 建设起止年限, 项目负责人, 实际竣工年月 and
调出年月; 年度计划 gains 开工至上年底累计完成投资; 月度进度 gains 起始年月. The rows stored get ""."""

from core.store.migrations import add_optional_column

revision = "0003"
down_revision = "0002"

COLUMNS = {
    "projects": ("content", "years_text", "owner_person", "actual_end", "withdrawn"),
    "annual_plans": ("prior_cumulative",),
    "monthly_progress": ("covers_from",),
}


def upgrade() -> None:
    for table, columns in COLUMNS.items():
        for column in columns:
            add_optional_column(table, column)
