/*
 * Credit records (issue #21, measure 十六): the entries events with consequences write against
 * the organisation responsible, the office's reading of a record, appeals and their decisions,
 * and the office's versioned oversight rules (sampling shares, credit rules). Routes:
 * credit_routes (router.h).
 */
#ifndef PORTAL_CREDIT_API_H
#define PORTAL_CREDIT_API_H

#include <jansson.h>
#include <stdbool.h>

#include "store/db.h"
#include "workflows/authz.h"
#include "workflows/calendar.h"
#include "workflows/credit.h"
#include "lib/error.h"

/*
 * Writes the entry rule produces against org_id under rules (severity and expiry from the
 * published rule), in c's transaction, with its audit record naming who wrote it (caller; NULL:
 * the system's sweep) and why (the rule, the version, the evidence). evidence is stolen; the
 * permit and task ids and the day are added to it. The same event twice writes nothing (*id 0,
 * id may be NULL). A rule the version does not publish writes nothing. Errors as store_exec's.
 */
int credit_api_write(struct store_conn *c, const struct authz_caller *caller,
		     const struct oversight_rules *rules, const char *rule, long long org_id,
		     long long permit_id, long long task_id, day_t occurred, json_t *evidence,
		     long long *id, struct error *err);

/*
 * Whether org_id has lost the fast track on today under rules (credit_fast_track_lost over its
 * entries); why (may be NULL) says which entry. Errors as store_exec's.
 */
int credit_api_standing(struct store_conn *c, long long org_id, day_t today,
			const struct oversight_rules *rules, bool *lost, char *why, size_t len,
			struct error *err);

/*
 * The sweep's credit rule for remedial work: each remedial task still open after its due day
 * writes one remedial_overdue entry against the utility that owes it (occurred the day after
 * the due day, so a second pass writes nothing). *written (may be NULL): entries written.
 */
struct app;
int credit_api_sweep(struct app *app, int *written, struct error *err);

#endif
