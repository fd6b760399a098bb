/* Statistics from the transition history, cached in memory; JSON, CSV and open data. */
#define _GNU_SOURCE
#include "public_stats.h"

#include <pthread.h>
#include <stdarg.h>
#include <stdbool.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "portal/aftercare_stats.h"
#include "portal/router.h"
#include "portal/snapshot.h"
#include "portal/tracks.h"
#include "store/oversight.h"
#include "demo/sample_history.h"
#include "workflows/stats.h"
#include "lib/strbuf.h"
#include "lib/xalloc.h"
#include "lib/json_text.h"

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_mutex_t compute_lock = PTHREAD_MUTEX_INITIALIZER;
static struct stats_view *current;

static int refresh_seconds(void)
{
	const char *s = getenv("PORTAL_STATS_SECONDS");
	int n = s ? atoi(s) : 60;
	return n >= 0 ? n : 60;
}

static void view_free(struct stats_view *v)
{
	json_decref(v->json);
	free(v->json_text);
	free(v->csv);
	free(v->open_data);
	free(v);
}

void public_stats_put(const struct stats_view *cv)
{
	struct stats_view *v = (struct stats_view *)cv;
	if (!v)
		return;
	pthread_mutex_lock(&lock);
	bool last = --v->refs == 0;
	pthread_mutex_unlock(&lock);
	if (last)
		view_free(v);
}

void public_stats_invalidate(void)
{
	pthread_mutex_lock(&lock);
	struct stats_view *old = current;
	current = NULL;
	bool last = old && --old->refs == 0;
	pthread_mutex_unlock(&lock);
	if (last)
		view_free(old);
}

/* --- building samples from the history --------------------------------------------------- */

/* A CSV field: always quoted, quotes doubled, and never read as a spreadsheet formula. */
static void put_field(struct strbuf *b, const char *s)
{
	strbuf_puts(b, s && s[0] && strchr("=+-@", s[0]) ? "\"'" : "\"");
	for (const char *p = s ? s : ""; *p; p++) {
		strbuf_add(b, p, 1);
		if (*p == '"')
			strbuf_add(b, p, 1); /* doubled */
	}
	strbuf_puts(b, "\"");
}

/* A district's names as the districts table has them; strings borrowed from the history. */
struct district_name {
	const char *code, *zh, *en;
};

struct built {
	struct stats_sample *samples;
	size_t n, cap;
	char (*months)[8];
	struct strbuf open;
	struct district_name *districts; /* each district of the history once */
	size_t ndistricts;
	int sample_tracks; /* tracks of the generated sample history (SAMPLE_PREFIX) */
};

static void note_district(struct built *bt, const struct history_track *t)
{
	for (size_t i = 0; i < bt->ndistricts; i++)
		if (!strcmp(bt->districts[i].code, t->district))
			return;
	bt->districts[bt->ndistricts++] =
	    (struct district_name){t->district, t->district_zh, t->district_en};
}

static void add_sample(struct built *bt, const struct stats_sample *s)
{
	if (bt->n == bt->cap) {
		bt->cap = bt->cap ? bt->cap * 2 : 256;
		bt->samples = xrealloc(bt->samples, bt->cap * sizeof(*bt->samples));
	}
	bt->samples[bt->n++] = *s;
}

static void open_row(struct strbuf *b, const struct history_track *t, const char *state,
		     const struct stats_span *total)
{
	char d1[11], d2[11];
	put_field(b, t->object_type);
	strbuf_printf(b, ",");
	put_field(b, t->kind);
	strbuf_printf(b, ",");
	put_field(b, t->district);
	strbuf_printf(b, ",");
	put_field(b, t->segment);
	strbuf_printf(b, ",%s,%s,", t->submitted_day >= 0 ? cal_day_format(t->submitted_day, d1) : "",
	    total ? cal_day_format(total->end_day, d2) : "");
	put_field(b, state);
	if (total)
		strbuf_printf(b, ",%d,%s", total->days, total->on_time ? "true" : "false");
	else
		strbuf_printf(b, ",,");
	strbuf_printf(b, ",%s,%s,%s\n", t->fast_tracked ? "true" : "false",
		      t->deemed ? "true" : "false",
		      sample_reference(t->reference) ? "true" : "false");
}

/* Every finished stage run and finished track of the history as samples; open-data rows. */
static void build(const struct calendar *cal, const struct history *h, struct built *bt)
{
	bt->months = xcalloc(h->ntracks + 1, sizeof(*bt->months));
	bt->districts = xcalloc(h->ntracks + 1, sizeof(*bt->districts));
	strbuf_printf(&bt->open, "object,kind,district,road_segment,submitted_on,finished_on,state,"
		       "working_days,on_time,fast_tracked,deemed,sample\n");
	size_t cap_ev = 16, cap_sp = 16;
	struct stats_event *ev = xmalloc(cap_ev * sizeof(*ev));
	struct stats_pause *pa = xmalloc(cap_sp * sizeof(*pa));
	for (size_t i = 0; i < h->ntracks; i++) {
		const struct history_track *t = &h->tracks[i];
		bool job = !strcmp(t->object_type, "job");
		note_district(bt, t);
		bt->sample_tracks += sample_reference(t->reference);
		if (t->nevents > cap_ev)
			ev = xrealloc(ev, (cap_ev = t->nevents) * sizeof(*ev));
		if (t->npauses > cap_sp)
			pa = xrealloc(pa, (cap_sp = t->npauses) * sizeof(*pa));
		const char *state = "";
		for (size_t k = 0; k < t->nevents; k++) {
			const struct history_event *e = &h->events[t->first_event + k];
			bool fin = stats_finishes(t->object_type, e->to_state);
			ev[k] = (struct stats_event){e->at, e->stage, e->due_day, fin};
			state = e->to_state;
		}
		for (size_t k = 0; k < t->npauses; k++)
			pa[k] = (struct stats_pause){h->pauses[t->first_pause + k].paused_at,
						     h->pauses[t->first_pause + k].resumed_at};
		struct stats_span sp[64];
		size_t ns = stats_spans(cal, ev, t->nevents, pa, t->npauses, sp, 64);
		if (ns > 64)
			ns = 64;
		const struct stats_span *total = NULL;
		for (size_t k = 0; k < ns; k++) {
			struct stats_sample s = {
			    .days = sp[k].days, .on_time = sp[k].on_time, .rating = STATS_UNRATED};
			if (sp[k].stage) {
				s.key[STATS_STAGE] = sp[k].stage;
				add_sample(bt, &s);
				continue;
			}
			total = &sp[k];
			int y, m;
			cal_day_to_ymd(sp[k].end_day, &y, &m, NULL);
			snprintf(bt->months[i], sizeof(bt->months[i]), "%04d-%02d", y, m);
			s.key[STATS_DISTRICT] = t->district;
			s.key[job ? STATS_UTILITY : STATS_AUTHORITY] = t->org_name;
			s.key[STATS_MONTH] = bt->months[i];
			s.materials = t->materials;
			s.fast_tracked = t->fast_tracked;
			s.deemed = t->deemed;
			s.rating = t->rating;
			add_sample(bt, &s);
		}
		open_row(&bt->open, t, state, total);
	}
	free(ev);
	free(pa);
}

/* --- rendering ----------------------------------------------------------------------------- */

/*
 * The workflow's stage names against the standards' stage codes (accept, construct, complete):
 * the same correspondence as application_stage_limit in workflows/application.c.
 */
static const char *stage_code(const char *stage)
{
	static const char *const map[][2] = {
	    {"acceptance", "accept"}, {"construction", "construct"}, {"completion", "complete"}};
	for (size_t i = 0; i < sizeof(map) / sizeof(map[0]); i++)
		if (!strcmp(map[i][0], stage))
			return map[i][1];
	return stage;
}

/*
 * The names a reader sees beside a key (which stays the stable code): a district's from the
 * districts table, a stage's from the published standards (the last listed that has the stage;
 * every kind names its stages alike). Nothing is added when no name is known (organisations
 * and months are names already).
 */
static void add_names(json_t *o, enum stats_dim d, const char *key, const struct built *bt,
		      const struct published *pub)
{
	const char *zh = NULL, *en = NULL;
	if (d == STATS_DISTRICT) {
		for (size_t i = 0; i < bt->ndistricts; i++)
			if (!strcmp(bt->districts[i].code, key)) {
				zh = bt->districts[i].zh;
				en = bt->districts[i].en;
			}
	} else if (d == STATS_STAGE && pub) {
		const char *code = stage_code(key);
		for (size_t i = pub->nstandards; i-- > 0 && !zh;) {
			const struct stage_standard *st = standards_stage(pub->standards[i], code);
			if (st) {
				zh = st->name_zh;
				en = st->name_en;
			}
		}
	}
	if (zh && *zh)
		json_object_set_new(o, "name_zh", json_string(zh));
	if (en && *en)
		json_object_set_new(o, "name_en", json_string(en));
}

static json_t *row_json(const struct stats_row *r)
{
	return json_pack("{s:s, s:i, s:f, s:i, s:f, s:f, s:f, s:f, s:i, s:o, s:i}", "key", r->key,
			 "count", r->count, "median_days", r->median_days, "p90_days", r->p90_days,
			 "on_time_rate", r->on_time_rate, "materials_avg", r->materials_avg,
			 "fast_track_share", r->fast_track_share, "deemed_share", r->deemed_share,
			 "rated", r->rated, "rating_score",
			 r->rated ? json_real(r->rating_score) : json_null(), "rank", r->rank);
}

static void csv_row(struct strbuf *b, const char *dim, const struct stats_row *r)
{
	strbuf_printf(b, "%s,", dim);
	put_field(b, r->key);
	strbuf_printf(b, ",%d,%.1f,%d,%.3f,%.2f,%.3f,%.3f,%d,", r->count, r->median_days, r->p90_days,
	    r->on_time_rate, r->materials_avg, r->fast_track_share, r->deemed_share, r->rated);
	if (r->rated)
		strbuf_printf(b, "%.1f", r->rating_score);
	strbuf_printf(b, ",%d", r->rank);
	for (int i = 0; i < AFTERCARE_CSV_NCOLUMNS; i++) /* the aftercare columns: not theirs */
		strbuf_puts(b, ",");
	strbuf_puts(b, "\n");
}

static int cmp_rank(const void *a, const void *b)
{
	return ((const struct stats_row *)a)->rank - ((const struct stats_row *)b)->rank;
}

/*
 * The whole city: every finished track under one key, as the summary object (no key, no rank)
 * and the CSV's "all" row.
 */
static json_t *summary_json(const struct built *bt, struct strbuf *csv)
{
	struct stats_sample *all = xmalloc((bt->n + 1) * sizeof(*all));
	size_t nall = 0;
	for (size_t i = 0; i < bt->n; i++)
		if (!bt->samples[i].key[STATS_STAGE]) {
			all[nall] = bt->samples[i];
			memset(all[nall].key, 0, sizeof(all[nall].key));
			all[nall++].key[STATS_DISTRICT] = "all";
		}
	struct stats_row *rows;
	size_t n;
	stats_group(all, nall, STATS_DISTRICT, &rows, &n);
	json_t *summary = n ? row_json(&rows[0]) : json_pack("{s:i}", "count", 0);
	json_object_del(summary, "rank");
	json_object_del(summary, "key");
	if (n)
		csv_row(csv, "all", &rows[0]);
	free(rows);
	free(all);
	return summary;
}

/* A ranked dimension's rows by rank, each with the figures the ranking is made of. */
static json_t *ranking_json(struct stats_row *rows, size_t n, enum stats_dim d,
			    const struct built *bt, const struct published *pub)
{
	qsort(rows, n, sizeof(*rows), cmp_rank);
	json_t *rk = json_array();
	for (size_t i = 0; i < n; i++) {
		json_t *o = json_pack("{s:i, s:s, s:f, s:f, s:i}", "rank", rows[i].rank, "key",
				      rows[i].key, "on_time_rate", rows[i].on_time_rate,
				      "median_days", rows[i].median_days, "count", rows[i].count);
		add_names(o, d, rows[i].key, bt, pub);
		json_array_append_new(rk, o);
	}
	return rk;
}

/* Every dimension's rows into groups (and the CSV), the ranked ones also into rankings. */
static void group_all(const struct built *bt, const struct published *pub, json_t *groups,
		      json_t *rankings, struct strbuf *csv)
{
	for (int d = 0; d < STATS_NDIMS; d++) {
		struct stats_row *rows;
		size_t n;
		stats_group(bt->samples, bt->n, (enum stats_dim)d, &rows, &n);
		json_t *arr = json_array();
		for (size_t i = 0; i < n; i++) {
			json_t *o = row_json(&rows[i]);
			add_names(o, (enum stats_dim)d, rows[i].key, bt, pub);
			json_array_append_new(arr, o);
			csv_row(csv, stats_dim_name((enum stats_dim)d), &rows[i]);
		}
		json_object_set_new(groups, stats_dim_name((enum stats_dim)d), arr);
		if (d == STATS_DISTRICT || d == STATS_UTILITY || d == STATS_AUTHORITY)
			json_object_set_new(rankings, stats_dim_name((enum stats_dim)d),
					    ranking_json(rows, n, (enum stats_dim)d, bt, pub));
		free(rows);
	}
}

/* The /v1/public/stats document around the figures; steals summary, groups and rankings. */
static json_t *document(long long now, int sample_tracks, json_t *summary, json_t *groups,
			json_t *rankings)
{
	char at[32];
	time_t secs = (time_t)(now / 1000000);
	struct tm tm;
	gmtime_r(&secs, &tm);
	strftime(at, sizeof(at), "%Y-%m-%dT%H:%M:%SZ", &tm);
	json_t *doc = json_pack("{s:s, s:s, s:s, s:s, s:i, s:o, s:o, s:o, s:i}", "generated_at", at,
				"source", "status history (transitions and clock pauses)", "unit",
				"working days", "ranking",
				"on-time rate (higher first), then median working days (lower "
				"first)",
				"refresh_seconds", refresh_seconds(), "summary", summary, "groups",
				groups, "rankings", rankings, "sample_tracks", sample_tracks);
	/* generated demo data is counted in every figure above: say so, and how to tell it */
	if (sample_tracks)
		json_object_set_new(doc, "sample_data",
				    json_pack("{s:s, s:s}", "reference_prefix", SAMPLE_PREFIX,
					      "note",
					      "the figures include generated sample applications "
					      "(demo data, not real cases)"));
	return doc;
}

/*
 * One generation from the samples: the document, its text and ETag, the CSVs (bt's taken);
 * the aftercare figures (stolen; NULL: none) beside them.
 */
static struct stats_view *render(struct built *bt, long long now, const struct published *pub,
				 json_t *aftercare)
{
	struct stats_view *v = xcalloc(1, sizeof(*v));
	v->computed_us = now;
	json_t *groups = json_object(), *rankings = json_object();
	struct strbuf csv = {0};
	strbuf_printf(&csv, "dimension,key,count,median_days,p90_days,on_time_rate,materials_avg,"
			    "fast_track_share,deemed_share,rated,rating_score,rank,"
			    AFTERCARE_CSV_COLUMNS "\n");
	json_t *summary = summary_json(bt, &csv);
	group_all(bt, pub, groups, rankings, &csv);
	aftercare_stats_csv(aftercare, 10, &csv); /* count .. rank are the other figures' */
	v->json = document(now, bt->sample_tracks, summary, groups, rankings);
	if (aftercare)
		json_object_set_new(v->json, "aftercare", aftercare);
	v->json_text = json_text(v->json);
	v->csv = csv.p;
	v->open_data = bt->open.p;
	bt->open.p = NULL;
	unsigned char h[16];
	char hex[33];
	crypto_generichash(h, sizeof(h), (const unsigned char *)v->json_text, strlen(v->json_text),
			   NULL, 0);
	sodium_bin2hex(hex, sizeof(hex), h, sizeof(h));
	snprintf(v->etag, sizeof(v->etag), "\"%s\"", hex);
	v->refs = 1;
	return v;
}

static int history_tx(struct store_conn *c, void *ctx, struct error *err)
{
	return store_history(c, ctx, err);
}

struct aftercare_ctx {
	const struct published *pub;
	json_t *out;
};

static int aftercare_tx(struct store_conn *c, void *ctx, struct error *err)
{
	struct aftercare_ctx *a = ctx;
	return aftercare_stats_build(c, a->pub, &a->out, err);
}

static struct stats_view *compute(struct app *app, struct error *err)
{
	struct history h;
	if (store_with(app->pool, history_tx, &h, err) != 0)
		return NULL;
	const struct published *pub = snapshot_get(app);
	struct calendar weekends;
	calendar_init(&weekends);
	struct built bt = {0};
	build(pub ? &pub->cal : &weekends, &h, &bt);
	struct aftercare_ctx ac = {pub, NULL};
	if (store_with(app->pool, aftercare_tx, &ac, err) != 0) {
		if (pub)
			snapshot_put(pub);
		free(bt.samples);
		free(bt.months);
		free(bt.districts);
		free(bt.open.p);
		store_history_release(&h);
		return NULL;
	}
	struct stats_view *v = render(&bt, tracks_now_us(), pub, ac.out);
	if (pub)
		snapshot_put(pub);
	free(bt.samples);
	free(bt.months);
	free(bt.districts);
	free(bt.open.p);
	store_history_release(&h); /* the samples' strings were copied into the JSON and CSV */
	return v;
}

const struct stats_view *public_stats_get(struct app *app, struct error *err)
{
	long long now = tracks_now_us();
	pthread_mutex_lock(&lock);
	struct stats_view *v = current;
	bool fresh = v && now - v->computed_us < (long long)refresh_seconds() * 1000000LL;
	if (v)
		v->refs++;
	pthread_mutex_unlock(&lock);
	if (fresh)
		return v;
	/* One recomputation at a time; the others serve the previous generation meanwhile. */
	if (v && pthread_mutex_trylock(&compute_lock) != 0)
		return v;
	if (!v)
		pthread_mutex_lock(&compute_lock);
	struct stats_view *next = compute(app, err);
	if (next) {
		pthread_mutex_lock(&lock);
		struct stats_view *old = current;
		current = next;
		next->refs++; /* the caller's */
		bool last = old && --old->refs == 0;
		pthread_mutex_unlock(&lock);
		if (last)
			view_free(old);
	}
	pthread_mutex_unlock(&compute_lock);
	if (next) {
		public_stats_put(v);
		return next;
	}
	return v; /* the old one (or NULL with err) when the database failed */
}

/* --- routes -------------------------------------------------------------------------------- */

static bool wants_csv(struct http_request *req)
{
	const char *f = http_query(req, "format");
	if (f)
		return !strcmp(f, "csv");
	const char *a = http_header(req, "Accept");
	return a && strstr(a, "text/csv") && !strstr(a, "application/json");
}

static int stats_get(struct http_request *req, struct http_response *res)
{
	struct error err = ERROR_INIT;
	const struct stats_view *v = public_stats_get(req->app, &err);
	if (!v) {
		int rc = http_reply_error(res, &err);
		error_release(&err);
		return rc;
	}
	if (wants_csv(req)) {
		http_reply_text(res, 200, "text/csv; charset=utf-8", v->csv, strlen(v->csv));
		http_add_header(res, "Content-Disposition", "inline; filename=\"stats.csv\"");
	} else {
		const char *inm = http_header(req, "If-None-Match");
		if (inm && strstr(inm, v->etag))
			res->status = 304;
		else
			http_reply_text(res, 200, "application/json; charset=utf-8", v->json_text,
					strlen(v->json_text));
		http_add_header(res, "ETag", v->etag);
	}
	http_add_header(res, "Cache-Control", "public, max-age=60");
	http_add_header(res, "Vary", "Accept");
	public_stats_put(v);
	return 0;
}

static int open_data_get(struct http_request *req, struct http_response *res)
{
	struct error err = ERROR_INIT;
	const struct stats_view *v = public_stats_get(req->app, &err);
	if (!v) {
		int rc = http_reply_error(res, &err);
		error_release(&err);
		return rc;
	}
	http_reply_text(res, 200, "text/csv; charset=utf-8", v->open_data, strlen(v->open_data));
	http_add_header(res, "Content-Disposition", "attachment; filename=\"applications.csv\"");
	http_add_header(res, "Cache-Control", "public, max-age=60");
	public_stats_put(v);
	return 0;
}

const struct route public_stats_routes[] = {
    {"GET", "/v1/public/stats", stats_get, ROUTE_PUBLIC, 0, RUNS_ON_WORK},
    {"GET", "/v1/public/open-data/applications.csv", open_data_get, ROUTE_PUBLIC, 0, RUNS_ON_WORK},
    {0},
};
