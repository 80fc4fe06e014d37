#!/usr/bin/env bash
# The one test command (README and .ci/run call this): installs what the tests need, then lints,
# type-checks and runs the whole suite. Safe to re-run; installs are skipped when already present.
set -euo pipefail
cd "$(dirname "$0")/.."

# Debian packages the tests drive for real (a browser for the HTML pages; Virtuoso 7, one of the remote
# stores the HTTP tests run against, started by the tests themselves with their own ini; nginx, which
# serves the static export in tests/export/test_export.py; libseccomp2, which pyseccomp loads to take the
# network away from query processes; OpenRefine, a real reconciliation client; GDAL's ogrinfo, a real OGC API
# Features client; Java, which runs the Nu HTML Checker).
APT_PACKAGES=(chromium chromium-driver virtuoso-opensource-7 nginx libseccomp2 openrefine gdal-bin openjdk-17-jre-headless)
missing=()
for pkg in "${APT_PACKAGES[@]}"; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
done
if [ ${#missing[@]} -gt 0 ]; then
    if [ "$(id -u)" = 0 ]; then
        apt-get update -qq
        DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
    else
        echo "missing Debian packages: ${missing[*]} (run as root to install them)" >&2
    fi
fi

# The Python to install into: the active virtualenv; else python3 itself unless it is externally managed
# (PEP 668: Debian's and Ubuntu's python3 refuse pip installs), in which case a .venv here. CI runs as
# root on a pyenv Python, which is not externally managed, so it installs there as before.
if [ -n "${VIRTUAL_ENV:-}" ] && [ -x "$VIRTUAL_ENV/bin/python" ]; then
    PY="$VIRTUAL_ENV/bin/python"
elif python3 -c 'import os, sys, sysconfig; sys.exit(os.path.exists(os.path.join(sysconfig.get_path("stdlib"), "EXTERNALLY-MANAGED")))'; then
    PY=python3
else
    if ! [ -x .venv/bin/python ]; then
        if ! python3 -m venv .venv; then
            rm -rf .venv
            if [ "$(id -u)" = 0 ]; then
                # Debian's python3 has no venv module without this package (the ensurepip it needs).
                apt-get update -qq
                DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends python3-venv >/dev/null
                python3 -m venv .venv
            else
                echo "python3 -m venv failed: install Debian's python3-venv (apt-get install python3-venv)" >&2
                exit 1
            fi
        fi
    fi
    PY=.venv/bin/python
fi

"$PY" -m pip install -q --disable-pip-version-check -e ".[test]"
# The page checkers (axe-core, the Nu HTML Checker's vnu.jar), pinned by tests/tools/package-lock.json.
if [ ! -d tests/tools/node_modules ] && command -v npm >/dev/null; then
    npm ci --prefix tests/tools --no-audit --no-fund --loglevel=error
fi
"$PY" -m ruff check oms_ld tests benchmarks
"$PY" -m mypy
"$PY" -m pytest "$@"
