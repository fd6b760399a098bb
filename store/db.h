/* The MariaDB connection pool, prepared-statement execution and transactions. Only store/ uses it. */
#ifndef STORE_DB_H
#define STORE_DB_H

#include <stdbool.h>
#include <stddef.h>
#include <string.h>

#include "lib/error.h"

/*
 * Sets up and tears down the client library, once per process: store_library_init before any
 * thread opens a connection, store_library_end after the last is closed. Returns 0, or -1 when
 * the library cannot start (the process should stop).
 */
int store_library_init(void);
void store_library_end(void);

/* One server of a cluster: host and port (0: the default). */
struct store_node {
	char *host;
	unsigned port;
};

/* Where the database is. Parsed from PORTAL_DB; strings are owned by the struct. */
struct store_config {
	char *host; /* the first node's (what a single-server URL names) */
	char *user;
	char *password;
	char *database;
	char *socket;
	unsigned port;
	struct store_node *nodes; /* every node named, in order of preference; nodes[0] is host */
	size_t nnodes;
	/* wsrep_sync_wait set on each session on a Galera node; -1 leaves the server's own */
	int sync_wait;
};

/*
 * Parses "mariadb://user:pass@host:port/db" or "mariadb://user:pass@localhost/db?socket=/path"
 * (user, password and port optional; percent-escapes decoded). Several nodes of a cluster may be
 * named, "host1:3306,host2:3306,host3/db": the pool connects to the first that answers and is
 * synced, moves to the next when its node is lost, and back to the first when it returns. With
 * more than one node, sessions on a Galera node read with wsrep_sync_wait=1 (a read sees every
 * write committed anywhere before it, the caller's own through another portal included);
 * "?sync_wait=N" sets another value (0 turns it off). ERR_INVALID with a message on a bad URL.
 * Release with store_config_release().
 */
int store_config_parse(const char *url, struct store_config *cfg, struct error *err);
void store_config_release(struct store_config *cfg);

struct store_pool;
struct store_conn;

/*
 * Creates a pool of at most `size` connections, opened lazily. Never fails for an unreachable
 * server: acquiring then reports ERR_UNAVAILABLE. The caller owns the pool (store_pool_free).
 */
struct store_pool *store_pool_new(const struct store_config *cfg, int size);
void store_pool_free(struct store_pool *pool);

/*
 * Takes a connection, waiting at most timeout_ms for one to be free, connecting or reconnecting
 * as needed (with back-off after failures, so a down server answers fast). NULL with
 * ERR_UNAVAILABLE in err when none can be had. Give it back with store_release().
 */
struct store_conn *store_acquire(struct store_pool *pool, int timeout_ms, struct error *err);
void store_release(struct store_conn *conn);

/* Connections in use and in total, for metrics. */
void store_pool_usage(struct store_pool *pool, int *in_use, int *open, int *size);

/* One bound parameter. Build them with the P_* macros. */
enum store_ptype { SP_NULL, SP_INT, SP_STR };
struct store_param {
	enum store_ptype type;
	long long i;
	const char *s;
	size_t len;
};
#define P_NULL ((struct store_param){ SP_NULL, 0, NULL, 0 })
#define P_INT(x) ((struct store_param){ SP_INT, (long long)(x), NULL, 0 })
/* A NULL string binds SQL NULL. */
#define P_STR(x) store_param_str(x)
#define P_BLOB(p, n) ((struct store_param){ SP_STR, 0, (const char *)(p), (n) })

static inline struct store_param store_param_str(const char *s)
{
	struct store_param p = { s ? SP_STR : SP_NULL, 0, s, s ? strlen(s) : 0 };
	return p;
}

/* Rows of a result, every cell as a NUL-terminated string (NULL for SQL NULL). */
struct store_result {
	size_t nrows;
	size_t ncols;
	char **cells; /* nrows * ncols, pointing into the blocks below (NULL for SQL NULL) */
	size_t *lens;
	struct store_block *blocks; /* where the cells' text lives: a few allocations, not one each */
	unsigned long long affected;
	unsigned long long insert_id;
};

/* The most parameters one statement may bind (multi-row inserts bind rows x columns). */
#define STORE_MAX_PARAMS 256

/*
 * Runs one prepared statement (cached per connection, keyed by the address of the static SQL
 * text). With `res` non-NULL, *res receives the rows (caller frees with store_result_free);
 * affected rows and the insert id are in it too. Errors: ERR_RETRY (deadlock 1213, lock wait
 * 1205), ERR_CONFLICT (duplicate key), ERR_UNAVAILABLE (server gone), ERR_INTERNAL otherwise.
 */
int store_exec(struct store_conn *conn, const char *sql, const struct store_param *params,
	       size_t nparams, struct store_result **res, struct error *err);

/* store_exec for statements whose rows are not wanted; *affected may be NULL. */
int store_run(struct store_conn *conn, const char *sql, const struct store_param *params,
	      size_t nparams, unsigned long long *affected, unsigned long long *insert_id,
	      struct error *err);

void store_result_free(struct store_result *res);
/* Cell accessors; row and col must be in range. store_cell_ll returns `dflt` for NULL. */
const char *store_cell(const struct store_result *res, size_t row, size_t col);
long long store_cell_ll(const struct store_result *res, size_t row, size_t col, long long dflt);

/*
 * A list bound as one parameter, for statements that read it through JSON_TABLE (one round trip
 * whatever its length): "[1,2,...]" from ids, "[[a,b],...]" from pairs. The caller frees.
 */
char *store_ids_json(const long long *ids, size_t n);
char *store_pairs_json(const long long (*pairs)[2], size_t n);

/* Transaction control on one connection. */
int store_begin(struct store_conn *conn, struct error *err);
int store_commit(struct store_conn *conn, struct error *err);
void store_rollback(struct store_conn *conn);

/*
 * Runs fn inside a transaction on a pooled connection and commits; rolls back on failure.
 * A deadlock or lock-wait timeout (ERR_RETRY; on Galera also a certification conflict) reruns
 * fn, at most 5 times in all, with a short randomised pause; so does a failure of fn's own after
 * which a Galera node shows the transaction gone (aborted for another node's write, so fn read
 * the rolled-back state). A connection lost before the commit (nothing committed) reruns fn once
 * at once on a new connection. fn must therefore be safe to run again (it should only touch the database
 * and its own ctx output, resetting that at its start).
 */
int store_tx(struct store_pool *pool, int (*fn)(struct store_conn *conn, void *ctx,
						  struct error *err),
	     void *ctx, struct error *err);

/*
 * Reads that may search a spatial index (MBRIntersects on a SPATIAL INDEX column): fn in a
 * transaction (store_tx), which also gives its statements one snapshot. MariaDB 10.11 fails an
 * autocommit read that searches a spatial index after another index in the same statement
 * (MDEV-26123: error 1207, "Update locks cannot be acquired during a READ UNCOMMITTED
 * transaction"); inside a transaction it does not. Which plan a statement gets depends on the
 * data, so every such read goes through here, not store_with.
 */
int store_read_tx(struct store_pool *pool,
		  int (*fn)(struct store_conn *conn, void *ctx, struct error *err), void *ctx,
		  struct error *err);

/* Borrow a connection, call fn without a transaction, give it back. */
int store_with(struct store_pool *pool, int (*fn)(struct store_conn *conn, void *ctx,
						    struct error *err),
	       void *ctx, struct error *err);

/* SELECT 1 on a pooled connection: 0 when the server answers, ERR_UNAVAILABLE when not. */
int store_ping(struct store_pool *pool, struct error *err);

/* Maps a MariaDB error number to our code. */
int store_map_errno(unsigned int mysql_errno);

/*
 * "YYYY-MM-DD HH:MM:SS.ffffff" for a UTC instant given in microseconds: the text a DATETIME(6)
 * parameter takes (the `at` of history rows, pauses, inspections). Cannot fail.
 */
void store_format_utc(long long utc_us, char out[32]);

#endif
