/*
 * Excavations: the road segments each dig-road permit covers, written with the application,
 * read back for the parties' event payloads, and compared across applications for trench
 * sharing.
 */
#ifndef STORE_EXCAVATIONS_H
#define STORE_EXCAVATIONS_H

#include <jansson.h>

#include "store/db.h"
#include "workflows/calendar.h"

/* One segment to insert (permit_id 0: none yet). Strings borrowed. */
struct excavation_new {
	long long application_id, permit_id;
	const char *utility_kind, *district, *road, *road_class;
	int from_m, to_m, width_cm;
	day_t start_day, end_day;
};
/* One segment (store_excavations_insert_many with one row). */
int store_excavation_insert(struct store_conn *c, const struct excavation_new *e, struct error *err);
/*
 * Inserts n segments (n may be 0) with multi-row INSERTs, in the order given. Use it inside a
 * transaction: a failure may leave earlier chunks written (store/multirow.h). Errors as
 * store_exec's.
 */
int store_excavations_insert_many(struct store_conn *c, const struct excavation_new *e, size_t n,
				  struct error *err);

/*
 * Trench sharing across applications: the dig-road permits of OTHER open applications whose
 * excavations on this road segment overlap in chainage and window, in id order (at most cap,
 * and at most 20), into permits; *n how many. Errors as store_exec's (*n is then 0).
 */
int store_overlapping_permits(struct store_conn *c, long long app_id, const char *district,
			      const char *road, int from_m, int to_m, day_t start, day_t end,
			      long long *permits, size_t cap, size_t *n, struct error *err);

/*
 * The road segments a dig-road permit covers, as a new JSON array (the caller's) of
 * {road, from_m, to_m, width_m, road_class}. On error nothing is returned.
 */
int store_permit_segments(struct store_conn *c, long long permit_id, json_t **out,
			  struct error *err);
/*
 * The same for every permit of an application in one read: *by_permit is a new object whose
 * keys are permit ids in decimal, each holding that permit's segments as above. A permit
 * without excavations has no key. On error nothing is returned.
 */
int store_application_segments(struct store_conn *c, long long app_id, json_t **by_permit,
			       struct error *err);

#endif
