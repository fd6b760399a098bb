/*
 * The joint application: one submission creates every utility job and every permit the works
 * need, in parallel, in one transaction; reading an application shows all its tracks and one
 * timeline.
 */
#define _GNU_SOURCE
#include <jansson.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "portal/credit_api.h"
#include "portal/app.h"
#include "portal/audit.h"
#include "portal/auth.h"
#include "portal/input.h"
#include "portal/certify.h"
#include "portal/router.h"
#include "portal/snapshot.h"
#include "portal/tracks.h"
#include "store/credit.h"
#include "store/accounts.h"
#include "store/materials.h"
#include "store/sites.h"
#include "store/applications.h"
#include "portal/project_cite.h"
#include "store/coordination.h"
#include "store/excavations.h"
#include "store/history.h"
#include "store/idempotency.h"
#include "store/jobs.h"
#include "store/jointdigs.h"
#include "store/permits.h"
#include "store/place.h"
#include "store/tasks.h"
#include "workflows/application.h"
#include "workflows/job.h"
#include "workflows/geo.h"
#include "workflows/permit.h"
#include "workflows/place.h"
#include "workflows/project.h"
#include "workflows/standards.h"
#include "lib/xalloc.h"
#include "lib/json_text.h"
#include "lib/jtext.h"
#include "lib/strbuf.h"

#define ROUTE_SUBMIT "POST /v1/applications"

struct submit {
	struct http_request *req;
	const struct authz_caller *caller;
	const struct published *pub;
	json_t *body;
	const char *idem_key;
	char hash[65];
	day_t today;
	long long now_us;
	struct app_request ar;
	struct standards_set set;
	struct standards_view view;
	int status;
	json_t *reply;
	char *replayed; /* a stored first reply, for a retried key */
	bool parse_failed; /* check everything else, but create nothing */
	struct place_context place; /* districts, roads near the works, zones, service areas */
	struct geo *site_geo;	    /* the site's point or plot, NULL for a site without one */
	char site_district[33];
	long long ref_n; /* the reference number, taken before the transaction; 0 = not yet */
	struct oversight_rules rules; /* in force: the post-check sampling, the credit rules */
	struct project_cited cited; /* the project it cites (issue #20), loaded in the transaction */
};

static const char *const authority_sub[PERMIT_KIND_COUNT] = { "road", "greening", "planning" };

/* "12 City Water Supply Co., 15 Fuqing Water Supply Co." for a notice. */
static void list_orgs(const struct place_context *pc, const size_t *idx, size_t n, char *buf,
		      size_t len)
{
	buf[0] = 0;
	for (size_t i = 0; i < n; i++) {
		size_t used = strlen(buf);
		snprintf(buf + used, len - used, "%s%lld %s", i ? ", " : "", pc->areas[idx[i]].org_id,
			 pc->areas[idx[i]].org_name);
	}
}

/*
 * The utility that gets a wanted kind: the one organisation whose published service area holds
 * the site, or the applicant's choice among several (validated). 0 with a problem listed when
 * none serves the site, or the choice is missing or not among them.
 */
static long long route_utility(const struct submit *s, int k, struct error *err)
{
	size_t idx[16];
	char f[48], names[512];
	const char *kind = utility_kind_name(k);
	size_t n = place_route(&s->place, k, s->site_geo, s->site_district, idx, 16);
	long long chosen = s->ar.provider[k];
	if (n == 0) {
		const struct place_district *d = place_district_find(&s->place, s->site_district);
		snprintf(f, sizeof(f), "utilities.%s", kind);
		error_add(err, f, "no_provider",
			  "no %s utility publishes a service area holding this site (%s %s); the "
			  "office can tell you who will serve it",
			  kind, s->site_district, d ? d->name_zh : "");
		return 0;
	}
	list_orgs(&s->place, idx, n, names, sizeof(names));
	snprintf(f, sizeof(f), "providers.%s", kind);
	if (chosen) {
		for (size_t i = 0; i < n; i++)
			if (s->place.areas[idx[i]].org_id == chosen)
				return chosen;
		error_add(err, f, "not_serving",
			  "organisation %lld does not serve this site for %s; choose one of: %s",
			  chosen, kind, names);
		return 0;
	}
	if (n > 1) {
		error_add(err, f, "required",
			  "%zu organisations serve this site for %s; choose one of: %s", n, kind,
			  names);
		return 0;
	}
	return s->place.areas[idx[0]].org_id;
}

/*
 * Who gets the jobs and permits: each wanted utility by the service areas holding the site
 * (route_utility), each authority by store_providers. 0 where nobody does; a wanted utility
 * without one is listed as a problem here, a needed authority after the plan is made.
 */
static int providers(struct store_conn *c, const struct submit *s,
		     long long utility_org[UK_COUNT], long long authority_org[PERMIT_KIND_COUNT],
		     struct error *err)
{
	for (int k = 0; k < UK_COUNT; k++)
		utility_org[k] = s->ar.util[k].wanted ? route_utility(s, k, err) : 0;
	struct error local = ERROR_INIT;
	int rc = store_providers(c, authority_sub, PERMIT_KIND_COUNT, authority_org, &local);
	if (rc) {
		error_set(err, rc, "could not find the organisations: %s", local.message);
		error_release(&local);
		return rc;
	}
	return 0;
}

/*
 * The published schedules (every version) of the organisations the application goes to: each
 * wanted utility's of its kind and the road authority's "road" fees. application_check picks
 * the version in force by kind, which is unambiguous among these only. *out is the caller's.
 */
static size_t assigned_schedules(const struct published *pub, const struct app_request *ar,
				 const long long utility_org[UK_COUNT], long long road_org,
				 const struct fee_schedule ***out)
{
	size_t n = 0, cap = pub->nschedules;
	*out = xcalloc(cap + 1, sizeof(**out));
	for (int k = 0; k < UK_COUNT; k++)
		if (ar->util[k].wanted && utility_org[k])
			n += snapshot_schedules_of_kind(pub, utility_org[k], utility_kind_name(k),
							*out + n, cap - n);
	if (road_org)
		n += snapshot_schedules_of_kind(pub, road_org, "road", *out + n, cap - n);
	return n;
}

/* Materials by id, in one query: each must be in the applicant's own library; fills the types. */
static int load_materials(struct store_conn *c, struct submit *s, struct error *err)
{
	size_t n = s->ar.nmaterials;
	long long *ids = xcalloc(n + 1, sizeof(*ids)), *owners = xcalloc(n + 1, sizeof(*owners));
	char(*types)[65] = xcalloc(n + 1, sizeof(*types));
	for (size_t i = 0; i < n; i++)
		ids[i] = s->ar.materials[i].material_id;
	struct error local = ERROR_INIT;
	int rc = store_materials_owners(c, ids, n, owners, types, &local);
	if (rc)
		error_set(err, rc, "%s", "could not read the materials");
	error_release(&local);
	for (size_t i = 0; !rc && i < n; i++) {
		if (owners[i] != s->caller->org_id) {
			char f[48];
			snprintf(f, sizeof(f), "materials[%zu]", i);
			error_add(err, f, "unknown", "material %lld is not in your library", ids[i]);
			continue;
		}
		snprintf(s->ar.materials[i].type, sizeof(s->ar.materials[i].type), "%s", types[i]);
	}
	free(ids);
	free(owners);
	free(types);
	return rc;
}

/*
 * What create_all collects while it creates the jobs and permits, to write afterwards with a
 * few multi-row inserts: rows nothing else references, whose ids are therefore never needed.
 */
struct pending {
	struct transition_new *trans; /* in the order the timeline shows them */
	size_t ntrans;
	struct stored_clock *clocks; /* the tracks' first clocks; transitions point into them */
	size_t nclocks;
	char **payloads; /* the permit transitions' payloads, owned */
	size_t npayloads;
	struct job_permit *links;
	size_t nlinks;
	struct excavation_new *digs;
	long long *dig_authority; /* per dig: the authority a joint dig is proposed to */
	const struct geo **dig_extent; /* per dig: its extent (the request's) */
	char **dig_wkt;		       /* per dig: the extent as text, owned */
	char **basis;		       /* per permit: its fast-track basis as text, owned */
	size_t nbasis;
	size_t ndigs;
	long long *certify; /* fast-tracked permits, certified at the end */
	size_t ncertify;
};

/* The application as it is being created: what every track row needs. */
struct created {
	long long app_id;
	char ref[25];
	char at[32];
	long long utility_org[UK_COUNT];	     /* who gets each job */
	long long authority_org[PERMIT_KIND_COUNT]; /* and each permit */
};

static void pending_init(struct pending *pd, const struct app_plan *plan)
{
	size_t np = plan->npermits, nd = 0;
	for (size_t i = 0; i < np; i++)
		nd += plan->permits[i].ndigs;
	memset(pd, 0, sizeof(*pd));
	pd->trans = xcalloc(1 + UK_COUNT + np, sizeof(*pd->trans));
	pd->clocks = xcalloc(UK_COUNT + np, sizeof(*pd->clocks));
	pd->payloads = xcalloc(np + UK_COUNT + 1, sizeof(*pd->payloads));
	pd->links = xcalloc(np * UK_COUNT + 1, sizeof(*pd->links));
	pd->digs = xcalloc(nd + 1, sizeof(*pd->digs));
	pd->dig_authority = xcalloc(nd + 1, sizeof(*pd->dig_authority));
	pd->dig_extent = xcalloc(nd + 1, sizeof(*pd->dig_extent));
	pd->dig_wkt = xcalloc(nd + 1, sizeof(*pd->dig_wkt));
	pd->basis = xcalloc(np + 1, sizeof(*pd->basis));
	pd->nbasis = np;
	pd->certify = xcalloc(np + 1, sizeof(*pd->certify));
}

static void pending_release(struct pending *pd)
{
	for (size_t i = 0; i < pd->npayloads; i++)
		free(pd->payloads[i]);
	free(pd->trans);
	free(pd->clocks);
	free(pd->payloads);
	free(pd->links);
	free(pd->digs);
	free(pd->dig_authority);
	for (size_t i = 0; i < pd->ndigs; i++)
		free(pd->dig_wkt[i]);
	free(pd->dig_wkt);
	free(pd->dig_extent);
	for (size_t i = 0; i < pd->nbasis; i++)
		free(pd->basis[i]);
	free(pd->basis);
	free(pd->certify);
	memset(pd, 0, sizeof(*pd));
}

/*
 * Issue #20: a job of a kind whose guidance its utility answered starts with the connection
 * point agreed there (the utility may confirm it instead of surveying); its first transition
 * says so (*payload, owned by pd).
 */
static int agree_point(struct store_conn *c, const struct submit *s, int k, long long org,
		       long long job_id, struct pending *pd, const char **payload,
		       struct error *err)
{
	json_t *answer = NULL;
	const struct guidance_row *g = project_cite_guided(&s->cited, k, org, &answer);
	if (!g)
		return 0;
	json_t *cp = json_deep_copy(json_object_get(answer, "connection_point"));
	if (!cp)
		cp = json_object();
	json_object_set_new(cp, "agreed_in_guidance", json_integer(g->id));
	char *text = json_text(cp);
	int rc = store_job_set_agreed(c, job_id, g->id, text, err);
	free(text);
	json_t *p = json_pack("{s:s, s:I, s:O}", "project", s->cited.reference, "guidance_id",
			      (json_int_t)g->id, "connection_point", cp);
	pd->payloads[pd->npayloads] = json_text(p);
	*payload = pd->payloads[pd->npayloads++];
	json_decref(p);
	json_decref(cp);
	json_decref(answer);
	return rc;
}

/* One job per wanted utility, all in one statement that returns their ids; transitions pending. */
static int create_jobs(struct store_conn *c, struct submit *s, const struct app_plan *plan,
		       const struct created *cr, long long job_ids[UK_COUNT], struct pending *pd,
		       struct error *err)
{
	char tref[UK_COUNT][40];
	char *params[UK_COUNT] = { 0 };
	struct job_new jn[UK_COUNT];
	int kind[UK_COUNT];
	long long ids[UK_COUNT] = { 0 };
	size_t n = 0;
	int rc = 0;
	for (int k = 0; !rc && k < UK_COUNT; k++) {
		if (!plan->jobs[k])
			continue;
		struct stored_clock *clk = &pd->clocks[pd->nclocks++];
		rc = tracks_clock_start(clk, s->set.utility[k], JOB_FIRST_STAGE, &s->pub->cal,
					s->now_us, err);
		application_job_reference(cr->ref, k, tref[n], sizeof(tref[n]));
		params[n] = json_text_sorted(s->ar.util[k].params);
		jn[n] = (struct job_new){ cr->app_id, tref[n], utility_kind_name(k),
					  job_state_name(JOB_SUBMITTED), params[n],
					  cr->utility_org[k], clk };
		kind[n++] = k;
	}
	if (!rc)
		rc = store_jobs_insert_many(c, jn, n, ids, err);
	for (size_t i = 0; i < n; i++) {
		free(params[i]);
		if (rc)
			continue;
		job_ids[kind[i]] = ids[i];
		const char *payload = "{}";
		rc = agree_point(c, s, kind[i], cr->utility_org[kind[i]], ids[i], pd, &payload, err);
		pd->trans[pd->ntrans++] = (struct transition_new){
			cr->app_id, "job", ids[i], "submit", NULL, job_state_name(JOB_SUBMITTED),
			"applicant", s->caller->org_id, s->caller->user_id, payload, cr->at,
			jn[i].clock->stage,
			jn[i].clock->clock.due_day
		};
	}
	return rc;
}

/*
 * The row of plan->permits[i]: its reference, its first clock (or the fast track's decision,
 * notice and commitment: approved at once, checked afterwards, measure 15) and when the
 * authority's decision is due. *out is the state it is filed in.
 */
static int permit_row_new(const struct submit *s, const struct app_plan *plan, size_t i,
			  const struct created *cr, char ref[40], struct stored_clock *clk,
			  struct permit_outcome *out, struct permit_new *pn, const char *basis,
			  struct error *err)
{
	const struct planned_permit *pp = &plan->permits[i];
	const struct service_standard *std = s->set.permit[pp->kind];
	application_permit_reference(plan, i, cr->ref, ref, 40);
	*out = (struct permit_outcome){ .state = PERMIT_SUBMITTED };
	int rc;
	if (pp->fast_track) {
		struct permit_facts f = { .kind = pp->kind, .fast_track_eligible = true,
					  .window_from = pp->window_from,
					  .window_to = pp->window_to, .today = s->today };
		rc = permit_apply(&f, PERMIT_SUBMITTED, "fast_track", ROLE_SYSTEM, out, err);
	} else {
		rc = tracks_clock_start(clk, std, PERMIT_FIRST_STAGE, &s->pub->cal, s->now_us, err);
	}
	day_t deadline = application_permit_deadline(std, &s->pub->cal, s->now_us / 1000000,
						     pp->fast_track, s->today);
	*pn = (struct permit_new){ cr->app_id, ref, permit_kind_name(pp->kind),
				   permit_state_name(out->state), permit_decision_name(out->decision),
				   pp->reason, cr->authority_org[pp->kind], pp->fast_track,
				   pp->window_from, pp->window_to, deadline, clk, basis };
	return rc;
}

/*
 * What a filed permit brings with it, pending: its links to the jobs, its excavations, its
 * certificate when fast-tracked, and its first history row.
 */
static void permit_pending(const struct submit *s, const struct planned_permit *pp,
			   const struct created *cr, long long pid, const long long job_ids[UK_COUNT],
			   const struct permit_outcome *out, const struct stored_clock *clk,
			   struct pending *pd)
{
	for (int k = 0; k < UK_COUNT; k++)
		if (pp->utilities[k] && job_ids[k])
			pd->links[pd->nlinks++] = (struct job_permit){ job_ids[k], pid };
	for (size_t d = 0; d < pp->ndigs; d++) {
		const struct app_dig *dig = &s->ar.digs[pp->digs[d]];
		pd->dig_authority[pd->ndigs] = cr->authority_org[pp->kind];
		pd->dig_extent[pd->ndigs] = dig->extent;
		pd->dig_wkt[pd->ndigs] = geo_wkt(dig->extent);
		pd->digs[pd->ndigs] = (struct excavation_new){
			.application_id = cr->app_id,
			.permit_id = pid,
			.utility_kind = utility_kind_name(dig->utility),
			.district = dig->district,
			.road = dig->road_name,
			.road_class = dig->road_class,
			.from_m = 0,
			.to_m = dig->length_m,
			.width_cm = dig->width_cm,
			.start_day = dig->start_day,
			.end_day = dig->end_day,
			.road_id = dig->road,
			.register_version = dig->register_version,
			.length_m = dig->length_m,
			.area_m2 = dig->area_m2,
			.zone_code = dig->zone,
			.zone_risk = dig->zone[0] ? triggers_risk_name(dig->zone_risk) : NULL,
			.extent_wkt = pd->dig_wkt[pd->ndigs],
		};
		pd->ndigs++;
	}
	if (pp->fast_track && out->issue_certificate)
		pd->certify[pd->ncertify++] = pid;
	json_t *why = json_pack("{s:s, s:s}", "trigger_reason", pp->reason, "fast_track",
				pp->fast_track_reason);
	char *whyt = json_text(why);
	json_decref(why);
	pd->payloads[pd->npayloads++] = whyt;
	pd->trans[pd->ntrans++] = (struct transition_new){
		cr->app_id, "permit", pid, pp->fast_track ? "fast_track" : "submit", NULL,
		permit_state_name(out->state), pp->fast_track ? "system" : "applicant",
		s->caller->org_id, s->caller->user_id, whyt, cr->at,
		clk->stage[0] ? clk->stage : NULL, clk->stage[0] ? clk->clock.due_day : -1
	};
}

/*
 * The post-check sample of a fast-tracked permit (issue #21): the office's share for its risk
 * class (the riskiest zone of its digs; medium where no zone is published) decides, by a keyed
 * draw anyone can recompute, whether the authority checks it on site; the draw is recorded
 * either way, and a sampled permit gets its post-check task.
 */
static int sample_post_check(struct store_conn *c, const struct submit *s,
			     const struct planned_permit *pp, long long pid, long long authority,
			     struct error *err)
{
	const char *name = json_string_value(json_object_get(pp->fast_track_basis, "zone_risk"));
	enum zone_risk risk = ZONE_RISK_MEDIUM;
	if (name)
		triggers_risk_parse(name, &risk, NULL);
	int draw = 0, share = 0;
	bool sampled = credit_sampled(&s->rules, risk, pid, &draw, &share);
	int rc = store_sample_record(c, pid, s->rules.version, triggers_risk_name(risk), share, draw,
				     sampled, err);
	if (!rc && sampled)
		rc = store_task_insert(c, pid, "post_check", authority, err);
	return rc;
}

/*
 * Every permit the works trigger, all in one statement that returns their ids; then the
 * post-check tasks of the fast-tracked ones; the rest pending (permit_pending).
 */
static int create_permits(struct store_conn *c, struct submit *s, const struct app_plan *plan,
			  const struct created *cr, const long long job_ids[UK_COUNT],
			  struct pending *pd, struct error *err)
{
	size_t np = plan->npermits;
	char(*tref)[40] = xcalloc(np + 1, sizeof(*tref));
	struct permit_new *pn = xcalloc(np + 1, sizeof(*pn));
	struct permit_outcome *out = xcalloc(np + 1, sizeof(*out));
	long long *pid = xcalloc(np + 1, sizeof(*pid));
	int rc = 0;
	for (size_t i = 0; !rc && i < np; i++) {
		if (plan->permits[i].fast_track_basis)
			pd->basis[i] = json_text(plan->permits[i].fast_track_basis);
		rc = permit_row_new(s, plan, i, cr, tref[i], &pd->clocks[pd->nclocks++], &out[i],
				    &pn[i], pd->basis[i], err);
	}
	if (!rc)
		rc = store_permits_insert_many(c, pn, np, pid, err);
	for (size_t i = 0; !rc && i < np; i++) {
		const struct planned_permit *pp = &plan->permits[i];
		if (pp->fast_track)
			rc = sample_post_check(c, s, pp, pid[i], cr->authority_org[pp->kind], err);
		if (!rc)
			permit_pending(s, pp, cr, pid[i], job_ids, &out[i], pn[i].clock, pd);
	}
	free(tref);
	free(pn);
	free(out);
	free(pid);
	return rc;
}

/*
 * Trench sharing: for each planned excavation, the excavations of other open applications whose
 * extents come within the share buffer of it at the same time (the spatial index finds the
 * candidates by box, GEOS decides) get a joint dig proposed, with the extent both share. Their
 * own rows are excluded by the search, so this may run after this application's are written.
 */
/* Whether the pair (a, b) is among the n proposals found. */
static bool proposed(const struct joint_dig_new *found, size_t n, long long a, long long b)
{
	for (size_t i = 0; i < n; i++)
		if (found[i].permit_a == a && found[i].permit_b == b)
			return true;
	return false;
}

static int propose_joint_digs(struct store_conn *c, long long app_id, const struct pending *pd,
			      struct error *err)
{
	int rc = 0;
	struct joint_dig_new *found = NULL; /* written together at the end, 16 to a statement */
	size_t nfound = 0, cap = 0;
	for (size_t d = 0; !rc && d < pd->ndigs; d++) {
		const struct excavation_new *e = &pd->digs[d];
		const struct geo *mine = pd->dig_extent[d];
		if (!mine)
			continue;
		/* the share zone: the search's box, and one side of every shared extent */
		struct geo *zone = geo_buffer(mine, PLACE_SHARE_BUFFER_M);
		if (!zone)
			continue;
		struct geo_bbox b;
		geo_bounds(zone, &b);
		char box[256];
		snprintf(box, sizeof(box), "POLYGON((%.7f %.7f,%.7f %.7f,%.7f %.7f,%.7f %.7f,%.7f %.7f))",
			 b.min_lng, b.min_lat, b.max_lng, b.min_lat, b.max_lng, b.max_lat, b.min_lng,
			 b.max_lat, b.min_lng, b.min_lat);
		struct excavation_near *near = NULL;
		size_t nnear = 0;
		rc = store_excavations_near(c, app_id, box, e->start_day, e->end_day, &near, &nnear,
					    err);
		for (size_t o = 0; !rc && o < nnear; o++) {
			/*
			 * A pair already found is not measured again: the first proposal of a pair is
			 * the one kept (INSERT IGNORE), and an excavation's permit often covers
			 * another of its digs (water and gas under one road permit).
			 */
			if (proposed(found, nfound, near[o].permit_id, e->permit_id))
				continue;
			struct geo *theirs = geo_from_wkt(near[o].extent_wkt);
			struct geo *shared =
			    theirs && geo_near(mine, theirs, PLACE_SHARE_BUFFER_M)
				? geo_shared_extent_in(mine, zone, theirs, PLACE_SHARE_BUFFER_M)
				: NULL;
			if (shared) {
				if (nfound == cap) {
					cap = cap ? 2 * cap : 16;
					found = xrealloc(found, cap * sizeof(*found));
				}
				found[nfound++] = (struct joint_dig_new){
					near[o].permit_id, e->permit_id, pd->dig_authority[d],
					geo_wkt(shared), (int)(geo_length_m(shared) + 0.5)};
			}
			geo_free(shared);
			geo_free(theirs);
		}
		store_excavations_near_free(near, nnear);
		geo_free(zone);
	}
	if (!rc)
		rc = store_joint_digs_propose(c, found, nfound, err);
	for (size_t i = 0; i < nfound; i++)
		free((char *)found[i].shared_wkt);
	free(found);
	return rc;
}

/* The application's own row: its reference, the request and the estimate as stored. */
static int insert_application(struct store_conn *c, struct submit *s, const struct app_plan *plan,
			      long long site_id, json_t *est, struct created *cr,
			      struct error *err)
{
	int year;
	cal_day_to_ymd(s->today, &year, NULL, NULL);
	int rc = s->ref_n ? 0 : store_next_reference(c, year, &s->ref_n, err);
	if (rc)
		return rc;
	application_reference(year, s->ref_n, cr->ref, sizeof(cr->ref));
	store_format_utc(s->now_us, cr->at);
	char *request = json_text_sorted(s->body);
	char *estimate = json_text(est);
	struct application_new an = { cr->ref, s->caller->org_id, site_id, s->caller->user_id,
				      cr->at, s->today, request, estimate, s->idem_key, s->hash,
				      plan->estimate.total_fen };
	rc = store_application_insert(c, &an, &cr->app_id, err);
	free(request);
	free(estimate);
	return rc;
}

/* Materials, jobs, permits, links, excavations, joint-dig proposals and the history. */
static int write_tracks(struct store_conn *c, struct submit *s, const struct app_plan *plan,
			const struct created *cr, struct pending *pd, struct error *err)
{
	long long *material_ids = xcalloc(s->ar.nmaterials + 1, sizeof(*material_ids));
	for (size_t i = 0; i < s->ar.nmaterials; i++)
		material_ids[i] = s->ar.materials[i].material_id;
	int rc = store_application_materials(c, cr->app_id, material_ids, s->ar.nmaterials, err);
	free(material_ids);
	pd->trans[pd->ntrans++] = (struct transition_new){ cr->app_id, "application", cr->app_id,
							   "submit", NULL, "open", "applicant",
							   s->caller->org_id, s->caller->user_id,
							   "{}", cr->at, NULL, -1 };
	long long job_ids[UK_COUNT] = { 0 };
	if (!rc)
		rc = create_jobs(c, s, plan, cr, job_ids, pd, err);
	if (!rc)
		rc = create_permits(c, s, plan, cr, job_ids, pd, err);
	if (!rc)
		rc = store_job_permit_links(c, pd->links, pd->nlinks, err);
	if (!rc)
		rc = store_excavations_insert_many(c, pd->digs, pd->ndigs, err);
	if (!rc)
		rc = propose_joint_digs(c, cr->app_id, pd, err);
	if (!rc)
		rc = store_transitions_insert_many(c, pd->trans, pd->ntrans, err);
	return rc;
}

/* The tracks as created, read back once for the reply's views and the parties' events. */
struct created_tracks {
	struct job_row *jobs;
	struct permit_row *permits;
	size_t nj, np;
	struct application_place place;
	json_t *segments; /* the dig-road permits' road segments, by permit id */
};

static void created_tracks_release(struct created_tracks *t)
{
	for (size_t i = 0; i < t->nj; i++)
		store_job_row_release(&t->jobs[i]);
	for (size_t i = 0; i < t->np; i++)
		store_permit_row_release(&t->permits[i]);
	free(t->jobs);
	free(t->permits);
	store_application_place_release(&t->place);
	json_decref(t->segments);
}

static int read_created(struct store_conn *c, long long app_id, struct created_tracks *t,
			struct error *err)
{
	int rc = store_jobs_of_application(c, app_id, &t->jobs, &t->nj, err);
	if (!rc)
		rc = store_permits_of_application(c, app_id, &t->permits, &t->np, err);
	bool digs = false;
	for (size_t i = 0; i < t->np; i++) {
		enum permit_kind kind = PERMIT_KIND_COUNT;
		permit_kind_parse(t->permits[i].kind, &kind, NULL);
		digs |= kind == PERMIT_DIG_ROAD;
	}
	if (!rc && t->nj + t->np)
		rc = store_application_place(c, app_id, &t->place, err);
	if (!rc && digs)
		rc = store_application_segments(c, app_id, &t->segments, err);
	return rc;
}

/*
 * One event for every organisation concerned, with a snapshot of its track, and the reply's
 * views of the tracks (jarr, parr), which the events share.
 */
static int emit_created(struct store_conn *c, const struct submit *s, const struct created *cr,
			const struct created_tracks *t, json_t *jarr, json_t *parr,
			struct error *err)
{
	struct tracks_events *events = tracks_events_new();
	json_t *app_json = t->nj + t->np ? tracks_place_json(&t->place) : NULL;
	for (size_t i = 0; i < t->nj; i++) {
		json_t *view = tracks_job_json(&t->jobs[i], s->caller, s->today);
		tracks_events_add(events, t->jobs[i].utility_org_id, cr->app_id, cr->ref,
				  "job.created", t->jobs[i].utility_kind,
				  tracks_job_event_from(&t->jobs[i], view, app_json));
		json_array_append_new(jarr, view);
	}
	for (size_t i = 0; i < t->np; i++) {
		const struct permit_row *p = &t->permits[i];
		char id[24];
		snprintf(id, sizeof(id), "%lld", p->id);
		json_t *view = tracks_permit_json(p, s->caller, s->today);
		tracks_events_add(events, p->authority_org_id, cr->app_id, cr->ref,
				  p->fast_track ? "permit.fast_tracked" : "permit.created",
				  tracks_permit_adapter(p->kind),
				  tracks_permit_event_from(p, view, app_json,
							   json_object_get(t->segments, id), s->body));
		json_array_append_new(parr, view);
	}
	json_decref(app_json);
	tracks_events_add(events, s->caller->org_id, cr->app_id, cr->ref, "application.submitted",
			  NULL,
			  json_pack("{s:s, s:i, s:i}", "reference", cr->ref, "jobs", (int)t->nj,
				    "permits", (int)t->np));
	int rc = tracks_events_flush(c, events, err);
	tracks_events_free(events);
	return rc;
}

/*
 * Last: appending to the audit chain locks its head row until the commit, and every writer in
 * the portal queues on that lock, so it is held for as few statements as can be. A fast-tracked
 * permit's certificate appends to the chain too, so it is issued here.
 */
static int seal(struct store_conn *c, const struct submit *s, const struct app_plan *plan,
		const struct created *cr, const struct pending *pd, struct error *err)
{
	int rc = 0;
	for (size_t i = 0; !rc && i < pd->ncertify; i++)
		rc = certify_issue(c, "permit", pd->certify[i], err);
	int njobs = 0;
	for (int k = 0; k < UK_COUNT; k++)
		njobs += plan->jobs[k];
	if (!rc)
		rc = audit_record(c, s->caller, "application.submit", "application", cr->ref,
				  json_pack("{s:I, s:I, s:I}", "jobs", (json_int_t)njobs, "permits",
					    (json_int_t)plan->npermits, "estimate_total_fen",
					    (json_int_t)plan->estimate.total_fen),
				  err);
	return rc;
}

/*
 * The notice's word on the fast track: per dig-road permit whether it was fast-tracked and why
 * (or why not, the credit rule's withdrawal included).
 */
static json_t *fast_track_notice(const struct app_plan *plan, const char *app_ref)
{
	json_t *arr = json_array();
	for (size_t i = 0; i < plan->npermits; i++) {
		const struct planned_permit *pp = &plan->permits[i];
		if (pp->kind != PERMIT_DIG_ROAD)
			continue;
		char ref[40];
		application_permit_reference(plan, i, app_ref, ref, sizeof(ref));
		json_array_append_new(arr, json_pack("{s:s, s:b, s:s}", "permit", ref,
						     "fast_track", pp->fast_track, "reason",
						     pp->fast_track_reason));
	}
	return json_pack("{s:o}", "fast_track", arr);
}

/*
 * Everything the submission writes, in the caller's transaction, in as few round trips as the
 * data allow: the application first, since every later row needs its id; the jobs in one
 * statement and the permits in another, each returning the ids the links, excavations and
 * transitions need; materials, links, excavations, transitions and events in multi-row
 * inserts; the place and the road segments that the parties' events carry read once, not once
 * per event.
 */
static int create_all(struct store_conn *c, struct submit *s, const struct app_plan *plan,
		      long long site_id, struct created *cr, struct error *err)
{
	json_t *est = fees_estimate_to_json(&plan->estimate); /* stored, and in the reply */
	json_t *jarr = json_array(), *parr = json_array();
	struct created_tracks t = { 0 };
	struct pending pd;
	pending_init(&pd, plan);
	int rc = insert_application(c, s, plan, site_id, est, cr, err);
	if (!rc && s->cited.project_id)
		rc = store_application_set_project(c, cr->app_id, s->cited.project_id, err);
	if (!rc)
		rc = write_tracks(c, s, plan, cr, &pd, err);
	if (!rc)
		rc = read_created(c, cr->app_id, &t, err);
	if (!rc)
		rc = emit_created(c, s, cr, &t, jarr, parr, err);
	if (!rc)
		rc = seal(c, s, plan, cr, &pd, err);
	if (!rc)
		s->reply = json_pack("{s:I, s:s, s:s, s:s, s:I, s:O, s:O, s:O, s:o}", "id",
				     (json_int_t)cr->app_id, "reference", cr->ref, "status", "open",
				     "submitted_on", cal_day_format(s->today, (char[11]){ 0 }),
				     "site_id", (json_int_t)site_id, "jobs", jarr, "permits", parr,
				     "estimate", est, "notice", fast_track_notice(plan, cr->ref));
	if (!rc && s->cited.project_id)
		json_object_set_new(s->reply, "project", json_string(s->cited.reference));
	json_decref(est);
	json_decref(jarr);
	json_decref(parr);
	created_tracks_release(&t);
	pending_release(&pd);
	return rc;
}

/*
 * Takes the next reference number in a statement of its own, committed at once: the counter's
 * row stays locked only that long, not for the whole submission (which would queue every
 * submission behind the one in progress). A submission that then fails leaves a gap in the
 * numbers. Not used with an Idempotency-Key, whose retry may replay instead of creating.
 */
static int reserve_reference(struct store_conn *c, void *ctx, struct error *err)
{
	struct submit *s = ctx;
	int year;
	cal_day_to_ymd(s->today, &year, NULL, NULL);
	return store_next_reference(c, year, &s->ref_n, err);
}

/*
 * A retried Idempotency-Key: *replayed when the key's first result is stored (s->replayed,
 * s->status), ERR_CONFLICT when the key was used for a different request.
 */
static int idem_replay(struct store_conn *c, struct submit *s, bool *replayed, struct error *err)
{
	char hash[65] = "";
	int status = 0;
	char *first = NULL;
	*replayed = false;
	int rc = store_idem_get(c, s->caller->org_id, ROUTE_SUBMIT, s->idem_key, hash, &status,
				&first, err);
	if (rc || !first)
		return rc;
	if (strcmp(hash, s->hash) != 0) {
		free(first);
		return error_set(err, ERR_CONFLICT,
				 "this Idempotency-Key was used for a different request");
	}
	s->replayed = first;
	s->status = status;
	*replayed = true;
	return 0;
}

/* The box of every valid excavation's extent and the site's geometry; false when none. */
static bool works_box(const struct submit *s, struct geo_bbox *box)
{
	bool any = false;
	for (size_t i = 0; i < s->ar.ndigs; i++) {
		if (!s->ar.digs[i].valid || !s->ar.digs[i].extent)
			continue;
		struct geo_bbox b;
		geo_bounds(s->ar.digs[i].extent, &b);
		if (!any) {
			*box = b;
		} else {
			box->min_lng = b.min_lng < box->min_lng ? b.min_lng : box->min_lng;
			box->min_lat = b.min_lat < box->min_lat ? b.min_lat : box->min_lat;
			box->max_lng = b.max_lng > box->max_lng ? b.max_lng : box->max_lng;
			box->max_lat = b.max_lat > box->max_lat ? b.max_lat : box->max_lat;
		}
		any = true;
	}
	return any;
}

/*
 * The site (an unknown one is listed as a problem) and the place around the works: districts,
 * the register roads and published zones near them, the service areas; then every excavation
 * is placed on them (application_place), its problems listed with the rest.
 */
static int load_place(struct store_conn *c, struct submit *s, struct error *err)
{
	place_context_release(&s->place);
	geo_free(s->site_geo);
	s->site_geo = NULL;
	s->site_district[0] = 0;
	if (s->ar.site_id) {
		struct site_row site;
		struct error local = ERROR_INIT;
		int rc = store_site_load_for(c, s->ar.site_id, s->caller->org_id, &site, &local);
		error_release(&local);
		if (rc == ERR_NOT_FOUND)
			error_add(err, "site_id", "unknown", "site %lld is not one of your sites",
				  s->ar.site_id);
		else if (rc)
			return error_set(err, rc, "could not read the site");
		char *wkt = NULL;
		if (!rc && (rc = store_site_geometry(c, site.id, &wkt, err)))
			return rc;
		if (wkt)
			s->site_geo = geo_from_wkt(wkt);
		free(wkt);
		if (rc == 0)
			snprintf(s->site_district, sizeof(s->site_district), "%s", site.district);
	}
	int rc = store_place_districts(c, &s->place, err);
	if (!rc)
		rc = store_place_areas(c, 0, &s->place, err);
	struct geo_bbox box;
	if (!rc && works_box(s, &box)) {
		rc = store_place_roads_near(c, &box, 100, s->today, &s->place, err);
		for (size_t i = 0; !rc && i < s->ar.ndigs; i++)
			if (s->ar.digs[i].valid && s->ar.digs[i].road_asked)
				rc = store_place_road_named(c, s->ar.digs[i].road_asked, s->today,
							    &s->place, err);
		if (!rc)
			rc = store_place_zones_near(c, &box, s->today, &s->place, err);
	}
	if (!rc)
		application_place(&s->ar, &s->place, err);
	return rc;
}

/*
 * The one-time notice and the plan: who gets each track (fee schedules are per organisation,
 * and so is the estimate), every problem of the request against the published rules, listed
 * at once (ERR_INVALID), including a needed authority nobody registered.
 */
static int make_plan(struct store_conn *c, struct submit *s, struct app_plan *plan,
		     struct created *cr, struct error *err)
{
	int rc = providers(c, s, cr->utility_org, cr->authority_org, err);
	if (rc)
		return rc;
	/* the credit rule: an applicant with a recent serious entry loses the fast track */
	bool lost = false;
	rc = store_oversight_rules_load(c, 0, &s->rules, NULL, err);
	if (!rc)
		rc = credit_api_standing(c, s->caller->org_id, s->today, &s->rules, &lost,
					 s->ar.fast_track_lost, sizeof(s->ar.fast_track_lost), err);
	if (rc)
		return rc;
	if (!lost)
		s->ar.fast_track_lost[0] = '\0';
	const struct fee_schedule **fees = NULL;
	size_t nfees = assigned_schedules(s->pub, &s->ar, cr->utility_org,
					  cr->authority_org[PERMIT_DIG_ROAD], &fees);
	application_check(&s->ar, &s->view, fees, nfees, s->today, plan, err);
	free(fees);
	for (int k = 0; s->cited.project_id && k < UK_COUNT; k++) {
		json_t *answer = NULL;
		if (plan->jobs[k] &&
		    project_cite_guided(&s->cited, k, cr->utility_org[k], &answer))
			project_estimate_use_guidance(&plan->estimate, utility_kind_name(k),
						      json_object_get(answer, "estimate"));
		json_decref(answer);
	}
	bool reported[PERMIT_KIND_COUNT] = { false };
	for (size_t i = 0; i < plan->npermits; i++) {
		enum permit_kind pk = plan->permits[i].kind;
		if (!cr->authority_org[pk] && !reported[pk]) {
			error_add(err, "works", "no_provider",
				  "no authority organisation for %s is registered", authority_sub[pk]);
			reported[pk] = true;
		}
	}
	if (err->ndetails || s->parse_failed)
		return error_set(err, ERR_INVALID,
				 "the application cannot be accepted yet: %zu item(s) to fix, all listed",
				 err->ndetails);
	return 0;
}

static int submit_tx(struct store_conn *c, void *ctx, struct error *err)
{
	struct submit *s = ctx;
	json_decref(s->reply);
	s->reply = NULL;
	bool replayed = false;
	if (s->idem_key)
		s->ref_n = 0; /* taken in here, so a rerun after a rollback takes it again */
	int rc = s->idem_key ? idem_replay(c, s, &replayed, err) : 0;
	if (rc || replayed)
		return rc;
	project_cite_release(&s->cited);
	if (s->ar.project_id &&
	    ((rc = project_cite_load(c, s->ar.project_id, s->caller->org_id, &s->cited, err,
				     err)) ||
	     (rc = project_cite_materials(c, &s->cited, &s->ar, err))))
		return rc;
	if ((rc = load_place(c, s, err)) || (rc = load_materials(c, s, err)))
		return rc;
	struct app_plan plan;
	memset(&plan, 0, sizeof(plan));
	struct created cr = { .app_id = 0 };
	rc = make_plan(c, s, &plan, &cr, err);
	if (!rc)
		rc = create_all(c, s, &plan, s->ar.site_id, &cr, err);
	if (!rc && s->idem_key) {
		char *text = json_text(s->reply);
		rc = store_idem_put(c, s->caller->org_id, ROUTE_SUBMIT, s->idem_key, s->hash, 201,
				    text, err);
		free(text);
	}
	s->status = 201;
	application_plan_release(&plan);
	return rc;
}

/*
 * Reads the request (Idempotency-Key, JSON, its hash) and parses the submission against the
 * standards in force; parse problems go to *parse_err, to be listed with the rest.
 */
static int submit_read(struct http_request *req, struct submit *s, struct error *parse_err,
		       struct error *err)
{
	s->idem_key = http_header(req, "Idempotency-Key");
	if (s->idem_key && (strlen(s->idem_key) == 0 || strlen(s->idem_key) > 128))
		return error_set(err, ERR_INVALID, "Idempotency-Key must have 1 to 128 characters");
	int rc = http_parse_json(req, &s->body, err);
	if (rc)
		return rc;
	unsigned char h[32];
	crypto_generichash(h, sizeof(h), (const unsigned char *)req->body, req->body_len, NULL, 0);
	sodium_bin2hex(s->hash, sizeof(s->hash), h, sizeof(h));
	s->now_us = tracks_now_us();
	s->today = cal_day_of_instant(s->now_us / 1000000);
	s->pub = snapshot_get(req->app);
	if (!s->pub)
		return error_set(err, ERR_UNAVAILABLE, "published standards are not loaded yet");
	/* Parse errors and the published rules' problems are listed together (one-time notice). */
	s->parse_failed = application_parse(s->body, s->today, &s->ar, parse_err) != 0;
	application_standards_in_force((const struct service_standard *const *)s->pub->standards,
				       s->pub->nstandards, s->today, &s->set);
	application_view_build(&s->set, &s->view);
	return 0;
}

/* Every parse problem first, then what the standards found, as one 422 in *err. */
static int merge_problems(struct submit *s, struct error *parse_err, int rc, struct error *err)
{
	if (!parse_err->ndetails)
		return rc;
	for (size_t i = 0; i < err->ndetails; i++)
		error_add(parse_err, err->details[i].field, err->details[i].code, "%s",
			  err->details[i].message);
	if (rc == 0 || rc == ERR_INVALID) {
		error_release(err);
		*err = *parse_err;
		error_init(parse_err);
		rc = error_set(err, ERR_INVALID, "the application has %zu problem(s); all are listed",
			       err->ndetails);
	}
	json_decref(s->reply);
	s->reply = NULL;
	return rc;
}

static void submit_reply(struct http_response *res, struct submit *s, int rc, struct error *err)
{
	if (rc) {
		http_reply_error(res, err);
	} else if (s->replayed) {
		http_add_header(res, "Idempotent-Replayed", "true");
		http_reply_text(res, s->status, "application/json; charset=utf-8", s->replayed,
				strlen(s->replayed));
	} else {
		http_add_header(res, "Cache-Control", "no-store");
		http_reply_json(res, 201, s->reply);
		s->reply = NULL;
	}
}

static int submit(struct http_request *req, struct http_response *res)
{
	struct error err = ERROR_INIT, parse_err = ERROR_INIT;
	struct submit *s = xcalloc(1, sizeof(*s));
	s->req = req;
	s->caller = auth_caller(req);
	int rc = auth_require(req, res, AZ_APP_CREATE, NULL);
	if (rc)
		goto done;
	rc = submit_read(req, s, &parse_err, &err);
	if (!rc && !s->parse_failed && !s->idem_key)
		rc = store_with(req->app->pool, reserve_reference, s, &err);
	if (!rc)
		rc = store_tx(req->app->pool, submit_tx, s, &err);
	if (s->pub)
		rc = merge_problems(s, &parse_err, rc, &err);
	submit_reply(res, s, rc, &err);
done:
	if (s->pub) {
		application_view_release(&s->view);
		snapshot_put(s->pub);
	}
	application_request_release(&s->ar);
	project_cite_release(&s->cited);
	place_context_release(&s->place);
	geo_free(s->site_geo);
	json_decref(s->body);
	json_decref(s->reply);
	free(s->replayed);
	free(s);
	error_release(&parse_err);
	error_release(&err);
	return rc;
}

/* --- reading ---------------------------------------------------------------------------- */

struct view {
	const struct authz_caller *caller;
	long long id;
	int limit;
	long long after;
	const char *status;
	json_t *reply;
	struct strbuf text; /* app_get's reply */
};

/*
 * The application's reply as JSON text into v->text, written straight from the rows (the
 * timeline already as text, tl): the same text json_text wrote of the tree this read used to
 * build, field for field (tests/api/test_timeline_text.c holds the two side by side).
 */
static void app_text(struct view *v, const struct application_row *a, const struct site_row *site,
		     const struct job_row *jobs, size_t nj, const struct permit_row *permits,
		     size_t np, const struct strbuf *tl)
{
	struct strbuf *o = &v->text;
	day_t today = tracks_today();
	strbuf_add(o, "{", 1);
	json_text_key(o, "id", true);
	json_text_integer(o, a->id);
	json_text_key(o, "reference", false);
	json_text_string(o, a->reference);
	json_text_key(o, "status", false);
	json_text_string(o, a->status);
	json_text_key(o, "submitted_at", false);
	json_text_string(o, a->submitted_at);
	json_text_key(o, "site", false);
	strbuf_add(o, "{", 1);
	json_text_key(o, "id", true);
	json_text_integer(o, site->id);
	json_text_key(o, "name", false);
	json_text_string(o, site->name);
	json_text_key(o, "district", false);
	json_text_string(o, site->district);
	json_text_key(o, "zone_risk_claimed", false);
	json_text_string(o, site->zone_risk[0] ? site->zone_risk : NULL);
	strbuf_add(o, "}", 1);
	json_text_key(o, "estimate_total_fen", false);
	json_text_integer(o, a->estimate_total_fen);
	json_text_key(o, "estimate", false);
	jtext_stored(o, a->estimate, "null");
	json_text_key(o, "jobs", false);
	strbuf_add(o, "[", 1);
	for (size_t i = 0; i < nj; i++) {
		if (i)
			strbuf_add(o, ",", 1);
		tracks_job_text(o, &jobs[i], v->caller, today);
	}
	strbuf_add(o, "]", 1);
	json_text_key(o, "permits", false);
	strbuf_add(o, "[", 1);
	for (size_t i = 0; i < np; i++) {
		if (i)
			strbuf_add(o, ",", 1);
		tracks_permit_text(o, &permits[i], v->caller, today);
	}
	strbuf_add(o, "]", 1);
	json_text_key(o, "timeline", false);
	strbuf_add(o, tl->p, tl->len);
	json_text_key(o, "version", false);
	json_text_integer(o, a->version);
	json_text_key(o, "project", false);
	if (a->project_id) {
		char ref[24];
		store_project_reference(a->project_id, ref);
		json_text_string(o, ref);
	} else {
		strbuf_add(o, "null", 4);
	}
	strbuf_add(o, "}", 1);
}

static int app_get_tx(struct store_conn *c, void *ctx, struct error *err)
{
	struct view *v = ctx;
	struct application_row a;
	struct job_row *jobs = NULL;
	struct permit_row *permits = NULL;
	struct strbuf tl = { 0 };
	size_t nj = 0, np = 0;
	struct site_row site;
	int rc = store_application_view(c, v->id, &a, &site, err);
	if (rc)
		return rc;
	rc = store_jobs_of_application(c, a.id, &jobs, &nj, err);
	if (!rc)
		rc = store_permits_of_application(c, a.id, &permits, &np, err);
	long long parties[16];
	int n = 0;
	for (size_t i = 0; i < nj && n < 16; i++)
		parties[n++] = jobs[i].utility_org_id;
	for (size_t i = 0; i < np && n < 16; i++)
		parties[n++] = permits[i].authority_org_id;
	struct authz_object obj = { a.org_id, parties, n };
	if (!rc)
		rc = authz_check(v->caller, AZ_APP_READ, &obj, err);
	if (!rc)
		rc = store_timeline_text(c, a.id, &tl, err);
	if (!rc)
		app_text(v, &a, &site, jobs, nj, permits, np, &tl);
	free(tl.p);
	for (size_t i = 0; i < nj; i++)
		store_job_row_release(&jobs[i]);
	for (size_t i = 0; i < np; i++)
		store_permit_row_release(&permits[i]);
	free(jobs);
	free(permits);
	store_application_row_release(&a);
	return rc;
}

static int app_get(struct http_request *req, struct http_response *res)
{
	struct view v = { .caller = auth_caller(req) };
	if (input_path_id(req, 0, &v.id))
		return http_fail(res, ERR_NOT_FOUND, "no such application");
	struct error err = ERROR_INIT;
	int rc = store_with(req->app->pool, app_get_tx, &v, &err);
	if (rc) {
		http_reply_error(res, &err);
		free(v.text.p);
	} else {
		http_reply_json_text(res, 200, v.text.p, v.text.len); /* takes the text */
	}
	error_release(&err);
	return rc;
}

static int app_list_tx(struct store_conn *c, void *ctx, struct error *err)
{
	struct view *v = ctx;
	json_t *items = NULL;
	long long last = 0;
	bool more = false;
	int rc = store_application_list(c, v->caller->org_id, v->status, v->after, v->limit, &items,
					&last, &more, err);
	if (rc)
		return rc;
	v->reply = json_pack("{s:o}", "items", items);
	input_set_cursor(v->reply, more, last);
	return 0;
}

static int app_list(struct http_request *req, struct http_response *res)
{
	struct view v = { .caller = auth_caller(req) };
	if (auth_require(req, res, AZ_APP_LIST, NULL))
		return 1;
	struct error err = ERROR_INIT;
	static const char *const statuses[] = { "open", "completed", "withdrawn", NULL };
	v.status = http_query(req, "status");
	bool ok = !v.status;
	for (const char *const *s = statuses; v.status && *s; s++)
		ok |= !strcmp(*s, v.status);
	if (!ok)
		error_add(&err, "status", "not_allowed", "status must be open, completed or withdrawn");
	int rc = input_page(req, &v.limit, &v.after, &err);
	if (!rc && err.ndetails)
		rc = error_set(&err, ERR_INVALID, "bad filter");
	if (!rc)
		rc = store_with(req->app->pool, app_list_tx, &v, &err);
	if (rc)
		http_reply_error(res, &err);
	else
		http_reply_json(res, 200, v.reply);
	error_release(&err);
	return rc;
}

const struct route applications_routes[] = {
	{ "POST", "/v1/applications", submit, ROUTE_AUTHENTICATED, 0, RUNS_ON_WORK },
	{ "GET", "/v1/applications", app_list, ROUTE_AUTHENTICATED, 0, RUNS_ON_WORK },
	{ "GET", "/v1/applications/{id}", app_get, ROUTE_AUTHENTICATED, 0, RUNS_ON_WORK },
	{ 0 },
};
