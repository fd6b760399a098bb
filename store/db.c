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
	struct cached_stmt cache[STMT_CACHE];
	int ncache;
	unsigned long long uses;
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
	memset(cfg, 0, sizeof(*cfg));
}

int store_config_parse(const char *url, struct store_config *cfg, struct error *err)
{
	memset(cfg, 0, sizeof(*cfg));
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
	const char *colon = memchr(hostpart, ':', (size_t)(slash - hostpart));
	if (colon) {
		cfg->host = xstrndup(hostpart, (size_t)(colon - hostpart));
		char *end;
		long port = strtol(colon + 1, &end, 10);
		if (end != slash || port <= 0 || port > 65535) {
			store_config_release(cfg);
			return error_set(err, ERR_INVALID, "PORTAL_DB has a bad port");
		}
		cfg->port = (unsigned)port;
	} else {
		cfg->host = xstrndup(hostpart, (size_t)(slash - hostpart));
	}
	if (!cfg->host[0]) {
		free(cfg->host);
		cfg->host = xstrdup("localhost");
	}
	const char *q = strchr(slash + 1, '?');
	size_t dblen = q ? (size_t)(q - slash - 1) : strlen(slash + 1);
	cfg->database = pct_decode(slash + 1, dblen);
	if (q) {
		const char *s = strstr(q, "socket=");
		if (s) {
			s += 7;
			cfg->socket = pct_decode(s, strcspn(s, "&"));
		}
	}
	if (!cfg->database[0]) {
		store_config_release(cfg);
		return error_set(err, ERR_INVALID, "PORTAL_DB names no database");
	}
	return 0;
}

struct store_pool *store_pool_new(const struct store_config *cfg, int size)
{
	struct store_pool *pool = xcalloc(1, sizeof(*pool));
	pool->cfg.host = cfg->host ? xstrdup(cfg->host) : NULL;
	pool->cfg.user = cfg->user ? xstrdup(cfg->user) : NULL;
	pool->cfg.password = cfg->password ? xstrdup(cfg->password) : NULL;
	pool->cfg.database = cfg->database ? xstrdup(cfg->database) : NULL;
	pool->cfg.socket = cfg->socket ? xstrdup(cfg->socket) : NULL;
	pool->cfg.port = cfg->port;
	pool->size = size > 0 ? size : 1;
	pool->conns = xcalloc((size_t)pool->size, sizeof(*pool->conns));
	for (int i = 0; i < pool->size; i++)
		pool->conns[i].pool = pool;
	pool->backoff_ms = BACKOFF_MIN_MS;
	pthread_mutex_init(&pool->lock, NULL);
	pthread_cond_init(&pool->freed, NULL);
	return pool;
}

static void conn_close(struct store_conn *c)
{
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
	for (int i = 0; i < pool->size; i++)
		conn_close(&pool->conns[i]);
	free(pool->conns);
	store_config_release(&pool->cfg);
	pthread_mutex_destroy(&pool->lock);
	pthread_cond_destroy(&pool->freed);
	free(pool);
}

static int conn_open(struct store_conn *c, struct error *err)
{
	const struct store_config *cfg = &c->pool->cfg;
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
	if (!mysql_real_connect(m, cfg->socket ? NULL : cfg->host, cfg->user, cfg->password,
				cfg->database, cfg->port, cfg->socket, 0)) {
		error_set(err, ERR_UNAVAILABLE, "database unreachable: %s", mysql_error(m));
		mysql_close(m);
		return ERR_UNAVAILABLE;
	}
	c->mysql = m;
	c->broken = false;
	return 0;
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
		mysql_stmt_close(c->cache[slot].stmt);
	} else {
		c->ncache++;
	}
	c->cache[slot] = (struct cached_stmt){ sql, st, c->uses };
	return st;
}

void store_result_free(struct store_result *res)
{
	if (!res)
		return;
	for (size_t i = 0; i < res->nrows * res->ncols; i++)
		free(res->cells[i]);
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
	if (mysql_stmt_store_result(st) != 0)
		return fail(c, mysql_stmt_errno(st), mysql_stmt_error(st), err);
	r->nrows = (size_t)mysql_stmt_num_rows(st);
	r->cells = xcalloc(r->nrows * r->ncols + 1, sizeof(char *));
	r->lens = xcalloc(r->nrows * r->ncols + 1, sizeof(size_t));
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
	for (size_t row = 0; row < r->nrows; row++) {
		int f = mysql_stmt_fetch(st);
		if (f == 1) {
			rc = fail(c, mysql_stmt_errno(st), mysql_stmt_error(st), err);
			goto out;
		}
		if (f == MYSQL_NO_DATA) {
			r->nrows = row;
			break;
		}
		for (size_t col = 0; col < r->ncols; col++) {
			size_t k = row * r->ncols + col;
			struct col *cl = &cols[col];
			if (cl->null)
				continue;
			if (b[col].buffer_type == MYSQL_TYPE_LONGLONG) {
				char text[DECIMAL_MAX];
				r->lens[k] = decimal_format(text, cl->i, b[col].is_unsigned);
				r->cells[k] = xstrdup(text);
				continue;
			}
			char *cell = xmalloc(cl->len + 1);
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
					free(cell);
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
					mysql_stmt_close(st);
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

int store_begin(struct store_conn *c, struct error *err)
{
	if (c->broken || !c->mysql)
		return error_set(err, ERR_UNAVAILABLE, "database connection lost");
	if (mysql_query(c->mysql, "START TRANSACTION") != 0)
		return fail(c, mysql_errno(c->mysql), mysql_error(c->mysql), err);
	return 0;
}

int store_commit(struct store_conn *c, struct error *err)
{
	if (mysql_commit(c->mysql) != 0)
		return fail(c, mysql_errno(c->mysql), mysql_error(c->mysql), err);
	return 0;
}

void store_rollback(struct store_conn *c)
{
	if (c->mysql && !c->broken && mysql_rollback(c->mysql) != 0)
		c->broken = true;
}

int store_tx(struct store_pool *pool,
	     int (*fn)(struct store_conn *conn, void *ctx, struct error *err), void *ctx,
	     struct error *err)
{
	int rc = ERR_INTERNAL;
	for (int attempt = 1; attempt <= TX_ATTEMPTS; attempt++) {
		struct store_conn *c = store_acquire(pool, 5000, err);
		if (!c)
			return ERR_UNAVAILABLE;
		rc = store_begin(c, err);
		if (rc == 0)
			rc = fn(c, ctx, err);
		if (rc == 0)
			rc = store_commit(c, err);
		if (rc != 0)
			store_rollback(c);
		store_release(c);
		if (rc != ERR_RETRY)
			return rc;
		error_release(err);
		usleep((useconds_t)(1000 * (5 + randombytes_uniform(20u * (unsigned)attempt))));
	}
	return error_set(err, ERR_UNAVAILABLE, "the database stayed busy; try again");
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
