"""pyproject.toml declares what the requirements files pin, and packs the library's data files."""

from __future__ import annotations

import re
import tomllib

from tests.helpers import ROOT

PROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]


def requirements(name: str) -> set[str]:
    """The requirement lines of a requirements file, comments, blanks and `-r` lines left out."""
    lines = (line.split("#", 1)[0].strip() for line in (ROOT / name).read_text().splitlines())
    return {line.replace(" ", "") for line in lines if line and not line.startswith("-")}


def test_dependencies_are_the_requirements():
    assert set(PROJECT["dependencies"]) == requirements("requirements.txt")


def test_dev_extra_is_the_test_requirements():
    assert set(PROJECT["optional-dependencies"]["dev"]) == requirements("requirements-dev.txt")


def test_torch_stays_below_2_14():
    (torch,) = (line for line in PROJECT["dependencies"] if re.match(r"torch\b", line))
    assert torch == "torch>=2.4,<2.14"


def test_package_data_covers_every_data_file():
    """Every file under bernoulli/ that is not Python matches a package-data glob."""
    globs = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]
    patterns = globs["package-data"]["bernoulli"]
    library = ROOT / "bernoulli"
    data = {
        path
        for path in library.rglob("*")
        if path.is_file() and path.suffix not in {".py", ".pyc"} and "__pycache__" not in path.parts
    }
    assert library / "data" / "datasets" / "notebook_sample.csv" in data
    packed = {path for pattern in patterns for path in library.glob(pattern)}
    assert sorted(str(path.relative_to(library)) for path in data - packed) == []
