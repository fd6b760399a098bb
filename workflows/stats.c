/* Processing-time statistics from the status history: spans, percentiles, groups and ranks. */
#include "stats.h"

#include <stdlib.h>
#include <string.h>

#include "job.h"
#include "permit.h"
#include "lib/xalloc.h"

static day_t max_day(day_t a, day_t b)
{
	return a > b ? a : b;
}

static day_t min_day(day_t a, day_t b)
{
	return a < b ? a : b;
}

int stats_working_days(const struct calendar *cal, int64_t start, int64_t end,
		       const struct stats_pause *pauses, size_t npauses)
{
	/* The start counts from its received day, as the stage clock does (DESIGN.md §5). */
	day_t s = calendar_received_day(cal, start);
	day_t e = cal_day_of_instant(end);
	int days = calendar_working_days_between(cal, s, e);
	for (size_t i = 0; i < npauses; i++) {
		if (pauses[i].paused_at > end ||
		    (pauses[i].resumed_at >= 0 && pauses[i].resumed_at < start))
			continue;
		/* A resume restarts the count from its received day, like clock_resume. */
		day_t p = max_day(cal_day_of_instant(pauses[i].paused_at), s);
		day_t r = pauses[i].resumed_at < 0
			      ? e
			      : min_day(calendar_received_day(cal, pauses[i].resumed_at), e);
		days -= calendar_working_days_between(cal, p, r);
	}
	return days > 0 ? days : 0;
}

static bool same_stage(const char *a, const char *b)
{
	return a && b && strcmp(a, b) == 0;
}

size_t stats_spans(const struct calendar *cal, const struct stats_event *ev, size_t nev,
		   const struct stats_pause *pauses, size_t npauses, struct stats_span *out,
		   size_t cap)
{
	size_t n = 0;
	bool all_on_time = true;
	for (size_t i = 0; i < nev; i++) {
		if (!ev[i].stage || (i > 0 && same_stage(ev[i - 1].stage, ev[i].stage)))
			continue;
		/* A run of one stage: from here to the first event running something else. */
		day_t due = ev[i].due_day;
		size_t j = i + 1;
		for (; j < nev && same_stage(ev[j].stage, ev[i].stage); j++)
			if (ev[j].due_day >= 0)
				due = ev[j].due_day;
		if (j == nev)
			break; /* still running: not a finished stretch */
		struct stats_span sp = {ev[i].stage, calendar_received_day(cal, ev[i].at),
					cal_day_of_instant(ev[j].at), 0, false};
		sp.days = stats_working_days(cal, ev[i].at, ev[j].at, pauses, npauses);
		sp.on_time = due < 0 || sp.end_day <= due;
		bool before_end = true;
		for (size_t k = 0; k < j && k < nev; k++)
			if (ev[k].finished)
				before_end = false;
		if (before_end)
			all_on_time &= sp.on_time;
		if (n < cap)
			out[n] = sp;
		n++;
	}
	for (size_t i = 0; i < nev; i++) {
		if (!ev[i].finished)
			continue;
		struct stats_span sp = {NULL, calendar_received_day(cal, ev[0].at),
					cal_day_of_instant(ev[i].at), 0, all_on_time};
		sp.days = stats_working_days(cal, ev[0].at, ev[i].at, pauses, npauses);
		if (n < cap)
			out[n] = sp;
		n++;
		break;
	}
	return n;
}

static const char *const dim_names[STATS_NDIMS] = {
    [STATS_DISTRICT] = "district", [STATS_UTILITY] = "utility", [STATS_AUTHORITY] = "authority",
    [STATS_STAGE] = "stage",	   [STATS_MONTH] = "month",
};

const char *stats_dim_name(enum stats_dim d)
{
	return (unsigned)d < STATS_NDIMS ? dim_names[d] : "unknown";
}

static int cmp_int(const void *a, const void *b)
{
	int x = *(const int *)a, y = *(const int *)b;
	return (x > y) - (x < y);
}

static int *sorted_copy(const int *days, size_t n)
{
	int *c = xmalloc(sizeof(int) * (n ? n : 1));
	memcpy(c, days, sizeof(int) * n);
	qsort(c, n, sizeof(int), cmp_int);
	return c;
}

double stats_median(const int *days, size_t n)
{
	if (n == 0)
		return 0;
	int *c = sorted_copy(days, n);
	double m = n % 2 ? c[n / 2] : (c[n / 2 - 1] + c[n / 2]) / 2.0;
	free(c);
	return m;
}

int stats_p90(const int *days, size_t n)
{
	if (n == 0)
		return 0;
	int *c = sorted_copy(days, n);
	size_t rank = (9 * n + 9) / 10; /* ceil(0.9 n), in integers */
	int v = c[rank - 1];
	free(c);
	return v;
}

/* qsort has no context argument: the dimension being grouped travels in this. */
struct keyed {
	const struct stats_sample *s;
	enum stats_dim d;
};

static int cmp_keyed(const void *a, const void *b)
{
	const struct keyed *x = a, *y = b;
	return strcmp(x->s->key[x->d], y->s->key[y->d]);
}

static void fill_row(struct stats_row *r, const struct keyed *k, size_t n)
{
	int *days = xmalloc(sizeof(int) * n);
	int on_time = 0, materials = 0, fast = 0, deemed = 0, rated = 0, score = 0;
	for (size_t i = 0; i < n; i++) {
		const struct stats_sample *s = k[i].s;
		days[i] = s->days;
		on_time += s->on_time;
		materials += s->materials;
		fast += s->fast_tracked;
		deemed += s->deemed;
		if (s->rating >= 0) {
			rated++;
			score += s->rating;
		}
	}
	r->key = k[0].s->key[k[0].d];
	r->count = (int)n;
	r->median_days = stats_median(days, n);
	r->p90_days = stats_p90(days, n);
	r->on_time_rate = (double)on_time / (double)n;
	r->materials_avg = (double)materials / (double)n;
	r->fast_track_share = (double)fast / (double)n;
	r->deemed_share = (double)deemed / (double)n;
	r->rated = rated;
	r->rating_score = rated ? (double)score / rated : 0;
	free(days);
}

static int cmp_rank(const void *a, const void *b)
{
	const struct stats_row *x = *(const struct stats_row *const *)a;
	const struct stats_row *y = *(const struct stats_row *const *)b;
	if (x->on_time_rate != y->on_time_rate)
		return x->on_time_rate > y->on_time_rate ? -1 : 1;
	if (x->median_days != y->median_days)
		return x->median_days < y->median_days ? -1 : 1;
	return strcmp(x->key, y->key);
}

void stats_group(const struct stats_sample *s, size_t n, enum stats_dim d, struct stats_row **rows,
		 size_t *nrows)
{
	*rows = NULL;
	*nrows = 0;
	struct keyed *k = xmalloc(sizeof(*k) * (n ? n : 1));
	size_t m = 0;
	for (size_t i = 0; i < n; i++)
		if (s[i].key[d])
			k[m++] = (struct keyed){&s[i], d};
	qsort(k, m, sizeof(*k), cmp_keyed);
	struct stats_row *out = m ? xcalloc(m, sizeof(*out)) : NULL;
	size_t nr = 0;
	for (size_t i = 0; i < m;) {
		size_t j = i + 1;
		while (j < m && cmp_keyed(&k[i], &k[j]) == 0)
			j++;
		fill_row(&out[nr++], &k[i], j - i);
		i = j;
	}
	free(k);
	struct stats_row **order = xmalloc(sizeof(*order) * (nr ? nr : 1));
	for (size_t i = 0; i < nr; i++)
		order[i] = &out[i];
	qsort(order, nr, sizeof(*order), cmp_rank);
	for (size_t i = 0; i < nr; i++)
		order[i]->rank = (int)i + 1;
	free(order);
	*rows = out;
	*nrows = nr;
}

bool stats_finishes(const char *object_type, const char *to_state)
{
	/* compared with the tables' own names: this runs once per event of the whole history */
	if (strcmp(object_type, "job") == 0)
		return strcmp(to_state, job_state_name(JOB_COMPLETED)) == 0;
	return strcmp(to_state, permit_state_name(PERMIT_APPROVED)) == 0 ||
	       strcmp(to_state, permit_state_name(PERMIT_REJECTED)) == 0;
}
