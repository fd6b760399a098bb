/* SQL for the dispatcher's side of the outbox: claiming due events, recording attempts. */
#include "deliveries.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/xalloc.h"
#include "lib/json_text.h"

/*
 * Statements about a batch of events take its ids (or pairs) as one JSON array parameter read
 * through JSON_TABLE: one round trip whatever the batch's size.
 */
#define JSON_IDS(j) "JSON_TABLE(?, '$[*]' COLUMNS (id BIGINT PATH '$')) AS " j " "
#define JSON_PAIRS(j, a, b)                                                                        \
	"JSON_TABLE(?, '$[*]' COLUMNS (" a " BIGINT PATH '$[0]', " b " BIGINT PATH '$[1]')) AS " j \
	" "

static const char SQL_CLAIM[] =
	"SELECT id, org_id, application_id, event_type, attempts, payload FROM outbox "
	"WHERE status = 'pending' AND next_attempt_at <= UTC_TIMESTAMP(6) "
	"ORDER BY next_attempt_at, id LIMIT ? FOR UPDATE SKIP LOCKED";
/*
 * For each listed event with pending events of its organisation and application before it: the
 * first of those and when it is due, and the last (the one just before). A plain consistent
 * read: an earlier event locked by another claimer still counts.
 */
#define EARLIER_PENDING(agg)                                                                       \
	"(SELECT " agg "(x.id) FROM outbox x WHERE x.org_id = c.org_id "                            \
	"AND x.application_id = c.application_id AND x.status = 'pending' AND x.id < c.id)"
static const char SQL_EARLIER[] =
	"SELECT c.id, h.id, DATE_FORMAT(h.next_attempt_at, '%Y-%m-%d %H:%i:%s.%f'), "
	EARLIER_PENDING("MAX") " FROM " JSON_IDS("j") "JOIN outbox c ON c.id = j.id "
	"JOIN outbox h ON h.id = " EARLIER_PENDING("MIN");
static const char SQL_DEFER[] =
	"UPDATE outbox SET next_attempt_at = GREATEST(CAST(? AS DATETIME(6)), UTC_TIMESTAMP(6) + INTERVAL 1 SECOND) "
	"WHERE id = ?";
/* Behind an event leased in the same claim: due when that lease runs out, or when woken. */
static const char SQL_DEFER_LEASED[] =
	"UPDATE outbox SET next_attempt_at = UTC_TIMESTAMP(6) + INTERVAL ? SECOND WHERE id = ?";
/*
 * The statements that change listed events reach them through the primary key, so that they
 * lock those rows and nothing around them.
 */
static const char SQL_NO_ENDPOINT[] =
	"UPDATE " JSON_IDS("j") "JOIN outbox o FORCE INDEX (PRIMARY) ON o.id = j.id "
	"SET o.status = 'no_endpoint', o.last_error = 'the organisation has no endpoint'";
static const char SQL_LEASE[] =
	"UPDATE " JSON_IDS("j") "JOIN outbox o FORCE INDEX (PRIMARY) ON o.id = j.id "
	"SET o.attempts = o.attempts + 1, o.next_attempt_at = UTC_TIMESTAMP(6) + INTERVAL ? SECOND";
/* Rows [event_id, org_id, attempt, url, status_code, duration_ms, excerpt, error]. */
static const char SQL_ATTEMPTS_INSERT[] =
	"INSERT INTO delivery_attempts (event_id, org_id, attempt, url, status_code, duration_ms, "
	"response_excerpt, error) SELECT * FROM JSON_TABLE(?, '$[*]' COLUMNS ("
	"event_id BIGINT PATH '$[0]', org_id BIGINT PATH '$[1]', attempt INT PATH '$[2]', "
	"url VARCHAR(2000) PATH '$[3]', status_code INT PATH '$[4]', duration_ms INT PATH '$[5]', "
	"excerpt VARCHAR(1000) PATH '$[6]', error VARCHAR(500) PATH '$[7]')) j";
/* [id, attempt] pairs: each event only if it is still at that attempt. */
static const char SQL_DELIVERED[] =
	"UPDATE " JSON_PAIRS("j", "id", "attempt") "JOIN outbox o FORCE INDEX (PRIMARY) "
	"ON o.id = j.id AND o.attempts = j.attempt AND o.status = 'pending' "
	"SET o.status = 'delivered', o.delivered_at = UTC_TIMESTAMP(6), o.last_error = NULL";
/* Which of the listed [id, attempt] events are delivered now, at that attempt. */
static const char SQL_DELIVERED_AT[] =
	"SELECT o.id FROM " JSON_PAIRS("j", "id", "attempt") "JOIN outbox o ON o.id = j.id "
	"AND o.attempts = j.attempt WHERE o.status = 'delivered'";
static const char SQL_RETRY[] =
	"UPDATE outbox SET next_attempt_at = UTC_TIMESTAMP(6) + INTERVAL ? MICROSECOND, "
	"last_error = ? WHERE id = ? AND attempts = ? AND status = 'pending'";
static const char SQL_DEAD[] =
	"UPDATE outbox SET status = 'dead', dead_at = UTC_TIMESTAMP(6), last_error = ? "
	"WHERE id = ? AND attempts = ? AND status = 'pending'";
static const char SQL_DEAD_NOW[] =
	"UPDATE outbox SET status = 'dead', dead_at = UTC_TIMESTAMP(6), last_error = ? WHERE id = ?";
/*
 * Waking the next event of an application: the untried pending events of the listed
 * [organisation, application] pairs, locked as a single-event UPDATE would lock them, then the
 * chosen ones, due now. Through ix_outbox_order, so that it reads (and locks) those ranges only:
 * a subquery over outbox in one UPDATE locked far more, and concurrent recordings deadlocked.
 */
static const char SQL_UNTRIED[] =
	"SELECT o.id, o.org_id, o.application_id FROM " JSON_PAIRS("j", "org", "app")
	"JOIN outbox o FORCE INDEX (ix_outbox_order) ON o.org_id = j.org "
	"AND o.application_id = j.app AND o.status = 'pending' WHERE o.attempts = 0 FOR UPDATE";
static const char SQL_WAKE[] =
	"UPDATE " JSON_IDS("j") "JOIN outbox o FORCE INDEX (PRIMARY) ON o.id = j.id "
	"SET o.next_attempt_at = UTC_TIMESTAMP(6)";
static const char SQL_UNCLAIM[] =
	"UPDATE outbox SET attempts = attempts - 1, next_attempt_at = UTC_TIMESTAMP(6) "
	"WHERE id = ? AND attempts = ? AND status = 'pending'";

void store_outbox_batch_release(struct outbox_batch *b)
{
	for (size_t i = 0; b->claims && i < b->n; i++)
		free(b->claims[i].payload);
	for (size_t i = 0; b->endpoints && i < b->nendpoints; i++)
		store_endpoint_release(&b->endpoints[i]);
	free(b->claims);
	free(b->endpoints);
	memset(b, 0, sizeof(*b));
}

/* The length of the valid UTF-8 sequence at s, 0 when there is none. */
static size_t utf8_seq(const unsigned char *s)
{
	if (s[0] < 0x80)
		return 1;
	size_t n = s[0] >= 0xC2 && s[0] <= 0xDF ? 2 : s[0] >= 0xE0 && s[0] <= 0xEF ? 3
			: s[0] >= 0xF0 && s[0] <= 0xF4 ? 4 : 0;
	/* the second byte's range excludes overlong forms, surrogates and beyond U+10FFFF */
	unsigned char lo = s[0] == 0xE0 ? 0xA0 : s[0] == 0xF0 ? 0x90 : 0x80;
	unsigned char hi = s[0] == 0xED ? 0x9F : s[0] == 0xF4 ? 0x8F : 0xBF;
	if (n && (s[1] < lo || s[1] > hi))
		return 0;
	for (size_t i = 2; i < n; i++)
		if (s[i] < 0x80 || s[i] > 0xBF)
			return 0;
	return n;
}

/*
 * Copies src into dst (cap bytes with the NUL) as valid UTF-8: each byte that does not begin a
 * whole character becomes '?', and a character that does not fit is left out. The columns are
 * utf8mb4 in strict mode, and a receiver's body (cut at any byte) must not make recording fail:
 * that would fail the whole pass's recording, and its events would all be sent again.
 */
static void utf8_copy(char *dst, size_t cap, const char *src)
{
	const unsigned char *s = (const unsigned char *)(src ? src : "");
	size_t o = 0;
	while (*s) {
		size_t n = utf8_seq(s);
		if (o + (n ? n : 1) >= cap)
			break;
		if (n) {
			memcpy(dst + o, s, n);
			o += n;
			s += n;
		} else {
			dst[o++] = '?';
			s++;
		}
	}
	dst[o] = 0;
}

/* Runs sql (a JSON_IDS statement, then `then` when not NULL) over ids; nothing when none. */
static int run_ids(struct store_conn *c, const char *sql, const long long *ids, size_t n,
		   const struct store_param *then, struct error *err)
{
	if (!n)
		return 0;
	char *text = store_ids_json(ids, n);
	struct store_param p[] = { P_STR(text), then ? *then : P_NULL };
	int rc = store_run(c, sql, p, then ? 2 : 1, NULL, NULL, err);
	free(text);
	return rc;
}

/* An event delivered or dead: the next pending event of its organisation and application may go. */
struct finished {
	long long id, org_id, app_id;
};

/*
 * Makes the next untried pending event after each finished one (of the same organisation and
 * application) due now. f holds only events with an application: the others have no order to
 * keep.
 */
static int wake_next(struct store_conn *c, const struct finished *f, size_t n, struct error *err)
{
	if (!n)
		return 0;
	long long(*pairs)[2] = xcalloc(n, sizeof(*pairs));
	for (size_t i = 0; i < n; i++) {
		pairs[i][0] = f[i].org_id;
		pairs[i][1] = f[i].app_id;
	}
	char *text = store_pairs_json(pairs, n);
	free(pairs);
	struct store_result *r = NULL;
	struct store_param p[] = { P_STR(text) };
	int rc = store_exec(c, SQL_UNTRIED, p, 1, &r, err);
	free(text);
	long long *wake = xcalloc(n, sizeof(*wake));
	size_t nwake = 0;
	for (size_t i = 0; !rc && i < n; i++) {
		long long next = 0;
		for (size_t row = 0; row < r->nrows; row++) {
			long long id = store_cell_ll(r, row, 0, 0);
			if (store_cell_ll(r, row, 1, 0) == f[i].org_id &&
			    store_cell_ll(r, row, 2, 0) == f[i].app_id && id > f[i].id &&
			    (!next || id < next))
				next = id;
		}
		if (next)
			wake[nwake++] = next;
	}
	store_result_free(r);
	if (!rc)
		rc = run_ids(c, SQL_WAKE, wake, nwake, NULL, err);
	free(wake);
	return rc;
}

/* What the claim does with one candidate. */
enum fate { TAKE, DEFER, NO_ENDPOINT, DISABLED };

struct candidate {
	long long id, org_id, app_id;
	enum fate fate;
	long long head;	  /* the first pending event of its application before it, 0 if none */
	char head_at[32]; /* and when that one is due */
	long long pred;	  /* the last pending event before it */
	int ep;		  /* TAKE, DISABLED: index in the batch's endpoints */
};

/* Reads head and pred of every candidate with an application. */
static int find_earlier(struct store_conn *c, struct candidate *cand, size_t n, struct error *err)
{
	long long *ids = xcalloc(n, sizeof(*ids));
	size_t nids = 0;
	for (size_t i = 0; i < n; i++)
		if (cand[i].app_id)
			ids[nids++] = cand[i].id;
	int rc = 0;
	if (nids) {
		char *text = store_ids_json(ids, nids);
		struct store_result *r = NULL;
		struct store_param p[] = { P_STR(text) };
		rc = store_exec(c, SQL_EARLIER, p, 1, &r, err);
		for (size_t row = 0; !rc && row < r->nrows; row++)
			for (size_t i = 0; i < n; i++)
				if (cand[i].id == store_cell_ll(r, row, 0, 0)) {
					cand[i].head = store_cell_ll(r, row, 1, 0);
					snprintf(cand[i].head_at, sizeof(cand[i].head_at), "%s",
						 store_cell(r, row, 2) ? store_cell(r, row, 2) : "");
					cand[i].pred = store_cell_ll(r, row, 3, 0);
				}
		store_result_free(r);
		free(text);
	}
	free(ids);
	return rc;
}

static const struct candidate *candidate_of(const struct candidate *cand, size_t n, long long id)
{
	for (size_t i = 0; id && i < n; i++)
		if (cand[i].id == id)
			return &cand[i];
	return NULL;
}

static int by_id(const void *a, const void *b)
{
	long long x = (*(const struct candidate *const *)a)->id;
	long long y = (*(const struct candidate *const *)b)->id;
	return x < y ? -1 : x > y;
}

/*
 * Sets cand->fate (and ep) from its organisation's endpoint, reading each organisation's once
 * per claim: a batch often holds several events of one organisation. `missing` lists the
 * organisations found to have none.
 */
static int settle_endpoint(struct store_conn *c, struct outbox_batch *b, long long *missing,
			   size_t *nmissing, struct candidate *cand, struct error *err)
{
	int i = -1;
	for (size_t k = 0; k < *nmissing; k++)
		if (missing[k] == cand->org_id) {
			cand->fate = NO_ENDPOINT;
			return 0;
		}
	for (size_t k = 0; k < b->nendpoints && i < 0; k++)
		if (b->endpoints[k].org_id == cand->org_id)
			i = (int)k;
	if (i < 0) {
		int rc = store_endpoint_get(c, cand->org_id, false, &b->endpoints[b->nendpoints],
					    err);
		if (rc == ERR_NOT_FOUND) {
			error_release(err);
			missing[(*nmissing)++] = cand->org_id;
			cand->fate = NO_ENDPOINT;
			return 0;
		}
		if (rc)
			return rc;
		i = (int)b->nendpoints++;
	}
	cand->fate = b->endpoints[i].disabled ? DISABLED : TAKE;
	cand->ep = i;
	return 0;
}

/* Runs sql (a JSON_IDS statement, then `then` when not NULL) over the candidates of one fate. */
static int run_fate(struct store_conn *c, const char *sql, const struct candidate *cand, size_t n,
		    enum fate fate, const struct store_param *then, struct error *err)
{
	long long *ids = xcalloc(n, sizeof(*ids));
	size_t nids = 0;
	for (size_t i = 0; i < n; i++)
		if (cand[i].fate == fate)
			ids[nids++] = cand[i].id;
	int rc = run_ids(c, sql, ids, nids, then, err);
	free(ids);
	return rc;
}

/* The statements for candidates not taken. */
static int set_aside(struct store_conn *c, const struct candidate *cand, size_t n,
		     const struct outbox_batch *b, int lease_seconds, struct error *err)
{
	int rc = 0;
	for (size_t i = 0; i < n && !rc; i++) {
		const struct candidate *cd = &cand[i];
		if (cd->fate != DEFER)
			continue;
		const struct candidate *head = candidate_of(cand, n, cd->head);
		const struct candidate *pred = candidate_of(cand, n, cd->pred);
		bool behind_taken = (head && head->fate == TAKE) || (pred && pred->fate == TAKE);
		struct store_param p[] = { behind_taken ? P_INT(lease_seconds) : P_STR(cd->head_at),
					   P_INT(cd->id) };
		rc = store_run(c, behind_taken ? SQL_DEFER_LEASED : SQL_DEFER, p, 2, NULL, NULL,
			       err);
	}
	/* after the deferrals, so that waking an event deferred behind one of these wins */
	if (!rc)
		rc = run_fate(c, SQL_NO_ENDPOINT, cand, n, NO_ENDPOINT, NULL, err);
	struct finished *settled = xcalloc(n, sizeof(*settled));
	size_t nsettled = 0;
	for (size_t i = 0; i < n && !rc; i++) {
		const struct candidate *cd = &cand[i];
		if (cd->fate == DISABLED) {
			const struct endpoint_row *ep = &b->endpoints[cd->ep];
			char reason[301], why[400];
			utf8_copy(reason, sizeof(reason),
				  ep->disabled_reason ? ep->disabled_reason : "by the receiver");
			snprintf(why, sizeof(why), "endpoint disabled: %s", reason);
			struct store_param p[] = { P_STR(why), P_INT(cd->id) };
			rc = store_run(c, SQL_DEAD_NOW, p, 2, NULL, NULL, err);
		} else if (cd->fate != NO_ENDPOINT) {
			continue;
		}
		if (cd->app_id)
			settled[nsettled++] = (struct finished){ cd->id, cd->org_id, cd->app_id };
	}
	if (!rc)
		rc = wake_next(c, settled, nsettled, err);
	free(settled);
	return rc;
}

/*
 * A few statements per claim rather than several per event: one read of the candidates (with
 * their attempt counts), one for the earlier events of all of them, one endpoint read per
 * organisation, one lease for all that are taken; only the candidates set aside cost one each.
 */
int store_outbox_claim(struct store_conn *c, int max, int lease_seconds, struct outbox_batch *out,
		       struct error *err)
{
	store_outbox_batch_release(out);
	struct store_result *r = NULL;
	struct candidate *cand = NULL;
	long long *missing = NULL;
	size_t nmissing = 0;
	struct store_param p[] = { P_INT(max) };
	int rc = store_exec(c, SQL_CLAIM, p, 1, &r, err);
	if (rc || !r->nrows)
		goto out;
	size_t n = r->nrows;
	cand = xcalloc(n, sizeof(*cand));
	missing = xcalloc(n, sizeof(*missing));
	/* sized for every candidate, so the claims' pointers into endpoints stay valid */
	out->endpoints = xcalloc(n, sizeof(*out->endpoints));
	out->claims = xcalloc(n, sizeof(*out->claims));
	for (size_t i = 0; i < n; i++) {
		cand[i].id = store_cell_ll(r, i, 0, 0);
		cand[i].org_id = store_cell_ll(r, i, 1, 0);
		cand[i].app_id = store_cell_ll(r, i, 2, 0);
	}
	rc = find_earlier(c, cand, n, err);
	/*
	 * In id order, so that an event's predecessor is decided first. An event waits if a
	 * pending event of its application comes before it, unless that one is a candidate this
	 * claim settles for good (no endpoint, endpoint disabled; it waited for nothing itself):
	 * then the whole run of them is settled at once, as one at a time would.
	 */
	struct candidate **order = xcalloc(n, sizeof(*order));
	for (size_t i = 0; i < n; i++)
		order[i] = &cand[i];
	qsort(order, n, sizeof(*order), by_id);
	for (size_t i = 0; i < n && !rc; i++) {
		struct candidate *cd = order[i];
		const struct candidate *pred = candidate_of(cand, n, cd->pred);
		if (cd->pred && !(pred && (pred->fate == NO_ENDPOINT || pred->fate == DISABLED)))
			cd->fate = DEFER;
		else
			rc = settle_endpoint(c, out, missing, &nmissing, cd, err);
	}
	free(order);
	struct store_param seconds = P_INT(lease_seconds);
	if (!rc) /* leases the taken ones */
		rc = run_fate(c, SQL_LEASE, cand, n, TAKE, &seconds, err);
	if (!rc)
		rc = set_aside(c, cand, n, out, lease_seconds, err);
	for (size_t i = 0; i < n && !rc; i++) {
		if (cand[i].fate != TAKE)
			continue;
		struct outbox_claim *cl = &out->claims[out->n++];
		cl->id = cand[i].id;
		cl->org_id = cand[i].org_id;
		cl->application_id = cand[i].app_id;
		snprintf(cl->event_type, sizeof(cl->event_type), "%s", store_cell(r, i, 3));
		cl->attempt = (int)store_cell_ll(r, i, 4, 0) + 1; /* the lease counted it */
		cl->payload = xstrdup(store_cell(r, i, 5));
		cl->ep = &out->endpoints[cand[i].ep];
	}
out:
	store_result_free(r);
	free(cand);
	free(missing);
	if (rc)
		store_outbox_batch_release(out);
	return rc;
}

/* Inserts the attempts' rows. */
static int insert_attempts(struct store_conn *c, const struct outbox_attempt *a, size_t n,
			   struct error *err)
{
	if (!n)
		return 0;
	json_t *rows = json_array();
	for (size_t i = 0; i < n; i++) {
		/* valid UTF-8 by then, so json_string cannot refuse them */
		char url[2001], excerpt[1001], why[501];
		utf8_copy(url, sizeof(url), a[i].url);
		utf8_copy(excerpt, sizeof(excerpt), a[i].excerpt);
		utf8_copy(why, sizeof(why), a[i].error);
		json_t *row = json_array();
		json_array_append_new(row, json_integer(a[i].event_id));
		json_array_append_new(row, json_integer(a[i].org_id));
		json_array_append_new(row, json_integer(a[i].attempt));
		json_array_append_new(row, a[i].url ? json_string(url) : json_null());
		json_array_append_new(row, a[i].status_code ? json_integer(a[i].status_code)
							    : json_null());
		json_array_append_new(row, json_integer(a[i].duration_ms));
		json_array_append_new(row, a[i].excerpt ? json_string(excerpt) : json_null());
		json_array_append_new(row, a[i].error ? json_string(why) : json_null());
		json_array_append_new(rows, row);
	}
	char *text = json_text(rows);
	json_decref(rows);
	struct store_param p[] = { P_STR(text) };
	int rc = store_run(c, SQL_ATTEMPTS_INSERT, p, 1, NULL, NULL, err);
	free(text);
	return rc;
}

/*
 * Marks the delivered attempts' events delivered, each only if it is still at that attempt, and
 * adds those it moved to moved.
 */
static int mark_delivered(struct store_conn *c, const struct outbox_attempt *const *a, size_t n,
			  const struct outbox_attempt **moved, size_t *nmoved, struct error *err)
{
	if (!n)
		return 0;
	long long(*pairs)[2] = xcalloc(n, sizeof(*pairs));
	for (size_t i = 0; i < n; i++) {
		pairs[i][0] = a[i]->event_id;
		pairs[i][1] = a[i]->attempt;
	}
	char *text = store_pairs_json(pairs, n);
	free(pairs);
	struct store_param p[] = { P_STR(text) };
	unsigned long long changed = 0;
	int rc = store_run(c, SQL_DELIVERED, p, 1, &changed, NULL, err);
	if (!rc && changed == n) {
		for (size_t i = 0; i < n; i++)
			moved[(*nmoved)++] = a[i];
	} else if (!rc) {
		/*
		 * Some had moved on (a dispatcher whose lease ran out records late): which did this
		 * statement move? Those delivered at exactly this attempt.
		 */
		struct store_result *r = NULL;
		rc = store_exec(c, SQL_DELIVERED_AT, p, 1, &r, err);
		for (size_t row = 0; !rc && row < r->nrows; row++)
			for (size_t i = 0; i < n; i++)
				if (a[i]->event_id == store_cell_ll(r, row, 0, 0))
					moved[(*nmoved)++] = a[i];
		store_result_free(r);
	}
	free(text);
	return rc;
}

/* Moves a failed attempt's event on if it is still at this attempt; *moved says whether. */
static int move_failed(struct store_conn *c, const struct outbox_attempt *a, bool *moved,
		       struct error *err)
{
	char why[501];
	utf8_copy(why, sizeof(why), a->error);
	unsigned long long n = 0;
	int rc;
	if (a->outcome == OUTBOX_RETRY) {
		struct store_param q[] = { P_INT(a->delay_ms * 1000), P_STR(why), P_INT(a->event_id),
					   P_INT(a->attempt) };
		rc = store_run(c, SQL_RETRY, q, 4, &n, NULL, err);
	} else {
		struct store_param q[] = { P_STR(why), P_INT(a->event_id), P_INT(a->attempt) };
		rc = store_run(c, SQL_DEAD, q, 3, &n, NULL, err);
		if (!rc && a->outcome == OUTBOX_GONE)
			rc = store_endpoint_disable(c, a->org_id, "the receiver answered 410 Gone",
						    err);
	}
	*moved = n > 0;
	return rc;
}

/*
 * A few statements for a whole batch (the attempt rows, the deliveries, the wakes, each one
 * statement); only failures cost one or two each.
 */
int store_outbox_record(struct store_conn *c, const struct outbox_attempt *attempts, size_t n,
			struct error *err)
{
	const struct outbox_attempt **delivered = xcalloc(n + 1, sizeof(*delivered));
	const struct outbox_attempt **moved = xcalloc(n + 1, sizeof(*moved));
	struct finished *finished = xcalloc(n + 1, sizeof(*finished));
	size_t ndelivered = 0, nmoved = 0, nfinished = 0;
	int rc = insert_attempts(c, attempts, n, err);
	for (size_t i = 0; i < n && !rc; i++) {
		if (attempts[i].outcome == OUTBOX_DELIVERED) {
			delivered[ndelivered++] = &attempts[i];
			continue;
		}
		bool was_moved = false;
		rc = move_failed(c, &attempts[i], &was_moved, err);
		if (was_moved && attempts[i].outcome != OUTBOX_RETRY)
			moved[nmoved++] = &attempts[i];
	}
	if (!rc)
		rc = mark_delivered(c, delivered, ndelivered, moved, &nmoved, err);
	/* a delivered or dead event lets the next of its application go */
	for (size_t i = 0; i < nmoved; i++)
		if (moved[i]->application_id)
			finished[nfinished++] = (struct finished){ moved[i]->event_id, moved[i]->org_id,
								   moved[i]->application_id };
	if (!rc)
		rc = wake_next(c, finished, nfinished, err);
	free(delivered);
	free(moved);
	free(finished);
	return rc;
}

int store_outbox_unclaim(struct store_conn *c, long long id, int attempt, struct error *err)
{
	struct store_param p[] = { P_INT(id), P_INT(attempt) };
	return store_run(c, SQL_UNCLAIM, p, 2, NULL, NULL, err);
}
