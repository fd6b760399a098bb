/*
 * Processing-time statistics from the status history (rule 11): how long each track and each
 * stage took in working days with supplement pauses left out, whether it kept its limit, and
 * the published aggregates (count, median, 90th percentile, on-time rate, materials, shares
 * fast-tracked and deemed, rating score) per district, utility, authority, stage and month.
 * Pure: no I/O, no clock.
 */
#ifndef WORKFLOWS_STATS_H
#define WORKFLOWS_STATS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "calendar.h"

/* One row of a track's transition history, oldest first. Strings borrowed. */
struct stats_event {
	int64_t at;	   /* UTC seconds */
	const char *stage; /* the stage running after this transition, NULL when none */
	day_t due_day;	   /* that stage's due day while it runs unpaused, else -1 */
	bool finished;	   /* the track reached its end here (job completed; permit decided) */
};

/* A supplement pause of one stage. resumed_at < 0 while still paused. */
struct stats_pause {
	int64_t paused_at, resumed_at;
};

/*
 * A finished stretch: a whole track (stage NULL) or one stage run. Days are working days from
 * the day the start counts as received to the day the end counts as received, less the working
 * days spent paused; on_time when it ended no later than its last due day.
 */
struct stats_span {
	const char *stage; /* borrowed from the events; NULL for the whole track */
	day_t start_day, end_day;
	int days;
	bool on_time;
};

/*
 * Working days of [start, end] as a clock counts them (after start's day up to end's day), less
 * the working days inside each pause. Never negative. Times are UTC seconds.
 */
int stats_working_days(const struct calendar *cal, int64_t start, int64_t end,
		       const struct stats_pause *pauses, size_t npauses);

/*
 * The finished stage runs of one track, then (when the track finished) the whole track, into
 * out[0..cap). Returns how many there are (may exceed cap). A track is on time when every
 * stage run was.
 */
size_t stats_spans(const struct calendar *cal, const struct stats_event *ev, size_t nev,
		   const struct stats_pause *pauses, size_t npauses, struct stats_span *out,
		   size_t cap);

/* What figures are grouped by. */
enum stats_dim {
	STATS_DISTRICT,
	STATS_UTILITY,
	STATS_AUTHORITY,
	STATS_STAGE,
	STATS_MONTH,
	STATS_NDIMS
};

/* The stable name of a dimension ("district", "utility"...). */
const char *stats_dim_name(enum stats_dim d);

/*
 * The one definition of "finished" for processing times: a change of a "job" or "permit" into
 * to_state ends its processing when a job's connection is completed, or a permit is decided
 * (approved or rejected; the first decision counts).
 */
bool stats_finishes(const char *object_type, const char *to_state);

/* Ratings as numbers: a score is the mean over rated tracks, good 100, average 50, bad 0. */
enum stats_rating { STATS_UNRATED = -1, STATS_BAD = 0, STATS_AVERAGE = 50, STATS_GOOD = 100 };

/*
 * One measured thing. key[d] NULL: not counted under dimension d (a stage run has only its
 * stage; a whole track has everything but the stage). Strings borrowed.
 */
struct stats_sample {
	const char *key[STATS_NDIMS];
	int days;
	bool on_time;
	int materials; /* materials the application had to supply */
	bool fast_tracked, deemed;
	int rating; /* enum stats_rating */
};

/* The figures of one group. key is borrowed from the samples. */
struct stats_row {
	const char *key;
	int count;
	double median_days;
	int p90_days;	     /* nearest rank: the ceil(0.9 n)-th smallest */
	double on_time_rate; /* 0..1 */
	double materials_avg;
	double fast_track_share, deemed_share; /* 0..1 */
	int rated;
	double rating_score; /* 0..100; meaningless when rated == 0 */
	int rank;	     /* 1 = best: higher on-time rate, then lower median, then key */
};

/* Median (mean of the middle two for an even count) and nearest-rank p90 of n >= 1 values. */
double stats_median(const int *days, size_t n);
int stats_p90(const int *days, size_t n);

/*
 * Groups the samples by dimension d: one row per distinct key, ordered by key (bytewise), each
 * ranked. *rows is a new array the caller frees (NULL when *nrows is 0). Cannot fail.
 */
void stats_group(const struct stats_sample *s, size_t n, enum stats_dim d, struct stats_row **rows,
		 size_t *nrows);

#endif
