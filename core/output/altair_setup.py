"""altair set up for a server that builds charts on every filter change.

Measured on the demo (overview's three charts for one county, 2 cores): 181 ms of altair work
per scope as altair ships, 68 ms after `apply()`. Two costs go:

- Debug mode (on by default) validates every schema object against the Vega-Lite JSON schema
  as it is created, again at each `encode`, layer and `configure`. A chart's spec is still
  validated whole where it is written into a file (`to_dict()` in core.output.export) and by
  the tests; the screen's spec is the same dict without the check.
- `SchemaBase.from_dict` (each shorthand string, condition or tooltip list of an encoding, and
  inside layering) builds a table of the ~600 schema classes keyed by a JSON hash of their
  schemas, about 5 ms, every call. The table depends only on the classes: it is built once.
  Upstream: vega/altair pull request 3547 (open) makes the same table a class attribute.
"""

from __future__ import annotations

import threading
from collections import defaultdict

from altair.utils import schemapi

_applied = False
_lock = threading.Lock()


def _schema_tables_built_once() -> None:
    converter = getattr(schemapi, "_FromDict", None)
    if converter is None or not hasattr(converter, "hash_schema"):
        return  # another altair: it keeps its own behaviour (slower, still correct)
    tables: dict[tuple, defaultdict] = {}

    def __init__(self, wrapper_classes, /) -> None:
        classes = tuple(wrapper_classes)
        with _lock:
            table = tables.get(classes)
            if table is None:
                table = defaultdict(list)
                for tp in classes:
                    if tp._schema is not None:
                        table[self.hash_schema(tp._schema)].append(tp)
                tables[classes] = table
        self.class_dict = table

    converter.__init__ = __init__


def apply() -> None:
    """Once per process; idempotent."""
    global _applied
    with _lock:
        if _applied:
            return
        _applied = True
    schemapi.disable_debug_mode()
    _schema_tables_built_once()
