/*
 * Tests for demo/fuzhou.c and the district boundaries of migrations/0009_fuzhou_districts.sql:
 * the polygons are valid and tile without overlap, the central districts have about their real
 * size, real landmarks fall in their real district, and the demo tables agree with the
 * polygons (roads mostly in their district, sites and zones inside theirs, digs on their road,
 * one junction and one pair of parallel roads 30 m apart). GEOS decides; metres come from a
 * sinusoidal (equal-area) projection about 119.3E, good to well under 1% across the city.
 */
#define _GNU_SOURCE
#include <criterion/criterion.h>
#include <geos_c.h>
#include <math.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "demo/fuzhou.h"

#define MAX_DISTRICTS 32

static GEOSContextHandle_t ctx;
static struct {
	char code[16];
	GEOSGeometry *g;  /* lon/lat */
	GEOSGeometry *gm; /* metres */
} dists[MAX_DISTRICTS];
static size_t ndists;
static GEOSGeometry *city; /* the union of every district */

static void geos_message(const char *fmt, ...)
{
	(void)fmt;
}

static int to_metres(double *x, double *y, void *userdata)
{
	(void)userdata;
	const double r = 6371008.8, rad = M_PI / 180.0;
	*x = r * (*x - 119.3) * rad * cos(*y * rad);
	*y = r * *y * rad;
	return 1;
}

static GEOSGeometry *metres(const GEOSGeometry *g)
{
	GEOSGeometry *m = GEOSGeom_transformXY_r(ctx, g, to_metres, NULL);
	cr_assert(m, "projecting to metres");
	return m;
}

static GEOSGeometry *wkt(const char *text)
{
	GEOSWKTReader *r = GEOSWKTReader_create_r(ctx);
	GEOSGeometry *g = GEOSWKTReader_read_r(ctx, r, text);
	GEOSWKTReader_destroy_r(ctx, r);
	return g;
}

static GEOSGeometry *point(double lng, double lat)
{
	return GEOSGeom_createPointFromXY_r(ctx, lng, lat);
}

/* migrations/0009 from $PORTAL_MIGRATIONS, or beside this source file (__FILE__ is absolute). */
static char *migration_text(void)
{
	char *path;
	const char *dir = getenv("PORTAL_MIGRATIONS");
	if (dir && *dir) {
		cr_assert(asprintf(&path, "%s/0009_fuzhou_districts.sql", dir) > 0);
	} else {
		const char *me = __FILE__, *tail = strstr(me, "tests/demo/test_fuzhou.c");
		cr_assert(tail, "cannot locate the source tree from %s", me);
		cr_assert(asprintf(&path, "%.*smigrations/0009_fuzhou_districts.sql",
				   (int)(tail - me), me) > 0);
	}
	FILE *f = fopen(path, "rb");
	cr_assert(f, "cannot read %s", path);
	free(path);
	char *buf = NULL;
	size_t len = 0;
	FILE *mem = open_memstream(&buf, &len);
	char chunk[4096];
	size_t n;
	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0)
		fwrite(chunk, 1, n, mem);
	fclose(f);
	fclose(mem);
	return buf;
}

/* Each row of the INSERT: ('3501NN', ..., ST_GeomFromText('POLYGON((...))')). */
static void load_districts(void)
{
	char *text = migration_text();
	const char *p = text;
	while ((p = strstr(p, "('35")) != NULL) {
		const char *end = strchr(p + 2, '\'');
		const char *geom = strstr(p, "ST_GeomFromText('");
		cr_assert(end && geom && ndists < MAX_DISTRICTS, "malformed district row");
		geom += strlen("ST_GeomFromText('");
		const char *close = strchr(geom, '\'');
		cr_assert(close);
		snprintf(dists[ndists].code, sizeof(dists[ndists].code), "%.*s", (int)(end - p - 2),
			 p + 2);
		char *w = strndup(geom, (size_t)(close - geom));
		dists[ndists].g = wkt(w);
		cr_assert(dists[ndists].g, "district %s: WKT does not parse", dists[ndists].code);
		free(w);
		dists[ndists].gm = metres(dists[ndists].g);
		ndists++;
		p = close;
	}
	free(text);
}

static void setup(void)
{
	ctx = GEOS_init_r();
	GEOSContext_setNoticeHandler_r(ctx, geos_message);
	GEOSContext_setErrorHandler_r(ctx, geos_message);
	load_districts();
	/* made valid first, so an invalid polygon fails polygons_are_valid, not every test */
	GEOSGeometry *parts[MAX_DISTRICTS];
	for (size_t i = 0; i < ndists; i++)
		parts[i] = GEOSMakeValid_r(ctx, dists[i].g);
	GEOSGeometry *all =
	    GEOSGeom_createCollection_r(ctx, GEOS_GEOMETRYCOLLECTION, parts, (unsigned)ndists);
	city = GEOSUnaryUnion_r(ctx, all);
	GEOSGeom_destroy_r(ctx, all);
	cr_assert(city, "the union of the districts");
}

static void teardown(void)
{
	for (size_t i = 0; i < ndists; i++) {
		GEOSGeom_destroy_r(ctx, dists[i].g);
		GEOSGeom_destroy_r(ctx, dists[i].gm);
	}
	ndists = 0;
	if (city)
		GEOSGeom_destroy_r(ctx, city);
	city = NULL;
	GEOS_finish_r(ctx);
}

TestSuite(fuzhou, .init = setup, .fini = teardown);

static int district_index(const char *code)
{
	for (size_t i = 0; i < ndists; i++)
		if (!strcmp(dists[i].code, code))
			return (int)i;
	return -1;
}

static bool known_district(const char *code)
{
	for (size_t i = 0; i < fz_ndistricts; i++)
		if (!strcmp(fz_districts[i].code, code))
			return true;
	return false;
}

/* The districts a point lies in (covers: on a border counts for both). */
static int districts_of(double lng, double lat, char *out, size_t cap)
{
	GEOSGeometry *pt = point(lng, lat);
	int n = 0;
	out[0] = 0;
	for (size_t i = 0; i < ndists; i++)
		if (GEOSCovers_r(ctx, dists[i].g, pt) == 1) {
			size_t len = strlen(out);
			snprintf(out + len, cap - len, "%s%s", n ? " " : "", dists[i].code);
			n++;
		}
	GEOSGeom_destroy_r(ctx, pt);
	return n;
}

Test(fuzhou, migration_has_the_thirteen_districts)
{
	cr_assert_eq(fz_ndistricts, 13);
	cr_assert_eq(ndists, 13, "the migration has %zu polygons", ndists);
	for (size_t i = 0; i < fz_ndistricts; i++)
		cr_expect_geq(district_index(fz_districts[i].code), 0, "no polygon for %s",
			      fz_districts[i].code);
	for (size_t i = 0; i < ndists; i++)
		for (size_t j = i + 1; j < ndists; j++)
			cr_expect_str_neq(dists[i].code, dists[j].code);
}

Test(fuzhou, polygons_are_valid)
{
	for (size_t i = 0; i < ndists; i++) {
		cr_expect_eq(GEOSGeomTypeId_r(ctx, dists[i].g), GEOS_POLYGON, "%s", dists[i].code);
		char *why = GEOSisValidReason_r(ctx, dists[i].g);
		cr_expect_eq(GEOSisValid_r(ctx, dists[i].g), 1, "%s: %s", dists[i].code, why);
		GEOSFree_r(ctx, why);
		int n = GEOSGetNumCoordinates_r(ctx, dists[i].g);
		cr_expect(n >= 10 && n <= 80, "%s has %d vertices", dists[i].code, n);
	}
}

/* No two overlap, and the mainland ones leave no gap: their union is one polygon, no holes. */
Test(fuzhou, polygons_tile)
{
	for (size_t i = 0; i < ndists; i++)
		for (size_t j = i + 1; j < ndists; j++) {
			GEOSGeometry *x = GEOSIntersection_r(ctx, dists[i].g, dists[j].g);
			double a = 0;
			GEOSArea_r(ctx, x, &a);
			cr_expect_lt(a, 1e-12, "%s and %s overlap (%g square degrees)",
				     dists[i].code, dists[j].code, a);
			cr_expect_neq(GEOSOverlaps_r(ctx, dists[i].g, dists[j].g), 1,
				      "%s overlaps %s", dists[i].code, dists[j].code);
			GEOSGeom_destroy_r(ctx, x);
		}
	cr_assert_eq(GEOSGeomTypeId_r(ctx, city), GEOS_MULTIPOLYGON, "mainland and Pingtan");
	cr_assert_eq(GEOSGetNumGeometries_r(ctx, city), 2, "mainland and Pingtan island");
	for (int k = 0; k < 2; k++)
		cr_expect_eq(GEOSGetNumInteriorRings_r(ctx, GEOSGetGeometryN_r(ctx, city, k)), 0,
			     "a gap between districts");
}

/* Areas in km² roughly as the real ones (the central districts close to theirs). */
Test(fuzhou, areas_are_about_right)
{
	static const struct {
		const char *code;
		double min, max;
	} cases[] = {
	    {"350102", 30, 42},	    /* Gulou, 36 */
	    {"350103", 14, 22},	    /* Taijiang, 18 */
	    {"350104", 110, 200},   /* Cangshan, 142 */
	    {"350105", 180, 330},   /* Mawei, 254 */
	    {"350111", 400, 700},   /* Jin'an, 552 */
	    {"350112", 500, 850},   /* Changle, 658 */
	    {"350121", 1600, 2700}, /* Minhou, 2136 */
	    {"350122", 900, 1500},  /* Lianjiang, 1191 */
	    {"350123", 800, 1400},  /* Luoyuan, 1082 */
	    {"350124", 1100, 1900}, /* Minqing, 1466 */
	    {"350125", 1700, 2900}, /* Yongtai, 2241 */
	    {"350128", 200, 500},   /* Pingtan, 392 with the small islands */
	    {"350181", 1200, 2100}, /* Fuqing, 1519 */
	};
	for (size_t c = 0; c < sizeof(cases) / sizeof(cases[0]); c++) {
		int i = district_index(cases[c].code);
		cr_assert_geq(i, 0, "%s", cases[c].code);
		double a = 0;
		GEOSArea_r(ctx, dists[i].gm, &a);
		a /= 1e6;
		cr_expect(a >= cases[c].min && a <= cases[c].max, "%s is %.1f km², not %g-%g",
			  cases[c].code, a, cases[c].min, cases[c].max);
	}
}

/* Real places (approximate positions), each in exactly its district. */
Test(fuzhou, landmarks_are_in_their_district)
{
	static const struct {
		const char *name;
		double lng, lat;
		const char *district;
	} cases[] = {
	    {"五一广场", 119.3035, 26.0787, "350102"},
	    {"福州火车站", 119.318, 26.110, "350111"},
	    {"台江万达/中亭街", 119.297, 26.057, "350103"},
	    {"仓山万达", 119.273, 26.040, "350104"},
	    {"马尾造船厂", 119.45, 25.99, "350105"},
	    {"福清市政府", 119.376, 25.720, "350181"},
	    {"长乐机场", 119.66, 25.93, "350112"},
	    {"平潭县城", 119.79, 25.50, "350128"},
	    {"闽侯县城甘蔗", 119.13, 26.15, "350121"},
	    {"连江县城", 119.54, 26.20, "350122"},
	    {"罗源县城", 119.55, 26.49, "350123"},
	    {"闽清县城", 118.86, 26.22, "350124"},
	    {"永泰县城", 118.94, 25.87, "350125"},
	};
	char in[128];
	for (size_t c = 0; c < sizeof(cases) / sizeof(cases[0]); c++) {
		int n = districts_of(cases[c].lng, cases[c].lat, in, sizeof(in));
		cr_expect(n == 1 && !strcmp(in, cases[c].district), "%s is in [%s], not %s",
			  cases[c].name, in, cases[c].district);
	}
	for (size_t i = 0; i < fz_nlandmarks; i++) {
		const struct fz_landmark *l = &fz_landmarks[i];
		int n = districts_of(l->lng, l->lat, in, sizeof(in));
		cr_expect(n == 1 && !strcmp(in, l->district), "landmark %s is in [%s], not %s",
			  l->name_zh, in, l->district);
	}
}

static const struct fz_road *road(const char *id)
{
	for (size_t i = 0; i < fz_nroads; i++)
		if (!strcmp(fz_roads[i].id, id))
			return &fz_roads[i];
	return NULL;
}

static bool one_of(const char *s, const char *const *set)
{
	for (; *set; set++)
		if (!strcmp(s, *set))
			return true;
	return false;
}

Test(fuzhou, roads_are_well_formed)
{
	static const char *const classes[] = {"expressway", "primary", "secondary", "branch", NULL};
	cr_assert_geq(fz_nroads, 12);
	size_t branch = 0, fuqing = 0;
	for (size_t i = 0; i < fz_nroads; i++) {
		const struct fz_road *r = &fz_roads[i];
		cr_expect(r->id && strlen(r->id) <= 32 && !strncmp(r->id, "FZ-", 3), "id %s",
			  r->id);
		for (size_t j = i + 1; j < fz_nroads; j++)
			cr_expect_str_neq(r->id, fz_roads[j].id, "duplicate road id");
		cr_expect(*r->name_zh && *r->name_en, "%s: names", r->id);
		cr_expect(r->aliases && r->aliases[0], "%s: no aliases", r->id);
		for (const char *const *a = r->aliases; a && *a; a++)
			cr_expect(**a, "%s: an empty alias", r->id);
		cr_expect(one_of(r->road_class, classes), "%s: class %s", r->id, r->road_class);
		cr_expect(known_district(r->district), "%s: district %s", r->id, r->district);
		branch += !strcmp(r->road_class, "branch");
		fuqing += !strcmp(r->district, "350181");

		GEOSGeometry *g = wkt(r->centreline);
		cr_assert(g, "%s: centreline does not parse", r->id);
		cr_expect_eq(GEOSGeomTypeId_r(ctx, g), GEOS_LINESTRING, "%s", r->id);
		int n = GEOSGetNumCoordinates_r(ctx, g);
		cr_expect(n >= 4 && n <= 15, "%s: %d vertices", r->id, n);
		cr_expect_eq(GEOSisSimple_r(ctx, g), 1, "%s crosses itself", r->id);
		cr_expect_eq(GEOSCoveredBy_r(ctx, g, city), 1, "%s leaves the city", r->id);

		/* mostly in its district: at least half its length */
		int d = district_index(r->district);
		cr_assert_geq(d, 0);
		GEOSGeometry *in = GEOSIntersection_r(ctx, g, dists[d].g);
		double all = 0, part = 0;
		GEOSLength_r(ctx, g, &all);
		GEOSLength_r(ctx, in, &part);
		cr_expect_geq(part / all, 0.5, "%s: only %.0f%% in %s", r->id, 100 * part / all,
			      r->district);
		GEOSGeom_destroy_r(ctx, in);
		GEOSGeom_destroy_r(ctx, g);
	}
	cr_expect_geq(branch, 2, "at least two branch roads");
	cr_expect_geq(fuqing, 1, "at least one road in Fuqing");
}

Test(fuzhou, a_junction_and_a_parallel_pair)
{
	const struct fz_road *a = road(fz_junction_roads[0]), *b = road(fz_junction_roads[1]);
	cr_assert(a && b, "junction roads in the register");
	GEOSGeometry *ga = wkt(a->centreline), *gb = wkt(b->centreline);
	cr_expect_eq(GEOSIntersects_r(ctx, ga, gb), 1, "%s and %s do not meet", a->id, b->id);
	GEOSGeom_destroy_r(ctx, ga);
	GEOSGeom_destroy_r(ctx, gb);

	a = road(fz_parallel_roads[0]);
	b = road(fz_parallel_roads[1]);
	cr_assert(a && b, "parallel roads in the register");
	ga = wkt(a->centreline);
	gb = wkt(b->centreline);
	GEOSGeometry *ma = metres(ga), *mb = metres(gb);
	double near = 0, far = 0;
	GEOSDistance_r(ctx, ma, mb, &near);
	GEOSHausdorffDistance_r(ctx, ma, mb, &far);
	cr_expect(near >= 25 && far <= 35, "%s and %s are %.1f-%.1f m apart, not 25-35", a->id,
		  b->id, near, far);
	GEOSGeom_destroy_r(ctx, ga);
	GEOSGeom_destroy_r(ctx, gb);
	GEOSGeom_destroy_r(ctx, ma);
	GEOSGeom_destroy_r(ctx, mb);
}

Test(fuzhou, zones_lie_in_their_district)
{
	cr_assert(fz_nzones >= 2 && fz_nzones <= 4);
	size_t low = 0;
	for (size_t i = 0; i < fz_nzones; i++) {
		const struct fz_zone *z = &fz_zones[i];
		for (size_t j = i + 1; j < fz_nzones; j++)
			cr_expect_str_neq(z->code, fz_zones[j].code);
		cr_expect(!strcmp(z->risk, "low") || !strcmp(z->risk, "medium"), "%s: %s", z->code,
			  z->risk);
		GEOSGeometry *g = wkt(z->area);
		cr_assert(g, "%s: area does not parse", z->code);
		cr_expect_eq(GEOSGeomTypeId_r(ctx, g), GEOS_POLYGON, "%s", z->code);
		cr_expect_eq(GEOSisValid_r(ctx, g), 1, "%s invalid", z->code);
		cr_expect_eq(GEOSCoveredBy_r(ctx, g, city), 1, "%s leaves the city", z->code);
		int d = district_index(z->district);
		cr_assert_geq(d, 0, "%s: district %s", z->code, z->district);
		cr_expect_eq(GEOSCoveredBy_r(ctx, g, dists[d].g), 1, "%s not in %s", z->code,
			     z->district);
		if (!strcmp(z->risk, "low")) {
			/* a low zone covers a stretch of a branch road (the fast track's case) */
			bool branch = false;
			low++;
			for (size_t r = 0; r < fz_nroads; r++) {
				if (strcmp(fz_roads[r].road_class, "branch"))
					continue;
				GEOSGeometry *l = wkt(fz_roads[r].centreline);
				branch |= GEOSIntersects_r(ctx, g, l) == 1;
				GEOSGeom_destroy_r(ctx, l);
			}
			cr_expect(branch, "%s covers no branch road", z->code);
		}
		GEOSGeom_destroy_r(ctx, g);
	}
	cr_expect_geq(low, 2);
}

Test(fuzhou, sites_and_their_digs)
{
	cr_assert(fz_nsites >= 4 && fz_nsites <= 8);
	char in[128];
	for (size_t i = 0; i < fz_nsites; i++) {
		const struct fz_site *s = &fz_sites[i];
		cr_expect(*s->name_zh && *s->name_en && *s->address_zh && *s->address_en);
		int n = districts_of(s->lng, s->lat, in, sizeof(in));
		cr_expect(n == 1 && !strcmp(in, s->district), "site %s is in [%s], not %s",
			  s->name_en, in, s->district);
		const struct fz_road *r = road(s->road_id);
		cr_assert(r, "%s: road %s not in the register", s->name_en, s->road_id);
		GEOSGeometry *dig = wkt(s->dig), *line = wkt(r->centreline);
		cr_assert(dig, "%s: dig does not parse", s->name_en);
		cr_expect_eq(GEOSGeomTypeId_r(ctx, dig), GEOS_LINESTRING, "%s", s->name_en);
		cr_expect_geq(GEOSGetNumCoordinates_r(ctx, dig), 2, "%s", s->name_en);
		int d = district_index(s->district);
		cr_assert_geq(d, 0);
		cr_expect_eq(GEOSCoveredBy_r(ctx, dig, dists[d].g), 1, "%s: dig leaves %s",
			     s->name_en, s->district);
		/* on its road: every point of the dig within a metre of the centreline */
		GEOSGeometry *md = metres(dig), *ml = metres(line);
		double len = 0, plot = 0;
		GEOSGeometry *near = GEOSBuffer_r(ctx, ml, 1.0, 8);
		cr_expect_eq(GEOSCoveredBy_r(ctx, md, near), 1, "%s: dig is off %s", s->name_en,
			     r->id);
		GEOSLength_r(ctx, md, &len);
		cr_expect(len >= 20 && len <= 1000, "%s: dig %.0f m", s->name_en, len);
		GEOSGeometry *pt = point(s->lng, s->lat), *mp = metres(pt);
		GEOSDistance_r(ctx, mp, md, &plot);
		cr_expect_leq(plot, 200, "%s: plot %.0f m from its dig", s->name_en, plot);
		GEOSGeom_destroy_r(ctx, near);
		GEOSGeom_destroy_r(ctx, pt);
		GEOSGeom_destroy_r(ctx, mp);
		GEOSGeom_destroy_r(ctx, md);
		GEOSGeom_destroy_r(ctx, ml);
		GEOSGeom_destroy_r(ctx, dig);
		GEOSGeom_destroy_r(ctx, line);
	}
}

Test(fuzhou, service_areas_route)
{
	static const char *const kinds[] = {"water", "power", "gas", "heat", "network", NULL};
	for (size_t i = 0; i < fz_nservice_areas; i++) {
		const struct fz_service_area *a = &fz_service_areas[i];
		cr_expect(*a->org, "an organisation's name");
		cr_expect(one_of(a->kind, kinds), "%s: kind %s", a->org, a->kind);
		cr_expect(a->districts[0], "%s serves nowhere", a->org);
		for (const char *const *c = a->districts; *c; c++) {
			cr_expect(known_district(*c), "%s: district %s", a->org, *c);
			for (const char *const *e = c + 1; *e; e++)
				cr_expect_str_neq(*c, *e, "%s lists %s twice", a->org, *c);
		}
	}
	/* per district: power everywhere, at most one water company, a choice of carriers in town
	 */
	static const struct {
		const char *district, *kind;
		int min, max;
	} cases[] = {
	    {"350102", "water", 1, 1},	 {"350181", "water", 1, 1},   {"350123", "water", 0, 0},
	    {"350102", "network", 4, 4}, {"350128", "network", 2, 3}, {"350102", "gas", 1, 1},
	};
	for (size_t c = 0; c < sizeof(cases) / sizeof(cases[0]); c++) {
		int n = 0;
		for (size_t i = 0; i < fz_nservice_areas; i++)
			if (!strcmp(fz_service_areas[i].kind, cases[c].kind))
				n += one_of(cases[c].district, fz_service_areas[i].districts);
		cr_expect(n >= cases[c].min && n <= cases[c].max, "%s in %s: %d organisations",
			  cases[c].kind, cases[c].district, n);
	}
	for (size_t d = 0; d < fz_ndistricts; d++) {
		int power = 0, water = 0;
		for (size_t i = 0; i < fz_nservice_areas; i++) {
			const struct fz_service_area *a = &fz_service_areas[i];
			bool here = one_of(fz_districts[d].code, a->districts);
			power += here && !strcmp(a->kind, "power");
			water += here && !strcmp(a->kind, "water");
		}
		cr_expect_eq(power, 1, "power in %s", fz_districts[d].code);
		cr_expect_leq(water, 1, "water in %s", fz_districts[d].code);
	}
	/* the Fuqing site's water goes to Fuqing's company, the Gulou ones' to the city's */
	for (size_t s = 0; s < fz_nsites; s++)
		for (size_t i = 0; i < fz_nservice_areas; i++) {
			const struct fz_service_area *a = &fz_service_areas[i];
			if (strcmp(a->kind, "water") || !one_of(fz_sites[s].district, a->districts))
				continue;
			cr_expect_eq(!strcmp(fz_sites[s].district, "350181"),
				     strstr(a->org, "Fuqing") != NULL, "%s: water by %s",
				     fz_sites[s].name_en, a->org);
		}
}
