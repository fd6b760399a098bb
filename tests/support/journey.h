/*
 * Test support for whole applications over HTTP: a call that asserts its status, dates from
 * today, the materials the published standards require, and the full five-utility submission.
 * Shared by the suites that submit applications; every helper asserts as it goes.
 */
#ifndef TESTS_JOURNEY_H
#define TESTS_JOURNEY_H

#include <jansson.h>

struct reply;

/* Called after every exchange the helpers below make (NULL, the default: none); the suite
 * that records responses for the API description sets it. */
typedef void journey_observer(const char *method, const char *path, const struct reply *r);
void journey_observe(journey_observer *fn);

/* method path as token (may be NULL) with a JSON body (may be NULL); asserts the status and
 * returns the parsed reply (a new reference, NULL when not JSON). */
json_t *journey_call(const char *method, const char *path, const char *token, const char *body,
		     long want);

/* A session token of the demo account who@demo.test (its demo password); caller frees. */
char *journey_login(const char *who);

/* Today + offset days as "YYYY-MM-DD", in one of a few static buffers (valid for a while). */
char *journey_day(int offset);

/* Uploads one small PDF per material type the published standards require, as token; returns
 * [{"material_id": n}, ...] (a new reference). */
json_t *journey_upload_required(const char *token);

/* The full submission body for site: all five utilities, a joint dig of water and gas, a long
 * dig of power, green space, lines outside the plot; materials as given. Caller frees. */
char *journey_submission(long long site, json_t *materials);

/* A new site of token's in Gulou (name_prefix and a unique number), its required materials and
 * journey_submission for it, submitted: the application as the reply shows it (a new reference). */
json_t *journey_submit(const char *token, const char *name_prefix);

/* The carrier journey_submission chooses for its network job (several serve Gulou). */
#define JOURNEY_CARRIER "Fuzhou Radio & TV Network (demo)"
/*
 * Excavations drawn on the demo's register (demo/fuzhou.c), as JSON members: about 22 m of
 * Nanhou Street (南后街, a branch road in the published low-risk zone LRZ-GL-0001) and 400 m of
 * Wusi Road (五四路, primary).
 */
#define JOURNEY_DIG_NANHOU                                                                     \
	"\"geometry\":{\"type\":\"LineString\",\"coordinates\":[[119.2920,26.0830],[119.29202,26.0832]]}"
#define JOURNEY_DIG_WUSI                                                                       \
	"\"geometry\":{\"type\":\"LineString\",\"coordinates\":[[119.3052,26.0850],[119.3053,26.0886]]}"

/* A demo organisation's id by its exact name; aborts the test when there is none. */
long long journey_org(const char *name);

/*
 * A plan's quote for the application's job of `kind`: the lines of its estimate with a
 * quantity, which are the schedule's items in the band the job's parameters fall in, at that
 * band's price, as [{code, quantity, unit_price_fen}] text (caller frees). Asserts there is one.
 */
char *journey_quote(json_t *app, const char *kind);

#endif
