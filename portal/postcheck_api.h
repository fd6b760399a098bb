/*
 * The post-check's result and what follows it (issue #21, measure 十五): the authority records
 * pass or fail (codes from the published list, photos it uploaded) on its post-check task; a
 * failure opens a rectification task for the applicant who committed, due within the standard's
 * limit; reported rectified, the post-check is opened again; unrectified by its due day, the
 * sweep revokes the permit. Routes: postcheck_routes (router.h).
 */
#ifndef PORTAL_POSTCHECK_API_H
#define PORTAL_POSTCHECK_API_H

#include "portal/app.h"
#include "portal/transition.h"
#include "store/db.h"
#include "lib/error.h"

/*
 * What a post-check transition records besides the permit (called by the permit's runner,
 * before the task is marked done): refuses it (ERR_CONFLICT) while a rectification is open;
 * else the result with its codes and photos (act->body "photos"), and on a failure the
 * rectification and the credit entries (post_check_failed; false_commitment when a code says
 * so). Errors as store_exec's.
 */
int postcheck_api_effects(struct store_conn *c, const struct transition_ctx *t,
			  const struct permit_row *p, const struct permit_outcome *o,
			  struct error *err);

/*
 * Adds one detail to err for each entry of photos (a JSON array of material ids; NULL: none)
 * that is not a post_check_photo material of org_id, so a result's every problem is listed at
 * once with its codes'. Returns 0 (details or not), or a store error.
 */
int postcheck_api_photos_check(struct store_conn *c, long long org_id, const json_t *photos,
			       struct error *err);

/*
 * One sweep: every open rectification past its due day revokes its permit (as the system, code
 * RECTIFICATION_OVERDUE), with the permit_revoked credit entry, the events to the authority,
 * the applicant and the utilities, one transaction per permit. *revoked (may be NULL) counts
 * them. Errors as store_tx's.
 */
int postcheck_api_sweep(struct app *app, int *revoked, struct error *err);

#endif
