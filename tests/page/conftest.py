"""What the page tests share: a class store of each test's own."""

from __future__ import annotations

import pytest

from bernoulli.classroom import store, store_url


@pytest.fixture
def class_store(tmp_path, monkeypatch):
    """Every test its own SQLite file (the page caches one store per URL)."""
    url = f"sqlite:///{tmp_path / 'classes.db'}"
    monkeypatch.setenv(store.ENV_URL, url)
    return store_url.open_store(url)
