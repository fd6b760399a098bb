#!/usr/bin/env bash
# Issue #17, item 6: scripts/run after a run that was killed. A closed terminal (kill -9 of the
# script and the portal) leaves the private MariaDB running on the data directory: the next run
# must reuse it or stop it, say which, serve, and leave nothing running after Ctrl-C. A kill -9
# of the script alone leaves the portal serving as well: the next run must stop it.
# Usage: tests/scripts/test_run_after_kill.sh [PORTAL_BINARY]  (default $PORTAL_PORTAL_BIN, which
# scripts/test exports). PORTAL_RUN_SCRIPT=path tests another copy of scripts/run (an old one, to
# see this test fail). Ends with "N passed, M failed"; exits 1 on any failure.
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
BIN="${1:-${PORTAL_PORTAL_BIN:-}}"
RUN="${PORTAL_RUN_SCRIPT:-$ROOT/scripts/run}"
if [ -z "$BIN" ] || [ ! -x "$BIN" ]; then
	echo "usage: $0 PORTAL_BINARY (or set PORTAL_PORTAL_BIN)" >&2
	exit 2
fi
BIN="$(realpath "$BIN")" # scripts/run works from the checkout's root

TMP="$(mktemp -d /tmp/prk.XXXXXX)" # short: the MariaDB socket under it must fit in 108 bytes
DATA="$TMP/data"
PGIDS=() # process groups of the runs started, all killed at the end whatever happened
passed=0 failed=0

ok() { passed=$((passed + 1)) && echo "ok: $*"; }
fail() { failed=$((failed + 1)) && echo "FAIL: $*"; }
check() { # check WHAT COMMAND...
	local what="$1"
	shift
	if "$@"; then ok "$what"; else fail "$what"; fi
}
finish() {
	local log
	if [ "$failed" -ne 0 ]; then
		for log in "$TMP"/run*.log; do
			echo "--- the end of ${log##*/}:"
			tail -15 "$log"
		done
	fi
	echo "$passed passed, $failed failed"
	[ "$failed" -eq 0 ]
	exit
}
# die WHAT: a step the rest depends on failed
die() {
	fail "$1"
	finish
}

cleanup() {
	set +e
	local pg pid
	for pg in "${PGIDS[@]}"; do kill -KILL -- "-$pg" 2>/dev/null; done
	for pid in $(servers); do kill -KILL "$pid"; done
	for _ in $(seq 1 50); do [ -z "$(servers)" ] && break; sleep 0.1; done
	rm -rf "$TMP"
}
trap cleanup EXIT

# alive PID: exists and is not a zombie (orphans are reaped by whoever adopted them)
alive() {
	local s
	{ read -r s <"/proc/$1/stat"; } 2>/dev/null || return 1
	s="${s##*) }" # the fields after the command name, which may hold spaces
	[ "${s%% *}" != Z ]
}
# servers: the pids of the live MariaDB servers on our data directory
servers() {
	local d c
	for d in /proc/[0-9]*; do
		{ read -r c <"$d/comm"; } 2>/dev/null && [ "$c" = mariadbd ] || continue
		cat "$d/cmdline" 2>/dev/null | tr '\0' '\n' | grep -qxF -- "--datadir=$DATA/mariadb" &&
			alive "${d#/proc/}" && echo "${d#/proc/}"
	done
	return 0
}
# in_group PGID: the live processes of that process group
in_group() {
	local d s state pgrp
	for d in /proc/[0-9]*; do
		{ read -r s <"$d/stat"; } 2>/dev/null || continue
		read -r state _ pgrp _ <<<"${s##*) }"
		[ "$pgrp" = "$1" ] && [ "$state" != Z ] && echo "${d#/proc/}"
	done
	return 0
}
listening() { timeout 2 bash -c ": <>/dev/tcp/127.0.0.1/$PORT" 2>/dev/null; }
count() { "$@" | grep -c . || true; }

# a random free port below the kernel's ephemeral range (PORTAL_LISTEN=:0 would hide the port
# from us; a port in the ephemeral range may be taken by any outgoing connection meanwhile)
LOW_EPHEMERAL=$(cut -f1 /proc/sys/net/ipv4/ip_local_port_range 2>/dev/null || echo 32768)
for _ in $(seq 1 50); do
	PORT=$((20000 + RANDOM % (LOW_EPHEMERAL - 20000)))
	listening || break
done

# start_run NAME: scripts/run in a session of its own (its pid is the process group), with INT
# at its default action so that it can be Ctrl-C'd like from a terminal (a background job of a
# script starts with INT ignored)
start_run() {
	setsid env -u PORTAL_DB -u PORTAL_DB_READ --default-signal=INT,QUIT \
		PORTAL_DATA_DIR="$DATA" PORTAL_LISTEN="127.0.0.1:$PORT" PORTAL_BIN="$BIN" \
		PORTAL_MIGRATIONS="$ROOT/migrations" PORTAL_ACCESS_LOG=0 PORTAL_PASSWORD_COST=minimum \
		"$RUN" >"$TMP/$1.log" 2>&1 &
	RUN_PID=$!
	PGIDS+=("$RUN_PID")
	disown "$RUN_PID" # no "Killed" notices; alive() watches it
	echo "started $1 (pid $RUN_PID)"
}
# wait_ready SECONDS: /readyz answers 200 while the run is still alive
wait_ready() {
	for _ in $(seq 1 $(($1 * 5))); do
		alive "$RUN_PID" || return 1
		[ "$(curl -s -o /dev/null -w '%{http_code}' --max-time 2 \
			"http://127.0.0.1:$PORT/readyz")" = 200 ] && return 0
		sleep 0.2
	done
	return 1
}
# wait_until SECONDS COMMAND...: polls until COMMAND succeeds
wait_until() {
	local n=$(($1 * 10))
	shift
	for _ in $(seq 1 $n); do
		"$@" && return 0
		sleep 0.1
	done
	return 1
}
not() { ! "$@"; }
nothing_left() { # no server on the data directory, nothing on the port, no process of any run
	local pg
	[ -z "$(servers)" ] && ! listening || return 1
	for pg in "${PGIDS[@]}"; do [ -z "$(in_group "$pg")" ] || return 1; done
}
# ctrl_c NAME: what the terminal does on Ctrl-C, then waits for the run to end
ctrl_c() {
	kill -INT -- "-$RUN_PID"
	check "$1 exits after Ctrl-C" wait_until 60 not alive "$RUN_PID"
	check "nothing left running after $1 (no MariaDB on the data directory, nothing on :$PORT)" \
		wait_until 10 nothing_left
}

echo "data directory $DATA, port $PORT, scripts/run: $RUN"

# 1. a first run, then the terminal closes: kill -9 of the script (first, so that its trap
# cannot stop the server) and of the portal; the server started in the background survives
start_run run1
wait_ready 120 || die "run1 serves /readyz"
ok "run1 serves /readyz"
kill -KILL "$RUN_PID"
for pid in $(in_group "$RUN_PID"); do
	[ "$(cat "/proc/$pid/comm" 2>/dev/null)" = mariadbd ] || kill -KILL "$pid" 2>/dev/null || true
done
wait_until 10 not listening || die "run1's portal is gone after kill -9"
sleep 0.5
[ "$(count servers)" -eq 1 ] || die "run1's MariaDB survives the kill -9 (else nothing is tested)"
ok "run1's MariaDB survives the kill -9 (pid $(servers))"

# 2. the next run finds it, says what it does with it, serves; Ctrl-C leaves nothing running
start_run run2
wait_ready 60 || die "run2 serves /readyz after a killed run"
ok "run2 serves /readyz after a killed run"
check "run2 says it reuses or stops the MariaDB left running" \
	grep -qE 'reusing the private MariaDB|stopping the private MariaDB' "$TMP/run2.log"
grep -E 'reusing|stopping|stale' "$TMP/run2.log" |
	sed 's/\x1b\[[0-9;]*m//g; s/^/    run2: /' || true
n="$(count servers)"
check "exactly one MariaDB runs on the data directory (found $n)" test "$n" -eq 1
ctrl_c run2

# 3. kill -9 of the script alone leaves the portal serving; the next run stops it
start_run run3
wait_ready 60 || die "run3 serves /readyz"
kill -KILL "$RUN_PID"
sleep 0.5
old_portal="$(for pid in $(in_group "$RUN_PID"); do
	[ "$(cat "/proc/$pid/comm" 2>/dev/null)" = mariadbd ] || echo "$pid"
done)"
[ -n "$old_portal" ] && listening ||
	die "run3's portal survives a kill -9 of the script (else nothing is tested)"
start_run run4
# until the old portal is gone, it is the one answering /readyz
check "run4 stops the portal left running (pid $old_portal)" wait_until 40 not alive "$old_portal"
wait_ready 60 || die "run4 serves /readyz after a killed script"
ok "run4 serves /readyz after a killed script"
check "run4 says it stops the portal left running" \
	grep -q 'stopping the portal left running' "$TMP/run4.log"
n="$(count servers)"
check "exactly one MariaDB runs on the data directory (found $n)" test "$n" -eq 1
ctrl_c run4

finish
