/* From plan to application: the cited project's materials and answered guidance (issue #20). */
#define _GNU_SOURCE
#include "portal/project_cite.h"

#include <stdlib.h>
#include <string.h>

#include "lib/xalloc.h"

int project_cite_load(struct store_conn *c, long long project_id, long long caller_org,
		      struct project_cited *pc, struct error *problems, struct error *err)
{
	memset(pc, 0, sizeof(*pc));
	struct project_row p;
	struct error local = ERROR_INIT;
	int rc = store_project_get(c, project_id, &p, &local);
	error_release(&local);
	if (rc == ERR_NOT_FOUND || (!rc && p.org_id != caller_org)) {
		error_add(problems, "project_id", "unknown", "project %lld is not one of your projects",
			  project_id);
		if (!rc)
			store_project_row_release(&p);
		return 0;
	}
	if (rc)
		return error_set(err, rc, "could not read the project");
	pc->project_id = p.id;
	memcpy(pc->reference, p.reference, sizeof(pc->reference));
	store_project_row_release(&p);
	return store_guidance_of_project(c, project_id, &pc->guidance, &pc->nguidance, err);
}

int project_cite_materials(struct store_conn *c, const struct project_cited *pc,
			   struct app_request *ar, struct error *err)
{
	if (!pc->project_id)
		return 0;
	struct project_row p;
	int rc = store_project_get(c, pc->project_id, &p, err);
	if (rc)
		return rc;
	json_t *ids = json_loads(p.materials ? p.materials : "[]", 0, NULL);
	size_t i;
	json_t *v;
	json_array_foreach(ids, i, v)
	{
		long long id = json_integer_value(v);
		bool listed = false;
		for (size_t k = 0; k < ar->nmaterials; k++)
			listed |= ar->materials[k].material_id == id;
		if (listed || id <= 0)
			continue;
		ar->materials =
		    xrealloc(ar->materials, (ar->nmaterials + 1) * sizeof(*ar->materials));
		memset(&ar->materials[ar->nmaterials], 0, sizeof(*ar->materials));
		ar->materials[ar->nmaterials++].material_id = id;
	}
	json_decref(ids);
	store_project_row_release(&p);
	return 0;
}

const struct guidance_row *project_cite_guided(const struct project_cited *pc, int kind,
					       long long org, json_t **answer)
{
	*answer = NULL;
	for (size_t i = 0; i < pc->nguidance; i++) {
		const struct guidance_row *g = &pc->guidance[i];
		if (g->org_id != org || strcmp(g->utility_kind, utility_kind_name(kind)) ||
		    strcmp(g->state, "answered") || !g->answer)
			continue;
		*answer = json_loads(g->answer, 0, NULL);
		return *answer ? g : NULL;
	}
	return NULL;
}

void project_cite_release(struct project_cited *pc)
{
	for (size_t i = 0; i < pc->nguidance; i++)
		store_guidance_row_release(&pc->guidance[i]);
	free(pc->guidance);
	memset(pc, 0, sizeof(*pc));
}
