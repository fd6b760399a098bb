/* A bounded pool of MariaDB connections with per-connection prepared-statement caches. */
#define _GNU_SOURCE
#include "db.h"

#include <errno.h>
#include <mysql.h>
#include <mysqld_error.h>
#include <errmsg.h>
#include <pthread.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "lib/decimal.h"
#include "lib/strbuf.h"
#include "lib/timespec.h"
#include "lib/xalloc.h"

/*
 * Prepared statements kept per connection: more than the portal's distinct statements (about
 * 170, plus the multi-row inserts by row count), so a warm connection never prepares again.
 */
#define STMT_CACHE 320
#define TX_ATTEMPTS 5
#define BACKOFF_MIN_MS 100
#define BACKOFF_MAX_MS 1000
/* Away from the first node, how often a new connection tries it again. */
#define HOME_RETRY_MS 5000

struct cached_stmt {
	const char *sql;
	MYSQL_STMT *stmt;
	unsigned long long used; /* the connection's use counter at the last use */
};

struct store_conn {
	struct store_pool *pool;
	MYSQL *mysql;
	bool broken;
	bool in_use;
	int node; /* the index in cfg.nodes of the server it is connected to */
	struct cached_stmt cache[STMT_CACHE];
	int ncache;
	unsigned long long uses;
	/*
	 * Statements to close once no transaction is open. COM_STMT_CLOSE has no reply, so a
	 * Galera abort of the transaction that the server reports on it would go unseen and the
	 * statements after it would run outside the transaction.
	 */
	MYSQL_STMT **closing;
	int nclosing, capclosing;
	bool guarded;	     /* in a transaction begun with the savepoint guard (a cluster pool) */
	bool guard_released; /* its savepoint checked and released, COMMIT next */
};

struct store_pool {
	struct store_config cfg;
	pthread_mutex_t lock;
	pthread_cond_t freed;
	struct store_conn *conns;
	int size;
	int in_use;
	/* back-off after a failed connect, so a down server costs nothing per request */
	long long next_connect_ms;
	int backoff_ms;
	/* the node new connections go to; away from node 0, when to try node 0 again */
	int node;
	long long home_retry_ms;
};

static long long now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static char *pct_decode(const char *s, size_t n)
{
	char *out = xmalloc(n + 1);
	size_t j = 0;
	for (size_t i = 0; i < n; i++) {
		if (s[i] == '%' && i + 2 < n) {
			char hex[3] = { s[i + 1], s[i + 2], 0 };
			char *end;
			long v = strtol(hex, &end, 16);
			if (*end == 0) {
				out[j++] = (char)v;
				i += 2;
				continue;
			}
		}
		out[j++] = s[i];
	}
	out[j] = 0;
	return out;
}

void store_config_release(struct store_config *cfg)
{
	free(cfg->host);
	free(cfg->user);
	free(cfg->password);
	free(cfg->database);
	free(cfg->socket);
	for (size_t i = 0; i < cfg->nnodes; i++)
		free(cfg->nodes[i].host);
	free(cfg->nodes);
	memset(cfg, 0, sizeof(*cfg));
}

/* One "host[:port]" of the comma-separated list; ERR_INVALID on a bad port. */
static int parse_node(const char *s, size_t n, struct store_node *node, struct error *err)
{
	const char *colon = memchr(s, ':', n);
	size_t hlen = colon ? (size_t)(colon - s) : n;
	node->port = 0;
	if (colon) {
		char digits[8];
		size_t dlen = n - hlen - 1;
		char *end;
		if (dlen == 0 || dlen >= sizeof(digits))
			return error_set(err, ERR_INVALID, "PORTAL_DB has a bad port");
		memcpy(digits, colon + 1, dlen);
		digits[dlen] = 0;
		long port = strtol(digits, &end, 10);
		if (*end || port <= 0 || port > 65535)
			return error_set(err, ERR_INVALID, "PORTAL_DB has a bad port");
		node->port = (unsigned)port;
	}
	node->host = hlen ? xstrndup(s, hlen) : xstrdup("localhost");
	return 0;
}

/* The value of query option `name` ("name=value", up to & or the end), or NULL; caller frees. */
static char *query_option(const char *q, const char *name)
{
	size_t n = strlen(name);
	for (const char *p = q; p && *p; p = strchr(p, '&')) {
		p += (*p == '&' || *p == '?');
		if (strncmp(p, name, n) == 0 && p[n] == '=')
			return pct_decode(p + n + 1, strcspn(p + n + 1, "&"));
	}
	return NULL;
}

int store_config_parse(const char *url, struct store_config *cfg, struct error *err)
{
	memset(cfg, 0, sizeof(*cfg));
	cfg->sync_wait = -1;
	static const char scheme[] = "mariadb://";
	if (!url || strncmp(url, scheme, sizeof(scheme) - 1) != 0)
		return error_set(err, ERR_INVALID, "PORTAL_DB must start with mariadb://");
	const char *p = url + sizeof(scheme) - 1;
	const char *slash = strchr(p, '/');
	if (!slash)
		return error_set(err, ERR_INVALID, "PORTAL_DB lacks /database");
	const char *at = memrchr(p, '@', (size_t)(slash - p));
	const char *hostpart = p;
	if (at) {
		const char *colon = memchr(p, ':', (size_t)(at - p));
		if (colon) {
			cfg->user = pct_decode(p, (size_t)(colon - p));
			cfg->password = pct_decode(colon + 1, (size_t)(at - colon - 1));
		} else {
			cfg->user = pct_decode(p, (size_t)(at - p));
		}
		hostpart = at + 1;
	}
	/* host[:port][,host[:port]...] */
	for (const char *h = hostpart; h <= slash;) {
		const char *comma = memchr(h, ',', (size_t)(slash - h));
		const char *end = comma ? comma : slash;
		if (end == h && (comma || cfg->nnodes)) {
			store_config_release(cfg);
			return error_set(err, ERR_INVALID, "PORTAL_DB names an empty host");
		}
		cfg->nodes = xrealloc(cfg->nodes, (cfg->nnodes + 1) * sizeof(*cfg->nodes));
		if (parse_node(h, (size_t)(end - h), &cfg->nodes[cfg->nnodes], err) != 0) {
			store_config_release(cfg);
			return err ? err->code : ERR_INVALID;
		}
		cfg->nnodes++;
		h = end + 1;
	}
	cfg->host = xstrdup(cfg->nodes[0].host);
	cfg->port = cfg->nodes[0].port;
	const char *q = strchr(slash + 1, '?');
	size_t dblen = q ? (size_t)(q - slash - 1) : strlen(slash + 1);
	cfg->database = pct_decode(slash + 1, dblen);
	if (q) {
		cfg->socket = query_option(q, "socket");
		char *sw = query_option(q, "sync_wait");
		if (sw) {
			char *end;
			long v = strtol(sw, &end, 10);
			bool bad = !*sw || *end || v < 0 || v > 15;
			free(sw);
			if (bad) {
				store_config_release(cfg);
				return error_set(err, ERR_INVALID,
						 "PORTAL_DB: sync_wait must be 0 to 15");
			}
			cfg->sync_wait = (int)v;
		}
	}
	if (cfg->sync_wait < 0 && cfg->nnodes > 1)
		cfg->sync_wait = 1;
	if (cfg->socket && cfg->nnodes > 1) {
		store_config_release(cfg);
		return error_set(err, ERR_INVALID, "PORTAL_DB: a socket names one server, not several");
	}
	if (!cfg->database[0]) {
		store_config_release(cfg);
		return error_set(err, ERR_INVALID, "PORTAL_DB names no database");
	}
	return 0;
}

static void config_copy(struct store_config *to, const struct store_config *from)
{
	to->host = from->host ? xstrdup(from->host) : NULL;
	to->user = from->user ? xstrdup(from->user) : NULL;
	to->password = from->password ? xstrdup(from->password) : NULL;
	to->database = from->database ? xstrdup(from->database) : NULL;
	to->socket = from->socket ? xstrdup(from->socket) : NULL;
	to->port = from->port;
	to->sync_wait = from->sync_wait;
	/* a config built by hand (host and port only) is one node */
	to->nnodes = from->nnodes ? from->nnodes : 1;
	to->nodes = xcalloc(to->nnodes, sizeof(*to->nodes));
	for (size_t i = 0; i < to->nnodes; i++) {
		const char *h = from->nnodes ? from->nodes[i].host : from->host;
		to->nodes[i].host = h ? xstrdup(h) : NULL;
		to->nodes[i].port = from->nnodes ? from->nodes[i].port : from->port;
	}
}

struct store_pool *store_pool_new(const struct store_config *cfg, int size)
{
	struct store_pool *pool = xcalloc(1, sizeof(*pool));
	config_copy(&pool->cfg, cfg);
	pool->size = size > 0 ? size : 1;
	pool->conns = xcalloc((size_t)pool->size, sizeof(*pool->conns));
	for (int i = 0; i < pool->size; i++)
		pool->conns[i].pool = pool;
	pool->backoff_ms = BACKOFF_MIN_MS;
	pthread_mutex_init(&pool->lock, NULL);
	pthread_cond_init(&pool->freed, NULL);
	return pool;
}

/* A statement evicted from the cache: closed when the connection is next released. */
static void close_later(struct store_conn *c, MYSQL_STMT *st)
{
	if (c->nclosing == c->capclosing) {
		c->capclosing = c->capclosing ? 2 * c->capclosing : 8;
		c->closing = xrealloc(c->closing, (size_t)c->capclosing * sizeof(*c->closing));
	}
	c->closing[c->nclosing++] = st;
}

static void close_pending(struct store_conn *c)
{
	for (int i = 0; i < c->nclosing; i++)
		mysql_stmt_close(c->closing[i]);
	c->nclosing = 0;
}

static void conn_close(struct store_conn *c)
{
	close_pending(c);
	for (int i = 0; i < c->ncache; i++)
		mysql_stmt_close(c->cache[i].stmt);
	c->ncache = 0;
	if (c->mysql)
		mysql_close(c->mysql);
	c->mysql = NULL;
	c->broken = false;
}

void store_pool_free(struct store_pool *pool)
{
	if (!pool)
		return;
	for (int i = 0; i < pool->size; i++) {
		conn_close(&pool->conns[i]);
		free(pool->conns[i].closing);
	}
	free(pool->conns);
	store_config_release(&pool->cfg);
	pthread_mutex_destroy(&pool->lock);
	pthread_cond_destroy(&pool->freed);
	free(pool);
}

static const char SQL_WSREP_ON[] = "SHOW VARIABLES LIKE 'wsrep_on'";
static const char SQL_WSREP_STATE[] =
	"SHOW STATUS WHERE Variable_name IN ('wsrep_ready', 'wsrep_local_state')";

/* Whether the server replicates with Galera (wsrep_on): a plain server is always ready. */
static bool wsrep_on(MYSQL *m)
{
	if (mysql_query(m, SQL_WSREP_ON) != 0)
		return false;
	MYSQL_RES *r = mysql_store_result(m);
	MYSQL_ROW row = r ? mysql_fetch_row(r) : NULL;
	bool on = row && row[1] && strcmp(row[1], "ON") == 0;
	if (r)
		mysql_free_result(r);
	return on;
}

/*
 * On a Galera node: 0 when it is synced and ready (and sets the session's wsrep_sync_wait);
 * ERR_UNAVAILABLE while it is joining, donating or outside the primary component. A server
 * without wsrep reports neither variable and is ready.
 */
static int node_ready(MYSQL *m, int sync_wait, struct error *err)
{
	if (!wsrep_on(m))
		return 0;
	if (mysql_query(m, SQL_WSREP_STATE) != 0)
		return error_set(err, ERR_UNAVAILABLE, "database unreachable: %s", mysql_error(m));
	MYSQL_RES *r = mysql_store_result(m);
	bool ready = true;
	MYSQL_ROW row;
	while (r && (row = mysql_fetch_row(r))) {
		if (strcmp(row[0], "wsrep_ready") == 0 && strcmp(row[1] ? row[1] : "", "ON") != 0)
			ready = false;
		if (strcmp(row[0], "wsrep_local_state") == 0 && strcmp(row[1] ? row[1] : "", "4"))
			ready = false; /* 4 is Synced */
	}
	if (r)
		mysql_free_result(r);
	if (!ready)
		return error_set(err, ERR_UNAVAILABLE, "database node is not synced with its cluster");
	if (sync_wait >= 0) {
		char set[64];
		snprintf(set, sizeof(set), "SET SESSION wsrep_sync_wait = %d", sync_wait);
		if (mysql_query(m, set) != 0)
			return error_set(err, ERR_UNAVAILABLE, "database: %s", mysql_error(m));
	}
	return 0;
}

static int open_node(struct store_conn *c, int node, struct error *err)
{
	const struct store_config *cfg = &c->pool->cfg;
	const struct store_node *n = &cfg->nodes[node];
	MYSQL *m = mysql_init(NULL);
	if (!m)
		return error_set(err, ERR_UNAVAILABLE, "cannot allocate a database handle");
	unsigned int connect_timeout = 2, io_timeout = 30;
	mysql_optionsv(m, MYSQL_OPT_CONNECT_TIMEOUT, &connect_timeout);
	mysql_optionsv(m, MYSQL_OPT_READ_TIMEOUT, &io_timeout);
	mysql_optionsv(m, MYSQL_OPT_WRITE_TIMEOUT, &io_timeout);
	mysql_optionsv(m, MYSQL_SET_CHARSET_NAME, "utf8mb4");
	mysql_optionsv(m, MYSQL_INIT_COMMAND,
		       "SET time_zone='+00:00', sql_mode='STRICT_ALL_TABLES,NO_ZERO_DATE,"
		       "NO_ENGINE_SUBSTITUTION,ERROR_FOR_DIVISION_BY_ZERO'");
	if (!mysql_real_connect(m, cfg->socket ? NULL : n->host, cfg->user, cfg->password,
				cfg->database, n->port, cfg->socket, 0)) {
		error_set(err, ERR_UNAVAILABLE, "database unreachable: %s", mysql_error(m));
		mysql_close(m);
		return ERR_UNAVAILABLE;
	}
	if (cfg->nnodes > 1 && node_ready(m, cfg->sync_wait, err) != 0) {
		mysql_close(m);
		return ERR_UNAVAILABLE;
	}
	c->mysql = m;
	c->node = node;
	c->broken = false;
	return 0;
}

/*
 * Connects to the pool's current node, or failing that to each other node in turn, and makes
 * the one that answered current. Away from the first node, one connection in HOME_RETRY_MS
 * tries the first node before the current one, so the pool comes back when it does.
 */
static int conn_open(struct store_conn *c, struct error *err)
{
	struct store_pool *pool = c->pool;
	int n = (int)pool->cfg.nnodes;
	pthread_mutex_lock(&pool->lock);
	int start = pool->node;
	if (start != 0 && now_ms() >= pool->home_retry_ms) {
		start = 0;
		pool->home_retry_ms = now_ms() + HOME_RETRY_MS;
	}
	pthread_mutex_unlock(&pool->lock);
	int rc = ERR_UNAVAILABLE;
	for (int k = 0; k < n; k++) {
		int node = (start + k) % n;
		error_release(err);
		rc = open_node(c, node, err);
		if (rc == 0) {
			pthread_mutex_lock(&pool->lock);
			if (pool->node != node && node != 0)
				pool->home_retry_ms = now_ms() + HOME_RETRY_MS;
			pool->node = node;
			pthread_mutex_unlock(&pool->lock);
			return 0;
		}
	}
	return rc;
}

struct store_conn *store_acquire(struct store_pool *pool, int timeout_ms, struct error *err)
{
	struct timespec now;
	clock_gettime(CLOCK_REALTIME, &now);
	struct timespec deadline = timespec_add_ms(now, timeout_ms);
	pthread_mutex_lock(&pool->lock);
	struct store_conn *c = NULL;
	for (;;) {
		/* Prefer an open connection, then any free slot. */
		for (int i = 0; i < pool->size && !c; i++)
			if (!pool->conns[i].in_use && pool->conns[i].mysql && !pool->conns[i].broken)
				c = &pool->conns[i];
		for (int i = 0; i < pool->size && !c; i++)
			if (!pool->conns[i].in_use)
				c = &pool->conns[i];
		if (c)
			break;
		if (pthread_cond_timedwait(&pool->freed, &pool->lock, &deadline) == ETIMEDOUT) {
			pthread_mutex_unlock(&pool->lock);
			error_set(err, ERR_UNAVAILABLE, "all %d database connections are busy",
				  pool->size);
			return NULL;
		}
	}
	c->in_use = true;
	pool->in_use++;
	bool need_open = !c->mysql || c->broken;
	/* away from the first node: time to see whether it is back (conn_open tries it first) */
	if (!need_open && pool->node != 0 && now_ms() >= pool->home_retry_ms &&
	    now_ms() >= pool->next_connect_ms)
		need_open = true;
	if (need_open && now_ms() < pool->next_connect_ms) {
		c->in_use = false;
		pool->in_use--;
		pthread_cond_signal(&pool->freed);
		pthread_mutex_unlock(&pool->lock);
		error_set(err, ERR_UNAVAILABLE, "database unreachable (retrying shortly)");
		return NULL;
	}
	pthread_mutex_unlock(&pool->lock);

	if (need_open) {
		conn_close(c);
		if (conn_open(c, err) != 0) {
			pthread_mutex_lock(&pool->lock);
			pool->next_connect_ms = now_ms() + pool->backoff_ms;
			pool->backoff_ms = pool->backoff_ms * 2 > BACKOFF_MAX_MS ? BACKOFF_MAX_MS
										 : pool->backoff_ms * 2;
			c->in_use = false;
			pool->in_use--;
			pthread_cond_signal(&pool->freed);
			pthread_mutex_unlock(&pool->lock);
			return NULL;
		}
		pthread_mutex_lock(&pool->lock);
		pool->backoff_ms = BACKOFF_MIN_MS;
		pool->next_connect_ms = 0;
		pthread_mutex_unlock(&pool->lock);
	}
	return c;
}

void store_release(struct store_conn *c)
{
	if (!c)
		return;
	struct store_pool *pool = c->pool;
	pthread_mutex_lock(&pool->lock);
	/* a connection to a node the pool has moved away from closes, so all move together */
	bool stale = c->mysql && c->node != pool->node;
	pthread_mutex_unlock(&pool->lock);
	if (stale)
		conn_close(c);
	else
		close_pending(c);
	pthread_mutex_lock(&pool->lock);
	c->in_use = false;
	pool->in_use--;
	pthread_cond_signal(&pool->freed);
	pthread_mutex_unlock(&pool->lock);
}

void store_pool_usage(struct store_pool *pool, int *in_use, int *open, int *size)
{
	pthread_mutex_lock(&pool->lock);
	int n = 0;
	for (int i = 0; i < pool->size; i++)
		n += pool->conns[i].mysql != NULL;
	if (in_use)
		*in_use = pool->in_use;
	if (open)
		*open = n;
	if (size)
		*size = pool->size;
	pthread_mutex_unlock(&pool->lock);
}

int store_map_errno(unsigned int e)
{
	switch (e) {
	case ER_LOCK_DEADLOCK:
	case ER_LOCK_WAIT_TIMEOUT:
		return ERR_RETRY;
	case ER_DUP_ENTRY:
	case ER_DUP_ENTRY_WITH_KEY_NAME:
		return ERR_CONFLICT;
	case CR_SERVER_GONE_ERROR:
	case CR_SERVER_LOST:
	case CR_CONNECTION_ERROR:
	case CR_CONN_HOST_ERROR:
	case ER_CONNECTION_KILLED:
	case ER_SERVER_SHUTDOWN:
	case CR_COMMANDS_OUT_OF_SYNC:
	case ER_UNKNOWN_COM_ERROR: /* a Galera node outside the primary component: "WSREP has
				      not yet prepared node for application use" */
		return ERR_UNAVAILABLE;
	default:
		return ERR_INTERNAL;
	}
}

static int fail(struct store_conn *c, unsigned int e, const char *msg, struct error *err)
{
	int code = store_map_errno(e);
	if (code == ERR_UNAVAILABLE || e == 0)
		c->broken = true; /* reconnect on next acquire */
	if (code == ERR_UNAVAILABLE)
		return error_set(err, code, "database connection lost: %s", msg);
	if (code == ERR_CONFLICT)
		return error_set(err, code, "already exists");
	return error_set(err, code, "database error %u: %s", e, msg);
}

static MYSQL_STMT *prepare(struct store_conn *c, const char *sql, struct error *err)
{
	c->uses++;
	for (int i = 0; i < c->ncache; i++)
		if (c->cache[i].sql == sql) {
			c->cache[i].used = c->uses;
			return c->cache[i].stmt;
		}
	MYSQL_STMT *st = mysql_stmt_init(c->mysql);
	if (!st) {
		fail(c, mysql_errno(c->mysql), mysql_error(c->mysql), err);
		return NULL;
	}
	if (mysql_stmt_prepare(st, sql, (unsigned long)strlen(sql)) != 0) {
		fail(c, mysql_stmt_errno(st), mysql_stmt_error(st), err);
		mysql_stmt_close(st);
		return NULL;
	}
	int slot = c->ncache;
	if (c->ncache == STMT_CACHE) { /* full: replace the least recently used */
		slot = 0;
		for (int i = 1; i < c->ncache; i++)
			if (c->cache[i].used < c->cache[slot].used)
				slot = i;
		close_later(c, c->cache[slot].stmt);
	} else {
		c->ncache++;
	}
	c->cache[slot] = (struct cached_stmt){ sql, st, c->uses };
	return st;
}

/* A block of cell text; a result's cells are carved from a short list of these. */
struct store_block {
	struct store_block *next;
	size_t used, cap;
	char data[];
};
#define BLOCK_MIN 8192

/* n bytes for a cell of r, from its current block or a new one. */
static char *cell_alloc(struct store_result *r, size_t n)
{
	struct store_block *b = r->blocks;
	if (!b || b->cap - b->used < n) {
		size_t cap = n > BLOCK_MIN ? n : BLOCK_MIN;
		b = xmalloc(sizeof(*b) + cap);
		b->used = 0;
		b->cap = cap;
		b->next = r->blocks;
		r->blocks = b;
	}
	char *p = b->data + b->used;
	b->used += n;
	return p;
}

void store_result_free(struct store_result *res)
{
	if (!res)
		return;
	while (res->blocks) {
		struct store_block *next = res->blocks->next;
		free(res->blocks);
		res->blocks = next;
	}
	free(res->cells);
	free(res->lens);
	free(res);
}

const char *store_cell(const struct store_result *res, size_t row, size_t col)
{
	return res->cells[row * res->ncols + col];
}

long long store_cell_ll(const struct store_result *res, size_t row, size_t col, long long dflt)
{
	const char *s = store_cell(res, row, col);
	return s ? strtoll(s, NULL, 10) : dflt;
}

/*
 * Whole-number columns are fetched as numbers and written out here: asked for text, Connector/C
 * formats each one with sprintf, which was a sixth of the CPU of a submission's reads.
 */
static bool integer_column(const MYSQL_FIELD *f)
{
	switch (f->type) {
	case MYSQL_TYPE_TINY:
	case MYSQL_TYPE_SHORT:
	case MYSQL_TYPE_INT24:
	case MYSQL_TYPE_LONG:
	case MYSQL_TYPE_LONGLONG:
		return !(f->flags & ZEROFILL_FLAG);
	default:
		return false;
	}
}

/* Per-column fetch state; on the stack for up to STACK_COLS columns (every query of ours). */
struct col {
	unsigned long len;
	my_bool null;
	long long i; /* a whole-number column's value (its bind's type is MYSQL_TYPE_LONGLONG) */
	char buf[128];
};
#define STACK_COLS 48

static int fetch_rows(struct store_conn *c, MYSQL_STMT *st, MYSQL_RES *meta,
		      struct store_result *r, struct error *err)
{
	int rc = 0;
	r->ncols = mysql_num_fields(meta);
	/*
	 * Rows are read straight off the connection into the binds below (no
	 * mysql_stmt_store_result, which copied every row into memory of its own first), so the
	 * row count is known only at the end: the cell arrays grow as rows come.
	 */
	size_t cap = 16;
	r->cells = xcalloc(cap * r->ncols + 1, sizeof(char *));
	r->lens = xcalloc(cap * r->ncols + 1, sizeof(size_t));
	struct col stack[STACK_COLS];
	struct col *cols = r->ncols <= STACK_COLS ? stack : xmalloc(r->ncols * sizeof(*cols));
	MYSQL_BIND *b = xcalloc(r->ncols, sizeof(*b)); /* Connector/C wants them side by side */
	for (size_t i = 0; i < r->ncols; i++) {
		const MYSQL_FIELD *f = mysql_fetch_field_direct(meta, (unsigned int)i);
		if (integer_column(f)) {
			b[i].buffer_type = MYSQL_TYPE_LONGLONG;
			b[i].buffer = &cols[i].i;
			b[i].is_unsigned = (f->flags & UNSIGNED_FLAG) != 0;
		} else {
			b[i].buffer_type = MYSQL_TYPE_STRING;
			b[i].buffer = cols[i].buf;
			b[i].buffer_length = sizeof(cols[i].buf);
		}
		b[i].length = &cols[i].len;
		b[i].is_null = &cols[i].null;
	}
	if (mysql_stmt_bind_result(st, b) != 0) {
		rc = fail(c, mysql_stmt_errno(st), mysql_stmt_error(st), err);
		goto out;
	}
	for (size_t row = 0;; row++) {
		int f = mysql_stmt_fetch(st);
		if (f == 1) {
			/* an error the server sends after the first rows is the connection's */
			if (mysql_stmt_errno(st) == 0 && mysql_errno(c->mysql) != 0)
				rc = fail(c, mysql_errno(c->mysql), mysql_error(c->mysql), err);
			else
				rc = fail(c, mysql_stmt_errno(st), mysql_stmt_error(st), err);
			goto out;
		}
		if (f == MYSQL_NO_DATA)
			break;
		if (row == cap) {
			size_t more = cap * 2;
			r->cells = xrealloc(r->cells, (more * r->ncols + 1) * sizeof(char *));
			r->lens = xrealloc(r->lens, (more * r->ncols + 1) * sizeof(size_t));
			memset(r->cells + cap * r->ncols, 0, (more - cap) * r->ncols * sizeof(char *));
			memset(r->lens + cap * r->ncols, 0, (more - cap) * r->ncols * sizeof(size_t));
			cap = more;
		}
		r->nrows = row + 1;
		for (size_t col = 0; col < r->ncols; col++) {
			size_t k = row * r->ncols + col;
			struct col *cl = &cols[col];
			if (cl->null)
				continue;
			if (b[col].buffer_type == MYSQL_TYPE_LONGLONG) {
				char text[DECIMAL_MAX];
				r->lens[k] = decimal_format(text, cl->i, b[col].is_unsigned);
				r->cells[k] = cell_alloc(r, r->lens[k] + 1);
				memcpy(r->cells[k], text, r->lens[k] + 1);
				continue;
			}
			char *cell = cell_alloc(r, cl->len + 1);
			if (cl->len <= sizeof(cl->buf)) {
				memcpy(cell, cl->buf, cl->len);
			} else {
				/* Truncated: fetch the whole column into its own buffer. */
				MYSQL_BIND one = { 0 };
				unsigned long got = 0;
				one.buffer_type = MYSQL_TYPE_STRING;
				one.buffer = cell;
				one.buffer_length = cl->len + 1;
				one.length = &got;
				if (mysql_stmt_fetch_column(st, &one, (unsigned int)col, 0) != 0) {
					rc = fail(c, mysql_stmt_errno(st), mysql_stmt_error(st),
						  err);
					goto out;
				}
			}
			cell[cl->len] = 0;
			r->cells[k] = cell;
			r->lens[k] = cl->len;
		}
	}
out:
	mysql_stmt_free_result(st);
	free(b);
	if (cols != stack)
		free(cols);
	return rc;
}

int store_exec(struct store_conn *c, const char *sql, const struct store_param *params,
	       size_t nparams, struct store_result **res, struct error *err)
{
	if (res)
		*res = NULL;
	if (c->broken || !c->mysql)
		return error_set(err, ERR_UNAVAILABLE, "database connection lost");
	MYSQL_STMT *st = prepare(c, sql, err);
	if (!st)
		return err ? err->code : ERR_INTERNAL;
	if (mysql_stmt_param_count(st) != nparams)
		return error_set(err, ERR_INTERNAL, "statement wants %lu parameters, got %zu",
				 mysql_stmt_param_count(st), nparams);
	MYSQL_BIND binds[STORE_MAX_PARAMS];
	unsigned long lens[STORE_MAX_PARAMS];
	if (nparams > STORE_MAX_PARAMS)
		return error_set(err, ERR_INTERNAL, "too many parameters");
	memset(binds, 0, sizeof(binds[0]) * (nparams ? nparams : 1));
	for (size_t i = 0; i < nparams; i++) {
		switch (params[i].type) {
		case SP_NULL:
			binds[i].buffer_type = MYSQL_TYPE_NULL;
			break;
		case SP_INT:
			binds[i].buffer_type = MYSQL_TYPE_LONGLONG;
			binds[i].buffer = (void *)&params[i].i;
			break;
		case SP_STR:
			lens[i] = (unsigned long)params[i].len;
			binds[i].buffer_type = MYSQL_TYPE_STRING;
			binds[i].buffer = (void *)params[i].s;
			binds[i].buffer_length = lens[i];
			binds[i].length = &lens[i];
			break;
		}
	}
	if (nparams && mysql_stmt_bind_param(st, binds) != 0)
		return fail(c, mysql_stmt_errno(st), mysql_stmt_error(st), err);
	if (mysql_stmt_execute(st) != 0) {
		unsigned int e = mysql_stmt_errno(st);
		int rc = fail(c, e, mysql_stmt_error(st), err);
		if (rc == ERR_UNAVAILABLE || e == ER_NEED_REPREPARE) {
			/* the cached statement is useless now */
			for (int i = 0; i < c->ncache; i++)
				if (c->cache[i].stmt == st) {
					close_later(c, st);
					c->cache[i] = c->cache[--c->ncache];
					break;
				}
		}
		return rc;
	}
	struct store_result *r = xcalloc(1, sizeof(*r));
	int rc = 0;
	MYSQL_RES *meta = mysql_stmt_result_metadata(st);
	if (meta) {
		rc = fetch_rows(c, st, meta, r, err);
		mysql_free_result(meta);
	}
	r->affected = mysql_stmt_affected_rows(st);
	r->insert_id = mysql_stmt_insert_id(st);
	if (rc != 0 || !res) {
		store_result_free(r);
		return rc;
	}
	*res = r;
	return 0;
}

int store_run(struct store_conn *c, const char *sql, const struct store_param *params,
	      size_t nparams, unsigned long long *affected, unsigned long long *insert_id,
	      struct error *err)
{
	struct store_result *r = NULL;
	int rc = store_exec(c, sql, params, nparams, &r, err);
	if (rc == 0) {
		if (affected)
			*affected = r->affected;
		if (insert_id)
			*insert_id = r->insert_id;
	}
	store_result_free(r);
	return rc;
}

/*
 * On a cluster pool a transaction carries a guard: autocommit off, so nothing after a Galera
 * abort commits on its own, and a savepoint, which is gone once the transaction was rolled
 * back; RELEASE SAVEPOINT before COMMIT tells a transaction still whole from a new one the
 * statements after an unseen abort began.
 */
static const char SQL_GUARD[] = "SAVEPOINT portal_tx";
static const char SQL_GUARD_CHECK[] = "RELEASE SAVEPOINT portal_tx";

int store_begin(struct store_conn *c, struct error *err)
{
	if (c->broken || !c->mysql)
		return error_set(err, ERR_UNAVAILABLE, "database connection lost");
	c->guarded = c->pool->cfg.nnodes > 1;
	c->guard_released = false;
	if (c->guarded) {
		if (mysql_autocommit(c->mysql, 0) != 0 || mysql_query(c->mysql, SQL_GUARD) != 0)
			return fail(c, mysql_errno(c->mysql), mysql_error(c->mysql), err);
		return 0;
	}
	if (mysql_query(c->mysql, "START TRANSACTION") != 0)
		return fail(c, mysql_errno(c->mysql), mysql_error(c->mysql), err);
	return 0;
}

/* Whether the guarded transaction is still the one store_begin began. */
static bool guard_holds(struct store_conn *c)
{
	if (mysql_query(c->mysql, SQL_GUARD_CHECK) == 0)
		return true;
	if (store_map_errno(mysql_errno(c->mysql)) == ERR_UNAVAILABLE)
		c->broken = true;
	return false;
}

/* Autocommit back on after a guarded transaction; a connection that refuses is not reused. */
static void unguard(struct store_conn *c)
{
	if (!c->guarded)
		return;
	c->guarded = false;
	if (!c->broken && c->mysql && mysql_autocommit(c->mysql, 1) != 0)
		c->broken = true;
}

/* Before COMMIT on a guarded transaction: 0 when it is still whole (once; then released). */
static int guard_check(struct store_conn *c, struct error *err)
{
	if (!c->guarded || c->guard_released)
		return 0;
	if (guard_holds(c)) {
		c->guard_released = true;
		return 0;
	}
	if (c->broken)
		return error_set(err, ERR_UNAVAILABLE, "database connection lost");
	return error_set(err, ERR_RETRY, "aborted by a conflicting write on another node");
}

int store_commit(struct store_conn *c, struct error *err)
{
	int rc = guard_check(c, err);
	if (rc)
		return rc;
	if (mysql_commit(c->mysql) != 0)
		rc = fail(c, mysql_errno(c->mysql), mysql_error(c->mysql), err);
	if (rc == 0)
		unguard(c);
	return rc;
}

void store_rollback(struct store_conn *c)
{
	if (c->mysql && !c->broken && mysql_rollback(c->mysql) != 0)
		c->broken = true;
	unguard(c);
}

/*
 * Whether the connection's transaction is gone although it was neither committed nor rolled
 * back here: a Galera node aborts a transaction that conflicts with a write replicated from
 * another node, and the statements after that may read the rolled-back state (its own rows
 * missing) instead of failing with a deadlock. Asked only after fn failed with an error of its
 * own, on a guarded (cluster) transaction.
 */
static bool tx_lost(struct store_conn *c)
{
	if (!c->guarded || c->broken || !c->mysql)
		return false;
	return !guard_holds(c) && !c->broken;
}

int store_tx(struct store_pool *pool,
	     int (*fn)(struct store_conn *conn, void *ctx, struct error *err), void *ctx,
	     struct error *err)
{
	int rc = ERR_INTERNAL;
	bool lost_once = false;
	for (int attempt = 1; attempt <= TX_ATTEMPTS; attempt++) {
		struct store_conn *c = store_acquire(pool, 5000, err);
		if (!c)
			return ERR_UNAVAILABLE;
		bool committing = false;
		rc = store_begin(c, err);
		if (rc == 0)
			rc = fn(c, ctx, err);
		if (rc == 0)
			rc = guard_check(c, err); /* nothing sent to commit yet: safe to rerun */
		if (rc == 0) {
			committing = true;
			rc = store_commit(c, err);
		} else if (rc != ERR_RETRY && rc != ERR_UNAVAILABLE && tx_lost(c)) {
			error_release(err);
			rc = error_set(err, ERR_RETRY, "aborted by a conflicting write on another node");
		}
		if (rc != 0)
			store_rollback(c);
		store_release(c);
		/*
		 * A connection lost before COMMIT committed nothing: once, run it again on a new
		 * connection (the pool's next node when that one died). A lost COMMIT may have
		 * committed, so it is the caller's to retry (with its idempotency key).
		 */
		if (rc == ERR_UNAVAILABLE && !committing && !lost_once) {
			lost_once = true;
			error_release(err);
			continue;
		}
		if (rc != ERR_RETRY)
			return rc;
		error_release(err);
		usleep((useconds_t)(1000 * (5 + randombytes_uniform(20u * (unsigned)attempt))));
	}
	return error_set(err, ERR_UNAVAILABLE, "the database stayed busy; try again");
}

int store_read_tx(struct store_pool *pool,
		  int (*fn)(struct store_conn *conn, void *ctx, struct error *err), void *ctx,
		  struct error *err)
{
	return store_tx(pool, fn, ctx, err);
}

int store_with(struct store_pool *pool,
	       int (*fn)(struct store_conn *conn, void *ctx, struct error *err), void *ctx,
	       struct error *err)
{
	struct store_conn *c = store_acquire(pool, 5000, err);
	if (!c)
		return ERR_UNAVAILABLE;
	int rc = fn(c, ctx, err);
	store_release(c);
	return rc;
}

static const char SQL_PING[] = "SELECT 1";

int store_ping(struct store_pool *pool, struct error *err)
{
	struct store_conn *c = store_acquire(pool, 1000, err);
	if (!c)
		return ERR_UNAVAILABLE;
	int rc = store_run(c, SQL_PING, NULL, 0, NULL, NULL, err);
	store_release(c);
	return rc == 0 ? 0 : ERR_UNAVAILABLE;
}

char *store_ids_json(const long long *ids, size_t n)
{
	struct strbuf b = { 0 };
	strbuf_puts(&b, "[");
	for (size_t i = 0; i < n; i++)
		strbuf_printf(&b, "%s%lld", i ? "," : "", ids[i]);
	strbuf_puts(&b, "]");
	return b.p;
}

char *store_pairs_json(const long long (*pairs)[2], size_t n)
{
	struct strbuf b = { 0 };
	strbuf_puts(&b, "[");
	for (size_t i = 0; i < n; i++)
		strbuf_printf(&b, "%s[%lld,%lld]", i ? "," : "", pairs[i][0], pairs[i][1]);
	strbuf_puts(&b, "]");
	return b.p;
}

void store_format_utc(long long utc_us, char out[32])
{
	time_t secs = (time_t)(utc_us / 1000000);
	struct tm tm;
	gmtime_r(&secs, &tm);
	size_t n = strftime(out, 32, "%Y-%m-%d %H:%M:%S", &tm);
	snprintf(out + n, 32 - n, ".%06lld", utc_us % 1000000);
}

int store_library_init(void)
{
	return mysql_library_init(0, NULL, NULL) == 0 ? 0 : -1;
}

void store_library_end(void)
{
	mysql_library_end();
}
