/*
 * The demo's sample history: months of generated joint applications with their jobs, permits,
 * transitions, supplement pauses, ratings and follow-ups, so that the statistics, the
 * supervision lists and the queues of the demo accounts look like a city's. Every step is
 * taken through the real transition tables (job_apply, permit_apply) and the real stage clock
 * (clock_start, clock_pause, clock_resume) on the published calendar and limits, so the rows
 * are ones the portal itself could have written. Deterministic: the same input gives the same
 * history, byte for byte. Pure: no I/O, no clock (now is passed in).
 *
 * Everything generated carries references starting with SAMPLE_PREFIX, which is how the
 * statistics and the supervision lists recognise sample data and say so.
 */
#ifndef DEMO_SAMPLE_HISTORY_H
#define DEMO_SAMPLE_HISTORY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "workflows/application.h"
#include "workflows/calendar.h"
#include "workflows/clock.h"
#include "lib/error.h"
#include "workflows/fees.h"
#include "workflows/role.h"
#include "workflows/standards.h"

/* The prefix of every sample reference (applications, jobs, permits, site plot numbers). */
#define SAMPLE_PREFIX "SAMPLE-"

/* True when reference is sample data. NULL is not. */
bool sample_reference(const char *reference);

struct sample_input {
	uint64_t seed;
	int64_t now;	 /* UTC seconds: nothing in the history happens after it */
	day_t first_day; /* submissions on working days from first_day ... */
	day_t last_day;	 /* ... to last_day, inclusive */
	int per_week;	 /* mean submissions per week (>= 1) */
	const struct calendar *cal;
	const char *const *districts; /* district codes, at least one */
	size_t ndistricts;
	/* every published standard (any version): each track uses the one in force on its
	 * application's submission day, as the portal does */
	const struct service_standard *const *standards;
	size_t nstandards;
	/* the fee schedules of the organisation handling each utility kind and of the road
	 * authority, for quotes and estimates (may be empty: then nothing is priced) */
	const struct fee_schedule *const *fees[UK_COUNT];
	size_t nfees[UK_COUNT];
	const struct fee_schedule *const *road_fees;
	size_t nroad_fees;
};

/* Who acted: the application's applicant, the track's own utility or authority, the office. */
enum sample_party { SAMPLE_APPLICANT, SAMPLE_HANDLER, SAMPLE_OFFICE, SAMPLE_NOBODY };

struct sample_site {
	int district; /* index into input districts */
	char name[64], address[96], plot_ref[40];
	double lat, lng;
	const char *zone_risk; /* "low", "medium" */
};

struct sample_app {
	char reference[24];
	size_t site;
	int64_t submitted_at;
	day_t submitted_day;
	const char *status; /* open, completed, withdrawn */
	char *request;	    /* JSON without site_id (the store sets it) */
	char *estimate;	    /* JSON */
	int64_t estimate_total_fen;
	char request_hash[65];
	const char *materials[16]; /* material types supplied (borrowed from the standards) */
	size_t nmaterials;
	int version;
};

struct sample_track {
	size_t app;
	bool permit;
	int kind; /* enum utility_kind for jobs, enum permit_kind for permits */
	char reference[32];
	const char *state, *decision; /* decision: permits only ("none" ...) */
	bool deemed, fast_track, post_checked, reinstated;
	const char *stage; /* the running stage, NULL when none */
	struct clock clock;
	day_t window_from, window_to, deadline_day;		  /* permits; -1 when none */
	char *params, *connection_point, *quote, *permits_needed; /* jobs; JSON or NULL */
	int64_t quote_total_fen;				  /* -1: no quote */
	char *trigger_reason, *conditions, *decision_reason;	  /* permits */
	int version;
	int64_t created_at, updated_at;
	/* the applicant's rating, and the follow-up a bad one opens (NULL: none) */
	const char *score, *comment;
	int64_t rated_at;
	const char *follow_up; /* open, answered, closed */
	const char *answer, *close_note;
	int64_t answered_at, closed_at;
	/* fast track: the post-check task (done when post_checked) */
	bool post_check_task;
	int64_t task_done_at;
};

struct sample_event {
	size_t app;
	long track; /* -1: the application itself */
	const char *action, *from, *to;
	enum role role;
	enum sample_party party;
	int64_t at;
	const char *stage; /* the stage running after it, NULL when none */
	day_t due_day;	   /* its due day while it runs unpaused, else -1 */
	char *payload;	   /* JSON */
};

struct sample_pause {
	size_t track;
	const char *stage;
	char *items; /* JSON [{code, comment}] */
	enum role role;
	int64_t paused_at, resumed_at; /* resumed_at -1 while paused */
	day_t paused_day;
	int remaining_days;
};

/* A job's works need a permit. */
struct sample_link {
	size_t job, permit;
};

struct sample_dig {
	size_t app, permit; /* permit: the dig-road permit */
	int utility;
	const char *road, *road_class;
	int from_m, to_m;
	day_t start_day, end_day;
};

/* An inspection on the record: a fast track's post-check, a dig's reinstatement. */
struct sample_inspection {
	size_t permit;
	const char *kind; /* post_check, reinstatement */
	const char *comment;
	int64_t at;
};

struct sample_history {
	struct sample_site *sites;
	size_t nsites;
	struct sample_app *apps;
	size_t napps;
	struct sample_track *tracks;
	size_t ntracks;
	struct sample_event *events; /* in time order */
	size_t nevents;
	struct sample_pause *pauses; /* in time order */
	size_t npauses;
	struct sample_link *links;
	size_t nlinks;
	struct sample_dig *digs;
	size_t ndigs;
	struct sample_inspection *inspections; /* every one passed */
	size_t ninspections;
};

/*
 * Generates the history into *out (released with sample_history_release). ERR_INVALID when the
 * input cannot give one: no district, an empty date range, or a kind without a standard in
 * force on first_day (publish the standards first).
 */
int sample_history_generate(const struct sample_input *in, struct sample_history *out,
			    struct error *err);
void sample_history_release(struct sample_history *h);

#endif
