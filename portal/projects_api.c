/*
 * Projects at the planning stage (issue #20): an applicant, or the office on its behalf,
 * registers a planned project; every organisation serving the site for a needed kind gets a
 * guidance task under the published "guidance" stage and answers it with the connection point,
 * capacity, conditions and an estimate from its published fees.
 */
#define _GNU_SOURCE
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "portal/app.h"
#include "portal/audit.h"
#include "portal/auth.h"
#include "portal/input.h"
#include "portal/projects_api.h"
#include "portal/router.h"
#include "portal/sites_api.h"
#include "portal/snapshot.h"
#include "portal/tracks.h"
#include "store/accounts.h"
#include "store/coordination.h"
#include "store/materials.h"
#include "store/place.h"
#include "store/projects.h"
#include "workflows/application.h"
#include "workflows/clock.h"
#include "workflows/coordination.h"
#include "workflows/fees.h"
#include "workflows/place.h"
#include "workflows/project.h"
#include "workflows/standards.h"
#include "lib/json_text.h"
#include "lib/strbuf.h"
#include "lib/xalloc.h"

#define GUIDANCE_STAGE "guidance"

static json_t *day_json(day_t d)
{
	char b[11];
	return d >= 0 ? json_string(cal_day_format(d, b)) : json_null();
}

/* Moves every detail of from to the end of to (from is emptied). */
static void move_details(struct error *to, struct error *from)
{
	for (size_t i = 0; i < from->ndetails; i++)
		error_add(to, from->details[i].field, from->details[i].code, "%s",
			  from->details[i].message);
	error_release(from);
}

/* One guidance task as its readers see it. New reference. */
static json_t *guidance_json(const struct guidance_row *g, const struct calendar *cal, day_t today)
{
	bool answered = !strcmp(g->state, "answered");
	const char *status = guidance_status(answered, g->clock.clock.due_day, today);
	json_t *answer = g->answer ? json_loads(g->answer, 0, NULL) : NULL;
	json_t *j =
	    json_pack("{s:I, s:I, s:s, s:s, s:{s:I, s:s}, s:s, s:s, s:i, s:o, s:o, s:b}", "id",
		      (json_int_t)g->id, "project_id", (json_int_t)g->project_id, "project",
		      g->project_reference, "kind", g->utility_kind, "organisation", "id",
		      (json_int_t)g->org_id, "name", g->org_name, "status", status, "stage",
		      g->clock.stage, "limit_days", g->clock.clock.limit_days, "started_on",
		      day_json(g->clock.clock.started_day), "due_date",
		      day_json(g->clock.clock.due_day), "overdue", !strcmp(status, "overdue"));
	struct clock k = {.due_day = g->clock.clock.due_day};
	if (!answered && cal)
		json_object_set_new(j, "days_overdue",
				    json_integer(clock_days_overdue(&k, cal, today)));
	if (answered) {
		json_object_set_new(j, "answered_on", day_json(g->answered_day));
		json_object_set_new(j, "answered_late",
				    json_boolean(g->answered_day > g->clock.clock.due_day));
		json_object_set_new(j, "answer", answer ? answer : json_null());
		json_object_set_new(j, "estimate_total_fen", json_integer(g->estimate_total_fen));
	} else {
		json_decref(answer);
	}
	return j;
}

static void guidance_rows_free(struct guidance_row *rows, size_t n)
{
	for (size_t i = 0; i < n; i++)
		store_guidance_row_release(&rows[i]);
	free(rows);
}

/* The project's planned digs as its readers see them (issue #20). */
static int coordination_project_digs(struct store_conn *c, long long id, json_t **out,
				     struct error *err)
{
	struct planned_dig_query q = {.from_day = 0, .project_id = id};
	struct planned_dig_row *rows = NULL;
	size_t n = 0;
	int rc = store_planned_digs(c, &q, COORDINATION_MAX_DIGS, &rows, &n, err);
	*out = json_array();
	for (size_t i = 0; !rc && i < n; i++) {
		struct geo *g = geo_from_wkt(rows[i].extent_wkt);
		json_array_append_new(
		    *out, json_pack("{s:I, s:s, s:s, s:o, s:o, s:o, s:o, s:o}", "id",
				    (json_int_t)rows[i].id, "purpose", rows[i].purpose, "district",
				    rows[i].district, "road_id",
				    rows[i].road_id[0] ? json_string(rows[i].road_id) : json_null(),
				    "road_name",
				    rows[i].road_name[0] ? json_string(rows[i].road_name) : json_null(),
				    "geometry", g ? geo_geojson(g) : json_null(), "start_date",
				    day_json(rows[i].start_day), "end_date", day_json(rows[i].end_day)));
		geo_free(g);
	}
	store_planned_digs_free(rows, n);
	return rc;
}

/*
 * The project id as caller may see it into *out: its guidance, all of it for the applicant and
 * the office, a utility's own only. ERR_NOT_FOUND when absent or not the caller's to see.
 */
static int project_view(struct store_conn *c, long long id, const struct authz_caller *caller,
			const struct calendar *cal, day_t today, json_t **out, struct error *err)
{
	struct project_row p;
	struct guidance_row *rows = NULL;
	size_t n = 0;
	int rc = store_project_get(c, id, &p, err);
	if (!rc)
		rc = store_guidance_of_project(c, id, &rows, &n, err);
	long long *parties = xcalloc(n + 1, sizeof(*parties));
	for (size_t i = 0; i < n; i++)
		parties[i] = rows[i].org_id;
	struct authz_object obj = {p.org_id, parties, (int)n};
	if (!rc && authz_check(caller, AZ_PROJECT_READ, &obj, err))
		rc = error_set(err, ERR_NOT_FOUND, "no project %lld", id);
	if (!rc) {
		json_t *guidance = json_array();
		json_t *providers = p.providers ? json_loads(p.providers, 0, NULL) : NULL;
		if (!json_is_object(providers)) {
			json_decref(providers);
			providers = json_object();
		}
		bool all = caller->kind != ROLE_UTILITY || caller->org_id == p.org_id;
		for (size_t i = 0; i < n; i++) {
			if (!all && rows[i].org_id != caller->org_id)
				continue;
			json_t *gj = guidance_json(&rows[i], cal, today);
			json_t *pref = json_object_get(providers, rows[i].utility_kind);
			json_object_set_new(gj, "preferred",
					    json_boolean(json_integer_value(pref) == rows[i].org_id));
			json_array_append_new(guidance, gj);
		}
		struct geo *g = p.geometry_wkt ? geo_from_wkt(p.geometry_wkt) : NULL;
		json_t *needs = json_loads(p.needs ? p.needs : "{}", 0, NULL);
		json_t *materials = json_loads(p.materials ? p.materials : "[]", 0, NULL);
		*out =
		    json_pack("{s:I, s:s, s:I, s:s, s:s, s:o, s:o, s:o, s:o, s:s, s:o}", "id",
			      (json_int_t)p.id, "reference", p.reference, "organisation_id",
			      (json_int_t)p.org_id, "name", p.name, "district", p.district,
			      "geometry", g ? geo_geojson(g) : json_null(), "needs",
			      needs ? needs : json_object(), "hookup_date", day_json(p.hookup_day),
			      "materials", materials ? materials : json_array(), "created_at",
			      p.created_at, "guidance", guidance);
		json_object_set_new(*out, "providers", providers);
		geo_free(g);
		json_t *digs = NULL;
		rc = coordination_project_digs(c, id, &digs, err);
		json_object_set_new(*out, "digs", digs ? digs : json_array());
	}
	free(parties);
	guidance_rows_free(rows, n);
	store_project_row_release(&p);
	return rc;
}

/* --- registration ----------------------------------------------------------------------- */

struct reg {
	const struct authz_caller *caller;
	const struct published *pub;
	struct project_request pr;
	struct geo *geo;
	char district[33];
	char name[201];
	long long owner;       /* the applicant whose project it is; 0 until known */
	size_t parse_problems; /* listed before the transaction; it then writes nothing */
	struct error problems; /* what the transaction finds, reset on every run */
	day_t today;
	long long now_us;
	struct standards_set set;
	json_t *reply;
	struct planned_dig_request *digs; /* planned excavations (issue #20) */
	size_t ndigs;
	struct planned_dig_new *placed; /* where each lies: district and register road */
	struct dig_place {
		char district[33], road_id[33], road_name[101];
	} *where; /* the strings placed[] points to ("" for no road) */
};

/* The office registers on behalf of an applicant organisation, which must be one. */
static int check_owner(struct store_conn *c, struct reg *r, struct error *err)
{
	if (r->caller->kind != ROLE_OFFICE || !r->owner)
		return 0;
	struct org_row o;
	struct error local = ERROR_INIT;
	int rc = store_org_get(c, r->owner, &o, &local);
	error_release(&local);
	if (rc == ERR_NOT_FOUND || (!rc && strcmp(o.kind, "applicant")))
		error_add(&r->problems, "organisation_id", "unknown",
			  "organisation %lld is not an applicant", r->owner);
	else if (rc)
		return error_set(err, rc, "could not read the organisation");
	return 0;
}

/* Each material must be in the applicant's own library, as an application's are. */
static int check_materials(struct store_conn *c, struct reg *r, struct error *err)
{
	size_t n = r->pr.nmaterials;
	if (!n || !r->owner)
		return 0;
	long long *owners = xcalloc(n, sizeof(*owners));
	char(*types)[65] = xcalloc(n, sizeof(*types));
	struct error local = ERROR_INIT;
	int rc = store_materials_owners(c, r->pr.materials, n, owners, types, &local);
	if (rc)
		error_set(err, rc, "could not read the materials");
	for (size_t i = 0; !rc && i < n; i++) {
		if (owners[i] == r->owner)
			continue;
		char f[48];
		snprintf(f, sizeof(f), "materials[%zu]", i);
		error_add(&r->problems, f, "unknown",
			  "material %lld is not in the applicant's library", r->pr.materials[i]);
	}
	error_release(&local);
	free(owners);
	free(types);
	return rc;
}

/*
 * Who guides each needed kind: every organisation whose service area holds the site, into
 * orgs[..] and *n. The applicant's preferred carrier (providers.<kind>) must be one of them
 * (else providers.<kind>: not_serving); it is kept on the project, and narrows nothing: every
 * serving organisation is asked all the same. Problems listed.
 */
static void route_kind(const struct reg *r, const struct place_context *pc, int k, long long *orgs,
		       size_t *n, struct error *problems)
{
	size_t idx[16];
	char f[48];
	*n = 0;
	size_t found = place_route(pc, k, r->geo, r->district, idx, 16);
	const char *kind = utility_kind_name(k);
	if (found == 0) {
		snprintf(f, sizeof(f), "needs.%s", kind);
		error_add(problems, f, "no_provider",
			  "no %s utility publishes a service area holding this site (%s)", kind,
			  r->district);
		return;
	}
	long long chosen = r->pr.provider[k];
	bool serving = false;
	for (size_t i = 0; i < found; i++) {
		long long org = pc->areas[idx[i]].org_id;
		bool dup = false;
		for (size_t j = 0; j < *n; j++)
			dup = dup || orgs[j] == org;
		if (!dup)
			orgs[(*n)++] = org;
		serving = serving || org == chosen;
	}
	if (chosen && !serving) {
		snprintf(f, sizeof(f), "providers.%s", kind);
		error_add(problems, f, "not_serving",
			  "organisation %lld does not serve this site for %s", chosen, kind);
	}
}

/* The applicant's preferred carriers of the needed kinds as stored (JSON), or NULL for none. */
static char *preferred_json(const struct reg *r)
{
	json_t *o = json_object();
	for (int k = 0; k < UK_COUNT; k++)
		if (r->pr.need[k].wanted && r->pr.provider[k])
			json_object_set_new(o, utility_kind_name(k),
					    json_integer(r->pr.provider[k]));
	char *text = json_object_size(o) ? json_text(o) : NULL;
	json_decref(o);
	return text;
}

/* Every needed kind's standard must publish a guidance stage. */
static void check_standards(const struct reg *r, struct error *problems)
{
	for (int k = 0; k < UK_COUNT; k++) {
		if (!r->pr.need[k].wanted)
			continue;
		if (!standards_stage(r->set.utility[k], GUIDANCE_STAGE)) {
			char f[48];
			snprintf(f, sizeof(f), "needs.%s", utility_kind_name(k));
			error_add(problems, f, "no_guidance_standard",
				  "no %s service standard in force publishes a guidance stage",
				  utility_kind_name(k));
		}
	}
}

/* The guidance tasks of the project: rows with their clocks, and one event each. */
static int create_guidance(struct store_conn *c, struct reg *r, long long pid, const char *ref,
			   long long orgs[UK_COUNT][16], const size_t norgs[UK_COUNT],
			   struct error *err)
{
	int rc = 0;
	json_t *geometry = geo_geojson(r->geo);
	for (int k = 0; !rc && k < UK_COUNT; k++) {
		for (size_t i = 0; !rc && i < norgs[k]; i++) {
			struct stored_clock clk;
			long long gid = 0;
			const char *kind = utility_kind_name(k);
			rc = tracks_clock_start(&clk, r->set.utility[k], GUIDANCE_STAGE,
						&r->pub->cal, r->now_us, err);
			if (!rc)
				rc = store_guidance_insert(c, pid, kind, orgs[k][i], &clk, &gid,
							   err);
			if (rc)
				break;
			json_t *obj = json_pack(
			    "{s:I, s:s, s:s, s:{s:I, s:s, s:s, s:O, s:s}, s:O, s:o, s:o, s:i}",
			    "id", (json_int_t)gid, "kind", kind, "status", "due", "project", "id",
			    (json_int_t)pid, "reference", ref, "name", r->name, "geometry",
			    geometry, "district", r->district, "loads", r->pr.need[k].loads,
			    "hookup_date", day_json(r->pr.hookup_day), "due_date",
			    day_json(clk.clock.due_day), "limit_days", clk.clock.limit_days);
			json_object_set_new(obj, "preferred",
					    json_boolean(r->pr.provider[k] == orgs[k][i]));
			rc = tracks_emit_party(c, orgs[k][i], 0, ref, "guidance.requested", kind,
					       obj, err);
		}
	}
	json_decref(geometry);
	return rc;
}

/*
 * Each planned dig's district (wholly in one, or mostly: the one holding most of it) and the
 * register road it lies on (none: it is planned all the same, on no road's plan). A dig outside
 * the city is a problem.
 */
static int place_digs(struct store_conn *c, struct reg *r, struct place_context *pc,
		      struct error *err)
{
	struct geo_bbox box = {0}, b;
	bool any = false;
	for (size_t i = 0; i < r->ndigs; i++) {
		if (!r->digs[i].extent)
			continue;
		geo_bounds(r->digs[i].extent, &b);
		if (!any)
			box = b;
		box.min_lng = b.min_lng < box.min_lng ? b.min_lng : box.min_lng;
		box.min_lat = b.min_lat < box.min_lat ? b.min_lat : box.min_lat;
		box.max_lng = b.max_lng > box.max_lng ? b.max_lng : box.max_lng;
		box.max_lat = b.max_lat > box.max_lat ? b.max_lat : box.max_lat;
		any = true;
	}
	if (!any)
		return 0;
	int rc = store_place_roads_near(c, &box, 100, r->today, pc, err);
	if (rc)
		return rc;
	for (size_t i = 0; i < r->ndigs; i++) {
		const struct planned_dig_request *d = &r->digs[i];
		struct planned_dig_new *p = &r->placed[i];
		if (!d->extent)
			continue;
		const struct place_district *partly = NULL;
		const struct place_district *dist = place_district_of(pc, d->extent, &partly);
		if (!dist)
			dist = partly;
		if (!dist) {
			char f[48];
			snprintf(f, sizeof(f), "digs[%zu].geometry", i);
			error_add(&r->problems, f, "outside_city",
				  "planned dig %zu lies outside the city's districts", i);
			continue;
		}
		double share = 0;
		const struct place_road *road = place_road_of(pc, d->extent, &share, NULL, NULL);
		struct dig_place *w = &r->where[i];
		snprintf(w->district, sizeof(w->district), "%s", dist->code);
		snprintf(w->road_id, sizeof(w->road_id), "%s", road ? road->road_id : "");
		snprintf(w->road_name, sizeof(w->road_name), "%s", road ? road->name_zh : "");
		p->district = w->district;
		p->road_id = road ? w->road_id : NULL;
		p->road_name = road ? w->road_name : NULL;
		p->road_org_id = road ? road->org_id : 0;
	}
	return 0;
}

/* The register roads the new digs lie on, each once: (authority, road id), in lock order. */
struct dig_road {
	long long org;
	const char *road_id;
};

static int dig_road_cmp(const void *pa, const void *pb)
{
	const struct dig_road *a = pa, *b = pb;
	if (a->org != b->org)
		return a->org < b->org ? -1 : 1;
	return strcmp(a->road_id, b->road_id);
}

static size_t dig_roads(const struct reg *r, struct dig_road *out)
{
	size_t n = 0;
	for (size_t i = 0; i < r->ndigs; i++) {
		const struct planned_dig_new *p = &r->placed[i];
		if (!p->road_id || !p->road_org_id)
			continue;
		bool seen = false;
		for (size_t j = 0; !seen && j < n; j++)
			seen = out[j].org == p->road_org_id && !strcmp(out[j].road_id, p->road_id);
		if (!seen)
			out[n++] = (struct dig_road){p->road_org_id, p->road_id};
	}
	qsort(out, n, sizeof(*out), dig_road_cmp);
	return n;
}

/* At most this many conflicting pairs per coordination.conflict event; more go in more events. */
#define CONFLICTS_PER_EVENT 100

/*
 * The conflicts the new digs (ids[i]) on one register road make, to its authority as
 * "coordination.conflict": every dig of another project on that road whose dates fall within
 * COORDINATION_MONTHS of one of them, read without a cap (all of them, in events of at most
 * CONFLICTS_PER_EVENT pairs, numbered part/parts).
 */
static int road_conflicts(struct store_conn *c, struct reg *r, const struct dig_road *road,
			  long long pid, const char *ref, const long long *ids, struct error *err)
{
	day_t from = -1, by = -1;
	for (size_t i = 0; i < r->ndigs; i++) {
		const struct planned_dig_new *p = &r->placed[i];
		if (!p->road_id || p->road_org_id != road->org || strcmp(p->road_id, road->road_id))
			continue;
		/* a little wider than the rule (months clamp to their ends); the rule decides */
		day_t f = coordination_add_months(p->start_day, -COORDINATION_MONTHS) - 4;
		day_t b = coordination_add_months(p->end_day, COORDINATION_MONTHS);
		from = from < 0 || f < from ? f : from;
		by = b > by ? b : by;
	}
	if (from < r->today)
		from = r->today; /* the plan is of digs that have not ended */
	struct planned_dig_row *rows = NULL;
	size_t n = 0;
	int rc = store_planned_digs_window(c, road->road_id, road->org, from, by, true, &rows, &n,
					   err);
	json_t *pairs = json_array();
	for (size_t i = 0; !rc && i < r->ndigs; i++) {
		const struct planned_dig_new *p = &r->placed[i];
		if (!p->road_id || p->road_org_id != road->org || strcmp(p->road_id, road->road_id))
			continue;
		struct planned_dig mine = {ids[i], pid, p->road_id, p->start_day, p->end_day};
		for (size_t k = 0; k < n; k++) {
			struct planned_dig other = {rows[k].id, rows[k].project_id, rows[k].road_id,
						    rows[k].start_day, rows[k].end_day};
			int gap = 0;
			if (!coordination_pair(&mine, &other, COORDINATION_MONTHS, &gap))
				continue;
			json_array_append_new(
			    pairs, json_pack("{s:[s,s], s:[I,I], s:i}", "projects", ref,
					     rows[k].project_reference, "digs", (json_int_t)ids[i],
					     (json_int_t)rows[k].id, "gap_days", gap));
		}
	}
	size_t total = json_array_size(pairs);
	size_t parts = (total + CONFLICTS_PER_EVENT - 1) / CONFLICTS_PER_EVENT;
	for (size_t part = 0; !rc && part < parts; part++) {
		json_t *some = json_array();
		for (size_t k = part * CONFLICTS_PER_EVENT;
		     k < total && k < (part + 1) * CONFLICTS_PER_EVENT; k++)
			json_array_append(some, json_array_get(pairs, k));
		rc = tracks_emit_party(
		    c, road->org, 0, ref, "coordination.conflict", tracks_permit_adapter("dig_road"),
		    json_pack("{s:s, s:s, s:i, s:o, s:i, s:i, s:i}", "road_id", road->road_id,
			      "project", ref, "months", COORDINATION_MONTHS, "conflicts", some,
			      "total", (int)total, "part", (int)part + 1, "parts", (int)parts),
		    err);
	}
	json_decref(pairs);
	store_planned_digs_free(rows, n);
	return rc;
}

/*
 * The planned digs of project pid, then the conflicts they make. Each register road a new dig
 * lies on is locked first (in one order), so two registrations on one road take turns and the
 * later one's conflict read sees the earlier one's digs: neither misses the other.
 */
static int write_digs(struct store_conn *c, struct reg *r, long long pid, const char *ref,
		      struct error *err)
{
	struct dig_road *roads = xcalloc(r->ndigs + 1, sizeof(*roads));
	long long *ids = xcalloc(r->ndigs + 1, sizeof(*ids));
	size_t nroads = dig_roads(r, roads);
	int rc = 0;
	for (size_t k = 0; !rc && k < nroads; k++)
		rc = store_road_lock(c, roads[k].road_id, roads[k].org, err);
	for (size_t i = 0; !rc && i < r->ndigs; i++) {
		struct planned_dig_new *p = &r->placed[i];
		char *wkt = geo_wkt(r->digs[i].extent);
		p->project_id = pid;
		p->org_id = r->owner;
		p->seq = (int)i + 1;
		p->purpose = r->digs[i].purpose[0] ? r->digs[i].purpose : r->name;
		p->extent_wkt = wkt;
		p->start_day = r->digs[i].start_day;
		p->end_day = r->digs[i].end_day;
		rc = store_planned_dig_insert(c, p, &ids[i], err);
		p->extent_wkt = NULL;
		free(wkt);
	}
	for (size_t k = 0; !rc && k < nroads; k++)
		rc = road_conflicts(c, r, &roads[k], pid, ref, ids, err);
	free(ids);
	free(roads);
	return rc;
}

static int reg_tx(struct store_conn *c, void *ctx, struct error *err)
{
	struct reg *r = ctx;
	json_decref(r->reply);
	r->reply = NULL;
	error_release(&r->problems);
	struct place_context pc = {0};
	long long orgs[UK_COUNT][16];
	size_t norgs[UK_COUNT] = {0};
	int rc = check_owner(c, r, err);
	if (!rc)
		rc = check_materials(c, r, err);
	if (!rc)
		rc = store_place_districts(c, &pc, err);
	if (!rc)
		rc = store_place_areas(c, 0, &pc, err);
	for (int k = 0; !rc && r->geo && k < UK_COUNT; k++)
		if (r->pr.need[k].wanted)
			route_kind(r, &pc, k, orgs[k], &norgs[k], &r->problems);
	if (!rc)
		rc = place_digs(c, r, &pc, err);
	place_context_release(&pc);
	if (!rc)
		check_standards(r, &r->problems);
	if (rc)
		return rc;
	if (r->parse_problems || r->problems.ndetails)
		return error_set(err, ERR_INVALID, "the project cannot be registered yet");
	json_t *needs = json_object();
	for (int k = 0; k < UK_COUNT; k++)
		if (r->pr.need[k].wanted)
			json_object_set(needs, utility_kind_name(k), r->pr.need[k].loads);
	char *needs_text = json_text(needs);
	char *materials = store_ids_json(r->pr.materials, r->pr.nmaterials);
	char *wkt = geo_wkt(r->geo);
	char *preferred = preferred_json(r);
	struct project_new pn = {r->owner,	    r->name,	       r->district,
				 wkt,		    needs_text,	       r->pr.hookup_day,
				 materials,	    r->caller->org_id, r->caller->user_id,
				 preferred};
	long long pid = 0;
	char ref[24];
	rc = store_project_insert(c, &pn, &pid, err);
	store_project_reference(pid, ref);
	if (!rc)
		rc = create_guidance(c, r, pid, ref, orgs, norgs, err);
	if (!rc)
		rc = write_digs(c, r, pid, ref, err);
	if (!rc)
		rc = tracks_emit(c, r->owner, 0, ref, "project.registered",
				 json_pack("{s:I, s:s, s:s}", "id", (json_int_t)pid, "reference",
					   ref, "name", r->name),
				 err);
	if (!rc)
		rc = audit_record_id(c, r->caller, "project.create", "project", pid,
				     json_pack("{s:I, s:s, s:O}", "organisation_id",
					       (json_int_t)r->owner, "district", r->district,
					       "needs", needs),
				     err);
	if (!rc)
		rc = project_view(c, pid, r->caller, &r->pub->cal, r->today, &r->reply, err);
	json_decref(needs);
	free(needs_text);
	free(materials);
	free(preferred);
	free(wkt);
	return rc;
}

/* Reads the body into r, every problem into err (the transaction adds its own). */
static void reg_read(struct http_request *req, struct reg *r, const json_t *body, struct error *err)
{
	static const char *const allowed[] = {"name",
					      "geometry",
					      "crs",
					      "lat",
					      "lng",
					      "district",
					      "needs",
					      "hookup_date",
					      "materials",
					      "providers",
					      "organisation_id",
					      "digs",
					      NULL};
	http_reject_unknown(body, allowed, "", err);
	snprintf(r->name, sizeof(r->name), "%s", input_str(body, "name", true, 200, err) ?: "");
	const char *district = input_str(body, "district", false, 32, err);
	r->geo = sites_read_geometry(body, err);
	if (r->geo || district)
		sites_check_place(req, r->geo, district, r->district, err);
	project_parse(body, r->today, &r->pr, err);
	enum geo_crs crs = GEO_CRS_CGCS2000;
	geo_crs_parse(json_object_get(body, "crs"), "crs", &crs, NULL);
	coordination_parse_digs(json_object_get(body, "digs"), crs, r->today, &r->digs, &r->ndigs,
				err);
	r->placed = xcalloc(r->ndigs + 1, sizeof(*r->placed));
	r->where = xcalloc(r->ndigs + 1, sizeof(*r->where));
	json_t *o = json_object_get(body, "organisation_id");
	if (r->caller->kind == ROLE_UTILITY) {
		/* a utility registers its own planned network works the same way: digs only */
		r->owner = r->caller->org_id;
		if (json_object_get(body, "needs"))
			error_add(err, "needs", "not_allowed",
				  "a utility registers its planned works (digs), not needs");
		if (!r->ndigs)
			error_add(err, "digs", "required",
				  "a utility's planned works list at least one planned dig");
		if (o)
			error_add(err, "organisation_id", "not_allowed",
				  "a utility registers its own planned works");
	} else if (r->caller->kind != ROLE_OFFICE) {
		r->owner = r->caller->org_id;
		if (o)
			error_add(err, "organisation_id", "not_allowed",
				  "only the office registers a project on another's behalf");
	} else if (!json_is_integer(o) || json_integer_value(o) <= 0) {
		error_add(err, "organisation_id", "required",
			  "name the applicant organisation the project is registered for");
	} else {
		r->owner = json_integer_value(o);
	}
}

static int project_create(struct http_request *req, struct http_response *res)
{
	struct error err = ERROR_INIT;
	struct reg *r = xcalloc(1, sizeof(*r));
	r->caller = auth_caller(req);
	error_init(&r->problems);
	json_t *body = NULL;
	int rc = auth_require(req, res, AZ_PROJECT_CREATE, NULL);
	if (rc)
		goto done;
	r->now_us = tracks_now_us();
	r->today = cal_day_of_instant(r->now_us / 1000000);
	if ((rc = http_parse_json(req, &body, &err)))
		goto reply;
	reg_read(req, r, body, &err);
	if ((rc = err.code)) /* the database failed while the place was checked */
		goto reply;
	r->parse_problems = err.ndetails;
	r->pub = snapshot_get(req->app);
	if (!r->pub) {
		rc = error_set(&err, ERR_UNAVAILABLE, "published standards are not loaded yet");
		goto reply;
	}
	application_standards_in_force((const struct service_standard *const *)r->pub->standards,
				       r->pub->nstandards, r->today, &r->set);
	struct error txerr = ERROR_INIT;
	rc = store_tx(req->app->pool, reg_tx, r, &txerr);
	if (rc == ERR_INVALID || (!rc && err.ndetails)) {
		move_details(&err, &r->problems);
		rc = error_set(&err, ERR_INVALID, "the project has %zu problem(s); all are listed",
			       err.ndetails);
	} else if (rc) {
		error_release(&err);
		err = txerr;
		error_init(&txerr);
	}
	error_release(&txerr);
reply:
	if (rc) {
		http_reply_error(res, &err);
	} else {
		http_add_header(res, "Cache-Control", "no-store");
		http_reply_json(res, 201, r->reply);
		r->reply = NULL;
	}
done:
	if (r->pub)
		snapshot_put(r->pub);
	project_request_release(&r->pr);
	coordination_digs_release(r->digs, r->ndigs);
	free(r->placed);
	free(r->where);
	geo_free(r->geo);
	json_decref(r->reply);
	json_decref(body);
	error_release(&r->problems);
	error_release(&err);
	free(r);
	return rc;
}

/* --- reading ---------------------------------------------------------------------------- */

struct view {
	const struct authz_caller *caller;
	const struct published *pub;
	long long id;
	day_t today;
	json_t *reply;
};

static int project_get_tx(struct store_conn *c, void *ctx, struct error *err)
{
	struct view *v = ctx;
	return project_view(c, v->id, v->caller, v->pub ? &v->pub->cal : NULL, v->today, &v->reply,
			    err);
}

static int reply_view(struct http_request *req, struct http_response *res, struct view *v,
		      int (*fn)(struct store_conn *, void *, struct error *))
{
	struct error err = ERROR_INIT;
	v->pub = snapshot_get(req->app);
	v->today = tracks_today();
	int rc = store_with(req->app->pool, fn, v, &err);
	if (rc) {
		http_reply_error(res, &err);
	} else {
		http_add_header(res, "Cache-Control", "no-store");
		http_reply_json(res, 200, v->reply);
		v->reply = NULL;
	}
	if (v->pub)
		snapshot_put(v->pub);
	json_decref(v->reply);
	error_release(&err);
	return rc;
}

static int project_get(struct http_request *req, struct http_response *res)
{
	struct view v = {.caller = auth_caller(req)};
	if (input_path_id(req, 0, &v.id))
		return http_fail(res, ERR_NOT_FOUND, "no such project");
	return reply_view(req, res, &v, project_get_tx);
}

struct queue {
	const struct published *pub;
	long long org_id, after;
	int limit;
	struct strbuf reply; /* the reply's JSON text, as the rows come (store/projects.h) */
};

static int queue_tx(struct store_conn *c, void *ctx, struct error *err)
{
	struct queue *q = ctx;
	long long last = 0;
	bool more = false;
	q->reply.len = 0; /* a rerun starts over */
	strbuf_puts(&q->reply, "{\"items\":");
	const struct calendar *cal = q->pub ? &q->pub->cal : NULL;
	int rc = store_guidance_queue(c, q->org_id, q->after, q->limit, cal, tracks_today(),
				      &q->reply, &last, &more, err);
	if (rc)
		return rc;
	/* as input_set_cursor writes it */
	if (more)
		strbuf_printf(&q->reply, ",\"next_cursor\":\"%lld\"}", last);
	else
		strbuf_puts(&q->reply, ",\"next_cursor\":null}");
	return 0;
}

/* A utility's open guidance; the office's view of everyone's (or ?organisation_id='s). */
static int guidance_queue(struct http_request *req, struct http_response *res)
{
	const struct authz_caller *caller = auth_caller(req);
	if (auth_require(req, res, AZ_GUIDANCE_LIST, NULL))
		return 1;
	struct error err = ERROR_INIT;
	struct queue q = {.org_id = caller->kind == ROLE_OFFICE ? 0 : caller->org_id};
	const char *o = http_query(req, "organisation_id");
	if (o && caller->kind == ROLE_OFFICE) {
		char *end;
		q.org_id = strtoll(o, &end, 10);
		if (!*o || *end || q.org_id <= 0)
			error_add(&err, "organisation_id", "wrong_type",
				  "organisation_id must be a positive id");
	}
	input_page(req, &q.limit, &q.after, &err);
	int rc = err.ndetails ? error_set(&err, ERR_INVALID, "bad filter") : 0;
	if (!rc) {
		q.pub = snapshot_get(req->app);
		rc = store_with(req->app->pool, queue_tx, &q, &err);
		if (q.pub)
			snapshot_put(q.pub);
	}
	if (rc) {
		http_reply_error(res, &err);
		free(q.reply.p);
	} else {
		http_add_header(res, "Cache-Control", "no-store");
		http_reply_json_text(res, 200, q.reply.p, q.reply.len); /* takes the text */
	}
	error_release(&err);
	return rc;
}

/* --- answering -------------------------------------------------------------------------- */

struct answer {
	const struct authz_caller *caller;
	const struct published *pub;
	long long project_id;
	const char *kind;
	struct guidance_answer a;
	size_t parse_problems;
	struct error problems;
	day_t today;
	json_t *reply;
};

/*
 * The estimate for the project's stated loads from the utility's schedule in force today, and
 * the check of its own quote when it gives one (*quote_total, else -1): every item must be of
 * that schedule, applicable to the loads, at the published price. Problems listed.
 */
static int estimate(const struct answer *an, const struct project_row *p, json_t **out,
		    long long *total, long long *quote_total, struct error *problems)
{
	*quote_total = -1;
	const struct fee_schedule *s =
	    snapshot_schedule_in_force(an->pub, an->caller->org_id, an->kind, an->today, NULL);
	if (!s) {
		error_add(problems, "estimate", "no_schedule",
			  "you have no published %s fee schedule in force: publish one first",
			  an->kind);
		return 0;
	}
	json_t *needs = json_loads(p->needs ? p->needs : "{}", 0, NULL);
	struct fee_params fp;
	project_fee_params(utility_kind_parse(an->kind), json_object_get(needs, an->kind),
			   an->a.length_m, &fp);
	struct fee_estimate e = {0};
	struct error local = ERROR_INIT;
	if (fees_estimate(&s, 1, an->today, &fp, &e, &local) == 0) {
		*out = fees_estimate_to_json(&e);
		*total = e.total_fen;
	} else {
		for (size_t i = 0; i < local.ndetails; i++)
			error_add(problems, "estimate", local.details[i].code, "%s: %s",
				  local.details[i].field, local.details[i].message);
		if (!local.ndetails)
			error_add(problems, "estimate", "invalid", "%s", local.message);
	}
	error_release(&local);
	int64_t qt = 0;
	if (an->a.quote_json) {
		if (fees_check_quote(s, an->today, &fp, an->a.quote, an->a.nquote, &qt, &local) ==
		    0)
			*quote_total = qt;
		for (size_t i = 0; i < local.ndetails; i++)
			error_add(problems, local.details[i].field, local.details[i].code, "%s",
				  local.details[i].message);
		error_release(&local);
	}
	fees_estimate_release(&e);
	json_decref(needs);
	return 0;
}

static int answer_tx(struct store_conn *c, void *ctx, struct error *err)
{
	struct answer *an = ctx;
	json_decref(an->reply);
	an->reply = NULL;
	error_release(&an->problems);
	struct guidance_row g;
	int rc = store_guidance_for(c, an->project_id, an->kind, an->caller->org_id, &g, err);
	if (rc)
		return rc;
	struct project_row p;
	json_t *est = NULL, *stored = NULL;
	long long total = 0, quote_total = -1;
	if (strcmp(g.state, "open")) {
		rc = error_set(err, ERR_CONFLICT, "this guidance was answered on %s",
			       g.answered_day >= 0 ? cal_day_format(g.answered_day, (char[11]){0})
						   : "an earlier day");
		store_guidance_row_release(&g);
		return rc;
	}
	rc = store_project_get(c, an->project_id, &p, err);
	if (!rc)
		rc = estimate(an, &p, &est, &total, &quote_total, &an->problems);
	if (!rc && (an->parse_problems || an->problems.ndetails))
		rc = error_set(err, ERR_INVALID, "the answer cannot be recorded yet");
	if (!rc) {
		stored = guidance_answer_json(&an->a);
		json_object_set(stored, "estimate", est);
		if (an->a.quote_json) {
			json_object_set(stored, "quote", an->a.quote_json);
			json_object_set_new(stored, "quote_total_fen", json_integer(quote_total));
		}
		char *text = json_text(stored);
		rc = store_guidance_answer(c, g.id, g.version, text, total, an->today,
					   an->caller->user_id, err);
		free(text);
	}
	if (!rc)
		rc = tracks_emit(c, p.org_id, 0, p.reference, "guidance.answered",
				 json_pack("{s:I, s:s, s:I, s:O}", "id", (json_int_t)g.id, "kind",
					   an->kind, "organisation_id", (json_int_t)g.org_id,
					   "answer", stored),
				 err);
	if (!rc)
		rc = audit_record_id(c, an->caller, "guidance.answer", "guidance", g.id,
				     json_pack("{s:s, s:s, s:I}", "project", p.reference, "kind",
					       an->kind, "estimate_total_fen", (json_int_t)total),
				     err);
	struct guidance_row *rows = NULL;
	size_t n = 0;
	if (!rc)
		rc = store_guidance_of_project(c, an->project_id, &rows, &n, err);
	for (size_t i = 0; !rc && i < n; i++)
		if (rows[i].id == g.id)
			an->reply = guidance_json(&rows[i], &an->pub->cal, an->today);
	guidance_rows_free(rows, n);
	json_decref(est);
	json_decref(stored);
	store_project_row_release(&p);
	store_guidance_row_release(&g);
	return rc;
}

int projects_guidance_answer(struct app *app, const struct authz_caller *caller,
			     long long project_id, const char *kind, const json_t *body,
			     json_t **view, struct error *err)
{
	struct answer an = {.caller = caller, .project_id = project_id, .kind = kind};
	error_init(&an.problems);
	*view = NULL;
	an.today = tracks_today();
	guidance_answer_parse(body, an.today, &an.a, err);
	an.parse_problems = err->ndetails;
	an.pub = snapshot_get(app);
	int rc;
	if (!an.pub) {
		rc = error_set(err, ERR_UNAVAILABLE, "published fees are not loaded yet");
		goto done;
	}
	struct error txerr = ERROR_INIT;
	rc = store_tx(app->pool, answer_tx, &an, &txerr);
	if (rc == ERR_INVALID) {
		move_details(err, &an.problems);
		rc = error_set(err, ERR_INVALID, "the answer has %zu problem(s); all are listed",
			       err->ndetails);
	} else if (rc) {
		error_release(err);
		*err = txerr;
		error_init(&txerr);
	}
	error_release(&txerr);
	if (!rc) {
		*view = an.reply;
		an.reply = NULL;
	}
done:
	if (an.pub)
		snapshot_put(an.pub);
	guidance_answer_release(&an.a);
	json_decref(an.reply);
	error_release(&an.problems);
	return rc;
}

static int guidance_answer(struct http_request *req, struct http_response *res)
{
	struct error err = ERROR_INIT;
	long long project_id = 0;
	json_t *body = NULL, *view = NULL;
	if (auth_require(req, res, AZ_GUIDANCE_ANSWER, NULL))
		return 1;
	const char *kind = req->params[1];
	if (input_path_id(req, 0, &project_id) || utility_kind_parse(kind) < 0)
		return http_fail(res, ERR_NOT_FOUND, "no such guidance");
	int rc = http_parse_json(req, &body, &err);
	if (!rc)
		rc = projects_guidance_answer(req->app, auth_caller(req), project_id, kind, body,
					      &view, &err);
	if (rc) {
		http_reply_error(res, &err);
	} else {
		http_add_header(res, "Cache-Control", "no-store");
		http_reply_json(res, 200, view);
	}
	json_decref(body);
	error_release(&err);
	return rc;
}

const struct route projects_routes[] = {
    {"POST", "/v1/projects", project_create, ROUTE_AUTHENTICATED, 0, RUNS_ON_WORK},
    {"GET", "/v1/projects/{id}", project_get, ROUTE_AUTHENTICATED, 0, RUNS_ON_WORK},
    {"POST", "/v1/projects/{id}/guidance/{kind}", guidance_answer, ROUTE_AUTHENTICATED, 0,
     RUNS_ON_WORK},
    {"GET", "/v1/guidance", guidance_queue, ROUTE_AUTHENTICATED, 0, RUNS_ON_WORK},
    {0},
};
