"""Which classes' store a URL names: SQLite in a file here, or Redis for several machines."""

from __future__ import annotations

import os
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from bernoulli.classroom.store import ENV_DATA, ENV_URL, SqliteStore, Store, StoreError


def default_path() -> Path:
    """Where the SQLite file goes by default: $BERNOULLI_DATA, else the system's temp folder."""
    folder = os.environ.get(ENV_DATA) or os.path.join(tempfile.gettempdir(), "bernoulli")
    return Path(folder) / "classes.db"


def open_store(url: str | None = None, clock: Callable[[], float] = time.time) -> Store:
    """The store a URL names: ``sqlite:///abs/path.db`` or ``redis://host:port/0``.

    Without `url`, $BERNOULLI_STORE; without that, SQLite in `default_path()`.
    """
    url = url or os.environ.get(ENV_URL) or ""
    if not url:
        return SqliteStore(default_path(), clock)
    if url.startswith("sqlite:///") and url.strip("/") != "sqlite:":
        # sqlite:///abs/path.db and SQLAlchemy's sqlite:////abs/path.db: the same absolute path
        return SqliteStore("/" + url[len("sqlite:///") :].lstrip("/"), clock)
    if url.startswith(("redis://", "rediss://", "unix://")):
        from bernoulli.classroom.store_redis import (
            RedisStore,  # the redis client only when asked for
        )

        return RedisStore(url, clock)
    raise StoreError(
        f"a store URL is sqlite:///absolute/path.db or redis://host:port/0, not {url[:60]!r}"
    )
