#!/usr/bin/env bash
# Validates GeoJSON documents (the portal's /v1/public/works.geojson) with an independent
# validator, Mapbox's geojsonhint: RFC 7946 structure, positions, closed rings, and the
# right-hand rule (exterior rings counter-clockwise); any message it gives fails the check.
#
#   tests/scripts/geojson_check.sh FILE_OR_URL...
#
# tests/api/test_works.c leaves one real answer in $PORTAL_TEST_TMP/works.geojson; a running
# portal's feed can be given as a URL (http://127.0.0.1:8080/v1/public/works.geojson).
# The npm package is pinned and installed into a temporary directory, removed on exit
# (PORTAL_GEOJSON_TOOLS names a directory to keep it in instead). Needs node, npm and the npm
# registry on first use.
set -euo pipefail
HINT_VERSION=3.3.0

die() { printf 'geojson_check: %s\n' "$*" >&2; exit 1; }
[ $# -ge 1 ] || die "usage: $0 FILE_OR_URL..."
command -v node >/dev/null && command -v npm >/dev/null ||
	die "node and npm are needed (apt-get install nodejs npm)"

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
TOOLS="${PORTAL_GEOJSON_TOOLS:-$work/tools}"
want="@mapbox/geojsonhint@$HINT_VERSION"
if [ "$(cat "$TOOLS/.installed" 2>/dev/null)" != "$want" ]; then
	mkdir -p "$TOOLS"
	# geojsonhint names its command-line parser by a git address; the registry's release of
	# the same parser stands in for it (the library itself never loads it)
	echo '{"private":true,"overrides":{"@gerhobbelt/nomnom":"npm:nomnom@1.8.1"}}' \
		>"$TOOLS/package.json"
	if ! npm install --prefix "$TOOLS" --no-audit --no-fund --loglevel=error --save-exact \
		"$want" >"$TOOLS/npm.log" 2>&1; then
		tail -20 "$TOOLS/npm.log" >&2
		die "npm install failed: is the npm registry ($(npm config get registry)) reachable?"
	fi
	echo "$want" >"$TOOLS/.installed"
fi

status=0
n=0
for src in "$@"; do
	n=$((n + 1))
	doc="$work/doc$n.json"
	case "$src" in
	http://* | https://*) curl -fsS -o "$doc" "$src" || die "cannot fetch $src" ;;
	*) [ -f "$src" ] || die "no file $src"; cp "$src" "$doc" ;;
	esac
	if NODE_PATH="$TOOLS/node_modules" node - "$doc" "$src" <<'EOF'; then
const fs = require('fs');
const hint = require('@mapbox/geojsonhint');
const [doc, src] = process.argv.slice(2);
const text = fs.readFileSync(doc, 'utf8');
const obj = JSON.parse(text);
// Every message counts, the right-hand rule's included (RFC 7946 3.1.6).
const problems = hint.hint(obj);
if (obj.type !== 'FeatureCollection')
	problems.push({ message: 'not a FeatureCollection: ' + obj.type });
const features = obj.features || [];
for (const p of problems)
	console.error(`${src}: ${p.line ? 'line ' + p.line + ': ' : ''}${p.message}`);
console.log(`${src}: ${features.length} features, ${problems.length} problems`);
process.exit(problems.length ? 1 : 0);
EOF
		:
	else
		status=1
	fi
done
exit $status
