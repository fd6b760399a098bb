# Shared steps for scripts/run, scripts/test and bench/run: packages, build, private MariaDB.
# Source it; it defines functions and sets ROOT.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"

PACKAGES=(build-essential cmake pkg-config libmicrohttpd-dev libmariadb-dev mariadb-server
	mariadb-client libsodium-dev libjansson-dev libcurl4-openssl-dev libcriterion-dev curl)

log() { printf '\033[1m==>\033[0m %s\n' "$*" >&2; }

# Installs whichever of the packages (plus any given as arguments) are missing; apt-get update once.
ensure_packages() {
	local missing=() p
	for p in "${PACKAGES[@]}" "$@"; do
		dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' ||
			missing+=("$p")
	done
	[ ${#missing[@]} -eq 0 ] && return 0
	log "installing ${missing[*]}"
	local sudo=""
	[ "$(id -u)" -ne 0 ] && sudo="sudo"
	export DEBIAN_FRONTEND=noninteractive
	$sudo apt-get update -qq
	$sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}

# build DIR TYPE [cmake args...]: configure once, build everything with both cores.
build() {
	local dir="$1" type="$2"
	shift 2
	cmake -S "$ROOT" -B "$dir" -DCMAKE_BUILD_TYPE="$type" "$@" >/dev/null
	cmake --build "$dir" -j"$(nproc)" -- --no-print-directory >&2
}

# mariadb_start DATADIR SOCKET: initialises DATADIR on first use, starts a private server on
# SOCKET (no TCP), waits until it answers. Sets MARIADB_PID.
mariadb_start() {
	local datadir="$1" socket="$2"
	mkdir -p "$datadir" "$(dirname "$socket")"
	if [ ! -d "$datadir/mysql" ]; then
		log "initialising a private MariaDB in $datadir"
		# One installation at a time on the machine (parallel tests start private servers),
		# and a failed one leaves nothing behind that a second call would take for a datadir.
		if ! flock /tmp/portal-mariadb-install.lock mariadb-install-db --no-defaults \
			--datadir="$datadir" --auth-root-authentication-method=normal --skip-test-db \
			--user="$(id -un)" >"$datadir.install.log" 2>&1; then
			cat "$datadir.install.log" >&2
			rm -rf "$datadir"
			return 1
		fi
	fi
	mariadbd --no-defaults --datadir="$datadir" --socket="$socket" --skip-networking \
		--user="$(id -un)" --pid-file="$datadir/mariadbd.pid" \
		--log-error="$datadir/mariadbd.err" --innodb-buffer-pool-size=256M \
		--max-connections=500 --character-set-server=utf8mb4 \
		--collation-server=utf8mb4_unicode_ci >/dev/null 2>&1 &
	MARIADB_PID=$!
	local i
	for i in $(seq 1 100); do
		if mariadb-admin --no-defaults --socket="$socket" -uroot ping >/dev/null 2>&1; then
			return 0
		fi
		if ! kill -0 "$MARIADB_PID" 2>/dev/null; then
			log "MariaDB failed to start; its log:"
			tail -20 "$datadir/mariadbd.err" >&2
			return 1
		fi
		sleep 0.1
	done
	log "MariaDB did not answer within 10 s"
	return 1
}

# mariadb_stop: stops the server started by mariadb_start and waits for it.
mariadb_stop() {
	if [ -n "${MARIADB_PID:-}" ] && kill -0 "$MARIADB_PID" 2>/dev/null; then
		kill -TERM "$MARIADB_PID" 2>/dev/null || true
		wait "$MARIADB_PID" 2>/dev/null || true
	fi
	MARIADB_PID=""
}

# mariadb_sql SOCKET SQL: runs SQL as root on the private server.
mariadb_sql() {
	mariadb --no-defaults --socket="$1" -uroot -e "$2"
}
