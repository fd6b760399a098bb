/* Projects at the planning stage and their guidance tasks (issue #20, migrations/0012). */
#ifndef STORE_PROJECTS_H
#define STORE_PROJECTS_H

#include <stdbool.h>
#include <stddef.h>

#include "store/clocks.h"
#include "store/db.h"
#include "lib/strbuf.h"
#include "workflows/calendar.h"

/* A project to insert. Strings borrowed. */
struct project_new {
	long long org_id; /* the applicant whose project it is */
	const char *name;
	const char *district;
	const char *geometry_wkt;
	const char *needs; /* JSON object by kind */
	day_t hookup_day;
	const char *materials; /* JSON array of material ids */
	long long created_by_org, created_by_user;
	const char *providers; /* JSON object kind -> preferred organisation id, or NULL */
};

/* One project as read. Strings owned by the row; release with store_project_row_release. */
struct project_row {
	long long id, org_id;
	char reference[24]; /* "PJ-000123" */
	char name[201], district[33];
	char *geometry_wkt, *needs, *materials;
	char *providers; /* JSON object kind -> the applicant's preferred organisation, or NULL */
	day_t hookup_day;
	char created_at[32];
};
void store_project_row_release(struct project_row *p);

/* One guidance task as read (answer owned; release with store_guidance_row_release). */
struct guidance_row {
	long long id, project_id, org_id;
	char project_reference[24], project_name[201], district[33];
	char utility_kind[16], org_name[201], state[16];
	struct stored_clock clock;
	char *answer;		      /* JSON or NULL */
	long long estimate_total_fen; /* -1 when not answered */
	day_t answered_day;	      /* -1 when not answered */
	int version;
};
void store_guidance_row_release(struct guidance_row *g);

/* The reference of project id into buf ("PJ-000123"). Cannot fail. */
void store_project_reference(long long id, char buf[24]);

/* Inserts p and sets *id. Errors as store_exec's. */
int store_project_insert(struct store_conn *c, const struct project_new *p, long long *id,
			 struct error *err);

/* A project by id. ERR_NOT_FOUND when absent. */
int store_project_get(struct store_conn *c, long long id, struct project_row *out,
		      struct error *err);

/* A guidance task of the project for kind and org, its clock started at k. Errors as store_exec's.
 */
int store_guidance_insert(struct store_conn *c, long long project_id, const char *kind,
			  long long org_id, const struct stored_clock *k, long long *id,
			  struct error *err);

/* Every guidance task of a project, by id: *rows allocated (caller frees each and the array). */
int store_guidance_of_project(struct store_conn *c, long long project_id,
			      struct guidance_row **rows, size_t *n, struct error *err);

/*
 * The open guidance of org (0: every organisation's), by id, id > after, at most limit, as
 * their queue shows them: appended to *items as the text of a JSON array, written straight
 * from the rows (lib/json_text.h) with the status and overdue flag as of today and, when cal is
 * not NULL, the working days overdue (workflows/clock.h). *last is the last id in it (0 when
 * empty), *more whether more follow. Errors as store_exec's, and then nothing is appended.
 */
int store_guidance_queue(struct store_conn *c, long long org_id, long long after, int limit,
			 const struct calendar *cal, day_t today, struct strbuf *items,
			 long long *last, bool *more, struct error *err);

/*
 * The guidance of project for kind addressed to org, locked for the answer. ERR_NOT_FOUND when
 * there is none (another organisation's is not found either).
 */
int store_guidance_for(struct store_conn *c, long long project_id, const char *kind,
		       long long org_id, struct guidance_row *out, struct error *err);

/* Records the answer on an open task at version; ERR_CONFLICT when answered meanwhile. */
int store_guidance_answer(struct store_conn *c, long long id, int version, const char *answer,
			  long long estimate_total_fen, day_t day, long long user_id,
			  struct error *err);

#endif
