"""Make `.venv` ready to run the app (and, with --dev, the tests); fast when it already is.

Run with any Python 3.11+ (`make` does it): creates `.venv` when missing, installs torch's CPU
build, then the requirements. A stamp file in `.venv` holds a hash of the requirements files
installed last, so a second call installs nothing unless one of them changed.

torch comes first, from the first of these that holds a CPU build:
1. what pip already offers (a wheel on disk or a configured index) when its version is `+cpu`;
2. PyTorch's CPU index, when it answers within a few seconds;
3. the default index (on Linux that is the CUDA build, about 2.7 GB).
One line says which it took and why. The requirements then find torch installed and keep it.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import platform
import re
import subprocess
import sys
import tempfile
import urllib.request
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
VENV = ROOT / ".venv"
CPU_INDEX = "https://download.pytorch.org/whl/cpu"
PROBE_SECONDS = 5
MIN_PYTHON = (3, 11)


def say(line: str) -> None:
    print(f"setup: {line}", flush=True)


def venv_python() -> Path:
    scripts = "Scripts" if os.name == "nt" else "bin"
    return VENV / scripts / ("python.exe" if os.name == "nt" else "python")


def pip(*args: str, quiet: bool = True) -> None:
    command = [str(venv_python()), "-m", "pip", "install", *(["-q"] if quiet else []), *args]
    subprocess.run(command, check=True)


def torch_spec() -> str:
    """The torch requirement line of requirements.txt (its version range)."""
    for line in (ROOT / "requirements.txt").read_text().splitlines():
        requirement = line.split("#", 1)[0].strip()
        if re.match(r"torch\b", requirement):
            return requirement
    raise SystemExit("setup: requirements.txt names no torch requirement")


def requirement_files(dev: bool) -> list[Path]:
    names = ["requirements.txt", "requirements-dev.txt"] if dev else ["requirements.txt"]
    return [ROOT / name for name in names]


def digest(files: list[Path]) -> str:
    sha = hashlib.sha256()
    for path in files:
        sha.update(path.name.encode() + b"\0" + path.read_bytes() + b"\0")
    return sha.hexdigest()


def stamp(dev: bool) -> Path:
    return VENV / (".stamp-dev" if dev else ".stamp-run")


def ensure_venv() -> None:
    """Create `.venv` unless it holds a working Python of at least MIN_PYTHON."""
    if venv_python().exists():
        check = "import sys; sys.exit(sys.version_info < (3, 11))"
        if subprocess.run([str(venv_python()), "-c", check]).returncode == 0:
            return
        say(".venv holds a Python older than 3.11 or a broken one: making it anew")
    say(f"creating .venv with Python {platform.python_version()} ({sys.executable})")
    try:
        venv.EnvBuilder(with_pip=True, clear=True).create(VENV)
    except subprocess.CalledProcessError as error:  # Debian and Ubuntu ship ensurepip apart
        raise SystemExit(
            f"setup: could not put pip into .venv ({error}); on Debian or Ubuntu: "
            f"sudo apt-get install python{sys.version_info.major}.{sys.version_info.minor}-venv"
        ) from error


def installed_torch(spec: str) -> str | None:
    """The torch version installed in .venv when it meets `spec`, else None."""
    code = (
        "import importlib.metadata as m, sys\n"
        "from pip._vendor.packaging.requirements import Requirement\n"
        "version = m.version('torch')\n"
        "if not Requirement(sys.argv[1]).specifier.contains(version, prereleases=True):\n"
        "    sys.exit(1)\n"
        "print(version)\n"
    )
    command = [str(venv_python()), "-c", code, spec]
    result = subprocess.run(command, capture_output=True, text=True)
    return result.stdout.strip() if result.returncode == 0 else None


def offered_torch(spec: str) -> str | None:
    """The torch version pip would install here from its own configuration, or None."""
    with tempfile.TemporaryDirectory() as tmp:
        report = Path(tmp) / "report.json"
        command = [str(venv_python()), "-m", "pip", "install", "-q", "--dry-run", "--no-deps"]
        command += ["--ignore-installed", "--report", str(report), spec]
        if subprocess.run(command, capture_output=True).returncode != 0:
            return None
        chosen = json.loads(report.read_text()).get("install", [])
        return chosen[0]["metadata"]["version"] if chosen else None


def cpu_index_reason() -> str | None:
    """None when PyTorch's CPU index answers, else why not."""
    try:
        with urllib.request.urlopen(f"{CPU_INDEX}/torch/", timeout=PROBE_SECONDS) as response:
            return None if response.status == 200 else f"answered {response.status}"
    except OSError as error:
        return f"could not be reached within {PROBE_SECONDS} s ({getattr(error, 'reason', error)})"


def install_torch() -> None:
    """torch's CPU build from the first source that has one; one line says which and why."""
    spec = torch_spec()
    present = installed_torch(spec)
    if present is not None:
        say(f"torch {present} is already installed in .venv ({spec}): kept")
        return
    if platform.system() != "Linux":
        say(f"torch: the default index ({platform.system()}: its torch is the CPU build there)")
        pip(spec)
        return
    offered = offered_torch(spec)
    if offered and "+cpu" in offered:
        say(f"torch: {offered}, the CPU build pip already offers on this machine")
        pip(f"torch=={offered}")
        return
    reason = cpu_index_reason()
    if reason is None:
        say(f"torch: the CPU build from PyTorch's CPU index ({CPU_INDEX}), which answered")
        pip("--index-url", CPU_INDEX, spec)
        return
    say(
        f"torch: the default index (on Linux the CUDA build, ~2.7 GB): PyTorch's CPU index {reason}"
    )
    pip(spec)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dev", action="store_true", help="also the test requirements")
    dev = parser.parse_args().dev
    if sys.version_info < MIN_PYTHON:
        raise SystemExit(
            f"setup: Python {platform.python_version()} is too old; the app needs 3.11 or later "
            "(e.g. `make run PYTHON=python3.12`)"
        )
    ensure_venv()
    files = requirement_files(dev)
    wanted = digest(files)
    if stamp(dev).exists() and stamp(dev).read_text().strip() == wanted:
        return
    install_torch()
    names = " and ".join(path.name for path in files)
    say(f"installing {names}")
    pip("-r", str(files[-1]))
    stamp(dev).write_text(wanted + "\n")
    if dev:  # the test requirements include the app's
        stamp(False).write_text(digest(requirement_files(False)) + "\n")
    say(".venv is ready")


if __name__ == "__main__":
    main()
