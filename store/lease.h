/* Named leases in the database: work that one process of many does at a time (the sweeper). */
#ifndef STORE_LEASE_H
#define STORE_LEASE_H

#include <stdbool.h>

#include "store/db.h"

/*
 * Takes or renews the lease `name` for `holder` (a text unique to the process) for `seconds`:
 * *held is true when holder has it now, false while another holder's lease runs. A lease whose
 * holder stopped renewing it is taken once it expired. Two processes racing for it (on two
 * Galera nodes too) end with one holder. Errors from store_tx (ERR_UNAVAILABLE...).
 */
int store_lease_take(struct store_pool *pool, const char *name, const char *holder, int seconds,
		     bool *held, struct error *err);

/* Gives the lease up if holder has it, so another may take it at once. Errors from store_tx. */
int store_lease_release(struct store_pool *pool, const char *name, const char *holder,
			struct error *err);

#endif
