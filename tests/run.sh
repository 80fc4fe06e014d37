#!/usr/bin/env bash
# The one test command (README and .ci/run call this): installs what the tests need, then lints,
# type-checks and runs the whole suite. Safe to re-run; installs are skipped when already present.
set -euo pipefail
cd "$(dirname "$0")/.."

# Debian packages the tests drive for real (a browser for the HTML pages; Virtuoso 7, one of the remote
# stores the HTTP tests run against, started by the tests themselves with their own ini; nginx, which
# serves the static export in tests/test_export.py; Java, which runs the Nu HTML Checker).
APT_PACKAGES=(chromium chromium-driver virtuoso-opensource-7 nginx openjdk-17-jre-headless)
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

python3 -m pip install -q --disable-pip-version-check -e ".[test]"
# The page checkers (axe-core, the Nu HTML Checker's vnu.jar), pinned by tests/tools/package-lock.json.
if [ ! -d tests/tools/node_modules ] && command -v npm >/dev/null; then
    npm ci --prefix tests/tools --no-audit --no-fund --loglevel=error
fi
ruff check oms_ld tests benchmarks
mypy
python3 -m pytest "$@"
