/*
 * From plan to application (issue #20): what an application citing its project takes from it,
 * the project's materials (provided already, not asked again) and its answered guidance (the
 * agreed connection point and the estimate), for portal/applications_api.c.
 */
#ifndef PORTAL_PROJECT_CITE_H
#define PORTAL_PROJECT_CITE_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#include "store/db.h"
#include "store/projects.h"
#include "workflows/application.h"

struct project_cited {
	long long project_id; /* 0: none cited, or not the caller's */
	char reference[24];
	struct guidance_row *guidance; /* every task of the project */
	size_t nguidance;
};

/*
 * Loads project_id for the applicant caller_org into *pc. Someone else's project or an unknown
 * one is the same problem, listed in problems ("project_id", "unknown"), and *pc stays empty;
 * 0 then, or the database's error.
 */
int project_cite_load(struct store_conn *c, long long project_id, long long caller_org,
		      struct project_cited *pc, struct error *problems, struct error *err);

/* Adds the project's materials that ar does not list yet (they count as provided). */
int project_cite_materials(struct store_conn *c, const struct project_cited *pc,
			   struct app_request *ar, struct error *err);

/* The answered guidance of kind by org, with its answer parsed into *answer (new ref), or NULL. */
const struct guidance_row *project_cite_guided(const struct project_cited *pc, int kind,
					       long long org, json_t **answer);

void project_cite_release(struct project_cited *pc);

#endif
