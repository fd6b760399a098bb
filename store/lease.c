/* Leases: one row per name, taken when free or expired, renewed by its holder. */
#include "lease.h"

#include <string.h>

/*
 * The assignments run left to right: holder changes only when it is ours or expired, and the
 * expiry moves only when the holder (possibly just set) is ours.
 */
static const char SQL_TAKE[] =
	"INSERT INTO leases (name, holder, expires_at) "
	"VALUES (?, ?, UTC_TIMESTAMP(6) + INTERVAL ? SECOND) ON DUPLICATE KEY UPDATE "
	"holder = IF(holder = VALUES(holder) OR expires_at < UTC_TIMESTAMP(6), VALUES(holder), "
	"holder), "
	"expires_at = IF(holder = VALUES(holder), VALUES(expires_at), expires_at)";
static const char SQL_HOLDER[] = "SELECT holder FROM leases WHERE name = ?";
static const char SQL_RELEASE[] = "DELETE FROM leases WHERE name = ? AND holder = ?";

struct take {
	const char *name, *holder;
	int seconds;
	bool held;
};

static int take(struct store_conn *c, void *ctx, struct error *err)
{
	struct take *t = ctx;
	t->held = false;
	struct store_param p[] = { P_STR(t->name), P_STR(t->holder), P_INT(t->seconds) };
	int rc = store_run(c, SQL_TAKE, p, 3, NULL, NULL, err);
	if (rc)
		return rc;
	struct store_result *r = NULL;
	rc = store_exec(c, SQL_HOLDER, p, 1, &r, err);
	if (rc)
		return rc;
	t->held = r->nrows == 1 && strcmp(store_cell(r, 0, 0), t->holder) == 0;
	store_result_free(r);
	return 0;
}

int store_lease_take(struct store_pool *pool, const char *name, const char *holder, int seconds,
		     bool *held, struct error *err)
{
	struct take t = { name, holder, seconds, false };
	int rc = store_tx(pool, take, &t, err);
	*held = rc == 0 && t.held;
	return rc;
}

struct release {
	const char *name, *holder;
};

static int release(struct store_conn *c, void *ctx, struct error *err)
{
	struct release *r = ctx;
	struct store_param p[] = { P_STR(r->name), P_STR(r->holder) };
	return store_run(c, SQL_RELEASE, p, 2, NULL, NULL, err);
}

int store_lease_release(struct store_pool *pool, const char *name, const char *holder,
			struct error *err)
{
	struct release r = { name, holder };
	return store_tx(pool, release, &r, err);
}
