/*
 * Tests for integrations/dispatcher.c and integrations/urlguard.c: the retry schedule, the SSRF
 * guard table, and delivery end to end to a local receiver over real HTTP (127.0.0.1 only) that
 * verifies every signature, fails on purpose (500s, slowness, 410), then recovers.
 */
#define _GNU_SOURCE
#include <criterion/criterion.h>
#include <criterion/parameterized.h>

#include <arpa/inet.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "integrations/dispatcher.h"
#include "integrations/urlguard.h"
#include "integrations/webhook.h"
#include "store/endpoints.h"
#include "store/outbox.h"
#include "support/harness.h"

#define ROW_PARAMS(table)                                                                          \
	do {                                                                                       \
		static size_t rows[sizeof(table) / sizeof(table[0])];                              \
		for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++)                        \
			rows[i] = i;                                                               \
		return cr_make_param_array(size_t, rows, sizeof(rows) / sizeof(rows[0]));          \
	} while (0)

/* ---- the SSRF guard ------------------------------------------------------------------------ */

struct guard_case {
	const char *url;
	bool ok_strict;	 /* accepted with private addresses refused */
	bool ok_allowed; /* accepted when the server allows them */
};

static const struct guard_case guard_cases[] = {
	{ "https://example.com/hooks", true, true },
	{ "http://example.com:8443/x?y=1", true, true },
	{ "https://93.184.216.34/hook", true, true },
	{ "https://[2606:2800:220:1:248:1893:25c8:1946]/h", true, true },
	{ "http://127.0.0.1:9000/hook", false, true },
	{ "http://127.1.2.3/", false, true },
	{ "http://10.1.2.3/", false, true },
	{ "http://172.16.0.1/", false, true },
	{ "http://172.31.255.255/", false, true },
	{ "http://192.168.1.10/", false, true },
	{ "http://169.254.169.254/latest/meta-data", false, true },
	{ "http://100.64.0.1/", false, true },
	{ "http://0.0.0.0/", false, true },
	{ "http://224.0.0.1/", false, true },
	{ "http://[::1]/", false, true },
	{ "http://[::]/", false, true },
	{ "http://[fc00::1]/", false, true },
	{ "http://[fd12:3456::1]/", false, true },
	{ "http://[fe80::1]/", false, true },
	{ "http://[ff02::1]/", false, true },
	{ "http://[::ffff:127.0.0.1]/", false, true },
	{ "http://[::ffff:10.0.0.1]/", false, true },
	{ "http://localhost:8080/", false, true },
	{ "http://api.localhost/", false, true },
	{ "http://2130706433/", false, true }, /* 127.0.0.1 as one number */
	{ "http://0x7f.1/", false, true },
	{ "ftp://example.com/", false, false },
	{ "file:///etc/passwd", false, false },
	{ "gopher://example.com/", false, false },
	{ "https://user:pass@example.com/", false, false },
	{ "https://example.com:0/", false, false },
	{ "not a url", false, false },
	{ "", false, false },
};

ParameterizedTestParameters(urlguard, table)
{
	ROW_PARAMS(guard_cases);
}
ParameterizedTest(size_t *row, urlguard, table)
{
	const struct guard_case *c = &guard_cases[*row];
	struct error err = ERROR_INIT;
	int strict = urlguard_check(c->url, false, &err);
	cr_expect_eq(strict == 0, c->ok_strict, "%s strict: %s", c->url, err.message);
	if (strict)
		cr_expect_eq(strict, ERR_INVALID);
	if (strict)
		cr_expect_gt(err.ndetails, 0, "%s: the refusal names the field", c->url);
	error_release(&err);
	int allowed = urlguard_check(c->url, true, &err);
	cr_expect_eq(allowed == 0, c->ok_allowed, "%s allowed: %s", c->url, err.message);
	error_release(&err);
}

static const struct {
	const char *addr;
	bool refused;
} addresses[] = {
	{ "8.8.8.8", false },	   { "1.1.1.1", false },       { "127.0.0.1", true },
	{ "10.255.0.1", true },	   { "172.15.255.255", false }, { "172.32.0.0", false },
	{ "192.169.0.1", false },  { "169.254.1.1", true },    { "255.255.255.255", true },
	{ "2001:db8::1", false },  { "2001:4860::8888", false }, { "::1", true },
	{ "fe80::abcd", true },	   { "fdff::1", true },	       { "64:ff9b::a00:1", true },
	{ "64:ff9b::808:808", false }, { "2002:0a00:0001::1", true }, { "not-an-ip", true },
};

Test(urlguard, address_classes)
{
	for (size_t i = 0; i < sizeof(addresses) / sizeof(addresses[0]); i++)
		cr_expect_eq(urlguard_address_refused(addresses[i].addr), addresses[i].refused,
			     "%s", addresses[i].addr);
}

Test(urlguard, resolving_loopback_is_refused_unless_allowed_and_pins_the_address)
{
	struct urlguard_target t;
	struct error err = ERROR_INIT;
	cr_assert_eq(urlguard_resolve("http://localhost:9/x", false, &t, &err), ERR_INVALID);
	error_release(&err);
	cr_assert_eq(urlguard_resolve("http://localhost:9/x", true, &t, &err), 0, "%s",
		     err.message);
	cr_expect(!strcmp(t.addr, "127.0.0.1") || !strcmp(t.addr, "::1"), "%s", t.addr);
	cr_expect(!strncmp(t.resolve, "localhost:9:", 12), "%s", t.resolve);
	cr_expect_str_eq(t.unresolve, "-localhost:9");
}

/* ---- the schedule -------------------------------------------------------------------------- */

Test(dispatcher, default_schedule_and_jitter_bounds)
{
	struct dispatcher_config cfg = { .jitter_percent = 20 };
	cr_assert_eq(dispatcher_schedule_parse(DISPATCHER_DEFAULT_SCHEDULE, &cfg, NULL), 0);
	cr_assert_eq(cfg.nschedule, 8);
	static const long long want[] = { 0, 5000, 300000, 1800000, 7200000, 18000000, 36000000,
					  36000000 };
	for (size_t i = 0; i < 8; i++)
		cr_expect_eq(cfg.schedule_ms[i], want[i]);
	cr_expect_eq(cfg.retry_after_max_ms, 36000000);
	/* after try k the wait is entry k, within +-20% */
	for (int k = 1; k < 8; k++) {
		long long lo = want[k] * 8 / 10, hi = want[k] * 12 / 10;
		cr_expect_eq(dispatcher_delay_ms(&cfg, k, -1, 0), lo, "try %d", k);
		cr_expect_eq(dispatcher_delay_ms(&cfg, k, -1, (uint32_t)(hi - lo)), hi, "try %d", k);
		for (uint32_t r = 1; r < 2000000000u; r += 123456789u) {
			long long d = dispatcher_delay_ms(&cfg, k, -1, r);
			cr_expect(d >= lo && d <= hi, "try %d: %lld", k, d);
		}
	}
	cr_expect_eq(dispatcher_delay_ms(&cfg, 8, -1, 0), -1, "dead after the eighth try");
	/* Retry-After is honoured, up to the longest delay */
	cr_expect_eq(dispatcher_delay_ms(&cfg, 1, 120000, 7), 120000);
	cr_expect_eq(dispatcher_delay_ms(&cfg, 1, 999999999, 7), 36000000);
	cr_expect_eq(dispatcher_delay_ms(&cfg, 8, 1000, 7), -1, "no try after the last");
}

static const struct {
	const char *text;
	int rc;
	size_t n;
} schedules[] = {
	{ "0", 0, 1 },	       { "0,0.2,1.5", 0, 3 }, { " 0 , 5 ", 0, 2 }, { "", ERR_INVALID, 0 },
	{ "0,,5", ERR_INVALID, 0 }, { "-1", ERR_INVALID, 0 }, { "5,x", ERR_INVALID, 0 },
	{ "0,604801", ERR_INVALID, 0 },
};

Test(dispatcher, schedule_parsing)
{
	for (size_t i = 0; i < sizeof(schedules) / sizeof(schedules[0]); i++) {
		struct dispatcher_config cfg = { 0 };
		struct error err = ERROR_INIT;
		cr_expect_eq(dispatcher_schedule_parse(schedules[i].text, &cfg, &err), schedules[i].rc,
			     "'%s'", schedules[i].text);
		if (!schedules[i].rc)
			cr_expect_eq(cfg.nschedule, schedules[i].n, "'%s'", schedules[i].text);
		error_release(&err);
	}
}

/* ---- the receiver -------------------------------------------------------------------------- */

#define MAX_SEEN 4096

/* What the receiver does for one path, and what it saw there. */
struct route {
	const char *path;
	const char *keys[2];
	size_t nkeys;
	int fail_first;	   /* this many 500s first */
	int slow_next;	   /* then this many answers slower than the dispatcher waits */
	int retry_after;   /* then this many 503 + Retry-After: 0 */
	int status;	   /* then this (200 normally; 410 for a gone receiver) */
	int delay_ms;	   /* every answer this late (within the dispatcher's timeout) */
	int requests;
	int bad_signatures;
	int signatures_last; /* entries in the last signature header */
	int accepted;	     /* 2xx answered in time */
	int duplicates;	     /* accepted again with an id already accepted */
	char ids[MAX_SEEN][24];
	long long app[MAX_SEEN], seq[MAX_SEEN];
};

static pthread_mutex_t rx_lock = PTHREAD_MUTEX_INITIALIZER;
static struct route *routes[16];
static size_t nroutes;
static struct MHD_Daemon *rx;
static unsigned rx_port;

struct upload {
	char *data;
	size_t len;
};

static struct route *route_for(const char *url)
{
	for (size_t i = 0; i < nroutes; i++)
		if (!strcmp(routes[i]->path, url))
			return routes[i];
	return NULL;
}

static bool seen(const struct route *r, const char *id)
{
	for (int i = 0; i < r->accepted; i++)
		if (!strcmp(r->ids[i], id))
			return true;
	return false;
}

static enum MHD_Result answer(struct MHD_Connection *c, int status, const char *retry_after)
{
	struct MHD_Response *res = MHD_create_response_from_buffer(2, (void *)"{}",
								   MHD_RESPMEM_PERSISTENT);
	if (retry_after)
		MHD_add_response_header(res, "Retry-After", retry_after);
	enum MHD_Result rc = MHD_queue_response(c, (unsigned)status, res);
	MHD_destroy_response(res);
	return rc;
}

/* Decides and records one request under the lock; returns the status to send. */
static int decide(struct route *r, struct MHD_Connection *c, const struct upload *u, bool *slow,
		  bool *retry)
{
	const char *id = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "webhook-id");
	const char *ts = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "webhook-timestamp");
	const char *sig = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "webhook-signature");
	struct error err = ERROR_INIT;
	int n = r->requests++;
	r->signatures_last = 0;
	for (const char *p = sig; p && *p; p = strchr(p, ' ') ? strchr(p, ' ') + 1 : "")
		r->signatures_last++;
	if (webhook_verify(id, ts, sig, u->data ? u->data : "", u->len, r->keys, r->nkeys,
			   (int64_t)time(NULL), &err) != 0) {
		r->bad_signatures++;
		error_release(&err);
		return 401;
	}
	if (n < r->fail_first)
		return 500;
	if (n < r->fail_first + r->slow_next) {
		*slow = true;
		return 200;
	}
	if (n < r->fail_first + r->slow_next + r->retry_after) {
		*retry = true;
		return 503;
	}
	if (r->status / 100 != 2)
		return r->status;
	if (seen(r, id)) {
		r->duplicates++;
		return 200;
	}
	json_t *ev = json_loadb(u->data, u->len, 0, NULL);
	int k = r->accepted++;
	snprintf(r->ids[k], sizeof(r->ids[k]), "%s", id);
	r->app[k] = atoll(json_string_value(json_object_get(ev, "application")) ?: "0");
	r->seq[k] = json_integer_value(json_object_get(ev, "sequence"));
	json_decref(ev);
	return 200;
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *c, const char *url,
				  const char *method, const char *version, const char *data,
				  size_t *size, void **ctx)
{
	(void)cls, (void)method, (void)version;
	struct upload *u = *ctx;
	if (!u) {
		*ctx = calloc(1, sizeof(*u));
		return MHD_YES;
	}
	if (*size) {
		u->data = realloc(u->data, u->len + *size + 1);
		memcpy(u->data + u->len, data, *size);
		u->len += *size;
		u->data[u->len] = 0;
		*size = 0;
		return MHD_YES;
	}
	bool slow = false, retry = false;
	int status = 404;
	pthread_mutex_lock(&rx_lock);
	struct route *r = route_for(url);
	if (r)
		status = decide(r, c, u, &slow, &retry);
	pthread_mutex_unlock(&rx_lock);
	if (slow)
		usleep(700 * 1000); /* the dispatcher gives up after 300 ms */
	else if (r && r->delay_ms)
		usleep((useconds_t)r->delay_ms * 1000);
	return answer(c, status, retry ? "0" : NULL);
}

static void on_done(void *cls, struct MHD_Connection *c, void **ctx,
		    enum MHD_RequestTerminationCode code)
{
	(void)cls, (void)c, (void)code;
	struct upload *u = *ctx;
	if (u)
		free(u->data);
	free(u);
	*ctx = NULL;
}

static void receiver_start(void)
{
	struct sockaddr_in sa = { .sin_family = AF_INET };
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	/*
	 * A thread per connection: a slow answer sleeps on its own connection's thread only. With a
	 * shared pool, the sleep held other connections' requests past the dispatcher's timeout, and
	 * the receiver read them later, as stale requests the dispatcher had already retried.
	 */
	rx = MHD_start_daemon(MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_THREAD_PER_CONNECTION |
				      MHD_USE_ERROR_LOG,
			      0, NULL, NULL, on_request, NULL, MHD_OPTION_SOCK_ADDR, &sa,
			      MHD_OPTION_NOTIFY_COMPLETED, on_done, NULL, MHD_OPTION_END);
	cr_assert(rx, "the receiver cannot start");
	rx_port = MHD_get_daemon_info(rx, MHD_DAEMON_INFO_BIND_PORT)->port;
}

static struct route *route_add(const char *path, const char *key)
{
	struct route *r = calloc(1, sizeof(*r));
	r->path = path;
	/*
	 * The route lives as long as the receiver, so it keeps its own copy of the key: a request
	 * read after its scenario has freed the secret still verifies against live memory (seen
	 * once under AddressSanitizer in CI, when the receiver shared threads between connections).
	 */
	r->keys[0] = strdup(key);
	r->nkeys = 1;
	r->status = 200;
	pthread_mutex_lock(&rx_lock);
	cr_assert_lt(nroutes, sizeof(routes) / sizeof(routes[0]), "more routes than room");
	routes[nroutes++] = r;
	pthread_mutex_unlock(&rx_lock);
	return r;
}

/* ---- the portal side ----------------------------------------------------------------------- */

static struct dispatcher_config test_config(void)
{
	struct dispatcher_config cfg = { 0 };
	dispatcher_schedule_parse("0,0.05,0.1,0.1,0.1,0.1", &cfg, NULL);
	cfg.threads = 3;
	cfg.jitter_percent = 20;
	cfg.lease_seconds = 5;
	cfg.timeout_ms = 300;
	cfg.poll_ms = 20;
	cfg.batch = 16;
	cfg.allow_private = true;
	return cfg;
}

static struct store_conn *conn(void)
{
	struct store_conn *c = store_acquire(harness_pool(), 5000, NULL);
	cr_assert(c);
	return c;
}

static long long make_org(void)
{
	char email[128];
	return harness_make_user("utility", "water", true, email);
}

static void endpoint(long long org, const char *path, const char *mode, const char *secret,
		     const char *sk, const char *pk)
{
	char url[128];
	snprintf(url, sizeof(url), "http://127.0.0.1:%u%s", rx_port, path);
	struct store_conn *c = conn();
	struct error err = ERROR_INIT;
	cr_assert_eq(store_endpoint_put(c, org, url, mode, secret, sk, pk, &err), 0, "%s",
		     err.message);
	store_release(c);
}

static long long emit(long long org, long long app)
{
	char payload[256], appref[32];
	snprintf(appref, sizeof(appref), "%lld", app);
	snprintf(payload, sizeof(payload),
		 "{\"type\":\"job.accepted\",\"version\":1,\"occurred_at\":\"2026-03-02T08:00:00Z\","
		 "\"application\":\"%s\",\"object\":{\"reference\":\"HK-%lld-W\"}}",
		 appref, app);
	struct store_conn *c = conn();
	struct error err = ERROR_INIT;
	cr_assert_eq(store_outbox_insert(c, org, app, "job.accepted", payload, &err), 0, "%s",
		     err.message);
	store_release(c);
	/* the id the row got: the newest of this org */
	json_t *items;
	long long last;
	bool more;
	c = conn();
	long long after = 0, id = 0;
	do {
		cr_assert_eq(store_outbox_feed(c, org, after, 200, &items, &last, &more, &err), 0);
		json_decref(items);
		if (last)
			id = last;
		after = last;
	} while (more);
	store_release(c);
	return id;
}

static const char SQL_COUNT[] = "SELECT COUNT(*) FROM outbox WHERE org_id = ? AND status = ?";

static long long count_status(long long org, const char *status)
{
	struct store_conn *c = conn();
	struct store_result *r = NULL;
	struct store_param p[] = { P_INT(org), P_STR(status) };
	cr_assert_eq(store_exec(c, SQL_COUNT, p, 2, &r, NULL), 0);
	long long n = store_cell_ll(r, 0, 0, 0);
	store_result_free(r);
	store_release(c);
	return n;
}

static const char SQL_DUE[] =
	"SELECT attempts, next_attempt_at <= UTC_TIMESTAMP(6) FROM outbox WHERE id = ?";

/* Whether event id is due now, and its attempts counted so far. */
static bool due_now(long long id, long long *attempts)
{
	struct store_conn *c = conn();
	struct store_result *r = NULL;
	struct store_param p[] = { P_INT(id) };
	cr_assert_eq(store_exec(c, SQL_DUE, p, 1, &r, NULL), 0);
	cr_assert_eq(r->nrows, 1);
	*attempts = store_cell_ll(r, 0, 0, -1);
	bool due = store_cell_ll(r, 0, 1, 0) != 0;
	store_result_free(r);
	store_release(c);
	return due;
}

/* Waits until org has no pending event (or the deadline passes). */
static bool settle(long long org, int seconds)
{
	for (int i = 0; i < seconds * 20; i++) {
		if (count_status(org, "pending") == 0)
			return true;
		usleep(50 * 1000);
	}
	return false;
}

static json_t *event_detail(long long id)
{
	struct store_conn *c = conn();
	json_t *j = NULL;
	struct error err = ERROR_INIT;
	cr_assert_eq(store_outbox_get(c, id, &j, &err), 0, "%s", err.message);
	store_release(c);
	return j;
}

/*
 * Everything that needs the shared outbox runs in this one test: dispatchers claim every due
 * event of the database, so scenarios in parallel test processes would take each other's.
 */
static void failing_then_recovering(void)
{
	long long org = make_org();
	char *secret = webhook_secret_new();
	struct route *r = route_add("/flaky", secret);
	r->fail_first = 6;
	r->slow_next = 2;
	r->retry_after = 2;
	endpoint(org, "/flaky", "v1", secret, NULL, NULL);
	const int napps = 4, per_app = 10;
	for (int i = 0; i < per_app; i++)
		for (int a = 1; a <= napps; a++)
			emit(org, 900000 + a);
	struct dispatcher_config cfg = test_config();
	struct dispatcher *d = dispatcher_start(harness_pool(), &cfg);
	bool done = settle(org, 60);
	struct dispatcher_stats st;
	dispatcher_stats_get(d, &st);
	dispatcher_stop(d);
	cr_assert(done, "events still pending after a minute");
	cr_expect_eq(count_status(org, "delivered"), napps * per_app);
	pthread_mutex_lock(&rx_lock);
	cr_expect_eq(r->bad_signatures, 0, "every delivery verifies");
	cr_expect_eq(r->accepted, napps * per_app, "every event arrived");
	cr_expect_eq(r->duplicates, 0, "none arrived twice");
	cr_expect_geq(r->requests, napps * per_app + 10);
	/* per application, events arrived in the order they were written */
	for (int a = 1; a <= napps; a++) {
		long long prev = 0;
		for (int k = 0; k < r->accepted; k++) {
			if (r->app[k] != 900000 + a)
				continue;
			cr_expect_gt(r->seq[k], prev, "application %d out of order", a);
			prev = r->seq[k];
		}
	}
	pthread_mutex_unlock(&rx_lock);
	cr_expect_eq(st.delivered, napps * per_app);
	cr_expect_geq(st.retried, 10);
	free(secret);
}

static void gone_disables_then_replay(void)
{
	long long org = make_org();
	char *secret = webhook_secret_new();
	struct route *gone = route_add("/gone", secret);
	gone->status = 410;
	route_add("/back", secret);
	endpoint(org, "/gone", "v1", secret, NULL, NULL);
	long long first = emit(org, 910001);
	emit(org, 910001);
	emit(org, 910002);
	struct dispatcher_config cfg = test_config();
	struct error err = ERROR_INIT;
	for (int i = 0; i < 50 && count_status(org, "pending"); i++) {
		cr_assert_eq(dispatcher_run_once(harness_pool(), &cfg, NULL, &err), 0, "%s",
			     err.message);
		usleep(50 * 1000);
	}
	cr_expect_eq(count_status(org, "dead"), 3);
	cr_expect_eq(gone->requests, 1, "one 410 is enough");
	struct store_conn *c = conn();
	struct endpoint_row ep;
	cr_assert_eq(store_endpoint_get(c, org, false, &ep, &err), 0);
	cr_expect(ep.disabled);
	store_endpoint_release(&ep);
	json_t *j = event_detail(first);
	json_t *log = json_object_get(j, "attempts_log");
	cr_assert_eq(json_array_size(log), 1);
	cr_expect_eq(json_integer_value(json_object_get(json_array_get(log, 0), "status_code")), 410);
	json_decref(j);
	/* the receiver comes back at a new URL; the office replays what died */
	store_release(c);
	endpoint(org, "/back", "v1", secret, NULL, NULL);
	c = conn();
	long long n = 0;
	cr_assert_eq(store_outbox_replay_dead(c, org, "2000-01-01 00:00:00", &n, &err), 0);
	store_release(c);
	cr_expect_eq(n, 3);
	for (int i = 0; i < 50 && count_status(org, "pending"); i++)
		dispatcher_run_once(harness_pool(), &cfg, NULL, &err);
	cr_expect_eq(count_status(org, "delivered"), 3);
	free(secret);
}

static void dead_letter_then_replay(void)
{
	long long org = make_org();
	char *secret = webhook_secret_new();
	struct route *r = route_add("/down", secret);
	r->status = 500;
	endpoint(org, "/down", "v1", secret, NULL, NULL);
	long long id = emit(org, 920001);
	long long after = emit(org, 920001); /* waits behind the first, then dies after it */
	struct dispatcher_config cfg = test_config();
	dispatcher_schedule_parse("0,0.05,0.05", &cfg, NULL);
	struct dispatcher *d = dispatcher_start(harness_pool(), &cfg);
	bool done = settle(org, 20);
	dispatcher_stop(d);
	cr_assert(done);
	cr_expect_eq(count_status(org, "dead"), 2);
	json_t *j = event_detail(id);
	cr_expect_str_eq(json_string_value(json_object_get(j, "status")), "dead");
	json_t *log = json_object_get(j, "attempts_log");
	cr_assert_eq(json_array_size(log), 3, "three tries, then dead");
	for (size_t i = 0; i < 3; i++) {
		json_t *a = json_array_get(log, i);
		cr_expect_eq(json_integer_value(json_object_get(a, "attempt")), (long long)i + 1);
		cr_expect_eq(json_integer_value(json_object_get(a, "status_code")), 500);
		cr_expect_str_eq(json_string_value(json_object_get(a, "error")),
				 "the receiver answered 500");
	}
	cr_expect_str_eq(json_string_value(json_object_get(j, "last_error")),
			 "the receiver answered 500");
	json_decref(j);
	/* fixed: replay one event */
	pthread_mutex_lock(&rx_lock);
	r->status = 200;
	pthread_mutex_unlock(&rx_lock);
	struct store_conn *c = conn();
	struct error err = ERROR_INIT;
	cr_assert_eq(store_outbox_replay(c, id, &err), 0, "%s", err.message);
	cr_expect_eq(store_outbox_replay(c, id, &err), ERR_CONFLICT, "a pending event");
	error_release(&err);
	cr_expect_eq(store_outbox_replay(c, 999999999, &err), ERR_NOT_FOUND);
	error_release(&err);
	store_release(c);
	for (int i = 0; i < 20 && count_status(org, "pending"); i++)
		dispatcher_run_once(harness_pool(), &cfg, NULL, &err);
	j = event_detail(id);
	cr_expect_str_eq(json_string_value(json_object_get(j, "status")), "delivered");
	json_decref(j);
	j = event_detail(after);
	cr_expect_str_eq(json_string_value(json_object_get(j, "status")), "dead", "not replayed");
	json_decref(j);
	free(secret);
}

static void rotation_signs_with_both(void)
{
	long long org = make_org();
	char *old = webhook_secret_new(), *fresh = webhook_secret_new();
	struct route *r_new = route_add("/rot-new", fresh);
	struct route *r_old = route_add("/rot-old", old);
	endpoint(org, "/rot-new", "v1", old, NULL, NULL);
	struct store_conn *c = conn();
	struct error err = ERROR_INIT;
	cr_assert_eq(store_endpoint_rotate(c, org, fresh, NULL, NULL, 3600, &err), 0);
	store_release(c);
	struct dispatcher_config cfg = test_config();
	emit(org, 930001);
	dispatcher_run_once(harness_pool(), &cfg, NULL, &err);
	cr_expect_eq(r_new->accepted, 1, "a receiver with only the new secret verifies");
	cr_expect_eq(r_new->signatures_last, 2, "both signatures are sent during the overlap");
	/* the same rotation, delivered to a receiver still on the old secret */
	endpoint(org, "/rot-old", "v1", old, NULL, NULL);
	c = conn();
	cr_assert_eq(store_endpoint_rotate(c, org, fresh, NULL, NULL, 3600, &err), 0);
	store_release(c);
	emit(org, 930001);
	dispatcher_run_once(harness_pool(), &cfg, NULL, &err);
	cr_expect_eq(r_old->accepted, 1, "a receiver still on the old secret verifies");
	/* once the overlap is over only the new key signs */
	endpoint(org, "/rot-new", "v1", old, NULL, NULL);
	c = conn();
	cr_assert_eq(store_endpoint_rotate(c, org, fresh, NULL, NULL, 0, &err), 0);
	store_release(c);
	emit(org, 930001);
	dispatcher_run_once(harness_pool(), &cfg, NULL, &err);
	cr_expect_eq(r_new->accepted, 2);
	cr_expect_eq(r_new->signatures_last, 1);
	cr_expect_eq(r_new->bad_signatures + r_old->bad_signatures, 0);
	free(old);
	free(fresh);
}

static void asymmetric_v1a(void)
{
	long long org = make_org();
	char *secret = webhook_secret_new(), *sk, *pk;
	webhook_keypair_new(&sk, &pk);
	struct route *r = route_add("/v1a", pk);
	endpoint(org, "/v1a", "v1a", secret, sk, pk);
	emit(org, 940001);
	struct dispatcher_config cfg = test_config();
	struct error err = ERROR_INIT;
	dispatcher_run_once(harness_pool(), &cfg, NULL, &err);
	cr_expect_eq(r->accepted, 1, "verified with the public key alone");
	cr_expect_eq(r->bad_signatures, 0);
	free(secret);
	free(sk);
	free(pk);
}

static void no_endpoint_stays_in_the_feed(void)
{
	long long org = make_org();
	long long id = emit(org, 950001);
	struct dispatcher_config cfg = test_config();
	struct error err = ERROR_INIT;
	dispatcher_run_once(harness_pool(), &cfg, NULL, &err);
	cr_expect_eq(count_status(org, "no_endpoint"), 1);
	struct store_conn *c = conn();
	json_t *items;
	long long last;
	bool more;
	cr_assert_eq(store_outbox_feed(c, org, 0, 10, &items, &last, &more, &err), 0);
	store_release(c);
	cr_assert_eq(json_array_size(items), 1);
	cr_expect_eq(last, id);
	char want[32];
	snprintf(want, sizeof(want), "evt_%lld", id);
	cr_expect_str_eq(json_string_value(json_object_get(json_array_get(items, 0), "id")), want);
	json_decref(items);
}

/*
 * One pass with a delivery, a failure and a 410 in its batch: all recorded together at the end,
 * each as it went; delivering and killing wake the next event of the application, and the
 * failing organisation's other event goes back untried.
 */
static void one_pass_mixed_outcomes(void)
{
	long long ok = make_org(), bad = make_org(), gone = make_org();
	char *secret = webhook_secret_new();
	route_add("/mixed-ok", secret);
	route_add("/mixed-500", secret)->status = 500;
	route_add("/mixed-gone", secret)->status = 410;
	endpoint(ok, "/mixed-ok", "v1", secret, NULL, NULL);
	endpoint(bad, "/mixed-500", "v1", secret, NULL, NULL);
	endpoint(gone, "/mixed-gone", "v1", secret, NULL, NULL);
	long long first = emit(ok, 970001), next = emit(ok, 970001), other = emit(ok, 970002);
	long long failed = emit(bad, 970003);
	long long g1 = emit(gone, 970004), g2 = emit(gone, 970005);
	struct dispatcher_config cfg = test_config();
	struct error err = ERROR_INIT;
	int handled = 0;
	cr_assert_eq(dispatcher_run_once(harness_pool(), &cfg, &handled, &err), 0, "%s",
		     err.message);
	cr_expect_eq(handled, 4, "first, other, failed and g1 are tried");
	long long attempts = -1;
	json_t *j = event_detail(first);
	cr_expect_str_eq(json_string_value(json_object_get(j, "status")), "delivered");
	cr_expect_eq(json_array_size(json_object_get(j, "attempts_log")), 1);
	json_decref(j);
	cr_expect(due_now(next, &attempts), "delivering the first woke the next");
	cr_expect_eq(attempts, 0);
	j = event_detail(other);
	cr_expect_str_eq(json_string_value(json_object_get(j, "status")), "delivered");
	json_decref(j);
	j = event_detail(failed);
	cr_expect_str_eq(json_string_value(json_object_get(j, "status")), "pending");
	cr_expect_eq(json_integer_value(json_object_get(j, "attempts")), 1);
	cr_expect_str_eq(json_string_value(json_object_get(j, "last_error")),
			 "the receiver answered 500");
	cr_expect_eq(json_array_size(json_object_get(j, "attempts_log")), 1);
	json_decref(j);
	j = event_detail(g1);
	cr_expect_str_eq(json_string_value(json_object_get(j, "status")), "dead");
	json_decref(j);
	cr_expect(due_now(g2, &attempts), "given back untried, due at once");
	cr_expect_eq(attempts, 0, "the attempt uncounted");
	j = event_detail(g2);
	cr_expect_eq(json_array_size(json_object_get(j, "attempts_log")), 0);
	json_decref(j);
	struct store_conn *c = conn();
	struct endpoint_row ep;
	cr_assert_eq(store_endpoint_get(c, gone, false, &ep, &err), 0);
	cr_expect(ep.disabled);
	store_endpoint_release(&ep);
	store_release(c);
	/*
	 * The rest settles: next delivered, g2 dead on the disabled endpoint, and the failing one
	 * dead on its schedule, out of the way of the scenarios after this.
	 */
	for (int i = 0; i < 100 && (count_status(ok, "pending") || count_status(gone, "pending") ||
				    count_status(bad, "pending"));
	     i++) {
		dispatcher_run_once(harness_pool(), &cfg, NULL, &err);
		usleep(20 * 1000);
	}
	cr_expect_eq(count_status(ok, "delivered"), 3);
	cr_expect_eq(count_status(gone, "dead"), 2);
	cr_expect_eq(count_status(bad, "dead"), 1);
	error_release(&err);
	free(secret);
}

/* Stopped in the middle of a pass: what was delivered is recorded, the rest given back. */
static void stop_mid_pass_records_what_was_done(void)
{
	long long org = make_org();
	char *secret = webhook_secret_new();
	struct route *r = route_add("/stop", secret);
	r->delay_ms = 100;
	endpoint(org, "/stop", "v1", secret, NULL, NULL);
	const int n = 12;
	long long ids[12];
	for (int i = 0; i < n; i++)
		ids[i] = emit(org, 980000 + i); /* one pass takes them all */
	struct dispatcher_config cfg = test_config();
	cfg.threads = 1;
	struct dispatcher *d = dispatcher_start(harness_pool(), &cfg);
	for (int i = 0; i < 400; i++) {
		pthread_mutex_lock(&rx_lock);
		int got = r->accepted;
		pthread_mutex_unlock(&rx_lock);
		if (got >= 2)
			break;
		usleep(10 * 1000);
	}
	dispatcher_stop(d);
	pthread_mutex_lock(&rx_lock);
	int accepted = r->accepted;
	pthread_mutex_unlock(&rx_lock);
	cr_assert_geq(accepted, 2);
	cr_assert_lt(accepted, n, "stopped before the end of the batch");
	cr_expect_eq(count_status(org, "delivered"), accepted, "every delivery was recorded");
	cr_expect_eq(count_status(org, "pending"), n - accepted);
	for (int i = 0; i < n; i++) {
		long long attempts = -1;
		json_t *j = event_detail(ids[i]);
		bool pending = !strcmp(json_string_value(json_object_get(j, "status")), "pending");
		json_decref(j);
		if (!pending)
			continue;
		cr_expect(due_now(ids[i], &attempts), "event %d given back", i);
		cr_expect_eq(attempts, 0, "event %d", i);
	}
	r->delay_ms = 0;
	struct error err = ERROR_INIT;
	for (int i = 0; i < 20 && count_status(org, "pending"); i++)
		dispatcher_run_once(harness_pool(), &cfg, NULL, &err);
	cr_expect_eq(count_status(org, "delivered"), n);
	cr_expect_eq(r->duplicates, 0);
	free(secret);
}

/* How fast one process delivers to a local receiver: reported, and a floor asserted. */
static void throughput(void)
{
	long long org = make_org();
	char *secret = webhook_secret_new();
	struct route *r = route_add("/fast", secret);
	endpoint(org, "/fast", "v1", secret, NULL, NULL);
	const int n = 600;
	/* different applications, so ordering does not serialise them */
	for (int i = 0; i < n; i++)
		emit(org, 960000 + i);
	struct dispatcher_config cfg = test_config();
	cfg.threads = 4;
	struct timespec t0, t1;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	struct dispatcher *d = dispatcher_start(harness_pool(), &cfg);
	bool done = settle(org, 60);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	dispatcher_stop(d);
	cr_assert(done);
	double secs = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
	cr_log_info("delivered %d events in %.2f s: %.0f events/s with %u threads", n, secs,
		    n / secs, cfg.threads);
	fprintf(stderr, "dispatcher throughput: %d events in %.2f s = %.0f/s (%u threads)\n", n,
		secs, n / secs, cfg.threads);
	cr_expect_eq(r->accepted, n);
	cr_expect_eq(r->duplicates, 0);
	cr_expect_gt(n / secs, 20.0);
	free(secret);
}

Test(dispatcher, end_to_end_over_http, .timeout = 240)
{
	receiver_start();
	failing_then_recovering();
	gone_disables_then_replay();
	dead_letter_then_replay();
	rotation_signs_with_both();
	asymmetric_v1a();
	no_endpoint_stays_in_the_feed();
	one_pass_mixed_outcomes();
	stop_mid_pass_records_what_was_done();
	throughput();
	MHD_stop_daemon(rx);
}
