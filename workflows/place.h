/*
 * Place rules (issue #19): which district holds a geometry, which register road an excavation
 * lies on, which published risk zone covers it, and which organisation serves a site for a
 * kind. Pure: the caller loads districts, roads, zones and service areas (store/place.h).
 */
#ifndef WORKFLOWS_PLACE_H
#define WORKFLOWS_PLACE_H

#include <stdbool.h>
#include <stddef.h>

#include "geo.h"
#include "triggers.h"

/* One district with its boundary (NULL when the office has drawn none). */
struct place_district {
	char code[33];
	char *name_zh, *name_en, *kind;
	struct geo *boundary;
};

/* One road of the register in force. */
struct place_road {
	char road_id[33];
	char *name_zh, *name_en;
	char road_class[16]; /* expressway, primary, secondary, branch */
	char district[33];
	int register_version;
	long long org_id; /* the road authority whose register lists it */
	struct geo *centreline;
};

/* One published risk zone in force. */
struct place_zone {
	char code[33];
	int version;
	enum zone_risk risk;
	char *name_zh, *name_en;
	struct geo *area;
};

/* One row of a utility's service area: a whole district, or a drawn area. */
struct place_area {
	long long org_id;
	char *org_name;
	int kind;	 /* enum utility_kind */
	char district[33]; /* "" when area is set */
	struct geo *area;
};

/* Everything the place rules read, loaded by the caller. Release with place_context_release. */
struct place_context {
	struct place_district *districts;
	size_t ndistricts;
	struct place_road *roads;
	size_t nroads;
	struct place_zone *zones;
	size_t nzones;
	struct place_area *areas;
	size_t nareas;
};
void place_context_release(struct place_context *ctx);

/*
 * The half-width of a road's corridor in metres by class (expressway 30, primary 25, secondary
 * 15, branch 10): an excavation within it lies on the road.
 */
double place_corridor_m(const char *road_class);

/* How far apart two works may be and still share a trench, by default (a published value). */
#define PLACE_SHARE_BUFFER_M 5.0

/*
 * The district covering g wholly, or NULL (then *partly, when non-NULL, is the district covering
 * most of it, or NULL outside the city).
 */
const struct place_district *place_district_of(const struct place_context *ctx,
					       const struct geo *g,
					       const struct place_district **partly);
/* True when g lies wholly within the city (the union of the districts with a boundary). */
bool place_in_city(const struct place_context *ctx, const struct geo *g);
/* A district by code, or NULL. */
const struct place_district *place_district_find(const struct place_context *ctx,
						 const char *code);

/*
 * A site's place: g (NULL when its geometry had problems of its own) within the city, and in
 * the district the applicant stated (NULL: none stated, found from g). Adds every problem to err
 * under "district" or "geometry"; found (33 bytes) gets the district code, "" when none.
 */
void place_site_check(const struct place_context *ctx, const struct geo *g, const char *stated,
		      char found[33], struct error *err);

/*
 * Two county-level divisions may share a border but not ground: a boundary covering more than
 * this share of another's (or the other of it) overlaps it. Drawn borders are approximate, so a
 * sliver along a shared edge is not an overlap. Development zones lie inside districts and are
 * exempt.
 */
#define PLACE_DISTRICT_OVERLAP_SHARE 0.01
/* A register road lies mostly in the district it names: at least this share of its length. */
#define PLACE_ROAD_IN_DISTRICT_SHARE 0.5

/*
 * The office's district `code` of `kind` drawn as boundary: adds a "boundary: overlaps" problem
 * to err for each other county-level division it overlaps (development zones are exempt).
 */
void place_check_district(const struct place_context *ctx, const char *code, const char *kind,
			  const struct geo *boundary, struct error *err);
/*
 * Road i of a register, its centreline `line` (NULL: its own problems are listed already) naming
 * `district`: "roads[i].district: unknown", or "roads[i].centreline: outside_district" when less
 * than PLACE_ROAD_IN_DISTRICT_SHARE of it lies there (naming where most of it lies).
 */
void place_check_road(const struct place_context *ctx, const struct geo *line,
		      const char *district, size_t i, struct error *err);

/* A register road by id, or NULL. */
const struct place_road *place_road_find(const struct place_context *ctx, const char *road_id);
/*
 * The register road g lies on: the one holding the largest share of g within its corridor, when
 * that share is at least half. NULL when none; *nearest (when non-NULL) is then the closest road
 * (or NULL) and *distance_m its distance.
 */
const struct place_road *place_road_of(const struct place_context *ctx, const struct geo *g,
				       double *share, const struct place_road **nearest,
				       double *distance_m);

/*
 * The zone in force that decides g's risk: among the zones covering g wholly, the one of the
 * highest risk; NULL when none covers it (then it is not in a low-risk zone).
 */
const struct place_zone *place_zone_of(const struct place_context *ctx, const struct geo *g);

/*
 * The organisations serving a site (its geometry g, its district code) for a kind: their indices
 * into ctx->areas (one per organisation, in org id order), at most cap; returns how many.
 */
size_t place_route(const struct place_context *ctx, int kind, const struct geo *g,
		   const char *district, size_t *idx, size_t cap);

#endif
