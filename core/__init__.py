"""The product's core: everything but the screens, usable from a shell, the CLI and the pages.

The packages are layers, bottom to top; a module imports only from its own layer or a lower one
(the contract is in pyproject.toml, `[tool.importlinter]`, checked by `make lint`):

core.base      schema, periods, number and cell formats, value parsing, settings (read-only)
core.policy    who may do what: roles, the actor, and whose rows an actor may change
core.store     the database: tables, row versions, audit trail, migrations, data sources, demo
core.figures   every figure and sentence computed from the data
core.ingest    reading returns and ledgers, checking them, importing them into the store
core.output    charts, maps, downloads, documents, decks, agendas
core.access    accounts and sign-in
core.__main__  the command line
"""

from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent  # the repository: data/, .streamlit/ …
