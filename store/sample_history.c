/*
 * The demo's sample history, stored in bulk: one statement per table (transitions in chunks),
 * each reading its rows from one bound JSON parameter through JSON_TABLE and finding the ids
 * of what it refers to by reference, so no id is guessed and no SQL is assembled from data.
 */
#define _GNU_SOURCE
#include "sample_history.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "store/audit.h"
#include "lib/json_text.h"
#include "lib/xalloc.h"

static const char SQL_EXISTS[] = "SELECT COUNT(*) FROM applications WHERE reference LIKE ?";
static const char SQL_DISTRICTS[] = "SELECT code FROM districts ORDER BY code";

static const char SQL_SITES[] =
    "INSERT INTO sites (org_id, name, address, district_code, lat, lng, plot_ref, zone_risk) "
    "SELECT ?, jt.name, jt.address, jt.district, jt.lat, jt.lng, jt.plot_ref, jt.zone_risk "
    "FROM JSON_TABLE(?, '$[*]' COLUMNS (n FOR ORDINALITY, "
    "name VARCHAR(200) CHARACTER SET utf8mb4 PATH '$.name', "
    "address VARCHAR(400) CHARACTER SET utf8mb4 PATH '$.address', "
    "district VARCHAR(32) PATH '$.district', lat DECIMAL(9,6) PATH '$.lat', "
    "lng DECIMAL(9,6) PATH '$.lng', plot_ref VARCHAR(100) PATH '$.plot_ref', "
    "zone_risk VARCHAR(8) PATH '$.zone_risk')) jt ORDER BY jt.n";

static const char SQL_APPLICATIONS[] =
    "INSERT INTO applications (reference, org_id, site_id, status, submitted_at, submitted_day, "
    "request, estimate, estimate_total_fen, request_hash, created_by, version) "
    "SELECT jt.reference, s.org_id, s.id, jt.status, jt.submitted_at, jt.submitted_day, "
    "JSON_SET(jt.request, '$.site_id', s.id), jt.estimate, jt.total, jt.hash, ?, jt.version "
    "FROM JSON_TABLE(?, '$[*]' COLUMNS (n FOR ORDINALITY, "
    "reference VARCHAR(24) PATH '$.reference', plot_ref VARCHAR(100) PATH '$.plot_ref', "
    "status VARCHAR(16) PATH '$.status', submitted_at DATETIME(6) PATH '$.submitted_at', "
    "submitted_day DATE PATH '$.submitted_day', "
    "request MEDIUMTEXT CHARACTER SET utf8mb4 PATH '$.request', "
    "estimate MEDIUMTEXT CHARACTER SET utf8mb4 PATH '$.estimate', total BIGINT PATH '$.total', "
    "hash CHAR(64) PATH '$.hash', version INT PATH '$.version')) jt "
    "JOIN sites s ON s.org_id = ? AND s.plot_ref = jt.plot_ref ORDER BY jt.n";

/* The first material of each type in the applicant's library, as each application's. */
static const char SQL_MATERIALS[] =
    "INSERT INTO application_materials (application_id, material_id) SELECT a.id, m.id "
    "FROM JSON_TABLE(?, '$[*]' COLUMNS (n FOR ORDINALITY, app VARCHAR(24) PATH '$.app', "
    "type VARCHAR(64) PATH '$.type')) jt JOIN applications a ON a.reference = jt.app "
    "JOIN (SELECT material_type, MIN(id) AS id FROM materials WHERE org_id = ? "
    "GROUP BY material_type) m ON m.material_type = jt.type ORDER BY jt.n";

/* The clock columns jobs and permits share (workflows/clock.h). */
#define CLOCK_COLUMNS                                                                              \
	"stage VARCHAR(32) PATH '$.stage', stage_limit_days INT PATH '$.limit', "                  \
	"started_day DATE PATH '$.started_day', due_day DATE PATH '$.due_day', "                   \
	"paused INT PATH '$.paused', paused_day DATE PATH '$.paused_day', "                        \
	"remaining_days INT PATH '$.remaining', created_at DATETIME(6) PATH '$.created_at', "      \
	"updated_at DATETIME(6) PATH '$.updated_at', version INT PATH '$.version', "

static const char SQL_JOBS[] =
    "INSERT INTO jobs (application_id, reference, utility_kind, utility_org_id, state, version, "
    "params, connection_point, quote, quote_total_fen, permits_needed, stage, stage_limit_days, "
    "started_day, due_day, paused, paused_day, remaining_days, created_at, updated_at) "
    "SELECT a.id, jt.reference, jt.kind, jt.org, jt.state, jt.version, jt.params, "
    "jt.connection_point, jt.quote, jt.quote_total, jt.permits_needed, jt.stage, "
    "jt.stage_limit_days, jt.started_day, jt.due_day, jt.paused, jt.paused_day, "
    "jt.remaining_days, jt.created_at, jt.updated_at "
    "FROM JSON_TABLE(?, '$[*]' COLUMNS (n FOR ORDINALITY, app VARCHAR(24) PATH '$.app', "
    "reference VARCHAR(32) PATH '$.reference', kind VARCHAR(16) PATH '$.kind', "
    "org BIGINT PATH '$.org', state VARCHAR(24) PATH '$.state', " CLOCK_COLUMNS
    "params TEXT CHARACTER SET utf8mb4 PATH '$.params', "
    "connection_point TEXT CHARACTER SET utf8mb4 PATH '$.connection_point', "
    "quote TEXT CHARACTER SET utf8mb4 PATH '$.quote', quote_total BIGINT PATH '$.quote_total', "
    "permits_needed TEXT CHARACTER SET utf8mb4 PATH '$.permits_needed')) jt "
    "JOIN applications a ON a.reference = jt.app ORDER BY jt.n";

static const char SQL_PERMITS[] =
    "INSERT INTO permits (application_id, reference, kind, authority_org_id, state, decision, "
    "is_deemed, fast_track, post_checked, reinstatement_passed, window_from, window_to, "
    "trigger_reason, conditions, decision_reason, version, stage, stage_limit_days, "
    "started_day, due_day, deadline_day, paused, paused_day, remaining_days, created_at, "
    "updated_at) "
    "SELECT a.id, jt.reference, jt.kind, jt.org, jt.state, jt.decision, jt.deemed, "
    "jt.fast_track, jt.post_checked, jt.reinstated, jt.window_from, jt.window_to, "
    "jt.trigger_reason, jt.conditions, jt.decision_reason, jt.version, jt.stage, "
    "jt.stage_limit_days, jt.started_day, jt.due_day, jt.deadline_day, jt.paused, "
    "jt.paused_day, jt.remaining_days, jt.created_at, jt.updated_at "
    "FROM JSON_TABLE(?, '$[*]' COLUMNS (n FOR ORDINALITY, app VARCHAR(24) PATH '$.app', "
    "reference VARCHAR(32) PATH '$.reference', kind VARCHAR(16) PATH '$.kind', "
    "org BIGINT PATH '$.org', state VARCHAR(24) PATH '$.state', " CLOCK_COLUMNS
    "decision VARCHAR(32) PATH '$.decision', deemed INT PATH '$.deemed', "
    "fast_track INT PATH '$.fast_track', post_checked INT PATH '$.post_checked', "
    "reinstated INT PATH '$.reinstated', window_from DATE PATH '$.window_from', "
    "window_to DATE PATH '$.window_to', deadline_day DATE PATH '$.deadline_day', "
    "trigger_reason VARCHAR(500) CHARACTER SET utf8mb4 PATH '$.trigger_reason', "
    "conditions TEXT CHARACTER SET utf8mb4 PATH '$.conditions', "
    "decision_reason TEXT CHARACTER SET utf8mb4 PATH '$.decision_reason')) jt "
    "JOIN applications a ON a.reference = jt.app ORDER BY jt.n";

static const char SQL_LINKS[] =
    "INSERT INTO job_permits (job_id, permit_id) SELECT j.id, p.id "
    "FROM JSON_TABLE(?, '$[*]' COLUMNS (n FOR ORDINALITY, job VARCHAR(32) PATH '$.job', "
    "permit VARCHAR(32) PATH '$.permit')) jt JOIN jobs j ON j.reference = jt.job "
    "JOIN permits p ON p.reference = jt.permit ORDER BY jt.n";

static const char SQL_DIGS[] =
    "INSERT INTO excavations (application_id, permit_id, utility_kind, district_code, road, "
    "road_class, from_m, to_m, width_m, start_day, end_day) "
    "SELECT a.id, p.id, jt.utility, jt.district, jt.road, jt.road_class, jt.from_m, jt.to_m, "
    "1, jt.start_day, jt.end_day "
    "FROM JSON_TABLE(?, '$[*]' COLUMNS (n FOR ORDINALITY, app VARCHAR(24) PATH '$.app', "
    "permit VARCHAR(32) PATH '$.permit', utility VARCHAR(16) PATH '$.utility', "
    "district VARCHAR(32) PATH '$.district', "
    "road VARCHAR(200) CHARACTER SET utf8mb4 PATH '$.road', "
    "road_class VARCHAR(32) PATH '$.road_class', from_m INT PATH '$.from_m', "
    "to_m INT PATH '$.to_m', start_day DATE PATH '$.start_day', end_day DATE PATH '$.end_day'"
    ")) jt JOIN applications a ON a.reference = jt.app "
    "LEFT JOIN permits p ON p.reference = jt.permit ORDER BY jt.n";

/* An object of a job, permit or application row by its reference. */
#define OBJECT_JOINS                                                                               \
	"JOIN applications a ON a.reference = jt.app "                                             \
	"LEFT JOIN jobs j ON jt.type = 'job' AND j.reference = jt.ref "                            \
	"LEFT JOIN permits p ON jt.type = 'permit' AND p.reference = jt.ref "
#define OBJECT_ID "CASE jt.type WHEN 'job' THEN j.id WHEN 'permit' THEN p.id ELSE a.id END"
#define OBJECT_COLUMNS                                                                             \
	"n FOR ORDINALITY, app VARCHAR(24) PATH '$.app', type VARCHAR(16) PATH '$.type', "         \
	"ref VARCHAR(32) PATH '$.ref', "

static const char SQL_TRANSITIONS[] =
    "INSERT INTO transitions (application_id, object_type, object_id, action, from_state, "
    "to_state, actor_role, actor_org_id, actor_user_id, payload, at, stage, due_day) "
    "SELECT a.id, jt.type, " OBJECT_ID ", jt.action, jt.from_state, jt.to_state, jt.role, "
    "jt.org, jt.uid, jt.payload, jt.at, jt.stage, jt.due_day "
    "FROM JSON_TABLE(?, '$[*]' COLUMNS (" OBJECT_COLUMNS "action VARCHAR(32) PATH '$.action', "
    "from_state VARCHAR(24) PATH '$.from', to_state VARCHAR(24) PATH '$.to', "
    "role VARCHAR(16) PATH '$.role', org BIGINT PATH '$.org', uid BIGINT PATH '$.user', "
    "payload TEXT CHARACTER SET utf8mb4 PATH '$.payload', at DATETIME(6) PATH '$.at', "
    "stage VARCHAR(32) PATH '$.stage', due_day DATE PATH '$.due_day')) jt " OBJECT_JOINS
    "ORDER BY jt.n";

static const char SQL_PAUSES[] =
    "INSERT INTO clock_pauses (object_type, object_id, stage, reason, items, actor_role, "
    "actor_org_id, actor_user_id, paused_at, paused_day, remaining_days, resumed_at) "
    "SELECT jt.type, " OBJECT_ID ", jt.stage, 'supplement', jt.items, jt.role, jt.org, "
    "jt.uid, jt.paused_at, jt.paused_day, jt.remaining, jt.resumed_at "
    "FROM JSON_TABLE(?, '$[*]' COLUMNS (" OBJECT_COLUMNS "stage VARCHAR(32) PATH '$.stage', "
    "items TEXT CHARACTER SET utf8mb4 PATH '$.items', role VARCHAR(16) PATH '$.role', "
    "org BIGINT PATH '$.org', uid BIGINT PATH '$.user', "
    "paused_at DATETIME(6) PATH '$.paused_at', paused_day DATE PATH '$.paused_day', "
    "remaining INT PATH '$.remaining', resumed_at DATETIME(6) PATH '$.resumed_at')) "
    "jt " OBJECT_JOINS "ORDER BY jt.n";

static const char SQL_TASKS[] =
    "INSERT INTO tasks (permit_id, kind, org_id, status, created_at, done_at) "
    "SELECT p.id, 'post_check', jt.org, IF(jt.done_at IS NULL, 'open', 'done'), jt.created_at, "
    "jt.done_at FROM JSON_TABLE(?, '$[*]' COLUMNS (n FOR ORDINALITY, "
    "permit VARCHAR(32) PATH '$.permit', org BIGINT PATH '$.org', "
    "created_at DATETIME(6) PATH '$.created_at', done_at DATETIME(6) PATH '$.done_at')) jt "
    "JOIN permits p ON p.reference = jt.permit ORDER BY jt.n";

static const char SQL_INSPECTIONS[] =
    "INSERT INTO inspections (permit_id, kind, result, comment, actor_org_id, actor_user_id, at) "
    "SELECT p.id, jt.kind, 'pass', jt.comment, jt.org, jt.uid, jt.at "
    "FROM JSON_TABLE(?, '$[*]' COLUMNS (n FOR ORDINALITY, permit VARCHAR(32) PATH '$.permit', "
    "kind VARCHAR(16) PATH '$.kind', comment TEXT CHARACTER SET utf8mb4 PATH '$.comment', "
    "org BIGINT PATH '$.org', uid BIGINT PATH '$.user', at DATETIME(6) PATH '$.at')) jt "
    "JOIN permits p ON p.reference = jt.permit ORDER BY jt.n";

static const char SQL_RATINGS[] =
    "INSERT INTO ratings (object_type, object_id, application_id, rater_org_id, rater_user_id, "
    "rated_org_id, score, comment, created_at) "
    "SELECT jt.type, " OBJECT_ID ", a.id, ?, ?, jt.rated, jt.score, jt.comment, jt.at "
    "FROM JSON_TABLE(?, '$[*]' COLUMNS (" OBJECT_COLUMNS "rated BIGINT PATH '$.rated', "
    "score VARCHAR(8) PATH '$.score', comment TEXT CHARACTER SET utf8mb4 PATH '$.comment', "
    "at DATETIME(6) PATH '$.at')) jt " OBJECT_JOINS "ORDER BY jt.n";

static const char SQL_FOLLOW_UPS[] =
    "INSERT INTO follow_ups (rating_id, org_id, status, answer, answered_by, answered_at, "
    "close_note, closed_by, closed_at, created_at) "
    "SELECT r.id, jt.org, jt.status, jt.answer, IF(jt.answer IS NULL, NULL, jt.uid), "
    "jt.answered_at, jt.close_note, IF(jt.close_note IS NULL, NULL, ?), jt.closed_at, jt.at "
    "FROM JSON_TABLE(?, '$[*]' COLUMNS (" OBJECT_COLUMNS "org BIGINT PATH '$.org', "
    "uid BIGINT PATH '$.user', status VARCHAR(16) PATH '$.status', "
    "answer TEXT CHARACTER SET utf8mb4 PATH '$.answer', "
    "answered_at DATETIME(6) PATH '$.answered_at', "
    "close_note TEXT CHARACTER SET utf8mb4 PATH '$.close_note', "
    "closed_at DATETIME(6) PATH '$.closed_at', at DATETIME(6) PATH '$.at')) jt " OBJECT_JOINS
    "JOIN ratings r ON r.object_type = jt.type AND r.object_id = " OBJECT_ID " ORDER BY jt.n";

/* Transitions go in chunks, so no statement comes near max_allowed_packet (16 MiB). */
#define CHUNK 3000

int store_sample_history_exists(struct store_conn *c, bool *exists, struct error *err)
{
	struct store_result *r = NULL;
	struct store_param p[] = {P_STR(SAMPLE_PREFIX "%")};
	int rc = store_exec(c, SQL_EXISTS, p, 1, &r, err);
	if (!rc)
		*exists = store_cell_ll(r, 0, 0, 0) > 0;
	store_result_free(r);
	return rc;
}

int store_district_codes(struct store_conn *c, char ***codes, size_t *n, struct error *err)
{
	struct store_result *r = NULL;
	*codes = NULL;
	*n = 0;
	int rc = store_exec(c, SQL_DISTRICTS, NULL, 0, &r, err);
	if (rc)
		return rc;
	*codes = xcalloc(r->nrows + 1, sizeof(**codes));
	for (size_t i = 0; i < r->nrows; i++)
		(*codes)[i] = xstrdup(store_cell(r, i, 0));
	*n = r->nrows;
	store_result_free(r);
	return 0;
}

void store_district_codes_free(char **codes, size_t n)
{
	for (size_t i = 0; codes && i < n; i++)
		free(codes[i]);
	free(codes);
}

/* --- rows as JSON ---------------------------------------------------------------------------- */

static void put_time(json_t *o, const char *key, int64_t utc)
{
	if (utc < 0)
		return; /* absent: SQL NULL */
	time_t t = (time_t)utc;
	struct tm tm;
	char buf[40];
	gmtime_r(&t, &tm);
	strftime(buf, sizeof(buf), "%Y-%m-%d %H:%M:%S.000000", &tm);
	json_object_set_new(o, key, json_string(buf));
}

static void put_day(json_t *o, const char *key, day_t d)
{
	char buf[11];
	if (d >= 0)
		json_object_set_new(o, key, json_string(cal_day_format(d, buf)));
}

static void put_str(json_t *o, const char *key, const char *s)
{
	if (s)
		json_object_set_new(o, key, json_string(s));
}

static void put_int(json_t *o, const char *key, long long v)
{
	json_object_set_new(o, key, json_integer(v));
}

static long long org_of(const struct sample_history *h, size_t track,
			const struct sample_parties *who)
{
	const struct sample_track *t = &h->tracks[track];
	return t->permit ? who->authority_org[t->kind] : who->utility_org[t->kind];
}

static long long user_of(const struct sample_history *h, size_t track,
			 const struct sample_parties *who)
{
	const struct sample_track *t = &h->tracks[track];
	return t->permit ? who->authority_user[t->kind] : who->utility_user[t->kind];
}

/* Who acted, as organisation and user ids (0: nobody, stored as NULL). */
static void party_ids(const struct sample_history *h, long track, enum sample_party party,
		      const struct sample_parties *who, long long *org, long long *user)
{
	*org = *user = 0;
	if (party == SAMPLE_APPLICANT) {
		*org = who->applicant_org;
		*user = who->applicant_user;
	} else if (party == SAMPLE_OFFICE) {
		*org = who->office_org;
		*user = who->office_user;
	} else if (party == SAMPLE_HANDLER && track >= 0) {
		*org = org_of(h, (size_t)track, who);
		*user = user_of(h, (size_t)track, who);
	}
}

static void put_party(json_t *o, const struct sample_history *h, long track,
		      enum sample_party party, const struct sample_parties *who)
{
	long long org, user;
	party_ids(h, track, party, who, &org, &user);
	if (org)
		put_int(o, "org", org);
	if (user)
		put_int(o, "user", user);
}

/* The application, type and reference of an object row. */
static json_t *object_row(const struct sample_history *h, size_t app, long track)
{
	json_t *o = json_object();
	put_str(o, "app", h->apps[app].reference);
	if (track < 0) {
		put_str(o, "type", "application");
		return o;
	}
	put_str(o, "type", h->tracks[track].permit ? "permit" : "job");
	put_str(o, "ref", h->tracks[track].reference);
	return o;
}

static void put_clock(json_t *o, const struct sample_track *t)
{
	put_int(o, "version", t->version);
	put_time(o, "created_at", t->created_at);
	put_time(o, "updated_at", t->updated_at);
	put_int(o, "paused", t->stage && t->clock.paused);
	if (!t->stage)
		return;
	put_str(o, "stage", t->stage);
	put_int(o, "limit", t->clock.limit_days);
	put_day(o, "started_day", t->clock.started_day);
	put_day(o, "due_day", t->clock.due_day);
	if (t->clock.paused) {
		put_day(o, "paused_day", t->clock.paused_day);
		put_int(o, "remaining", t->clock.remaining_days);
	}
}

/* The rows of each table, as JSON arrays. */
enum table {
	T_SITES,
	T_APPS,
	T_MATERIALS,
	T_JOBS,
	T_PERMITS,
	T_LINKS,
	T_DIGS,
	T_EVENTS,
	T_PAUSES,
	T_TASKS,
	T_INSPECTIONS,
	T_RATINGS,
	T_FOLLOW_UPS,
	T_COUNT
};

static void build(const struct sample_history *h, const char *const *districts,
		  const struct sample_parties *who, json_t *t[T_COUNT])
{
	for (int i = 0; i < T_COUNT; i++)
		t[i] = json_array();
	for (size_t i = 0; i < h->nsites; i++) {
		const struct sample_site *s = &h->sites[i];
		json_array_append_new(
		    t[T_SITES],
		    json_pack("{s:s, s:s, s:s, s:f, s:f, s:s, s:s}", "name", s->name, "address",
			      s->address, "district", districts[s->district], "lat", s->lat, "lng",
			      s->lng, "plot_ref", s->plot_ref, "zone_risk", s->zone_risk));
	}
	for (size_t i = 0; i < h->napps; i++) {
		const struct sample_app *a = &h->apps[i];
		json_t *o = json_pack("{s:s, s:s, s:s, s:s, s:s, s:I, s:s, s:i}", "reference",
				      a->reference, "plot_ref", h->sites[a->site].plot_ref,
				      "status", a->status, "request", a->request, "estimate",
				      a->estimate, "total", (json_int_t)a->estimate_total_fen,
				      "hash", a->request_hash, "version", a->version);
		put_time(o, "submitted_at", a->submitted_at);
		put_day(o, "submitted_day", a->submitted_day);
		json_array_append_new(t[T_APPS], o);
		for (size_t m = 0; m < a->nmaterials; m++)
			json_array_append_new(
			    t[T_MATERIALS],
			    json_pack("{s:s, s:s}", "app", a->reference, "type", a->materials[m]));
	}
	for (size_t i = 0; i < h->ntracks; i++) {
		const struct sample_track *k = &h->tracks[i];
		json_t *o = json_pack("{s:s, s:s, s:s, s:I, s:s}", "app", h->apps[k->app].reference,
				      "reference", k->reference, "kind",
				      k->permit ? permit_kind_name((enum permit_kind)k->kind)
						: utility_kind_name(k->kind),
				      "org", (json_int_t)org_of(h, i, who), "state", k->state);
		put_clock(o, k);
		if (k->permit) {
			put_str(o, "decision", k->decision);
			put_int(o, "deemed", k->deemed);
			put_int(o, "fast_track", k->fast_track);
			put_int(o, "post_checked", k->post_checked);
			put_int(o, "reinstated", k->reinstated);
			put_day(o, "window_from", k->window_from);
			put_day(o, "window_to", k->window_to);
			put_day(o, "deadline_day", k->deadline_day);
			put_str(o, "trigger_reason", k->trigger_reason);
			put_str(o, "conditions", k->conditions);
			put_str(o, "decision_reason", k->decision_reason);
			json_array_append_new(t[T_PERMITS], o);
			if (k->post_check_task) {
				json_t *task = json_pack("{s:s, s:I}", "permit", k->reference,
							 "org", (json_int_t)org_of(h, i, who));
				put_time(task, "created_at", k->created_at);
				put_time(task, "done_at", k->post_checked ? k->task_done_at : -1);
				json_array_append_new(t[T_TASKS], task);
			}
		} else {
			put_str(o, "params", k->params);
			put_str(o, "connection_point", k->connection_point);
			put_str(o, "quote", k->quote);
			if (k->quote_total_fen >= 0)
				put_int(o, "quote_total", k->quote_total_fen);
			put_str(o, "permits_needed", k->permits_needed);
			json_array_append_new(t[T_JOBS], o);
		}
		if (!k->score)
			continue;
		json_t *r = object_row(h, k->app, (long)i);
		put_int(r, "rated", org_of(h, i, who));
		put_str(r, "score", k->score);
		put_str(r, "comment", k->comment);
		put_time(r, "at", k->rated_at);
		json_array_append_new(t[T_RATINGS], r);
		if (!k->follow_up)
			continue;
		json_t *f = object_row(h, k->app, (long)i);
		put_int(f, "org", org_of(h, i, who));
		put_int(f, "user", user_of(h, i, who));
		put_str(f, "status", k->follow_up);
		put_str(f, "answer", k->answer);
		put_time(f, "answered_at", k->answer ? k->answered_at : -1);
		put_str(f, "close_note", k->close_note);
		put_time(f, "closed_at", k->close_note ? k->closed_at : -1);
		put_time(f, "at", k->rated_at);
		json_array_append_new(t[T_FOLLOW_UPS], f);
	}
	for (size_t i = 0; i < h->nlinks; i++)
		json_array_append_new(
		    t[T_LINKS], json_pack("{s:s, s:s}", "job", h->tracks[h->links[i].job].reference,
					  "permit", h->tracks[h->links[i].permit].reference));
	for (size_t i = 0; i < h->ndigs; i++) {
		const struct sample_dig *d = &h->digs[i];
		const struct sample_app *a = &h->apps[d->app];
		json_t *o =
		    json_pack("{s:s, s:s, s:s, s:s, s:s, s:i, s:i}", "app", a->reference, "utility",
			      utility_kind_name(d->utility), "district",
			      districts[h->sites[a->site].district], "road", d->road, "road_class",
			      d->road_class, "from_m", d->from_m, "to_m", d->to_m);
		if (d->permit != (size_t)-1)
			put_str(o, "permit", h->tracks[d->permit].reference);
		put_day(o, "start_day", d->start_day);
		put_day(o, "end_day", d->end_day);
		json_array_append_new(t[T_DIGS], o);
	}
	for (size_t i = 0; i < h->nevents; i++) {
		const struct sample_event *e = &h->events[i];
		json_t *o = object_row(h, e->app, e->track);
		put_str(o, "action", e->action);
		put_str(o, "from", e->from);
		put_str(o, "to", e->to);
		put_str(o, "role", role_name(e->role));
		put_party(o, h, e->track, e->party, who);
		put_str(o, "payload", e->payload);
		put_time(o, "at", e->at);
		put_str(o, "stage", e->stage);
		put_day(o, "due_day", e->due_day);
		json_array_append_new(t[T_EVENTS], o);
	}
	for (size_t i = 0; i < h->npauses; i++) {
		const struct sample_pause *p = &h->pauses[i];
		json_t *o = object_row(h, h->tracks[p->track].app, (long)p->track);
		put_str(o, "stage", p->stage);
		put_str(o, "items", p->items);
		put_str(o, "role", role_name(p->role));
		put_party(o, h, (long)p->track, SAMPLE_HANDLER, who);
		put_time(o, "paused_at", p->paused_at);
		put_day(o, "paused_day", p->paused_day);
		put_int(o, "remaining", p->remaining_days);
		put_time(o, "resumed_at", p->resumed_at);
		json_array_append_new(t[T_PAUSES], o);
	}
	for (size_t i = 0; i < h->ninspections; i++) {
		const struct sample_inspection *x = &h->inspections[i];
		json_t *o = json_pack("{s:s, s:s, s:s}", "permit", h->tracks[x->permit].reference,
				      "kind", x->kind, "comment", x->comment);
		put_party(o, h, (long)x->permit, SAMPLE_HANDLER, who);
		put_time(o, "at", x->at);
		json_array_append_new(t[T_INSPECTIONS], o);
	}
}

/* Runs one JSON_TABLE statement; the rows go where the last parameter is `rows`. */
static int run(struct store_conn *c, const char *sql, json_t *rows, const struct store_param *pre,
	       size_t npre, const struct store_param *post, size_t npost, struct error *err)
{
	if (!json_array_size(rows))
		return 0;
	char *text = json_text(rows);
	struct store_param p[4];
	size_t n = 0;
	for (size_t i = 0; i < npre; i++)
		p[n++] = pre[i];
	p[n++] = P_STR(text);
	for (size_t i = 0; i < npost; i++)
		p[n++] = post[i];
	int rc = store_run(c, sql, p, n, NULL, NULL, err);
	free(text);
	return rc;
}

/* The same in chunks of CHUNK rows, in order. */
static int run_chunked(struct store_conn *c, const char *sql, json_t *rows, struct error *err)
{
	int rc = 0;
	for (size_t from = 0; !rc && from < json_array_size(rows); from += CHUNK) {
		json_t *part = json_array();
		for (size_t i = from; i < from + CHUNK && i < json_array_size(rows); i++)
			json_array_append(part, json_array_get(rows, i));
		rc = run(c, sql, part, NULL, 0, NULL, 0, err);
		json_decref(part);
	}
	return rc;
}

int store_sample_history_insert(struct store_conn *c, const struct sample_history *h,
				const char *const *districts, const struct sample_parties *who,
				const char *detail, struct error *err)
{
	json_t *t[T_COUNT];
	build(h, districts, who, t);
	struct store_param org = P_INT(who->applicant_org), user = P_INT(who->applicant_user);
	struct store_param rater[] = {org, user}, office = P_INT(who->office_user);
	int rc = run(c, SQL_SITES, t[T_SITES], &org, 1, NULL, 0, err);
	if (!rc)
		rc = run(c, SQL_APPLICATIONS, t[T_APPS], &user, 1, &org, 1, err);
	if (!rc)
		rc = run(c, SQL_MATERIALS, t[T_MATERIALS], NULL, 0, &org, 1, err);
	if (!rc)
		rc = run(c, SQL_JOBS, t[T_JOBS], NULL, 0, NULL, 0, err);
	if (!rc)
		rc = run(c, SQL_PERMITS, t[T_PERMITS], NULL, 0, NULL, 0, err);
	if (!rc)
		rc = run(c, SQL_LINKS, t[T_LINKS], NULL, 0, NULL, 0, err);
	if (!rc)
		rc = run(c, SQL_DIGS, t[T_DIGS], NULL, 0, NULL, 0, err);
	if (!rc)
		rc = run_chunked(c, SQL_TRANSITIONS, t[T_EVENTS], err);
	if (!rc)
		rc = run(c, SQL_PAUSES, t[T_PAUSES], NULL, 0, NULL, 0, err);
	if (!rc)
		rc = run(c, SQL_TASKS, t[T_TASKS], NULL, 0, NULL, 0, err);
	if (!rc)
		rc = run(c, SQL_INSPECTIONS, t[T_INSPECTIONS], NULL, 0, NULL, 0, err);
	if (!rc)
		rc = run(c, SQL_RATINGS, t[T_RATINGS], rater, 2, NULL, 0, err);
	if (!rc)
		rc = run(c, SQL_FOLLOW_UPS, t[T_FOLLOW_UPS], &office, 1, NULL, 0, err);
	for (int i = 0; i < T_COUNT; i++)
		json_decref(t[i]);
	/*
	 * One audit entry for the lot: the rows are generated, not state changes anyone made, so
	 * they get no entry each (nor outbox events, nor certificates); this one says what was
	 * written, by whom and when, and keeps the chain whole.
	 */
	struct audit_entry e = {
	    0, who->office_org, "sample_history.generate", "sample_history", SAMPLE_PREFIX, detail};
	if (!rc)
		rc = store_audit_append(c, &e, err);
	return rc;
}
