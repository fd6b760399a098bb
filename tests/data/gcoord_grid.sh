#!/usr/bin/env bash
# Regenerates tests/data/gcoord_grid.tsv, the independent check of workflows/geo.c's GCJ-02
# conversion (issue #19): a 16 x 16 grid of WGS84 points over Fuzhou (lon 118.3..120.5,
# lat 25.2..26.8), each with the GCJ-02 the npm package gcoord gives for it and the WGS84 gcoord
# gives back for that GCJ-02. tests/workflows/test_geo.c reads the file.
# Usage: tests/data/gcoord_grid.sh > tests/data/gcoord_grid.tsv   (needs node and npm)
set -euo pipefail
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
npm install --no-save --silent --no-audit --no-fund --prefix "$tmp" gcoord >/dev/null
version=$(node -e 'console.log(require(process.argv[1] + "/node_modules/gcoord/package.json").version)' "$tmp")
echo "# gcoord $version; columns: wgs84_lng wgs84_lat gcj02_lng gcj02_lat back_wgs84_lng back_wgs84_lat"
node - "$tmp" <<'JS'
const gcoord = require(process.argv[2] + "/node_modules/gcoord");
const n = 16, lng0 = 118.3, lng1 = 120.5, lat0 = 25.2, lat1 = 26.8;
const fix = (v) => v.toFixed(10);
for (let i = 0; i < n; i++) {
	for (let j = 0; j < n; j++) {
		const lng = lng0 + ((lng1 - lng0) * i) / (n - 1);
		const lat = lat0 + ((lat1 - lat0) * j) / (n - 1);
		const w = [Number(lng.toFixed(6)), Number(lat.toFixed(6))];
		const g = gcoord.transform(w, gcoord.WGS84, gcoord.GCJ02);
		const b = gcoord.transform(g, gcoord.GCJ02, gcoord.WGS84);
		console.log([w[0].toFixed(6), w[1].toFixed(6), fix(g[0]), fix(g[1]), fix(b[0]), fix(b[1])].join("\t"));
	}
}
JS
