/*
 * The demo city, Fuzhou (福州市): its county-level divisions, a demo road register, the office's
 * demo risk zones, where the demo utilities serve, demo sites with one dig each, and landmarks.
 * Constant tables only: no I/O, no allocation; the demo seed publishes them through the API.
 *
 * Every coordinate is APPROXIMATE longitude/latitude in CGCS2000 (EPSG:4490), drawn by hand for
 * the demo from general knowledge of the city: roads follow the real ones in broad strokes, the
 * zones and the "Demo Lane" are made up. Nothing here is surveyed. The districts' boundary
 * polygons live in migrations/0009_fuzhou_districts.sql (one copy); tests/demo/test_fuzhou.c
 * checks these tables against them. Geometry is well-known text (WKT), "lng lat" order.
 */
#ifndef DEMO_FUZHOU_H
#define DEMO_FUZHOU_H

#include <stddef.h>

/* A county-level division (GB/T 2260 code); kind as in districts.kind. */
struct fz_district {
	const char *code;
	const char *name_zh;
	const char *name_en;
	const char *kind; /* "district", "county", "county_city" */
};

/* One road of the road authority's register. */
struct fz_road {
	const char *id; /* stable register id, FZ-<district>-NNNN */
	const char *name_zh;
	const char *name_en;
	const char *const *aliases; /* other names people write; NULL-terminated */
	const char *road_class;	    /* "expressway", "primary", "secondary", "branch" */
	const char *district;	    /* the district holding most of it */
	const char *centreline;	    /* WKT LINESTRING, 4-15 vertices */
};

/* A risk zone the office publishes (demo zones, made up). */
struct fz_zone {
	const char *code;
	const char *name_zh;
	const char *name_en;
	const char *risk;     /* "low", "medium" */
	const char *district; /* the district it lies in */
	const char *area;     /* WKT POLYGON */
};

/* Where one demo utility serves one kind: whole districts. */
struct fz_service_area {
	const char *org;	      /* the organisation's name, as the demo seed creates it */
	const char *kind;	      /* "water", "power", "gas", "heat", "network" */
	const char *const *districts; /* codes, NULL-terminated */
};

/* A demo site (a plot) with the dig its journey plans along a register road. */
struct fz_site {
	const char *name_zh;
	const char *name_en;
	const char *address_zh;
	const char *address_en;
	const char *district;
	double lng, lat;     /* the plot's anchor point */
	const char *road_id; /* the register road the dig lies on */
	const char *dig;     /* WKT LINESTRING on that road's centreline */
};

/* A well-known place and the district it is in (for routing examples and checks). */
struct fz_landmark {
	const char *name_zh;
	const char *name_en;
	const char *district;
	double lng, lat;
};

extern const struct fz_district fz_districts[];
extern const size_t fz_ndistricts;
extern const struct fz_road fz_roads[];
extern const size_t fz_nroads;
extern const struct fz_zone fz_zones[];
extern const size_t fz_nzones;
extern const struct fz_service_area fz_service_areas[];
extern const size_t fz_nservice_areas;
extern const struct fz_site fz_sites[];
extern const size_t fz_nsites;
extern const struct fz_landmark fz_landmarks[];
extern const size_t fz_nlandmarks;

/* Two register roads that cross at a junction (八一七路 x 东街 at 东街口). */
extern const char *const fz_junction_roads[2];
/* Two register roads that run parallel about 30 m apart (南后街 and the made-up Demo Lane). */
extern const char *const fz_parallel_roads[2];

#endif
