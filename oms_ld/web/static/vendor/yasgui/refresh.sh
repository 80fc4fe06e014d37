#!/usr/bin/env bash
# Re-fetch the vendored YASGUI build from the npm registry, check it, and replace the files here.
#
#   bash oms_ld/static/vendor/yasgui/refresh.sh             # the pinned version below
#   bash oms_ld/static/vendor/yasgui/refresh.sh 4.2.29 sha512-…   # another version (update README.md too)
#
# Needs npm, openssl, tar. The tarball is accepted only when its sha512 equals the pinned integrity
# (npm's `dist.integrity`, the value in package-lock files), so a changed registry answer fails loudly.
set -euo pipefail

VERSION="${1:-4.2.28}"
INTEGRITY="${2:-sha512-HN1neZqERSGoDyk/Fg40nI+F0tHnaBxjqizhN0mur2Kj0oJsklBsFMRk/M+wW+ohy8dSEn7AgX3H0pPrV/wmVg==}"
HERE="$(cd "$(dirname "$0")" && pwd)"
WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT

cd "$WORK"
tarball="$(npm pack --silent "@triply/yasgui@${VERSION}")"
actual="sha512-$(openssl dgst -sha512 -binary "$tarball" | base64 -w0)"
if [ "$actual" != "$INTEGRITY" ]; then
    echo "integrity mismatch for @triply/yasgui@${VERSION}:" >&2
    echo "  expected $INTEGRITY" >&2
    echo "  got      $actual" >&2
    exit 1
fi
tar -xzf "$tarball" package/build/yasgui.min.js package/build/yasgui.min.css \
    package/build/yasgui.min.js.LICENSE.txt package/LICENSE.txt package/package.json
got_version="$(sed -n 's/^  "version": "\(.*\)",$/\1/p' package/package.json)"
[ "$got_version" = "$VERSION" ] || { echo "tarball says version $got_version, not $VERSION" >&2; exit 1; }

install -m 0644 package/build/yasgui.min.js package/build/yasgui.min.css "$HERE/"
install -m 0644 package/build/yasgui.min.js.LICENSE.txt "$HERE/THIRD-PARTY-NOTICES.txt"
install -m 0644 package/LICENSE.txt "$HERE/LICENSE.txt"
echo "@triply/yasgui@${VERSION} ($INTEGRITY) installed in $HERE"
(cd "$HERE" && sha256sum yasgui.min.js yasgui.min.css)
