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

/*
 * One excavation to insert (permit_id 0: none yet). Strings borrowed. With an extent (WKT in
 * lon/lat) it is written to excavation_extents too, for the spatial searches and the map; road
 * is the register road's name, road_id its id; from_m..to_m is 0..length along the dig itself.
 */
struct excavation_new {
	long long application_id, permit_id;
	const char *utility_kind, *district, *road, *road_class;
	int from_m, to_m, width_cm;
	day_t start_day, end_day;
	const char *road_id;	/* NULL: none (rows planned before the register) */
	int register_version;	/* 0: none */
	int length_m, area_m2;	/* 0: not computed */
	const char *zone_code;	/* "code vN" or NULL */
	const char *zone_risk;	/* "low"... or NULL */
	const char *extent_wkt; /* NULL: no extent */
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

/* An excavation of another application that may share a trench: its permit and its extent. */
struct excavation_near {
	long long permit_id;
	char *extent_wkt; /* owned */
};
/*
 * Trench sharing across applications: the excavations of OTHER open applications whose extent's
 * box meets `box` (the candidates of the spatial index; the caller decides exactly) and whose
 * window meets [start, end], with a permit, in id order, at most 50, into *out (*n of them; free
 * with store_excavations_near_free). Errors as store_exec's (*out is then NULL).
 */
int store_excavations_near(struct store_conn *c, long long app_id, const char *box_wkt,
			   day_t start, day_t end, struct excavation_near **out, size_t *n,
			   struct error *err);
void store_excavations_near_free(struct excavation_near *rows, size_t n);

/*
 * The excavations a dig-road permit covers, as a new JSON array (the caller's) of {road,
 * road_id, road_class, from_m, to_m, width_m, length_m, area_m2, zone, geometry} (geometry the
 * extent as GeoJSON, or null for rows planned before extents). On error nothing is returned.
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
