# Shared steps for scripts/run, scripts/test and bench/run: packages, build, private MariaDB.
# Source it; it defines functions and sets ROOT.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"

PACKAGES=(build-essential cmake pkg-config libmicrohttpd-dev libmariadb-dev mariadb-server
	mariadb-client libsodium-dev libjansson-dev libcurl4-openssl-dev libcriterion-dev curl libgeos-dev libproj-dev)

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

# mariadb_start DATADIR SOCKET [SERVER-OPTION...]: initialises DATADIR on first use, starts a
# private server on SOCKET (no TCP), waits until it answers. Sets MARIADB_PID. Options are added
# to mariadbd's (scripts/backup-drill: --log-bin=binlog --server-id=1 --binlog-format=ROW).
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
		--collation-server=utf8mb4_unicode_ci "${@:3}" >/dev/null 2>&1 &
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

# mariadb_reuse DATADIR SOCKET: deals with the server a killed run (a closed terminal, kill -9)
# left running on DATADIR; a second server there could not take InnoDB's lock. When that server
# answers on SOCKET it is reused: sets MARIADB_PID (so mariadb_stop stops it) and returns 0.
# Otherwise it stops it, or removes a pid file naming no server of ours, and returns 1.
mariadb_reuse() {
	local datadir="$1" socket="$2" pidfile="$1/mariadbd.pid" pid
	pid="$(cat "$pidfile" 2>/dev/null)" || return 1
	# the pid may have been reused since by another process, even another server's
	if ! pid_is "$pid" mariadbd ||
		! tr '\0' '\n' <"/proc/$pid/cmdline" | grep -qxF -- "--datadir=$datadir"; then
		log "removing a stale MariaDB pid file (pid $pid is not a MariaDB on $datadir)"
		rm -f "$pidfile"
		return 1
	fi
	# a hung server accepts on its socket and never answers: do not wait for it all day
	if mariadb-admin --no-defaults --socket="$socket" -uroot --connect-timeout=5 ping \
		>/dev/null 2>&1; then
		log "reusing the private MariaDB left running by an earlier run (pid $pid)"
		MARIADB_PID="$pid"
		return 0
	fi
	log "stopping the private MariaDB left by an earlier run (pid $pid): it does not answer on $socket"
	stop_pid "$pid" 30
	return 1
}

# mariadb_stop: stops the server mariadb_start started (or mariadb_reuse reused), waits for it.
mariadb_stop() {
	if [ -n "${MARIADB_PID:-}" ] && kill -0 "$MARIADB_PID" 2>/dev/null; then
		kill -TERM "$MARIADB_PID" 2>/dev/null || true
		# wait only waits for a child of this shell; a reused server is watched until it is gone
		wait "$MARIADB_PID" 2>/dev/null || true
		while pid_alive "$MARIADB_PID"; do sleep 0.1; done
	fi
	MARIADB_PID=""
}

# pid_alive PID: the process exists and is not a zombie (an orphan is reaped by whichever
# process adopted it, not by us).
pid_alive() {
	[ -n "$1" ] && [ -e "/proc/$1" ] && ! grep -q '^State:[[:space:]]*Z' "/proc/$1/status" 2>/dev/null
}

# pid_is PID NAME: PID is alive and runs the program NAME.
pid_is() {
	pid_alive "$1" && [ "$(cat "/proc/$1/comm" 2>/dev/null)" = "$2" ]
}

# stop_pid PID SECONDS: SIGTERM, SIGKILL if it is still there after SECONDS; waits until it is
# gone (it need not be our child).
stop_pid() {
	local pid="$1"
	kill -TERM "$pid" 2>/dev/null || return 0
	for _ in $(seq 1 $(($2 * 10))); do
		pid_alive "$pid" || return 0
		sleep 0.1
	done
	log "pid $pid did not stop within $2 s; killing it"
	kill -KILL "$pid" 2>/dev/null || return 0
	while pid_alive "$pid"; do sleep 0.1; done
}

# port_in_use HOST:PORT: something accepts connections there already (port 0 never is).
port_in_use() {
	local host="${1%:*}" port="${1##*:}"
	case "$host" in "" | "*" | 0.0.0.0) host=127.0.0.1 ;; esac
	[ "$port" != 0 ] && timeout 2 bash -c ": <>/dev/tcp/$host/$port" 2>/dev/null
}

# mariadb_sql SOCKET SQL: runs SQL as root on the private server.
mariadb_sql() {
	mariadb --no-defaults --socket="$1" -uroot -e "$2"
}
