/* SQL for the published decision code lists (migrations/0011_codes.sql). */
#ifndef STORE_CODES_H
#define STORE_CODES_H

#include "store/db.h"
#include "workflows/codes.h"
#include "lib/error.h"

/*
 * Reads the version in force (the highest) into *out, which the caller releases with
 * codes_release (on failure too). No version at all leaves *out empty (version 0). Store errors.
 */
int store_codes_load(struct store_conn *c, struct code_lists *out, struct error *err);

/*
 * Publishes cl as the next version (by org-less account `by`, 0: unknown), bumps the
 * publication sequence and puts the new number in *version. Run it inside a transaction.
 * Store errors (ERR_RETRY when another publication took the number: rerun the transaction).
 */
int store_codes_publish(struct store_conn *c, const struct code_lists *cl, long long by,
			int *version, struct error *err);

#endif
