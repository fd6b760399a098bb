/*
 * Works on the map (issue #19): the extents of planned excavations with their permit, road and
 * window, as open data and for the /works map, and the map's base layer (district boundaries,
 * the road register in force). Geometry leaves as well-known text in lon/lat; nothing here
 * names an applicant.
 */
#ifndef STORE_WORKS_H
#define STORE_WORKS_H

#include <stdbool.h>
#include <stddef.h>

#include "store/db.h"
#include "workflows/calendar.h"
#include "workflows/geo.h"

/* Which works to list. Zero-initialise, then set what applies. */
struct works_filter {
	bool has_bbox;
	struct geo_bbox bbox; /* extents whose box meets it (the spatial index's answer) */
	day_t from, to;	      /* window overlaps [from, to]; -1: open on that side */
	const char *district; /* the excavation's district code; NULL any */
	const char *state;    /* the permit's state; NULL any */
	bool current;	      /* only works not yet over on `today` (see store_works_list) */
	day_t today;	      /* the day the road register in force is taken on */
	long long after;      /* keyset: excavation ids above this */
	int limit;	      /* at most this many (1..1000) */
};

/* One excavation with an extent. Strings are owned by the array (store_works_free). */
struct works_item {
	long long id;		/* the excavation's id, the cursor */
	char *permit_reference; /* NULL while no dig-road permit covers it */
	char *permit_state;	/* NULL likewise */
	char utility_kind[16];
	char road_id[33];	 /* "" when the excavation names none */
	char *road_zh, *road_en; /* from the register in force; NULL when it has no such road */
	char district[33];
	day_t start, end; /* the work window */
	char *wkt;	  /* the extent, lon/lat */
};

/*
 * The works matching f in excavation id order: *items (n of them, the caller frees with
 * store_works_free) and *more when others follow. `current` keeps works whose window ends on or
 * after `today` and whose permit (if any) is not rejected, closed, expired or revoked. Errors
 * as store_exec's, and then nothing is returned.
 */
int store_works_list(struct store_conn *c, const struct works_filter *f, struct works_item **items,
		     size_t *n, bool *more, struct error *err);
void store_works_free(struct works_item *items, size_t n);

/* One shape of the map's base layer: a district's boundary or a road of the register. */
struct works_shape {
	bool road;		 /* false: a district */
	char code[33];		 /* district code or road id */
	char *name_zh, *name_en; /* owned */
	char kind[20];		 /* district kind, or road class */
	char district[33];	 /* a road's district; a district's own code */
	char *wkt;		 /* owned; NULL for a district with no boundary drawn */
};

/*
 * In one query: every district (with or without a boundary), then the roads of the register in
 * force on `day` (all of them; with a district code, those whose centreline's box meets the box
 * of that district's boundary, none when it has no boundary), districts in code order and roads
 * by id. The caller frees with store_works_shapes_free. Errors as store_exec's.
 */
int store_works_base(struct store_conn *c, const char *district, day_t day,
		     struct works_shape **shapes, size_t *n, struct error *err);
void store_works_shapes_free(struct works_shape *shapes, size_t n);

/* Whether a district with this code exists. Errors as store_exec's. */
int store_works_district_exists(struct store_conn *c, const char *code, bool *exists,
				struct error *err);

/* "POLYGON((...))" of a box, for ST_GeomFromText. Writes at most n bytes. Cannot fail. */
void store_works_box_wkt(const struct geo_bbox *b, char *buf, size_t n);

#endif
