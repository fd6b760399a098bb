/*
 * Work off the request threads: the job queue of portal/offload.c on its own, and a real server
 * with ONE HTTP thread that keeps answering while a sign-in hashes at production cost, and while
 * a signed-in request waits on a database lock. If either ran on the HTTP thread, the reads
 * below would wait for it.
 */
#include <criterion/criterion.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "portal/offload.h"
#include "portal/secrets.h"
#include "store/audit.h"
#include "store/db.h"
#include "support/harness.h"

/* ---- the queue alone ------------------------------------------------------------------- */

struct gate {
	pthread_mutex_t lock;
	pthread_cond_t cond;
	bool open;
	atomic_int ran;
};

static void wait_gate(void *arg)
{
	struct gate *g = arg;
	pthread_mutex_lock(&g->lock);
	while (!g->open)
		pthread_cond_wait(&g->cond, &g->lock);
	pthread_mutex_unlock(&g->lock);
	atomic_fetch_add(&g->ran, 1);
}

static void open_gate(struct gate *g)
{
	pthread_mutex_lock(&g->lock);
	g->open = true;
	pthread_cond_broadcast(&g->cond);
	pthread_mutex_unlock(&g->lock);
}

Test(offload, bounded_queue_refuses_then_runs_everything_it_took)
{
	struct gate g = { PTHREAD_MUTEX_INITIALIZER, PTHREAD_COND_INITIALIZER, false, 0 };
	struct offload *o = offload_start(1, 0, 2, 0, NULL);
	/* the first job holds the only thread; wait until it is taken off the queue */
	cr_assert_eq(offload_submit(o, wait_gate, &g), 0);
	for (int i = 0; i < 500 && offload_queued(o) > 0; i++)
		usleep(2000);
	cr_assert_eq(offload_queued(o), 0, "the thread never took the first job");
	cr_expect_eq(offload_submit(o, wait_gate, &g), 0);
	cr_expect_eq(offload_submit(o, wait_gate, &g), 0);
	cr_expect_eq(offload_submit(o, wait_gate, &g), -1, "a third waiting job must be refused");
	cr_expect_eq(offload_queued(o), 2);
	open_gate(&g);
	offload_stop(o); /* runs what was queued before joining */
	cr_expect_eq(atomic_load(&g.ran), 3);
}

Test(offload, stop_runs_queued_jobs_on_several_threads)
{
	struct gate g = { PTHREAD_MUTEX_INITIALIZER, PTHREAD_COND_INITIALIZER, true, 0 };
	struct offload *o = offload_start(3, 5, 1000, 0, NULL);
	for (int i = 0; i < 200; i++)
		cr_assert_eq(offload_submit(o, wait_gate, &g), 0);
	offload_stop(o);
	cr_expect_eq(atomic_load(&g.ran), 200);
}

static atomic_int expired_count;

static void count_expired(void *arg)
{
	(void)arg;
	atomic_fetch_add(&expired_count, 1);
}

/*
 * With a deadline, jobs that wait longer than it while the only thread is held are expired by
 * the timer (in their order, without running) while the thread is still held; a job that joins
 * later and is taken in time runs. Every job is run or expired exactly once.
 */
Test(offload, the_deadline_expires_waiting_jobs_while_the_thread_is_held)
{
	struct gate g = { PTHREAD_MUTEX_INITIALIZER, PTHREAD_COND_INITIALIZER, false, 0 };
	atomic_store(&expired_count, 0);
	struct offload *o = offload_start(1, 0, 10, 200, count_expired);
	cr_assert_eq(offload_submit(o, wait_gate, &g), 0);
	for (int i = 0; i < 500 && offload_queued(o) > 0; i++)
		usleep(2000);
	cr_assert_eq(offload_queued(o), 0, "the thread never took the first job");
	for (int i = 0; i < 3; i++)
		cr_assert_eq(offload_submit(o, wait_gate, &g), 0);
	usleep(100000);
	cr_expect_eq(atomic_load(&expired_count), 0, "expired before the deadline");
	for (int i = 0; i < 200 && atomic_load(&expired_count) < 3; i++)
		usleep(10000);
	cr_expect_eq(atomic_load(&expired_count), 3, "three jobs waited past the deadline");
	cr_expect_eq(offload_queued(o), 0);
	cr_expect_eq(atomic_load(&g.ran), 0, "the held job is still running, nothing else ran");
	open_gate(&g);
	for (int i = 0; i < 200 && atomic_load(&g.ran) < 1; i++)
		usleep(10000);
	cr_assert_eq(offload_submit(o, wait_gate, &g), 0); /* a free thread takes it in time */
	offload_stop(o);
	cr_expect_eq(atomic_load(&g.ran), 2, "the held job and the last one ran");
	cr_expect_eq(atomic_load(&expired_count), 3);
}

/* ---- through the server ------------------------------------------------------------------ */

/* One request on a thread of its own: what it answered, and when it is done. */
struct call {
	const char *method, *path, *token, *body;
	long status;
	atomic_bool done;
	char retry_after[16];
};

static void *call_thread(void *arg)
{
	struct call *c = arg;
	struct reply r = { 0 };
	c->status = http_call(&r, c->method, c->path, c->token, c->body, NULL);
	if (!reply_header(&r, "Retry-After", c->retry_after, sizeof(c->retry_after)))
		c->retry_after[0] = 0;
	reply_release(&r);
	atomic_store(&c->done, true);
	return NULL;
}

/* The body of POST /v1/sessions for `email` with the harness password. */
static void signin_body(char *out, size_t len, const char *email)
{
	snprintf(out, len, "{\"email\":\"%s\",\"password\":\"%s\"}", email, HARNESS_PASSWORD);
}

Test(offload, one_http_thread_answers_reads_while_a_signin_hashes, .timeout = 120)
{
	setenv("PORTAL_THREADS", "1", 1);
	setenv("PORTAL_SLOW_THREADS", "1", 1);
	struct harness_server *srv = harness_server_start();
	/* production cost from here on: the user's stored hash takes real time to verify */
	secret_password_cost_set("interactive");
	char email[128], body[300];
	harness_make_user("applicant", NULL, false, email);
	signin_body(body, sizeof(body), email);
	struct call s = { .method = "POST", .path = "/v1/sessions", .body = body };
	pthread_t t;
	pthread_create(&t, NULL, call_thread, &s);
	usleep(150000); /* the sign-in is hashing now (an interactive hash takes ~0.5 s here) */
	struct reply r = { 0 };
	int answered_first = 0;
	for (int i = 0; i < 5; i++) {
		cr_expect_eq(http_call(&r, "GET", "/v1/public/fees", NULL, NULL, NULL), 200);
		reply_release(&r);
		answered_first += !atomic_load(&s.done);
	}
	pthread_join(t, NULL);
	cr_expect_eq(s.status, 201, "the sign-in itself must succeed");
	cr_expect_gt(answered_first, 0,
		     "no read was answered while the sign-in was hashing: it held the HTTP thread");
	harness_server_stop(srv);
}

Test(offload, a_full_signin_queue_answers_503_with_retry_after, .timeout = 120)
{
	setenv("PORTAL_THREADS", "2", 1);
	setenv("PORTAL_SLOW_THREADS", "1", 1);
	setenv("PORTAL_SLOW_QUEUE", "1", 1);
	struct harness_server *srv = harness_server_start();
	secret_password_cost_set("interactive");
	enum { N = 5 };
	char email[128], body[300];
	harness_make_user("applicant", NULL, false, email);
	signin_body(body, sizeof(body), email);
	struct call s[N];
	pthread_t t[N];
	for (int i = 0; i < N; i++) {
		s[i] = (struct call){ .method = "POST", .path = "/v1/sessions", .body = body };
		pthread_create(&t[i], NULL, call_thread, &s[i]);
		usleep(40000);
	}
	int ok = 0, busy = 0;
	for (int i = 0; i < N; i++) {
		pthread_join(t[i], NULL);
		if (s[i].status == 201) {
			ok++;
		} else {
			cr_expect_eq(s[i].status, 503, "sign-in %d: %ld", i, s[i].status);
			cr_expect_str_eq(s[i].retry_after, "1", "sign-in %d: Retry-After", i);
			busy++;
		}
	}
	/* one hashing, one waiting: the other three were refused at once, never queued */
	cr_expect_geq(ok, 1);
	cr_expect_geq(busy, 1, "five sign-ins 40 ms apart against a queue of one");
	harness_server_stop(srv);
}

/* ---- signed-in requests on the work threads ------------------------------------------- */

static const char SQL_HOLD_AUDIT[] =
	"SELECT last_seq FROM audit_writers WHERE writer_id = ? FOR UPDATE";

/*
 * A server with ONE HTTP thread and `work` work threads (PORTAL_* variables set before), and
 * the token of an applicant signed in to it.
 */
static struct harness_server *start_one_http_thread(const char *work, char **token)
{
	setenv("PORTAL_THREADS", "1", 1);
	setenv("PORTAL_WORK_THREADS", work, 1);
	struct harness_server *srv = harness_server_start();
	char email[128];
	harness_make_user("applicant", NULL, false, email);
	*token = harness_login(email, HARNESS_PASSWORD);
	cr_assert_not_null(*token);
	return srv;
}

/*
 * Holds this process's audit chain head row (the server runs in this process, and its sign-in
 * created the row) in a transaction of its own. Every write appends to the chain, so every
 * write waits until store_rollback on the connection returned.
 */
static struct store_conn *hold_audit_head(void)
{
	struct error err = ERROR_INIT;
	struct store_conn *lock = store_acquire(harness_pool(), 5000, &err);
	cr_assert_not_null(lock, "%s", err.message);
	cr_assert_eq(store_begin(lock, &err), 0, "%s", err.message);
	struct store_param p[] = { P_INT(store_audit_writer()) };
	struct store_result *r = NULL;
	cr_assert_eq(store_exec(lock, SQL_HOLD_AUDIT, p, 1, &r, &err), 0, "%s", err.message);
	cr_assert_eq(r->nrows, 1, "the writer's head row exists");
	store_result_free(r);
	return lock;
}

/* The body of POST /v1/sites for a site called `name`. */
static void site_body(char *out, size_t len, const char *name)
{
	snprintf(out, len,
		 "{\"name\":\"%s\",\"address\":\"88 Jingshi Road\",\"district\":\"350102\","
		 "\"lat\":26.108,\"lng\":119.252,\"plot_ref\":\"PLOT-7\",\"zone_risk\":\"low\"}",
		 name);
}

/*
 * A signed-in write (POST /v1/sites of a site called "<label> <n>") started on a thread of its
 * own while the audit chain's head is held (w->lock): it waits on the lock, holding a work
 * thread, until held_write_end.
 */
struct held_write {
	struct store_conn *lock;
	char name[64], body[300];
	struct call call;
	pthread_t thread;
};

static void held_write_start(struct held_write *w, const char *token, const char *label)
{
	w->lock = hold_audit_head();
	snprintf(w->name, sizeof(w->name), "%s %d", label, harness_unique());
	site_body(w->body, sizeof(w->body), w->name);
	w->call = (struct call){ .method = "POST", .path = "/v1/sites", .token = token,
				 .body = w->body };
	pthread_create(&w->thread, NULL, call_thread, &w->call);
	usleep(300000); /* the write is waiting for the lock now */
}

/* Releases the lock and waits for the write's answer (in w->call). */
static void held_write_end(struct held_write *w)
{
	store_rollback(w->lock);
	store_release(w->lock);
	pthread_join(w->thread, NULL);
}

Test(offload, one_http_thread_answers_while_a_signed_in_write_waits_on_a_lock, .timeout = 120)
{
	char *token;
	struct harness_server *srv = start_one_http_thread("2", &token);
	struct held_write w;
	held_write_start(&w, token, "Block");

	/* a public read (the HTTP thread) and a signed-in one (the other work thread) */
	static const char *const paths[] = { "/v1/public/fees", "/v1/me" };
	bool released = false;
	for (int i = 0; i < 4; i++) {
		struct call read = { .method = "GET", .path = paths[i % 2],
				     .token = i % 2 ? token : NULL };
		pthread_t rt;
		pthread_create(&rt, NULL, call_thread, &read);
		for (int k = 0; k < 500 && !atomic_load(&read.done); k++)
			usleep(10000);
		if (!atomic_load(&read.done)) {
			cr_expect_fail("GET %s was not answered within 5 s while a write waited on "
				       "the database", read.path);
			store_rollback(w.lock); /* lets everything finish, so the test can end */
			released = true;
		}
		pthread_join(rt, NULL);
		cr_expect_eq(read.status, 200, "GET %s: %ld", read.path, read.status);
	}
	cr_expect(released || !atomic_load(&w.call.done),
		  "the write finished while the audit head was held (status %ld): the test held "
		  "nothing", w.call.status);

	held_write_end(&w);
	cr_expect_eq(w.call.status, 201, "the held write must succeed once the lock is released");
	free(token);
	harness_server_stop(srv);
}

/* The reading of portal_queued_requests{pool=...} in /metrics; -1 when absent. */
static long queued_gauge(const char *pool)
{
	struct reply r = { 0 };
	long v = -1;
	char key[64];
	snprintf(key, sizeof(key), "portal_queued_requests{pool=\"%s\"} ", pool);
	if (http_call(&r, "GET", "/metrics", NULL, NULL, NULL) == 200) {
		const char *at = strstr(r.body, key);
		if (at)
			v = strtol(at + strlen(key), NULL, 10);
	}
	reply_release(&r);
	return v;
}

/* A request waiting for the one work thread shows in /metrics, and leaves it when answered. */
Test(offload, metrics_show_requests_waiting_for_a_work_thread, .timeout = 120)
{
	char *token;
	struct harness_server *srv = start_one_http_thread("1", &token);
	cr_expect_eq(queued_gauge("work"), 0);
	cr_expect_eq(queued_gauge("slow"), 0);
	/* the write holds the only work thread; the read waits behind it */
	struct held_write w;
	held_write_start(&w, token, "Block");
	struct call read = { .method = "GET", .path = "/v1/me", .token = token };
	pthread_t tr;
	pthread_create(&tr, NULL, call_thread, &read);
	long seen = -1;
	for (int i = 0; i < 100 && seen != 1; i++) {
		usleep(50000);
		seen = queued_gauge("work");
	}
	cr_expect_eq(seen, 1, "the read waiting for the work thread was not counted");
	cr_expect(!atomic_load(&read.done), "the read was answered while the only work thread "
		  "was held");
	held_write_end(&w);
	pthread_join(tr, NULL);
	cr_expect_eq(w.call.status, 201);
	cr_expect_eq(read.status, 200);
	cr_expect_eq(queued_gauge("work"), 0, "answered requests must leave the queue");
	free(token);
	harness_server_stop(srv);
}

static const char SQL_SITE_NAMED[] = "SELECT COUNT(*) FROM sites WHERE name = ?";

/*
 * A request that waited in the work queue longer than PORTAL_TIMEOUT is answered 503 with
 * Retry-After and not run: nothing of it is written. It is answered when its time is up, while
 * the one ahead of it still holds the thread; that one, which started in time and then waited
 * on the database, still completes.
 */
Test(offload, a_request_queued_past_the_timeout_is_refused_and_not_run, .timeout = 120)
{
	setenv("PORTAL_TIMEOUT", "1", 1);
	char *token;
	struct harness_server *srv = start_one_http_thread("1", &token);
	/* the first holds the only work thread, waiting for the lock */
	struct held_write first;
	held_write_start(&first, token, "Queued block");
	char second_name[64], body[300];
	snprintf(second_name, sizeof(second_name), "Queued block %d", harness_unique());
	site_body(body, sizeof(body), second_name);
	struct call second = { .method = "POST", .path = "/v1/sites", .token = token, .body = body };
	pthread_t t2;
	pthread_create(&t2, NULL, call_thread, &second);
	/* the queue's timer answers the second once it has waited a second, lock still held */
	for (int i = 0; i < 400 && !atomic_load(&second.done); i++)
		usleep(10000);
	cr_expect(atomic_load(&second.done), "the late request was not answered while the work "
		  "thread was still held");
	cr_expect(!atomic_load(&first.call.done), "the first finished while the lock was held");
	held_write_end(&first);
	pthread_join(t2, NULL);
	cr_expect_eq(first.call.status, 201, "the request that started in time must complete");
	cr_expect_eq(second.status, 503, "a request queued past the timeout must be refused");
	cr_expect_str_eq(second.retry_after, "1");

	struct error err = ERROR_INIT;
	struct store_conn *c = store_acquire(harness_pool(), 5000, &err);
	cr_assert_not_null(c, "%s", err.message);
	const char *names[2] = { first.name, second_name };
	for (int i = 0; i < 2; i++) {
		struct store_result *r = NULL;
		struct store_param p[] = { P_STR(names[i]) };
		cr_assert_eq(store_exec(c, SQL_SITE_NAMED, p, 1, &r, &err), 0, "%s", err.message);
		cr_expect_eq(store_cell_ll(r, 0, 0, -1), i == 0 ? 1 : 0, "site %s", names[i]);
		store_result_free(r);
	}
	store_release(c);
	free(token);
	harness_server_stop(srv);
}

/*
 * The public routes that read the database queue for the work threads like the signed-in ones;
 * those answered from memory stay on the HTTP thread. With the only work thread held by a
 * write, every route of the first table waits (and is counted in /metrics) while every route
 * of the second is answered at once; released, each gets its answer.
 */
Test(offload, public_routes_that_read_the_database_run_on_the_work_threads, .timeout = 120)
{
	static const struct {
		const char *path;
		long status;
	} database[] = {
		{ "/readyz", 200 },
		{ "/v1/public/keys", 200 },
		{ "/v1/public/stats", 200 },
		{ "/v1/public/open-data/applications.csv", 200 },
		{ "/stats", 200 },
		{ "/v1/public/certificates/NO-SUCH-CERT", 404 },
	};
	static const char *const memory[] = { "/v1/public/fees", "/healthz", "/v1/public/calendar",
					      "/metrics", "/v1/openapi.yaml" };
	enum { N = sizeof(database) / sizeof(database[0]) };
	char *token;
	struct harness_server *srv = start_one_http_thread("1", &token);
	struct held_write w; /* holds the only work thread */
	held_write_start(&w, token, "Block");
	pthread_t tr[N];
	struct call reads[N];
	for (int i = 0; i < N; i++) {
		reads[i] = (struct call){ .method = "GET", .path = database[i].path };
		pthread_create(&tr[i], NULL, call_thread, &reads[i]);
	}
	long seen = -1;
	for (int i = 0; i < 100 && seen != N; i++) {
		usleep(50000);
		seen = queued_gauge("work");
	}
	cr_expect_eq(seen, N, "%d public reads of the database should wait for the work thread",
		     N);
	for (size_t i = 0; i < sizeof(memory) / sizeof(memory[0]); i++) {
		struct reply r = { 0 };
		cr_expect_eq(http_call(&r, "GET", memory[i], NULL, NULL, NULL), 200,
			     "%s is answered from memory on the HTTP thread", memory[i]);
		reply_release(&r);
	}
	for (int i = 0; i < N; i++)
		cr_expect(!atomic_load(&reads[i].done), "%s was answered while the only work "
			  "thread was held", database[i].path);
	held_write_end(&w);
	cr_expect_eq(w.call.status, 201);
	for (int i = 0; i < N; i++) {
		pthread_join(tr[i], NULL);
		cr_expect_eq(reads[i].status, database[i].status, "%s: %ld", database[i].path,
			     reads[i].status);
	}
	free(token);
	harness_server_stop(srv);
}
