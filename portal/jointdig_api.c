/*
 * Trench sharing across applications (DESIGN.md rule 16): when two open applications dig the
 * same road segment in overlapping windows, the road authority sees the pair and may accept a
 * joint dig, which gives both permits one merged work window.
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
#include "portal/router.h"
#include "portal/tracks.h"
#include "store/history.h"
#include "store/jointdigs.h"
#include "store/permits.h"
#include "workflows/jointdig.h"
#include "lib/xalloc.h"
#include "lib/json_text.h"

struct jd {
	const struct authz_caller *caller;
	long long id;
	bool accept;
	const char *status;
	json_t *reply;
};

static int list_tx(struct store_conn *c, void *ctx, struct error *err)
{
	struct jd *j = ctx;
	json_t *items = NULL;
	int rc = store_joint_dig_list(c, j->caller->org_id, j->status, &items, err);
	if (!rc)
		j->reply = json_pack("{s:o}", "items", items);
	return rc;
}

static int jd_list(struct http_request *req, struct http_response *res)
{
	struct jd j = { .caller = auth_caller(req) };
	if (auth_require(req, res, AZ_PERMIT_LIST, NULL))
		return 1;
	j.status = http_query(req, "status");
	struct error err = ERROR_INIT;
	int rc = store_with(req->app->pool, list_tx, &j, &err);
	if (rc)
		http_reply_error(res, &err);
	else
		http_reply_json(res, 200, j.reply);
	error_release(&err);
	return rc;
}

/* The decision on one permit of the pair: its window, history row, audit entry and event. */
static int apply_to(struct store_conn *c, const struct jd *j, const struct joint_dig_row *row,
		    const struct permit_row *p, const struct permit_row *other,
		    const struct jointdig_outcome *o, struct error *err)
{
	char at[32];
	store_format_utc(tracks_now_us(), at);
	int rc = o->accepted ? store_permit_set_window(c, p->id, o->window_from, o->window_to, err)
			     : 0;
	json_t *detail = json_pack("{s:I, s:s, s:s}", "proposal", (json_int_t)row->id, "with",
				   other->reference, "decision", o->status);
	char *dt = json_text(detail);
	struct transition_new t = { p->application_id, "permit", p->id, o->action, p->state,
				    p->state, role_name(j->caller->kind), j->caller->org_id,
				    j->caller->user_id, dt, at, NULL, -1 };
	if (!rc)
		rc = store_transition_insert(c, &t, err);
	free(dt);
	if (!rc)
		rc = audit_record(c, j->caller, o->event, "permit", p->reference,
				  json_incref(detail), err);
	json_decref(detail);
	struct permit_row fresh;
	if (rc || !o->accepted || (rc = store_permit_get(c, p->id, false, &fresh, err)))
		return rc;
	rc = tracks_emit(c, fresh.app_org_id, fresh.application_id, fresh.app_reference,
			 o->event, tracks_permit_json(&fresh, NULL, tracks_today()), err);
	store_permit_row_release(&fresh);
	return rc;
}

/* The proposal's two permits as the rule reads them. */
static struct jointdig_permit rule_view(const struct permit_row *p)
{
	struct jointdig_permit v = { p->reference, PERMIT_STATE_COUNT, p->window_from,
				     p->window_to };
	permit_state_parse(p->state, &v.state, NULL);
	return v;
}

static int decide_tx(struct store_conn *c, void *ctx, struct error *err)
{
	struct jd *j = ctx;
	struct joint_dig_row row;
	struct permit_row a = { 0 }, b = { 0 };
	struct jointdig_outcome o;
	int rc = store_joint_dig_get(c, j->id, &row, err);
	if (rc)
		return rc;
	struct authz_object obj = { row.authority_org_id, NULL, 0 };
	if ((rc = authz_check(j->caller, AZ_PERMIT_ACT, &obj, err)) ||
	    (rc = store_permit_get(c, row.permit_a, true, &a, err)) ||
	    (rc = store_permit_get(c, row.permit_b, true, &b, err)))
		goto out;
	struct jointdig_permit pair[2] = { rule_view(&a), rule_view(&b) };
	if ((rc = jointdig_decide(pair, j->accept, j->caller->kind, &o, err)) ||
	    (rc = store_joint_dig_decide(c, row.id, j->accept, err)) ||
	    (rc = apply_to(c, j, &row, &a, &b, &o, err)) ||
	    (rc = apply_to(c, j, &row, &b, &a, &o, err)))
		goto out;
	j->reply = json_pack("{s:I, s:s, s:[s, s]}", "id", (json_int_t)row.id, "status", o.status,
			     "permits", a.reference, b.reference);
	char f[11], t[11];
	if (o.accepted)
		json_object_set_new(j->reply, "work_window",
				    json_pack("{s:s, s:s}", "from", cal_day_format(o.window_from, f),
					      "to", cal_day_format(o.window_to, t)));
out:
	store_permit_row_release(&a);
	store_permit_row_release(&b);
	return rc;
}

static int decide(struct http_request *req, struct http_response *res, bool accept)
{
	struct jd j = { .caller = auth_caller(req), .accept = accept };
	if (input_path_id(req, 0, &j.id))
		return http_fail(res, ERR_NOT_FOUND, "no such joint dig proposal");
	struct error err = ERROR_INIT;
	int rc = store_tx(req->app->pool, decide_tx, &j, &err);
	if (rc) {
		json_decref(j.reply);
		http_reply_error(res, &err);
	} else {
		http_reply_json(res, 200, j.reply);
	}
	error_release(&err);
	return rc;
}

static int jd_accept(struct http_request *req, struct http_response *res)
{
	return decide(req, res, true);
}

static int jd_decline(struct http_request *req, struct http_response *res)
{
	return decide(req, res, false);
}

const struct route jointdig_routes[] = {
	{ "GET", "/v1/joint-digs", jd_list, ROUTE_AUTHENTICATED, 0, RUNS_ON_WORK },
	{ "POST", "/v1/joint-digs/{id}/accept", jd_accept, ROUTE_AUTHENTICATED, 0, RUNS_ON_WORK },
	{ "POST", "/v1/joint-digs/{id}/decline", jd_decline, ROUTE_AUTHENTICATED, 0, RUNS_ON_WORK },
	{ 0 },
};
