/*
 * Place (issue #19): loading what the place rules read (districts, the road register in force,
 * risk zones in force, service areas) and the spatial candidate search behind them. MariaDB's
 * spatial indexes answer by bounding box; workflows/place.c decides exactly with GEOS.
 */
#ifndef STORE_PLACE_H
#define STORE_PLACE_H

#include <jansson.h>

#include "store/db.h"
#include "workflows/calendar.h"
#include "workflows/geo.h"
#include "workflows/place.h"

/* Every district, with its boundary, into ctx->districts (replacing what was there). */
int store_place_districts(struct store_conn *c, struct place_context *ctx, struct error *err);

/*
 * The roads in force on `day` (for every road authority, its register of the highest version
 * effective by then; registers are per authority, UNIQUE (org_id, version)) whose centreline's box meets `box` widened by
 * margin_m metres, into ctx->roads. No register: none (not an error).
 */
int store_place_roads_near(struct store_conn *c, const struct geo_bbox *box, double margin_m,
			   day_t day, struct place_context *ctx, struct error *err);

/*
 * Adds the road road_id of the registers in force on `day` to ctx->roads unless it is there (an
 * excavation may name a road far from where it is drawn: it is then not on it). None: nothing.
 */
int store_place_road_named(struct store_conn *c, const char *road_id, day_t day,
			   struct place_context *ctx, struct error *err);

/* The risk zones in force on `day` whose area's box meets `box`, into ctx->zones. */
int store_place_zones_near(struct store_conn *c, const struct geo_bbox *box, day_t day,
			   struct place_context *ctx, struct error *err);

/*
 * The service area rows (all kinds) of org_id, or of every organisation when org_id is 0, with
 * the organisation's name, into ctx->areas (replacing what was there).
 */
int store_place_areas(struct store_conn *c, long long org_id, struct place_context *ctx,
		      struct error *err);

/* The version of org_id's road register in force on day, or 0 when none. */
int store_place_register_version(struct store_conn *c, long long org_id, day_t day, int *version,
				 struct error *err);

#endif
