/*
 * The demo's place (issue #19): the roads bureau's register of Fuzhou roads, the office's risk
 * zones and where each demo utility serves, from demo/fuzhou.c. Safe to run twice: what is
 * published already is left alone (a register or zone is immutable; a new one is a version).
 */
#define _GNU_SOURCE
#include "portal/seed_place.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "demo/fuzhou.h"
#include "lib/xalloc.h"
#include "portal/admin.h"
#include "store/accounts.h"
#include "store/place.h"
#include "store/place_publish.h"
#include "store/rows.h"
#include "workflows/application.h"
#include "workflows/geo.h"

#define ROADS_ORG "Urban Management Bureau, Roads (demo)"

/* The aliases as a JSON array's text. */
static char *aliases_json(const char *const *aliases)
{
	json_t *a = json_array();
	for (size_t i = 0; aliases && aliases[i]; i++)
		json_array_append_new(a, json_string(aliases[i]));
	char *text = json_dumps(a, JSON_COMPACT);
	json_decref(a);
	return text;
}

static int seed_register(struct store_conn *c, day_t from, struct error *err)
{
	long long org = 0;
	int rc = store_org_by_name(c, ROADS_ORG, &org, err);
	if (rc)
		return rc;
	struct road_query q = { .org_id = org, .day = from + 36500 };
	struct road_row *have = NULL;
	size_t nhave = 0;
	rc = store_roads_list(c, &q, &have, &nhave, err);
	store_roads_free(have, nhave);
	if (rc || nhave)
		return rc;
	struct road_row *rows = xcalloc(fz_nroads + 1, sizeof(*rows));
	for (size_t i = 0; i < fz_nroads; i++) {
		const struct fz_road *r = &fz_roads[i];
		struct geo *g = geo_from_wkt(r->centreline);
		snprintf(rows[i].road_id, sizeof(rows[i].road_id), "%s", r->id);
		rows[i].name_zh = (char *)r->name_zh;
		rows[i].name_en = (char *)r->name_en;
		rows[i].aliases = aliases_json(r->aliases);
		snprintf(rows[i].road_class, sizeof(rows[i].road_class), "%s", r->road_class);
		snprintf(rows[i].district, sizeof(rows[i].district), "%s", r->district);
		rows[i].length_m = g ? (int)(geo_length_m(g) + 0.5) : 0;
		rows[i].wkt = (char *)r->centreline;
		geo_free(g);
	}
	int version = 0;
	rc = store_road_register_publish(c, org, 0, from, rows, fz_nroads, &version, err);
	for (size_t i = 0; i < fz_nroads; i++)
		free(rows[i].aliases);
	free(rows);
	return rc;
}

static int seed_zones(struct store_conn *c, day_t from, struct error *err)
{
	struct zone_row *have = NULL;
	size_t nhave = 0;
	int rc = store_risk_zones_on(c, from + 36500, &have, &nhave, err);
	for (size_t i = 0; !rc && i < fz_nzones; i++) {
		bool there = false;
		for (size_t k = 0; k < nhave; k++)
			there = there || strcmp(have[k].code, fz_zones[i].code) == 0;
		if (there)
			continue;
		struct zone_row z = { .version = 0,
				      .name_zh = (char *)fz_zones[i].name_zh,
				      .name_en = (char *)fz_zones[i].name_en,
				      .effective_from = from,
				      .effective_to = -1,
				      .wkt = (char *)fz_zones[i].area };
		snprintf(z.code, sizeof(z.code), "%s", fz_zones[i].code);
		snprintf(z.risk, sizeof(z.risk), "%s", fz_zones[i].risk);
		int version = 0;
		rc = store_risk_zone_publish(c, &z, 0, &version, err);
	}
	store_zones_free(have, nhave);
	return rc;
}

static int seed_areas(struct store_conn *c, struct error *err)
{
	int rc = 0;
	for (size_t i = 0; !rc && i < fz_nservice_areas; i++) {
		const struct fz_service_area *a = &fz_service_areas[i];
		long long org = 0;
		rc = store_org_by_name(c, a->org, &org, err);
		if (rc == ERR_NOT_FOUND) { /* a demo organisation renamed or left out: skip it */
			error_release(err);
			rc = 0;
			continue;
		}
		struct place_context have = { 0 };
		if (!rc)
			rc = store_place_areas(c, org, &have, err);
		bool there = false;
		for (size_t k = 0; k < have.nareas; k++)
			there = there || strcmp(utility_kind_name(have.areas[k].kind), a->kind) == 0;
		place_context_release(&have);
		if (rc || there)
			continue;
		size_t n = 0;
		while (a->districts[n])
			n++;
		rc = store_service_areas_replace(c, org, a->kind, a->districts, n, NULL, 0, err);
	}
	return rc;
}

struct seed {
	day_t from;
};

static int seed_tx(struct store_conn *c, void *ctx, struct error *err)
{
	struct seed *s = ctx;
	int rc = seed_register(c, s->from, err);
	if (!rc)
		rc = seed_zones(c, s->from, err);
	if (!rc)
		rc = seed_areas(c, err);
	return rc;
}

int seed_place(struct store_pool *pool, FILE *progress, const struct seed_options *o)
{
	if (progress)
		fputs("seed-demo: Fuzhou's road register, risk zones and service areas\n", progress);
	struct seed s = { o->published_from };
	struct error err = ERROR_INIT;
	int rc = store_tx(pool, seed_tx, &s, &err);
	if (rc)
		fprintf(stderr, "seed-demo: place: %s\n", err.message);
	error_release(&err);
	return rc;
}
