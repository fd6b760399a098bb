/*
 * Publishing place (issue #19): the office's districts and risk zones, the road authority's
 * road register, the utilities' service areas; and the lists the public reads of them.
 * Geometry goes in and comes out as well-known text in lon/lat (geo_wkt, ST_AsText). Registers
 * and risk zones are immutable once written (the database's triggers refuse changes): a change
 * is a new version.
 */
#ifndef STORE_PLACE_PUBLISH_H
#define STORE_PLACE_PUBLISH_H

#include <stddef.h>

#include "store/db.h"
#include "workflows/calendar.h"
#include "workflows/place.h"

/* A district as the office writes it. wkt NULL: no boundary drawn. Strings borrowed. */
struct district_in {
	const char *code, *name_zh, *name_en, *kind;
	const char *wkt;
};

/* Inserts a district. ERR_CONFLICT when the code is taken. */
int store_district_create(struct store_conn *c, const struct district_in *d, struct error *err);
/* Replaces a district's names, kind and boundary. ERR_NOT_FOUND when there is no such code. */
int store_district_update(struct store_conn *c, const struct district_in *d, struct error *err);

/* One road of a register. Strings owned by the row (store_roads_free). */
struct road_row {
	char road_id[33];
	char *name_zh, *name_en;
	char *aliases; /* a JSON array of strings, as text */
	char road_class[16];
	char district[33];
	int length_m;
	char *wkt;	  /* the centreline */
	long long org_id; /* read back: the road authority whose register it is in */
	int version;	  /* read back: that register's version */
};
void store_roads_free(struct road_row *rows, size_t n);

/* One published version of a road authority's register (each numbers its own 1, 2, ...). */
struct register_row {
	int version;
	long long org_id;
	char org_name[201];
	day_t effective_from;
	int nroads;
	char published_at[21]; /* RFC 3339 UTC */
};

/*
 * Publishes the next version of org_id's register (max + 1, locking its versions until commit)
 * with its n roads (their org_id and version ignored); user_id 0: an API key. Its number in
 * *version. ERR_CONFLICT on a duplicate road id or a version taken meanwhile.
 */
int store_road_register_publish(struct store_conn *c, long long org_id, long long user_id,
				day_t effective_from, const struct road_row *roads, size_t n,
				int *version, struct error *err);

/* Every published version, by authority then version. *rows is the caller's (free()). */
int store_road_registers(struct store_conn *c, struct register_row **rows, size_t *n,
			 struct error *err);

/* Which roads a list selects; zero and NULL members select everything. */
struct road_query {
	long long org_id; /* one road authority's register; 0: every authority's */
	int version;	  /* that version (with org_id); 0: per authority the one in force on day */
	day_t day;
	const char *district; /* only this district's roads */
	const char *box_wkt;  /* only those whose centreline's box meets this polygon */
	const char *road_id;  /* only this road */
};

/* The roads q selects, by road id then authority. *rows is the caller's (store_roads_free). */
int store_roads_list(struct store_conn *c, const struct road_query *q, struct road_row **rows,
		     size_t *n, struct error *err);

/* One version of a risk zone. Strings owned by the row (store_zones_free). */
struct zone_row {
	char code[33];
	int version;
	char *name_zh, *name_en;
	char risk[8]; /* low, medium, high */
	day_t effective_from;
	day_t effective_to; /* -1: open-ended */
	char *wkt;	    /* the area */
	char published_at[21];
};
void store_zones_free(struct zone_row *rows, size_t n);

/*
 * Publishes the next version of z->code (z->version is ignored; the new number in *version).
 * ERR_CONFLICT when the version is taken meanwhile.
 */
int store_risk_zone_publish(struct store_conn *c, const struct zone_row *z, long long user_id,
			    int *version, struct error *err);

/* The zones in force on day (per code the highest version in effect, unless ended), by code. */
int store_risk_zones_on(struct store_conn *c, day_t day, struct zone_row **rows, size_t *n,
			struct error *err);

/*
 * Replaces organisation org_id's service areas for kind ("water"...) with whole districts
 * (ndistricts codes) and drawn areas (nareas polygon texts). ERR_INVALID with a detail at
 * "districts" when a code does not exist (the caller checks first; this is the backstop).
 */
int store_service_areas_replace(struct store_conn *c, long long org_id, const char *kind,
				const char *const *districts, size_t ndistricts,
				const char *const *areas, size_t nareas, struct error *err);

#endif
