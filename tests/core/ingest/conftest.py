"""The store's tests run on each database of databases.py."""

import pytest

from tests.store_kit import DATABASES, database


@pytest.fixture(params=DATABASES)
def url(request, tmp_path):
    """A new, empty database of each kind."""
    yield from database(request.param, tmp_path)
