/* The published snapshot: loading, pre-rendering, reference counting and the poller thread. */
#define _GNU_SOURCE
#include "snapshot.h"

#include <pthread.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "portal/app.h"
#include "portal/public_api.h"
#include "store/codes.h"
#include "lib/xalloc.h"

#define POLL_SECONDS 1

/* One interned body: kept until snapshot_stop, shared by every snapshot that renders it. */
struct interned {
	char *data;
	size_t len;
	char etag[40];
};

struct snapshot {
	struct app *app;
	pthread_mutex_t mu;	 /* guards current */
	pthread_mutex_t rebuild; /* one rebuild at a time; guards the interned bodies */
	struct published *current;
	struct interned *bodies;
	size_t nbodies;
	pthread_t thread;
	pthread_mutex_t stop_mu;
	pthread_cond_t stop_cv;
	bool stopping;
	bool started; /* the poller thread runs */
	bool failing; /* the last load failed: log again only when it recovers */
	bool read_failing; /* likewise for the replica (PORTAL_DB_READ) */
};

day_t snapshot_today(void)
{
	return cal_day_of_instant((int64_t)time(NULL));
}

static void free_published(struct published *p)
{
	for (size_t i = 0; i < p->nschedules; i++)
		fees_schedule_free(p->schedules[i]);
	for (size_t i = 0; i < p->nstandards; i++)
		standards_free(p->standards[i]);
	free(p->schedules);
	free(p->schedule_info);
	free(p->standards);
	free(p->standard_info);
	calendar_release(&p->cal);
	free(p->days);
	codes_release(&p->codes);
	free(p);
}

void snapshot_put(const struct published *cp)
{
	struct published *p = (struct published *)cp;
	if (p && atomic_fetch_sub(&p->refs, 1) == 1)
		free_published(p);
}

const struct published *snapshot_get(struct app *app)
{
	struct snapshot *s = app ? app->snapshot : NULL;
	if (!s)
		return NULL;
	pthread_mutex_lock(&s->mu);
	struct published *p = s->current;
	if (p)
		atomic_fetch_add(&p->refs, 1);
	pthread_mutex_unlock(&s->mu);
	return p;
}

/* ---------------------------------------------------------------- per organisation */

size_t snapshot_schedules_of_kind(const struct published *p, long long org_id, const char *kind,
				  const struct fee_schedule **out, size_t cap)
{
	size_t n = 0;
	for (size_t i = 0; p && i < p->nschedules && n < cap; i++)
		if (p->schedule_info[i].org_id == org_id &&
		    (!kind || strcmp(p->schedules[i]->utility_kind, kind) == 0))
			out[n++] = p->schedules[i];
	return n;
}

size_t snapshot_schedules_of(const struct published *p, long long org_id,
			     const struct fee_schedule **out, size_t cap)
{
	return snapshot_schedules_of_kind(p, org_id, NULL, out, cap);
}

const struct fee_schedule *snapshot_schedule_in_force(const struct published *p,
						      long long org_id, const char *kind,
						      day_t day, size_t *index)
{
	if (!p || !p->nschedules)
		return NULL;
	const struct fee_schedule **own = xcalloc(p->nschedules, sizeof(*own));
	size_t n = snapshot_schedules_of_kind(p, org_id, kind, own, p->nschedules);
	const struct fee_schedule *s = fees_schedule_in_force(own, n, kind, day);
	free(own);
	for (size_t i = 0; s && index && i < p->nschedules; i++)
		if (p->schedules[i] == s)
			*index = i;
	return s;
}

size_t snapshot_fee_orgs(const struct published *p, const char *kind, long long *out, size_t cap)
{
	size_t n = 0;
	for (size_t i = 0; p && i < p->nschedules; i++) {
		long long org = p->schedule_info[i].org_id;
		if (strcmp(p->schedules[i]->utility_kind, kind) != 0)
			continue;
		/* insertion into the sorted, distinct list */
		size_t at = 0;
		while (at < n && out[at] < org)
			at++;
		if ((at < n && out[at] == org) || at >= cap)
			continue;
		if (n == cap)
			n--; /* the largest falls off */
		memmove(&out[at + 1], &out[at], (n - at) * sizeof(*out));
		out[at] = org;
		n++;
	}
	return n;
}

/* ---------------------------------------------------------------- loading */

static void info_from_row(const struct pub_row *r, struct published_info *info)
{
	info->id = r->id;
	info->org_id = r->org_id;
	snprintf(info->org_name, sizeof(info->org_name), "%s", r->org_name);
	snprintf(info->published_at, sizeof(info->published_at), "%s", r->published_at);
}

/*
 * Parses the published rows. A row that no longer parses (it cannot happen through the API,
 * which checked it) is logged and left out rather than hiding everything else.
 */
static void parse_schedules(struct published *p, const struct pub_row *rows, size_t n)
{
	p->schedules = xcalloc(n + 1, sizeof(*p->schedules));
	p->schedule_info = xcalloc(n + 1, sizeof(*p->schedule_info));
	for (size_t i = 0; i < n; i++) {
		json_t *j = json_loads(rows[i].body, 0, NULL);
		struct fee_schedule *fs = NULL;
		if (j && fees_schedule_from_json(j, &fs, NULL) == 0) {
			info_from_row(&rows[i], &p->schedule_info[p->nschedules]);
			p->schedules[p->nschedules++] = fs;
		} else {
			fprintf(stderr, "{\"level\":\"error\",\"message\":\"published fee schedule "
					"%lld does not parse\"}\n", rows[i].id);
		}
		json_decref(j);
	}
}

static void parse_standards(struct published *p, const struct pub_row *rows, size_t n)
{
	p->standards = xcalloc(n + 1, sizeof(*p->standards));
	p->standard_info = xcalloc(n + 1, sizeof(*p->standard_info));
	for (size_t i = 0; i < n; i++) {
		json_t *j = json_loads(rows[i].body, 0, NULL);
		struct service_standard *st = NULL;
		if (j && standards_from_json(j, &st, NULL) == 0) {
			info_from_row(&rows[i], &p->standard_info[p->nstandards]);
			p->standards[p->nstandards++] = st;
		} else {
			fprintf(stderr, "{\"level\":\"error\",\"message\":\"published service "
					"standard %lld does not parse\"}\n", rows[i].id);
		}
		json_decref(j);
	}
}

struct load {
	struct published *p;
	struct pub_row *fees, *stds;
	size_t nfees, nstds;
};

static void load_reset(struct load *l)
{
	store_pub_rows_free(l->fees, l->nfees);
	store_pub_rows_free(l->stds, l->nstds);
	l->fees = l->stds = NULL;
	l->nfees = l->nstds = 0;
	calendar_release(&l->p->cal);
	free(l->p->days);
	l->p->days = NULL;
	l->p->ndays = 0;
	codes_release(&l->p->codes);
}

/* One consistent read of everything (a transaction), rerunnable. */
static int load_tx(struct store_conn *c, void *ctx, struct error *err)
{
	struct load *l = ctx;
	load_reset(l);
	int rc = store_publication_seq(c, &l->p->seq, err);
	if (!rc)
		rc = store_pub_load_published(c, PUB_FEES, &l->fees, &l->nfees, err);
	if (!rc)
		rc = store_pub_load_published(c, PUB_STANDARDS, &l->stds, &l->nstds, err);
	if (!rc)
		rc = store_calendar_load(c, &l->p->cal, &l->p->days, &l->p->ndays, err);
	if (!rc)
		rc = store_codes_load(c, &l->p->codes, err);
	return rc;
}

static int seq_tx(struct store_conn *c, void *ctx, struct error *err)
{
	return store_publication_seq(c, ctx, err);
}

/* The interned copy of a body (taking ownership of data). Under s->rebuild. */
static const struct interned *intern(struct snapshot *s, char *data, size_t len)
{
	unsigned char h[16];
	char hex[33];
	crypto_generichash(h, sizeof(h), (const unsigned char *)data, len, NULL, 0);
	sodium_bin2hex(hex, sizeof(hex), h, sizeof(h));
	for (size_t i = 0; i < s->nbodies; i++)
		if (s->bodies[i].len == len && strncmp(s->bodies[i].etag + 1, hex, 32) == 0 &&
		    memcmp(s->bodies[i].data, data, len) == 0) {
			free(data);
			return &s->bodies[i];
		}
	s->bodies = xrealloc(s->bodies, (s->nbodies + 1) * sizeof(*s->bodies));
	struct interned *b = &s->bodies[s->nbodies++];
	b->data = data;
	b->len = len;
	snprintf(b->etag, sizeof(b->etag), "\"%s\"", hex);
	return b;
}

static void render_all(struct snapshot *s, struct published *p)
{
	for (int d = 0; d < SNAP_NDOCS; d++)
		for (int l = 0; l < SNAP_NLANGS; l++) {
			size_t len = 0;
			char *data = public_render(p, (enum snapshot_doc)d, (enum snapshot_lang)l,
						   &len);
			/* intern() may move the array: copy the fields, not a pointer */
			const struct interned *b = intern(s, data, len);
			p->bodies[d][l].data = b->data;
			p->bodies[d][l].len = b->len;
			memcpy(p->bodies[d][l].etag, b->etag, sizeof(b->etag));
		}
}

/* Loads (from pool) and renders a new snapshot and makes it current. Under s->rebuild. */
static int rebuild(struct snapshot *s, struct store_pool *pool, struct error *err)
{
	struct load l = { .p = xcalloc(1, sizeof(struct published)) };
	calendar_init(&l.p->cal);
	int rc = store_tx(pool, load_tx, &l, err);
	if (rc) {
		load_reset(&l);
		free_published(l.p);
		return rc;
	}
	struct published *p = l.p;
	parse_schedules(p, l.fees, l.nfees);
	parse_standards(p, l.stds, l.nstds);
	store_pub_rows_free(l.fees, l.nfees);
	store_pub_rows_free(l.stds, l.nstds);
	p->today = snapshot_today();
	render_all(s, p);
	atomic_init(&p->refs, 1); /* the holder's reference */
	pthread_mutex_lock(&s->mu);
	struct published *old = s->current;
	s->current = p;
	pthread_mutex_unlock(&s->mu);
	snapshot_put(old);
	return 0;
}

/*
 * Rebuilds from pool when there is no snapshot, the sequence moved or the day changed. A
 * replica (PORTAL_DB_READ) that is behind what this instance already shows is not a reason to
 * go back: after a local publication the snapshot comes from the primary, and the replica
 * catches up.
 */
static int refresh(struct snapshot *s, struct store_pool *pool, bool quiet, struct error *err)
{
	long long seq = 0;
	int rc = store_with(pool, seq_tx, &seq, err);
	pthread_mutex_lock(&s->rebuild);
	if (!rc) {
		const struct published *cur = snapshot_get(s->app);
		bool behind = pool != s->app->pool && cur && seq < cur->seq;
		bool fresh = cur && (cur->seq == seq || behind) && cur->today == snapshot_today();
		snapshot_put(cur);
		if (!fresh)
			rc = rebuild(s, behind ? s->app->pool : pool, err);
	}
	if (quiet) {
		/* the caller logs */
	} else if (rc && !s->failing)
		fprintf(stderr,
			"{\"level\":\"warn\",\"message\":\"published snapshot not refreshed: "
			"%s\"}\n", err->message);
	else if (!rc && s->failing)
		fprintf(stderr, "{\"level\":\"info\",\"message\":\"published snapshot loaded\"}\n");
	if (!quiet)
		s->failing = rc != 0;
	pthread_mutex_unlock(&s->rebuild);
	return rc;
}

int snapshot_refresh(struct app *app, struct error *err)
{
	if (!app->snapshot)
		return error_set(err, ERR_UNAVAILABLE, "no snapshot");
	/* after a local publication: the primary, which has it already */
	return refresh(app->snapshot, app->pool, false, err);
}

static void *poller(void *arg)
{
	struct snapshot *s = arg;
	pthread_mutex_lock(&s->stop_mu);
	while (!s->stopping) {
		struct timespec until;
		clock_gettime(CLOCK_REALTIME, &until);
		until.tv_sec += POLL_SECONDS;
		pthread_cond_timedwait(&s->stop_cv, &s->stop_mu, &until);
		if (s->stopping)
			break;
		pthread_mutex_unlock(&s->stop_mu);
		/* the replica when there is one; the primary when it fails */
		struct error err = ERROR_INIT;
		struct store_pool *replica = s->app->read_pool;
		int rc = replica ? refresh(s, replica, true, &err) : -1;
		if (replica && (rc != 0) != s->read_failing)
			fprintf(stderr, rc ? "{\"level\":\"warn\",\"message\":\"PORTAL_DB_READ "
					     "unreachable; reading published data from PORTAL_DB\"}\n"
					   : "{\"level\":\"info\",\"message\":\"reading published "
					     "data from PORTAL_DB_READ again\"}\n");
		s->read_failing = replica && rc != 0;
		error_release(&err);
		if (rc != 0)
			refresh(s, s->app->pool, false, &err);
		error_release(&err);
		pthread_mutex_lock(&s->stop_mu);
	}
	pthread_mutex_unlock(&s->stop_mu);
	return NULL;
}

struct snapshot *snapshot_start(struct app *app)
{
	struct snapshot *s = xcalloc(1, sizeof(*s));
	s->app = app;
	pthread_mutex_init(&s->mu, NULL);
	pthread_mutex_init(&s->rebuild, NULL);
	pthread_mutex_init(&s->stop_mu, NULL);
	pthread_cond_init(&s->stop_cv, NULL);
	app->snapshot = s;
	struct error err = ERROR_INIT;
	refresh(s, app->pool, false, &err);
	error_release(&err);
	s->started = pthread_create(&s->thread, NULL, poller, s) == 0;
	if (!s->started)
		fprintf(stderr, "{\"level\":\"error\",\"message\":\"cannot start the snapshot "
				"poller\"}\n");
	return s;
}

void snapshot_stop(struct snapshot *s)
{
	if (!s)
		return;
	pthread_mutex_lock(&s->stop_mu);
	s->stopping = true;
	pthread_cond_signal(&s->stop_cv);
	pthread_mutex_unlock(&s->stop_mu);
	if (s->started)
		pthread_join(s->thread, NULL);
	s->app->snapshot = NULL;
	snapshot_put(s->current);
	for (size_t i = 0; i < s->nbodies; i++)
		free(s->bodies[i].data);
	free(s->bodies);
	pthread_mutex_destroy(&s->mu);
	pthread_mutex_destroy(&s->rebuild);
	pthread_mutex_destroy(&s->stop_mu);
	pthread_cond_destroy(&s->stop_cv);
	free(s);
}
