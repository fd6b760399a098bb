/*
 * Storage of the demo's sample history (workflows/sample_history.h): every generated row in a
 * few statements, each table's rows bound as one JSON parameter and read through JSON_TABLE,
 * so a season of applications is written in well under a second.
 */
#ifndef STORE_SAMPLE_HISTORY_H
#define STORE_SAMPLE_HISTORY_H

#include <stdbool.h>
#include <stddef.h>

#include "store/db.h"
#include "demo/sample_history.h"

/* Who the sample's parties are: the demo accounts' organisations and one user of each. */
struct sample_parties {
	long long applicant_org, applicant_user;
	long long office_org, office_user;
	long long utility_org[UK_COUNT], utility_user[UK_COUNT];
	long long authority_org[PERMIT_KIND_COUNT], authority_user[PERMIT_KIND_COUNT];
};

/* Whether any sample application (reference SAMPLE_PREFIX...) is stored already. */
int store_sample_history_exists(struct store_conn *c, bool *exists, struct error *err);

/*
 * Every district code, ascending: *codes is a new array of *n new strings, released with
 * store_district_codes_free. Errors from store_exec.
 */
int store_district_codes(struct store_conn *c, char ***codes, size_t *n, struct error *err);
void store_district_codes_free(char **codes, size_t n);

/*
 * Writes h (sites, applications with their materials, jobs, permits, links, excavations,
 * transitions, clock pauses, tasks, inspections, ratings, follow-ups) inside the caller's
 * transaction, as the parties in who, and appends one audit entry saying what was generated
 * (detail is its JSON text, e.g. counts and the seed). districts are the codes h's district
 * indexes refer to. The first failing statement's error; the caller rolls back.
 */
int store_sample_history_insert(struct store_conn *c, const struct sample_history *h,
				const char *const *districts, const struct sample_parties *who,
				const char *detail, struct error *err);

#endif
