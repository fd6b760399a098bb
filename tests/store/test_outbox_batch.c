/*
 * Tests for claiming and recording in store/deliveries.c against the real server: a claim sorts
 * its candidates (taken, deferred behind an earlier event, no endpoint, endpoint disabled) with
 * the attempt numbers and shared endpoints it hands out, and one transaction records a batch of
 * mixed outcomes, or nothing at all when it fails.
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/endpoints.h"
#include "store/deliveries.h"
#include "store/outbox.h"
#include "support/harness.h"

static const char SQL_QUIET[] = "UPDATE outbox SET status = 'dead' WHERE status = 'pending'";
static const char SQL_NEWEST[] = "SELECT MAX(id) FROM outbox WHERE org_id = ?";
static const char SQL_LATER[] =
	"UPDATE outbox SET next_attempt_at = UTC_TIMESTAMP(6) + INTERVAL 1 HOUR WHERE id = ?";
/* status, attempts, whole seconds until due (negative when due), last_error */
static const char SQL_EVENT[] =
	"SELECT status, attempts, TIMESTAMPDIFF(SECOND, UTC_TIMESTAMP(6), next_attempt_at), "
	"last_error FROM outbox WHERE id = ?";
static const char SQL_TRIES[] =
	"SELECT attempt, status_code FROM delivery_attempts WHERE event_id = ? ORDER BY id";

static struct store_conn *conn(void)
{
	struct store_conn *c = store_acquire(harness_pool(), 5000, NULL);
	cr_assert(c);
	return c;
}

static long long make_org(const char *path)
{
	char email[128];
	long long org = harness_make_user("utility", "water", true, email);
	if (path) {
		struct store_conn *c = conn();
		struct error err = ERROR_INIT;
		cr_assert_eq(store_endpoint_put(c, org, path, "v1", "whsec_dGVzdHRlc3R0ZXN0dGVzdA==",
						NULL, NULL, &err),
			     0, "%s", err.message);
		store_release(c);
	}
	return org;
}

static long long emit(long long org, long long app)
{
	struct store_conn *c = conn();
	struct error err = ERROR_INIT;
	cr_assert_eq(store_outbox_insert(c, org, app, "job.accepted", "{\"type\":\"job.accepted\"}",
					 &err),
		     0, "%s", err.message);
	struct store_result *r = NULL;
	struct store_param p[] = { P_INT(org) };
	cr_assert_eq(store_exec(c, SQL_NEWEST, p, 1, &r, NULL), 0);
	long long id = store_cell_ll(r, 0, 0, 0);
	store_result_free(r);
	store_release(c);
	return id;
}

struct event_state {
	char status[16];
	long long attempts, due_in_s;
	char last_error[128];
};

static struct event_state event(long long id)
{
	struct event_state e = { { 0 }, 0, 0, { 0 } };
	struct store_conn *c = conn();
	struct store_result *r = NULL;
	struct store_param p[] = { P_INT(id) };
	cr_assert_eq(store_exec(c, SQL_EVENT, p, 1, &r, NULL), 0);
	cr_assert_eq(r->nrows, 1);
	snprintf(e.status, sizeof(e.status), "%s", store_cell(r, 0, 0));
	e.attempts = store_cell_ll(r, 0, 1, -1);
	e.due_in_s = store_cell_ll(r, 0, 2, 0);
	snprintf(e.last_error, sizeof(e.last_error), "%s",
		 store_cell(r, 0, 3) ? store_cell(r, 0, 3) : "");
	store_result_free(r);
	store_release(c);
	return e;
}

/* The attempt rows of an event: how many, and the last one's attempt number and status. */
static size_t tries(long long id, long long *last_attempt, long long *last_code)
{
	struct store_conn *c = conn();
	struct store_result *r = NULL;
	struct store_param p[] = { P_INT(id) };
	cr_assert_eq(store_exec(c, SQL_TRIES, p, 1, &r, NULL), 0);
	size_t n = r->nrows;
	if (n) {
		*last_attempt = store_cell_ll(r, n - 1, 0, 0);
		*last_code = store_cell_ll(r, n - 1, 1, 0);
	}
	store_result_free(r);
	store_release(c);
	return n;
}

struct claim_ctx {
	int max;
	struct outbox_batch *b;
};

static int claim_tx(struct store_conn *c, void *ctx, struct error *err)
{
	struct claim_ctx *cc = ctx;
	return store_outbox_claim(c, cc->max, 60, cc->b, err);
}

static void claim(struct outbox_batch *b, int max)
{
	struct claim_ctx cc = { max, b };
	struct error err = ERROR_INIT;
	cr_assert_eq(store_tx(harness_pool(), claim_tx, &cc, &err), 0, "%s", err.message);
}

static const struct outbox_claim *find(const struct outbox_batch *b, long long id)
{
	for (size_t i = 0; i < b->n; i++)
		if (b->claims[i].id == id)
			return &b->claims[i];
	return NULL;
}

#define MAX_RECORD 32

struct record_ctx {
	struct outbox_attempt a[MAX_RECORD];
	size_t n;
};

static void add(struct record_ctx *rc, const struct outbox_claim *cl, int attempt, int code,
		enum outbox_outcome o, long long delay_ms)
{
	cr_assert(cl);
	cr_assert_lt(rc->n, MAX_RECORD);
	rc->a[rc->n] = (struct outbox_attempt){ .event_id = cl->id,
						.org_id = cl->org_id,
						.application_id = cl->application_id,
						.attempt = attempt,
						.url = cl->ep->url,
						.status_code = code,
						.duration_ms = 3,
						.excerpt = "{}",
						.error = code / 100 == 2 ? NULL : "failed on purpose",
						.outcome = o,
						.delay_ms = delay_ms };
	rc->n++;
}

static int record_tx(struct store_conn *c, void *ctx, struct error *err)
{
	struct record_ctx *rc = ctx;
	return store_outbox_record(c, rc->a, rc->n, err);
}

static int record(struct record_ctx *rc)
{
	struct error err = ERROR_INIT;
	int r = store_tx(harness_pool(), record_tx, rc, &err);
	error_release(&err);
	return r;
}

/*
 * One test: a claim takes every due event of the database, so scenarios running in parallel
 * test processes would take each other's events.
 */
Test(outbox_batch, claim_then_record_a_batch_in_one_transaction)
{
	struct store_conn *c = conn();
	cr_assert_eq(store_run(c, SQL_QUIET, NULL, 0, NULL, NULL, NULL), 0);
	store_release(c);
	long long A = make_org("http://127.0.0.1:9/a"), B = make_org("http://127.0.0.1:9/b");
	long long C = make_org(NULL), D = make_org("http://127.0.0.1:9/d");
	c = conn();
	cr_assert_eq(store_endpoint_disable(c, D, "tired of it", NULL), 0);
	store_release(c);
	long long a1 = emit(A, 1001), a2 = emit(A, 1001), a3 = emit(A, 1002);
	long long b1 = emit(B, 1003), b2 = emit(B, 1003);
	long long c1 = emit(C, 1004), c2 = emit(C, 1004), c3 = emit(C, 1004);
	long long d1 = emit(D, 1005), d2 = emit(D, 1005);
	long long r1 = emit(A, 1006), r2 = emit(A, 1006);
	/* e1 is not due for an hour; e2 is, but must wait for it */
	long long e1 = emit(A, 1007), e2 = emit(A, 1007);
	c = conn();
	struct store_param later[] = { P_INT(e1) };
	cr_assert_eq(store_run(c, SQL_LATER, later, 1, NULL, NULL, NULL), 0);
	store_release(c);

	/* the claim */
	struct outbox_batch b = { 0 };
	claim(&b, 50);
	cr_assert_eq(b.n, 4, "a1, a3, b1 and r1 are taken, not %zu", b.n);
	const long long taken[] = { a1, a3, b1, r1 };
	for (size_t i = 0; i < 4; i++) {
		const struct outbox_claim *cl = find(&b, taken[i]);
		cr_assert(cl, "event %lld is taken", taken[i]);
		cr_expect_eq(cl->attempt, 1);
		cr_expect_eq(event(cl->id).attempts, 1, "the lease counted the attempt");
		cr_expect_gt(event(cl->id).due_in_s, 50, "leased for a minute");
		cr_expect_str_eq(cl->payload, "{\"type\":\"job.accepted\"}");
	}
	cr_expect_eq(find(&b, a1)->application_id, 1001);
	cr_expect_eq(find(&b, b1)->application_id, 1003);
	cr_expect_str_eq(find(&b, b1)->ep->url, "http://127.0.0.1:9/b");
	cr_expect_eq(find(&b, a1)->ep, find(&b, r1)->ep, "one endpoint read per organisation");
	cr_expect_eq(b.nendpoints, 3, "A, B and the disabled D");
	/* behind an event taken in this claim: due when its lease runs out (or when woken) */
	cr_expect_gt(event(a2).due_in_s, 50);
	cr_expect_gt(event(b2).due_in_s, 50);
	cr_expect_gt(event(r2).due_in_s, 50);
	cr_expect_eq(event(a2).attempts, 0);
	/* a run of events that cannot be sent is settled in one claim, as one by one */
	cr_expect_str_eq(event(c1).status, "no_endpoint");
	cr_expect_str_eq(event(c2).status, "no_endpoint");
	cr_expect_str_eq(event(c3).status, "no_endpoint");
	cr_expect_str_eq(event(d1).status, "dead");
	cr_expect_str_eq(event(d1).last_error, "endpoint disabled: tired of it");
	cr_expect_str_eq(event(d2).status, "dead");
	/* behind an event that is not due: due when that one is */
	cr_expect_str_eq(event(e2).status, "pending");
	cr_expect_eq(event(e2).attempts, 0);
	cr_expect_gt(event(e2).due_in_s, 3500);

	/* a dispatcher whose lease ran out records an older attempt: nothing moves */
	struct record_ctx stale = { .n = 0 };
	add(&stale, find(&b, r1), 0, 200, OUTBOX_DELIVERED, 0);
	cr_assert_eq(record(&stale), 0);
	cr_expect_str_eq(event(r1).status, "pending");
	cr_expect_gt(event(r2).due_in_s, 50, "not woken by an attempt that did not count");

	/* one pass's mixed outcomes, one transaction */
	struct record_ctx rc = { .n = 0 };
	add(&rc, find(&b, a1), 1, 200, OUTBOX_DELIVERED, 0);
	add(&rc, find(&b, a3), 1, 204, OUTBOX_DELIVERED, 0);
	add(&rc, find(&b, b1), 1, 410, OUTBOX_GONE, 0);
	add(&rc, find(&b, r1), 1, 500, OUTBOX_RETRY, 0);
	cr_assert_eq(record(&rc), 0);
	long long at = 0, code = 0;
	cr_expect_str_eq(event(a1).status, "delivered");
	cr_expect_eq(tries(a1, &at, &code), 1);
	cr_expect_eq(at, 1);
	cr_expect_eq(code, 200);
	cr_expect_leq(event(a2).due_in_s, 0, "delivering a1 woke a2");
	cr_expect_str_eq(event(a3).status, "delivered");
	cr_expect_str_eq(event(b1).status, "dead");
	cr_expect_eq(tries(b1, &at, &code), 1);
	cr_expect_eq(code, 410);
	cr_expect_leq(event(b2).due_in_s, 0, "killing b1 woke b2");
	struct endpoint_row ep;
	c = conn();
	cr_assert_eq(store_endpoint_get(c, B, false, &ep, NULL), 0);
	cr_expect(ep.disabled, "410 disables the endpoint");
	store_endpoint_release(&ep);
	store_release(c);
	cr_expect_str_eq(event(r1).status, "pending");
	cr_expect_str_eq(event(r1).last_error, "failed on purpose");
	cr_expect_eq(tries(r1, &at, &code), 2, "the stale attempt is logged too");
	cr_expect_eq(code, 500);
	cr_expect_gt(event(r2).due_in_s, 50, "a retry wakes nothing");
	store_outbox_batch_release(&b);

	/* the second pass: r1's second try; b2 meets the disabled endpoint */
	claim(&b, 50);
	cr_assert_eq(b.n, 2, "a2 and r1, not %zu", b.n);
	cr_assert(find(&b, a2));
	cr_expect_eq(find(&b, a2)->attempt, 1);
	cr_assert(find(&b, r1));
	cr_expect_eq(find(&b, r1)->attempt, 2, "attempts + 1");
	cr_expect_str_eq(event(b2).status, "dead");
	cr_expect_str_eq(event(b2).last_error, "endpoint disabled: the receiver answered 410 Gone");

	/* recording fails half-way: nothing of it stays, and the events stay leased */
	struct record_ctx bad = { .n = 0 };
	add(&bad, find(&b, r1), 2, 200, OUTBOX_DELIVERED, 0);
	add(&bad, find(&b, a2), 1, 200, OUTBOX_DELIVERED, 0);
	bad.a[1].url = NULL; /* the column is NOT NULL: the insert fails */
	cr_assert_neq(record(&bad), 0);
	cr_expect_str_eq(event(r1).status, "pending");
	cr_expect_eq(event(r1).attempts, 2);
	cr_expect_gt(event(r1).due_in_s, 50, "still leased: tried again when the lease runs out");
	cr_expect_eq(tries(r1, &at, &code), 2, "the failed transaction left no attempt row");
	cr_expect_str_eq(event(a2).status, "pending");
	cr_expect_eq(tries(a2, &at, &code), 0);
	store_outbox_batch_release(&b);

	/* more than one statement's worth: leases and attempt rows in chunks */
	long long many[21];
	for (int i = 0; i < 21; i++)
		many[i] = emit(A, 2000 + i);
	claim(&b, 50);
	cr_assert_eq(b.n, 21);
	struct record_ctx all = { .n = 0 };
	for (int i = 0; i < 21; i++) {
		const struct outbox_claim *cl = find(&b, many[i]);
		cr_assert(cl);
		cr_expect_eq(cl->attempt, 1);
		cr_expect_eq(cl->ep, b.claims[0].ep);
		add(&all, cl, 1, i % 3 ? 200 : 503, i % 3 ? OUTBOX_DELIVERED : OUTBOX_RETRY, 60000);
	}
	cr_expect_eq(b.nendpoints, 1);
	/* a body cut in the middle of a character, an error that is not UTF-8: stored, cleaned */
	all.a[1].excerpt = "ok \xe4\xb8\xad \xe4\xb8";
	all.a[0].error = "\xff refused";
	cr_assert_eq(record(&all), 0);
	json_t *j = NULL;
	c = conn();
	cr_assert_eq(store_outbox_get(c, many[1], &j, NULL), 0);
	json_t *log = json_array_get(json_object_get(j, "attempts_log"), 0);
	cr_expect_str_eq(json_string_value(json_object_get(log, "response_excerpt")),
			 "ok \xe4\xb8\xad ??");
	json_decref(j);
	cr_assert_eq(store_outbox_get(c, many[0], &j, NULL), 0);
	cr_expect_str_eq(json_string_value(json_object_get(j, "last_error")), "? refused");
	json_decref(j);
	store_release(c);
	for (int i = 0; i < 21; i++) {
		cr_expect_eq(tries(many[i], &at, &code), 1, "event %d", i);
		cr_expect_eq(code, i % 3 ? 200 : 503, "event %d", i);
		cr_expect_str_eq(event(many[i]).status, i % 3 ? "delivered" : "pending");
	}
	cr_expect_gt(event(many[0]).due_in_s, 50, "due again after the minute's delay");
	store_outbox_batch_release(&b);
}
