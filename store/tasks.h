/*
 * The follow-up work on a permit once decided: tasks for a party (post-check, remedial), the
 * inspections recorded, and requests to extend the work window.
 */
#ifndef STORE_TASKS_H
#define STORE_TASKS_H

#include <stdbool.h>
#include <stddef.h>

#include "store/db.h"
#include "lib/strbuf.h"
#include "workflows/calendar.h"

/* Opens a task of kind for org on a permit. Errors as store_exec's. */
int store_task_insert(struct store_conn *c, long long permit_id, const char *kind, long long org_id,
		      struct error *err);
/*
 * Opens a remedial task for every utility whose job needs the permit (none when no job does).
 * Errors as store_exec's.
 */
int store_remedial_tasks(struct store_conn *c, long long permit_id, struct error *err);
/*
 * Records an inspection of a permit's works (comment NULL: ""; org_id, user_id 0: none; at as
 * store_format_utc writes it). Errors as store_exec's.
 */
int store_inspection_insert(struct store_conn *c, long long permit_id, const char *kind,
			    const char *result, const char *comment, long long org_id,
			    long long user_id, const char *at, struct error *err);
/* Records a pending request to move the window's end from old_to to new_to (reason NULL: ""). */
int store_extension_insert(struct store_conn *c, long long permit_id, day_t old_to, day_t new_to,
			   const char *reason, const char *at, struct error *err);
/*
 * Settles the permit's pending extension request as granted or refused at `at`. Errors as
 * store_exec's; none pending is no error.
 */
int store_extension_settle(struct store_conn *c, long long permit_id, bool granted,
			   const char *at, struct error *err);

/*
 * Marks the permit's open tasks of kind done at `at` (as store_format_utc writes it): every
 * organisation's (org_id 0) or org_id's only (one utility's remedial work is its own).
 */
int store_tasks_done(struct store_conn *c, long long permit_id, const char *kind, long long org_id,
		     const char *at, struct error *err);

/*
 * The due date of a post-check under the caller's rules (the standard in force for the permit's
 * kind on the application's submitted day): false when it has none, else true with *due, the
 * stage's *limit_days and the working days it is *days_overdue (0 when not late).
 */
typedef bool (*post_check_due_fn)(void *ctx, const char *kind, day_t submitted_day,
				  day_t opened_on, day_t *due, int *limit_days, int *days_overdue);

/*
 * The open post-check tasks of org (0: every organisation's), in task order, at most cap, as
 * their queue shows them: appended to *items as the text of a JSON array, written straight
 * from the rows (lib/json_text.h), each with its due date from due(ctx, ...); *count the tasks
 * in it, *overdue those overdue. Errors as store_exec's, and then nothing is appended.
 */
int store_post_checks_open(struct store_conn *c, long long org_id, size_t cap,
			   post_check_due_fn due, void *ctx, struct strbuf *items, size_t *count,
			   size_t *overdue, struct error *err);

#endif
