/*
 * `portal seed-demo` step: the sample history. Reads what it needs (the published calendar,
 * standards and fees from a snapshot; the demo accounts and the districts from the store),
 * has workflows/sample_history.c generate the months before today, and stores them in one
 * transaction. The seed is fixed, so a given day always gives the same history.
 */
#define _GNU_SOURCE
#include "seed_history.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "portal/app.h"
#include "portal/snapshot.h"
#include "portal/tracks.h"
#include "store/accounts.h"
#include "store/sample_history.h"
#include "demo/sample_history.h"
#include "lib/xalloc.h"

#define SEED 0x5EED0D15C0FFEEULL
#define PER_WEEK 8

day_t seed_history_first_day(day_t today)
{
	int y, m;
	cal_day_to_ymd(today, &y, &m, NULL);
	m -= SEED_HISTORY_MONTHS;
	while (m < 1) {
		m += 12;
		y--;
	}
	return cal_day_from_ymd(y, m, 1);
}

/* The demo accounts that act in the history (portal/admin.c creates them). */
static const char *const utility_emails[UK_COUNT] = {
    [UK_WATER] = "water@demo.test", [UK_POWER] = "power@demo.test",	[UK_GAS] = "gas@demo.test",
    [UK_HEAT] = "heat@demo.test",   [UK_NETWORK] = "network@demo.test",
};
static const char *const authority_emails[PERMIT_KIND_COUNT] = {
    [PERMIT_DIG_ROAD] = "road@demo.test",
    [PERMIT_GREENING] = "greening@demo.test",
    [PERMIT_PLANNING] = "planning@demo.test",
};

struct setup {
	bool exists;
	struct sample_parties who;
	char **districts;
	size_t ndistricts;
};

static int party(struct store_conn *c, const char *email, long long *org, long long *user,
		 struct error *err)
{
	struct user_row u;
	int rc = store_user_by_email(c, email, &u, err);
	if (rc == ERR_NOT_FOUND)
		return error_set(err, ERR_INVALID, "no demo account %s: seed the accounts first",
				 email);
	*org = u.org_id;
	*user = u.id;
	return rc;
}

static int setup_read(struct store_conn *c, void *ctx, struct error *err)
{
	struct setup *s = ctx;
	struct sample_parties *w = &s->who;
	int rc = store_sample_history_exists(c, &s->exists, err);
	if (!rc && !s->exists)
		rc = store_district_codes(c, &s->districts, &s->ndistricts, err);
	if (!rc && !s->exists)
		rc = party(c, "applicant@demo.test", &w->applicant_org, &w->applicant_user, err);
	if (!rc && !s->exists)
		rc = party(c, "office@demo.test", &w->office_org, &w->office_user, err);
	for (int k = 0; !rc && !s->exists && k < UK_COUNT; k++)
		rc = party(c, utility_emails[k], &w->utility_org[k], &w->utility_user[k], err);
	for (int k = 0; !rc && !s->exists && k < PERMIT_KIND_COUNT; k++)
		rc =
		    party(c, authority_emails[k], &w->authority_org[k], &w->authority_user[k], err);
	return rc;
}

struct write {
	const struct sample_history *h;
	const struct setup *s;
	const char *detail;
};

static int write_tx(struct store_conn *c, void *ctx, struct error *err)
{
	struct write *w = ctx;
	bool exists = false;
	int rc = store_sample_history_exists(c, &exists, err);
	if (rc || exists)
		return rc; /* another seed got there first */
	return store_sample_history_insert(c, w->h, (const char *const *)w->s->districts,
					   &w->s->who, w->detail, err);
}

/* Every schedule organisation org publishes for kind, from the snapshot. New array. */
static const struct fee_schedule **schedules(const struct published *p, long long org,
					     const char *kind, size_t *n)
{
	const struct fee_schedule **out = xcalloc(p->nschedules + 1, sizeof(*out));
	*n = snapshot_schedules_of_kind(p, org, kind, out, p->nschedules);
	return out;
}

static double seconds_since(const struct timespec *t0)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)(t.tv_sec - t0->tv_sec) + (double)(t.tv_nsec - t0->tv_nsec) / 1e9;
}

/*
 * The generator's input from the published data (calendar, standards, each handling
 * organisation's fee schedules), then the history itself into h.
 */
static int generate(const struct published *pub, const struct setup *s, struct sample_input *in,
		    struct sample_history *h, struct error *err)
{
	const struct fee_schedule **fees[UK_COUNT] = {0}, **road = NULL;
	in->cal = &pub->cal;
	in->standards = (const struct service_standard *const *)pub->standards;
	in->nstandards = pub->nstandards;
	for (int k = 0; k < UK_COUNT; k++) {
		fees[k] =
		    schedules(pub, s->who.utility_org[k], utility_kind_name(k), &in->nfees[k]);
		in->fees[k] = fees[k];
	}
	road = schedules(pub, s->who.authority_org[PERMIT_DIG_ROAD], "road", &in->nroad_fees);
	in->road_fees = road;
	int rc = sample_history_generate(in, h, err);
	for (int k = 0; k < UK_COUNT; k++)
		free(fees[k]);
	free(road);
	return rc;
}

/* Stores h in one transaction with its audit entry, and says so on progress. */
static int save(struct store_pool *pool, const struct sample_input *in,
		const struct sample_history *h, const struct setup *s, FILE *progress,
		const struct timespec *t0, struct error *err)
{
	char from[11], to[11];
	char *detail = xasprintf(
	    "{\"via\":\"seed-demo\",\"sample\":true,\"reference_prefix\":\"%s\","
	    "\"from\":\"%s\",\"to\":\"%s\",\"seed\":%llu,\"applications\":%zu,"
	    "\"tracks\":%zu,\"transitions\":%zu,\"pauses\":%zu}",
	    SAMPLE_PREFIX, cal_day_format(in->first_day, from), cal_day_format(in->last_day, to),
	    (unsigned long long)SEED, h->napps, h->ntracks, h->nevents, h->npauses);
	struct write w = {h, s, detail};
	int rc = store_tx(pool, write_tx, &w, err);
	free(detail);
	if (!rc && progress)
		fprintf(progress,
			"seed-demo: sample history %s to %s: %zu applications, %zu jobs and "
			"permits, %zu transitions, %zu pauses (%.2f s)\n",
			from, to, h->napps, h->ntracks, h->nevents, h->npauses, seconds_since(t0));
	return rc;
}

/* With the published data of a snapshot of its own: generate the history and store it. */
static int generate_and_save(struct store_pool *pool, const struct setup *s, day_t first_day,
			     FILE *progress, const struct timespec *t0, struct error *err)
{
	struct app app = {.pool = pool};
	snapshot_start(&app);
	const struct published *pub = snapshot_get(&app);
	struct sample_history h = {0};
	struct sample_input in = {
	    .seed = SEED,
	    .now = tracks_now_us() / 1000000,
	    .first_day = first_day,
	    .last_day = tracks_today(),
	    .per_week = PER_WEEK,
	    .districts = (const char *const *)s->districts,
	    .ndistricts = s->ndistricts,
	};
	int rc;
	if (!pub)
		rc = error_set(err, ERR_UNAVAILABLE, "the published data could not be read");
	else
		rc = generate(pub, s, &in, &h, err);
	if (!rc)
		rc = save(pool, &in, &h, s, progress, t0, err);
	sample_history_release(&h);
	if (pub)
		snapshot_put(pub);
	snapshot_stop(app.snapshot);
	return rc;
}

int seed_history_run(struct store_pool *pool, day_t first_day, FILE *progress, struct error *err)
{
	struct timespec t0;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	struct setup s = {0};
	int rc = store_with(pool, setup_read, &s, err);
	if (!rc && !s.exists)
		rc = generate_and_save(pool, &s, first_day, progress, &t0, err);
	store_district_codes_free(s.districts, s.ndistricts);
	return rc;
}
