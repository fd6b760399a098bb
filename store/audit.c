/* Audit log appends, one hash chain per writer, and the verification of every chain. */
#define _GNU_SOURCE
#include "audit.h"

#include <pthread.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "lib/xalloc.h"

static const char SQL_HEAD[] =
	"SELECT last_seq, last_hash FROM audit_writers WHERE writer_id = ? FOR UPDATE";
static const char SQL_NEW_HEAD[] =
	"INSERT INTO audit_writers (writer_id, last_seq, last_hash, label, started_at) "
	"VALUES (?, ?, ?, ?, UTC_TIMESTAMP(6))";
static const char SQL_MOVE_HEAD[] =
	"UPDATE audit_writers SET last_seq = ?, last_hash = ? WHERE writer_id = ?";
static const char SQL_INSERT[] =
	"INSERT INTO audit_log (writer_id, seq, at, actor_user_id, actor_org_id, action, "
	"object_type, object_id, detail, prev_hash, hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)";
static const char SQL_PAGE[] =
	"SELECT id, DATE_FORMAT(at, '%Y-%m-%d %H:%i:%s.%f'), COALESCE(actor_user_id, 0), "
	"COALESCE(actor_org_id, 0), action, object_type, object_id, detail, prev_hash, hash, "
	"writer_id, seq FROM audit_log WHERE writer_id > ? OR (writer_id = ? AND seq > ?) "
	"ORDER BY writer_id, seq LIMIT 1000";
static const char SQL_HEADS[] =
	"SELECT writer_id, last_seq, last_hash FROM audit_writers ORDER BY writer_id";

static pthread_mutex_t writer_lock = PTHREAD_MUTEX_INITIALIZER;
static long long writer_id;
static pid_t writer_pid;

long long store_audit_writer(void)
{
	pthread_mutex_lock(&writer_lock);
	/* A forked child (a test, a daemonised server) is a writer of its own. */
	if (!writer_id || writer_pid != getpid()) {
		long long w = 0;
		while (w == 0) {
			unsigned long long r;
			randombytes_buf(&r, sizeof(r));
			w = (long long)(r & ((1ull << 53) - 1)); /* exact in a JSON number */
		}
		writer_id = w;
		writer_pid = getpid();
	}
	long long w = writer_id;
	pthread_mutex_unlock(&writer_lock);
	return w;
}

void audit_hash(const char *prev_hash, long long id, const char *at, long long actor_user,
		long long actor_org, const char *action, const char *object_type,
		const char *object_id, const char *detail, char out[65])
{
	crypto_generichash_state st;
	char num[64];
	unsigned char h[32];
	crypto_generichash_init(&st, NULL, 0, sizeof(h));
#define PART(s)                                                                   \
	do {                                                                      \
		crypto_generichash_update(&st, (const unsigned char *)(s), strlen(s)); \
		crypto_generichash_update(&st, (const unsigned char *)"\n", 1);   \
	} while (0)
	PART(prev_hash);
	snprintf(num, sizeof(num), "%lld", id);
	PART(num);
	PART(at);
	snprintf(num, sizeof(num), "%lld", actor_user);
	PART(num);
	snprintf(num, sizeof(num), "%lld", actor_org);
	PART(num);
	PART(action);
	PART(object_type);
	PART(object_id);
	PART(detail);
#undef PART
	crypto_generichash_final(&st, h, sizeof(h));
	sodium_bin2hex(out, 65, h, sizeof(h));
}

void audit_genesis(long long writer, char out[65])
{
	if (writer == 0) { /* the chain written before writers existed started from zeros */
		memset(out, '0', 64);
		out[64] = 0;
		return;
	}
	char text[40];
	unsigned char h[32];
	int n = snprintf(text, sizeof(text), "audit writer %lld", writer);
	crypto_generichash(h, sizeof(h), (const unsigned char *)text, (unsigned long long)n, NULL,
			   0);
	sodium_bin2hex(out, 65, h, sizeof(h));
}

int store_audit_append(struct store_conn *conn, const struct audit_entry *e, struct error *err)
{
	long long writer = store_audit_writer();
	struct store_result *head = NULL;
	struct store_param wp[] = { P_INT(writer) };
	int rc = store_exec(conn, SQL_HEAD, wp, 1, &head, err);
	if (rc)
		return rc;
	bool first = head->nrows == 0;
	long long seq = first ? 1 : store_cell_ll(head, 0, 0, 0) + 1;
	char prev[65];
	if (first)
		audit_genesis(writer, prev);
	else
		snprintf(prev, sizeof(prev), "%s", store_cell(head, 0, 1));
	store_result_free(head);

	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	struct tm tm;
	gmtime_r(&ts.tv_sec, &tm);
	char at[40];
	size_t n = strftime(at, sizeof(at), "%Y-%m-%d %H:%M:%S", &tm);
	snprintf(at + n, sizeof(at) - n, ".%06ld", ts.tv_nsec / 1000);
	const char *detail = e->detail ? e->detail : "{}";
	char hash[65];
	audit_hash(prev, seq, at, e->actor_user_id, e->actor_org_id, e->action, e->object_type,
		   e->object_id, detail, hash);
	struct store_param p[] = {
		P_INT(writer),
		P_INT(seq),
		P_STR(at),
		e->actor_user_id ? P_INT(e->actor_user_id) : P_NULL,
		e->actor_org_id ? P_INT(e->actor_org_id) : P_NULL,
		P_STR(e->action),
		P_STR(e->object_type),
		P_STR(e->object_id),
		P_STR(detail),
		P_STR(prev),
		P_STR(hash),
	};
	rc = store_run(conn, SQL_INSERT, p, 11, NULL, NULL, err);
	if (rc)
		return rc;
	if (first) {
		/*
		 * Two threads of a new writer may both get here: the second's insert waits on the
		 * first's gap lock and fails as a deadlock, which store_tx runs again.
		 */
		char label[100];
		char host[64] = "";
		gethostname(host, sizeof(host) - 1);
		snprintf(label, sizeof(label), "%s pid %d", host, (int)getpid());
		struct store_param hp[] = { P_INT(writer), P_INT(seq), P_STR(hash), P_STR(label) };
		return store_run(conn, SQL_NEW_HEAD, hp, 4, NULL, NULL, err);
	}
	struct store_param hp[] = { P_INT(seq), P_STR(hash), P_INT(writer) };
	return store_run(conn, SQL_MOVE_HEAD, hp, 3, NULL, NULL, err);
}

/* The head rows, read once per verification. */
struct heads {
	long long *writer, *seq;
	char (*hash)[65];
	size_t n;
	bool *seen; /* a chain was walked for head i */
};

static void heads_release(struct heads *h)
{
	free(h->writer);
	free(h->seq);
	free(h->hash);
	free(h->seen);
}

static long long heads_find(const struct heads *h, long long writer)
{
	for (size_t i = 0; i < h->n; i++)
		if (h->writer[i] == writer)
			return (long long)i;
	return -1;
}

/* Verification state: the chain being walked. */
struct walk {
	long long writer; /* -1 before the first entry */
	long long expect; /* the next position */
	long long last_id;
	char prev[65];
	long long *bad_id;
	const struct heads *heads;
};

/* The chain just walked ends where its head says. */
static int chain_end(struct walk *w, struct error *err)
{
	if (w->writer < 0)
		return 0;
	long long i = heads_find(w->heads, w->writer);
	if (i < 0) {
		*w->bad_id = w->last_id;
		return error_set(err, ERR_CONFLICT, "writer %lld has entries but no head row",
				 w->writer);
	}
	w->heads->seen[i] = true;
	if (w->heads->seq[i] != w->expect - 1 || strcmp(w->heads->hash[i], w->prev) != 0) {
		*w->bad_id = w->last_id;
		return error_set(err, ERR_CONFLICT,
				 "entries of writer %lld after position %lld (entry %lld) were "
				 "removed (its head says %lld)",
				 w->writer, w->expect - 1, w->last_id, w->heads->seq[i]);
	}
	return 0;
}

static int check_entry(struct walk *w, const struct store_result *r, size_t i, struct error *err)
{
	long long id = store_cell_ll(r, i, 0, 0);
	long long writer = store_cell_ll(r, i, 10, 0);
	long long seq = store_cell_ll(r, i, 11, 0);
	int rc = 0;
	if (writer != w->writer) {
		rc = chain_end(w, err);
		if (rc)
			return rc;
		w->writer = writer;
		w->expect = 1;
		audit_genesis(writer, w->prev);
	}
	char h[65];
	audit_hash(w->prev, seq, store_cell(r, i, 1), store_cell_ll(r, i, 2, 0),
		   store_cell_ll(r, i, 3, 0), store_cell(r, i, 4), store_cell(r, i, 5),
		   store_cell(r, i, 6), store_cell(r, i, 7), h);
	if (seq != w->expect) {
		*w->bad_id = writer == 0 ? w->expect : id;
		return error_set(err, ERR_CONFLICT,
				 "entry %lld of writer %lld is missing (entry %lld, at position "
				 "%lld, follows it)",
				 w->expect, writer, id, seq);
	}
	if (strcmp(store_cell(r, i, 8), w->prev) != 0) {
		*w->bad_id = id;
		return error_set(err, ERR_CONFLICT,
				 "entry %lld does not link to the entry before it in its chain", id);
	}
	if (strcmp(store_cell(r, i, 9), h) != 0) {
		*w->bad_id = id;
		return error_set(err, ERR_CONFLICT, "entry %lld was changed after it was written",
				 id);
	}
	memcpy(w->prev, h, sizeof(w->prev));
	w->last_id = id;
	w->expect = seq + 1;
	return 0;
}

static int read_heads(struct store_conn *c, struct heads *h, struct error *err)
{
	struct store_result *r = NULL;
	int rc = store_exec(c, SQL_HEADS, NULL, 0, &r, err);
	if (rc)
		return rc;
	h->n = r->nrows;
	h->writer = xcalloc(h->n + 1, sizeof(*h->writer));
	h->seq = xcalloc(h->n + 1, sizeof(*h->seq));
	h->hash = xcalloc(h->n + 1, sizeof(*h->hash));
	h->seen = xcalloc(h->n + 1, sizeof(*h->seen));
	for (size_t i = 0; i < h->n; i++) {
		h->writer[i] = store_cell_ll(r, i, 0, 0);
		h->seq[i] = store_cell_ll(r, i, 1, 0);
		snprintf(h->hash[i], 65, "%s", store_cell(r, i, 2));
	}
	store_result_free(r);
	return 0;
}

int store_audit_verify(struct store_pool *pool, long long *checked, long long *bad_id,
		       struct error *err)
{
	struct store_conn *c = store_acquire(pool, 5000, err);
	if (!c)
		return ERR_UNAVAILABLE;
	struct heads heads = { 0 };
	struct walk w = { .writer = -1, .bad_id = bad_id, .heads = &heads };
	long long after_writer = -1, after_seq = 0;
	*checked = 0;
	*bad_id = 0;
	/*
	 * One snapshot for the heads and the pages (a read-only transaction, repeatable read):
	 * otherwise an entry appended between the last page and the heads reads as a deleted tail.
	 */
	int rc = store_begin(c, err);
	if (!rc)
		rc = read_heads(c, &heads, err);
	while (!rc) {
		struct store_result *r = NULL;
		struct store_param p[] = { P_INT(after_writer), P_INT(after_writer), P_INT(after_seq) };
		rc = store_exec(c, SQL_PAGE, p, 3, &r, err);
		if (rc)
			break;
		for (size_t i = 0; !rc && i < r->nrows; i++) {
			rc = check_entry(&w, r, i, err);
			if (!rc)
				(*checked)++;
		}
		size_t rows = r->nrows;
		if (rows) {
			after_writer = store_cell_ll(r, rows - 1, 10, 0);
			after_seq = store_cell_ll(r, rows - 1, 11, 0);
		}
		store_result_free(r);
		if (rows < 1000)
			break;
	}
	if (!rc)
		rc = chain_end(&w, err);
	/* A head whose chain has no entry at all: every entry of that writer was removed. */
	for (size_t i = 0; !rc && i < heads.n; i++)
		if (!heads.seen[i] && heads.seq[i] > 0) {
			*bad_id = 0;
			rc = error_set(err, ERR_CONFLICT,
				       "all %lld entries of writer %lld were removed", heads.seq[i],
				       heads.writer[i]);
		}
	heads_release(&heads);
	store_rollback(c);
	store_release(c);
	return rc;
}
