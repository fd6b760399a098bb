/* Rows for store tests: an organisation with a site and an open application, jobs and permits. */
#ifndef TESTS_FIXTURE_H
#define TESTS_FIXTURE_H

#include "store/db.h"
#include "workflows/calendar.h"

/* One applicant's application and a connection to make more rows with. */
struct fixture {
	struct store_conn *c;
	long long org, site, app;
	char ref[24]; /* the application's reference, unique per call */
};

/*
 * Makes an applicant organisation (also the utility and authority of the rows added below), a
 * site and an application, with request_json as its request (NULL: {}). Aborts the test on
 * failure. Release with fixture_release (gives the connection back; the rows stay).
 */
void fixture_make(struct fixture *f, const char *request_json);
void fixture_release(struct fixture *f);

/* A job of utility_kind in the application, in state; its id. Aborts the test on failure. */
long long fixture_job(struct fixture *f, const char *utility_kind, const char *state);
/* A permit of kind in the application, in state; its id. Aborts the test on failure. */
long long fixture_permit(struct fixture *f, const char *kind, const char *state);
/*
 * An excavation of utility_kind in the application, covered by permit_id (0: none), on road
 * from from_m to to_m, dug from start to end. Aborts the test on failure.
 */
void fixture_dig(struct fixture *f, long long permit_id, const char *utility_kind,
		 const char *road, int from_m, int to_m, day_t start, day_t end);

#endif
