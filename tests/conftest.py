"""Shared fixtures: the hand-made mini data set and the committed demo."""

import shutil
from pathlib import Path

import pytest

from core.base.settings import DEFAULTS as DEFAULT_SETTINGS
from core.store.portfolio import DEMO_DIR, load_folder

FIXTURES = Path(__file__).parent / "fixtures"


@pytest.fixture(scope="session", autouse=True)
def empty_store(tmp_path_factory):
    """Every test (and the app servers they start) uses a fresh database, never data/'s."""
    import os

    url = f"sqlite:///{tmp_path_factory.mktemp('store')}/test.sqlite"
    os.environ["BRIEFING_DATABASE_URL"] = url
    os.environ["BRIEFING_CACHE_DIR"] = str(tmp_path_factory.mktemp("snapshots"))
    # An import may add a ledger's categories to the settings: never to data/settings.toml.
    own = tmp_path_factory.mktemp("settings") / "settings.toml"
    shutil.copy(DEFAULT_SETTINGS, own)
    os.environ["BRIEFING_SETTINGS"] = str(own)
    return url


@pytest.fixture(scope="session")
def mini():
    """Five projects in two counties whose every figure is worked out by hand in the tests."""
    return load_folder(FIXTURES / "mini")


@pytest.fixture(scope="session")
def demo():
    return load_folder(DEMO_DIR)
