"""Install what the benchmarks drive when it is missing: wrk and nginx (Debian), rdflib-endpoint and oxigraph (PyPI)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

#: Debian package → the program it provides.
APT = {"wrk": "wrk", "nginx": "nginx"}
#: PyPI requirement → the console script it provides.
PIP = {"rdflib-endpoint[cli]": "rdflib-endpoint", "oxigraph": "oxigraph"}


def which(program: str) -> str | None:
    """The program on PATH, or in /usr/sbin (nginx lives there and /usr/sbin is not on every PATH)."""
    found = shutil.which(program)
    if found is None and os.access(f"/usr/sbin/{program}", os.X_OK):
        found = f"/usr/sbin/{program}"
    if found is None:
        script = Path(sys.executable).parent / program
        found = str(script) if os.access(script, os.X_OK) else None
    return found


def ensure() -> dict[str, str]:
    """Every program's path, installing the missing ones; exits with a message when that is not possible."""
    missing = [pkg for pkg, program in APT.items() if which(program) is None]
    if missing:
        if os.geteuid() != 0:
            sys.exit(f"missing Debian packages {' '.join(missing)}: run `sudo apt-get install {' '.join(missing)}`")
        print(f"installing {' '.join(missing)} (apt-get)", flush=True)
        env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
        subprocess.run(["apt-get", "update", "-qq"], check=True, env=env)
        subprocess.run(["apt-get", "install", "-y", "-qq", "--no-install-recommends", *missing], check=True, env=env)
    wanted = [req for req, program in PIP.items() if which(program) is None]
    if wanted:
        print(f"installing {' '.join(wanted)} (pip)", flush=True)
        subprocess.run([sys.executable, "-m", "pip", "install", "-q", "--disable-pip-version-check", *wanted],
                       check=True)  # fmt: skip
    paths = {program: which(program) for program in (*APT.values(), *PIP.values())}
    absent = [name for name, path in paths.items() if path is None]
    if absent:
        sys.exit(f"still missing after installing: {', '.join(absent)}")
    return {name: str(path) for name, path in paths.items()}


def version(argv: list[str]) -> str:
    """The first line a program prints about its version (stdout or stderr)."""
    try:
        done = subprocess.run(argv, capture_output=True, text=True, timeout=30, check=False)
    except OSError:
        return "?"
    text = (done.stdout or done.stderr).strip().splitlines()
    return text[0] if text else "?"
