/*
 * Geometry of place (issue #19): GeoJSON in and out, GEOS for validity, buffers and
 * intersections, PROJ for lengths and areas in metres. Pure computation, no I/O beyond the
 * PROJ database the library itself reads.
 *
 * Coordinates are longitude/latitude in CGCS2000 (EPSG:4490, equal to WGS84 within a metre
 * here). Input may be given in GCJ-02 (the offset datum of Chinese web maps) and is converted
 * on parsing. Metric work happens in CGCS2000 / 3-degree Gauss-Kruger CM 120E (EPSG:4549).
 *
 * Thread safety: every function may be called from any thread; each thread gets its own GEOS
 * and PROJ contexts on first use, freed when the thread exits (or by geo_thread_end()). A struct
 * geo may be made in one thread and used or freed in another, but by one thread at a time: GEOS
 * does not promise concurrent reads of one geometry, so give each thread its own (geo_clone).
 * GEOS's and PROJ's messages never reach stderr.
 */
#ifndef WORKFLOWS_GEO_H
#define WORKFLOWS_GEO_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#include "lib/error.h"

enum geo_kind { GEO_POINT = 1, GEO_LINESTRING = 2, GEO_POLYGON = 4 };
enum geo_crs { GEO_CRS_CGCS2000, GEO_CRS_GCJ02 };

/* One geometry, in lon/lat with its projected copy. Opaque; free with geo_free. */
struct geo;

struct geo_bbox {
	double min_lng, min_lat, max_lng, max_lat;
};

/*
 * The crs a request names: absent (NULL or null), "CGCS2000", "EPSG:4490", "WGS84", "EPSG:4326"
 * are GEO_CRS_CGCS2000; "GCJ-02" is GEO_CRS_GCJ02. 0, or ERR_INVALID with a detail at `field`
 * ("not_allowed", or "wrong_type" when not text); err->message is set only if it was empty.
 */
int geo_crs_parse(const json_t *value, const char *field, enum geo_crs *out, struct error *err);

/*
 * Parses a GeoJSON geometry object ({"type": "LineString", "coordinates": [...]}) whose type is
 * one of `allowed` (GEO_* bits), converting from crs. Every problem is added to err as a detail
 * under `field` (e.g. "works.excavations[0].geometry" or ".coordinates[3]"): not an object,
 * unknown or disallowed type, coordinates not numbers, longitude/latitude out of range, fewer
 * than two distinct points in a line, a ring not closed or of fewer than four points,
 * self-intersection (code "self_intersecting", naming where). Returns 0 and *out, or
 * ERR_INVALID (err->code set, *out NULL).
 *
 * Codes, each detail at `field` + the part: "required" (geometry, .type, .coordinates),
 * "wrong_type" (not an object, type not text, a position not [number, number(, number)]),
 * "not_allowed" (.type not in `allowed`), "out_of_range" (.coordinates[i]: longitude outside
 * -180..180, latitude outside -90..90), "empty", "too_many_points" (over 100000 positions),
 * "too_few_points" (a line, or ring .coordinates[r]), "not_closed" (.coordinates[r]),
 * "self_intersecting" (a line crossing or touching itself, a polygon's rings crossing, with the
 * place in the message, in the crs given), "invalid" (another GEOS reason, e.g. a hole outside
 * its shell). err->message is set only when empty, so a caller collecting the problems of a
 * whole request keeps its own. err may be NULL. Positions may carry a third number (ignored).
 */
int geo_parse(const json_t *geometry, enum geo_crs crs, unsigned allowed, const char *field,
	      struct geo **out, struct error *err);

/*
 * From well-known text in lon/lat (as stored, ST_AsText). NULL when the text does not parse, is
 * empty, is not a point, line or polygon, or has a coordinate outside -180..180 / -90..90.
 * Validity is not checked again (what is stored was checked on the way in). Caller frees.
 */
struct geo *geo_from_wkt(const char *wkt);
/* A copy. */
struct geo *geo_clone(const struct geo *g);
void geo_free(struct geo *g);

enum geo_kind geo_kind_of(const struct geo *g);
const char *geo_kind_name(enum geo_kind kind); /* "Point", "LineString", "Polygon" */

/* Well-known text in lon/lat, 7 decimals (about 1 cm), for ST_GeomFromText. Owned by caller. */
char *geo_wkt(const struct geo *g);
/* RFC 7946 geometry object, 7 decimals; polygons' exterior rings counter-clockwise. */
json_t *geo_geojson(const struct geo *g);
void geo_bounds(const struct geo *g, struct geo_bbox *out);
/* A representative point (the point itself, a line's middle, a polygon's interior point). */
void geo_anchor(const struct geo *g, double *lng, double *lat);

/* Length in metres (EPSG:4549): a line's length; a polygon's longer side of its minimum
 * rotated rectangle; 0 for a point. */
double geo_length_m(const struct geo *g);
/* Area in square metres (EPSG:4549); 0 for points and lines. */
double geo_area_m2(const struct geo *g);
/* Shortest distance in metres between the two. */
double geo_distance_m(const struct geo *a, const struct geo *b);

/* True when a lies wholly inside b (GEOS covers: on the boundary counts as inside). */
bool geo_within(const struct geo *a, const struct geo *b);
/* True when a and b come within buffer_m metres of each other (0: they intersect). */
bool geo_near(const struct geo *a, const struct geo *b, double buffer_m);
/*
 * The share (0..1) of a that lies within buffer_m metres of b: by length for a line, by area for
 * a polygon, 1 or 0 for a point. Used to find the register roads an excavation lies on.
 */
double geo_share_near(const struct geo *a, const struct geo *b, double buffer_m);
/*
 * Where a and b come together: the intersection of a's and b's buffers of buffer_m metres, in
 * lon/lat (a polygon), or NULL when the buffers do not meet (or buffer_m <= 0). Where they meet
 * in several places, the convex hull of those places. The shared extent of a trench share.
 * Caller frees.
 */
struct geo *geo_shared_extent(const struct geo *a, const struct geo *b, double buffer_m);
/*
 * geo_shared_extent for many b against one a, with a's buffer made once: zone_a is
 * geo_buffer(a, buffer_m) (NULL gives NULL).
 */
struct geo *geo_shared_extent_in(const struct geo *a, const struct geo *zone_a,
				 const struct geo *b, double buffer_m);
/* The buffer of g by metres, in lon/lat (a polygon); NULL when empty (metres <= 0 for a point
 * or line, or a polygon shrunk away). Caller frees. */
struct geo *geo_buffer(const struct geo *g, double metres);

/*
 * GCJ-02 <-> CGCS2000/WGS84 for a point inside China (outside China GCJ-02 equals WGS84). The
 * forward offset is the published closed form; the inverse iterates it to under 1e-9 degree.
 * Checked against the npm package gcoord (tests/data/gcoord_grid.sh).
 */
void geo_gcj02_to_wgs84(double lng, double lat, double *out_lng, double *out_lat);
void geo_wgs84_to_gcj02(double lng, double lat, double *out_lng, double *out_lat);

/* Frees this thread's GEOS and PROJ contexts now (they are made again on next use). */
void geo_thread_end(void);

#endif
