/*
 * After the works (issue #21): defect reports (the public without an account, the road
 * authority and the office signed in), their routing to the utility that dug or the road
 * authority, the follow-up task queues, and the published reinstatement standards. Routes:
 * defects_routes (router.h).
 */
#ifndef PORTAL_DEFECTS_API_H
#define PORTAL_DEFECTS_API_H

#include <jansson.h>

#include "store/db.h"

/*
 * Adds to a permit's JSON what the aftercare knows of it: "reinstatement" {reports,
 * inspections, awaiting_inspection} and "guarantee" (road_class, months, standard_version,
 * closed_on, guarantee_to, in_guarantee) or null. Errors as store_exec's.
 */
int defects_permit_extras(struct store_conn *c, long long permit_id, json_t *permit,
			  struct error *err);

#endif
