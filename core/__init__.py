"""The product's core: everything but the screens, usable from a shell, the CLI and the pages.

core.data     the data model and where the data come from
core.ingest   reading returns and ledgers, checking, importing, the store
core.figures  every figure and sentence computed from the data
core.output   formats, charts, maps, downloads and documents
"""

from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent  # the repository: data/, .streamlit/ …
