"""Hypothesis profiles, chosen once for every tier.

"ci" (picked when CI=true): derandomized, so a run explores the same examples every time and
a failure is the code's, not the draw's; no example database; the blob to reproduce a
failure is printed; no per-example deadline (timing on a shared 2-core runner is noise).
"dev" (the default): random, with its local database, and no deadline either.
HYPOTHESIS_PROFILE=ci|dev overrides the choice. The long fuzz stays opt-in: see tests/README.md.
"""

from __future__ import annotations

import os

from hypothesis import settings

settings.register_profile("ci", derandomize=True, database=None, print_blob=True, deadline=None)
settings.register_profile("dev", deadline=None)  # a loaded machine times noise, not code
default = "ci" if os.environ.get("CI", "").lower() == "true" else "dev"
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", default))


def pytest_report_header() -> str:
    return f"hypothesis profile: {settings.get_current_profile_name()}"
