# Reads `perf sched timehist` output and answers: of the scheduling delays longer than MIN_MS
# (default 5) suffered by the threads whose name matches WHO (a regular expression, default the
# portal's, MariaDB's and wrk's threads), how many overlapped a time when a thread matching
# CULPRIT (default kdamond, the kernel's memory-access monitor) was running, and what share of
# the delayed time that overlap was. Prints one line of key=value fields:
#   delays=26 overlapped=24 delay_ms=198.6 overlap_ms=172.4 culprit_ms=444.6
# timehist columns: time cpu task [prio] wait_ms sch_delay_ms run_ms; the line's time is the end
# of the run slice, so the slice ran over [time - run, time] and waited before that for sch_delay.
BEGIN {
	if (MIN_MS == "") MIN_MS = 5
	if (WHO == "") WHO = "MHD-worker|mariadbd|portal|wrk"
	if (CULPRIT == "") CULPRIT = "^kdamond"
}
NF >= 6 && $1 ~ /^[0-9]+\.[0-9]+$/ {
	end = $1 + 0; run = $NF / 1000; delay = $(NF - 1) / 1000
	task = $3
	n++
	t_end[n] = end; t_run[n] = run; t_delay[n] = delay; t_task[n] = task
	if (task ~ CULPRIT) { k++; k_from[k] = end - run; k_to[k] = end; culprit += run }
}
END {
	for (i = 1; i <= n; i++) {
		if (t_task[i] !~ WHO || t_delay[i] * 1000 <= MIN_MS) continue
		from = t_end[i] - t_run[i] - t_delay[i]; to = t_end[i] - t_run[i]
		o = 0
		for (j = 1; j <= k; j++) {
			a = (k_from[j] > from) ? k_from[j] : from
			b = (k_to[j] < to) ? k_to[j] : to
			if (b > a) o += b - a
		}
		delays++; delayed += t_delay[i]
		if (o > 0) { hit++; overlap += o }
	}
	printf "delays=%d overlapped=%d delay_ms=%.1f overlap_ms=%.1f culprit_ms=%.1f\n",
		delays, hit, delayed * 1000, overlap * 1000, culprit * 1000
}
