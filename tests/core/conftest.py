"""The tests of core that use a store run on each database of tests/store_kit.py."""

import pytest

from tests.store_kit import DATABASES, database


@pytest.fixture(params=DATABASES)
def url(request, tmp_path):
    """A new, empty database of each kind."""
    yield from database(request.param, tmp_path)
