/* Projects at the planning stage (issue #20): what other handlers use of portal/projects_api.c. */
#ifndef PORTAL_PROJECTS_API_H
#define PORTAL_PROJECTS_API_H

#include <jansson.h>

#include "portal/app.h"
#include "workflows/authz.h"
#include "lib/error.h"

/*
 * The utility caller answers its guidance task of kind on project_id with body (as
 * POST /v1/projects/{id}/guidance/{kind} takes it; the adapters' "guidance" callback too): every
 * problem listed in one ERR_INVALID, ERR_NOT_FOUND when the task is not the caller's,
 * ERR_CONFLICT when answered already; nothing written on failure. *view: the answered task.
 */
int projects_guidance_answer(struct app *app, const struct authz_caller *caller,
			     long long project_id, const char *kind, const json_t *body,
			     json_t **view, struct error *err);

#endif
