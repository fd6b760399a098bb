/* Place rules: districts, register roads, risk zones and service areas on real geometry. */
#include "place.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void place_context_release(struct place_context *ctx)
{
	for (size_t i = 0; i < ctx->ndistricts; i++) {
		free(ctx->districts[i].name_zh);
		free(ctx->districts[i].name_en);
		free(ctx->districts[i].kind);
		geo_free(ctx->districts[i].boundary);
	}
	for (size_t i = 0; i < ctx->nroads; i++) {
		free(ctx->roads[i].name_zh);
		free(ctx->roads[i].name_en);
		geo_free(ctx->roads[i].centreline);
	}
	for (size_t i = 0; i < ctx->nzones; i++) {
		free(ctx->zones[i].name_zh);
		free(ctx->zones[i].name_en);
		geo_free(ctx->zones[i].area);
	}
	for (size_t i = 0; i < ctx->nareas; i++) {
		free(ctx->areas[i].org_name);
		geo_free(ctx->areas[i].area);
	}
	free(ctx->districts);
	free(ctx->roads);
	free(ctx->zones);
	free(ctx->areas);
	memset(ctx, 0, sizeof(*ctx));
}

double place_corridor_m(const char *road_class)
{
	static const struct {
		const char *name;
		double m;
	} widths[] = { { "expressway", 30 }, { "primary", 25 }, { "secondary", 15 }, { "branch", 10 } };
	for (size_t i = 0; road_class && i < sizeof(widths) / sizeof(widths[0]); i++)
		if (strcmp(road_class, widths[i].name) == 0)
			return widths[i].m;
	return 10;
}

const struct place_district *place_district_find(const struct place_context *ctx,
						 const char *code)
{
	for (size_t i = 0; code && i < ctx->ndistricts; i++)
		if (strcmp(ctx->districts[i].code, code) == 0)
			return &ctx->districts[i];
	return NULL;
}

const struct place_district *place_district_of(const struct place_context *ctx,
					       const struct geo *g,
					       const struct place_district **partly)
{
	const struct place_district *most = NULL;
	double best = 0;
	for (size_t i = 0; i < ctx->ndistricts; i++) {
		const struct place_district *d = &ctx->districts[i];
		if (!d->boundary)
			continue;
		if (geo_within(g, d->boundary)) {
			if (partly)
				*partly = d;
			return d;
		}
		if (partly) {
			double share = geo_share_near(g, d->boundary, 0);
			if (share > best) {
				best = share;
				most = d;
			}
		}
	}
	if (partly)
		*partly = most;
	return NULL;
}

bool place_in_city(const struct place_context *ctx, const struct geo *g)
{
	if (place_district_of(ctx, g, NULL))
		return true;
	/* a work across a district border: covered when the shares add up to the whole */
	double sum = 0;
	for (size_t i = 0; i < ctx->ndistricts; i++)
		if (ctx->districts[i].boundary)
			sum += geo_share_near(g, ctx->districts[i].boundary, 0);
	return sum > 0.999;
}

void place_site_check(const struct place_context *ctx, const struct geo *g, const char *stated,
		      char found[33], struct error *err)
{
	found[0] = 0;
	const struct place_district *part = NULL;
	const struct place_district *d = g ? place_district_of(ctx, g, &part) : NULL;
	const struct place_district *named = place_district_find(ctx, stated);
	if (stated && !named)
		error_add(err, "district", "unknown", "no district '%s'", stated);
	if (!g)
		return; /* nothing to place: the geometry's own problems are listed already */
	if (!d && !place_in_city(ctx, g)) {
		error_add(err, "geometry", "outside_city", "the site is %s the city's districts",
			  part ? "partly outside" : "outside");
		return;
	}
	d = d ? d : part;
	if (named && d && named != d)
		error_add(err, "district", "not_matching",
			  "the site lies in %s %s (%s), not in %s %s", d->code, d->name_zh, d->name_en,
			  named->code, named->name_zh);
	if (d)
		snprintf(found, 33, "%s", named ? named->code : d->code);
}

void place_check_district(const struct place_context *ctx, const char *code, const char *kind,
			  const struct geo *boundary, struct error *err)
{
	if (strcmp(kind, "development_zone") == 0)
		return;
	for (size_t i = 0; i < ctx->ndistricts; i++) {
		const struct place_district *d = &ctx->districts[i];
		if (!d->boundary || strcmp(d->code, code) == 0 ||
		    strcmp(d->kind, "development_zone") == 0)
			continue;
		double a = geo_share_near(boundary, d->boundary, 0);
		double b = geo_share_near(d->boundary, boundary, 0);
		if (a > PLACE_DISTRICT_OVERLAP_SHARE || b > PLACE_DISTRICT_OVERLAP_SHARE)
			error_add(err, "boundary", "overlaps",
				  "the boundary overlaps district %s (%s): %.0f%% of this one, "
				  "%.0f%% of that one",
				  d->code, d->name_zh, a * 100, b * 100);
	}
}

void place_check_road(const struct place_context *ctx, const struct geo *line,
		      const char *district, size_t i, struct error *err)
{
	const struct place_district *d = place_district_find(ctx, district);
	char f[48];
	if (!d) {
		snprintf(f, sizeof(f), "roads[%zu].district", i);
		error_add(err, f, "unknown", "no district '%s'", district);
		return;
	}
	if (!d->boundary || !line)
		return;
	double share = geo_share_near(line, d->boundary, 0);
	if (share >= PLACE_ROAD_IN_DISTRICT_SHARE)
		return;
	const struct place_district *most = NULL;
	place_district_of(ctx, line, &most);
	snprintf(f, sizeof(f), "roads[%zu].centreline", i);
	if (most)
		error_add(err, f, "outside_district",
			  "%.0f%% of the centreline lies in %s, which it names; most of it lies in "
			  "%s (%s)",
			  share * 100, d->code, most->code, most->name_zh);
	else
		error_add(err, f, "outside_district",
			  "%.0f%% of the centreline lies in %s, which it names, and the rest "
			  "outside the city",
			  share * 100, d->code);
}

const struct place_road *place_road_find(const struct place_context *ctx, const char *road_id)
{
	for (size_t i = 0; road_id && i < ctx->nroads; i++)
		if (strcmp(ctx->roads[i].road_id, road_id) == 0)
			return &ctx->roads[i];
	return NULL;
}

const struct place_road *place_road_of(const struct place_context *ctx, const struct geo *g,
				       double *share, const struct place_road **nearest,
				       double *distance_m)
{
	const struct place_road *best = NULL, *close = NULL;
	double best_share = 0, close_m = 0;
	for (size_t i = 0; i < ctx->nroads; i++) {
		const struct place_road *r = &ctx->roads[i];
		double s = geo_share_near(g, r->centreline, place_corridor_m(r->road_class));
		if (s > best_share) {
			best_share = s;
			best = r;
		}
		double d = geo_distance_m(g, r->centreline);
		if (!close || d < close_m) {
			close = r;
			close_m = d;
		}
	}
	if (share)
		*share = best_share;
	if (nearest)
		*nearest = close;
	if (distance_m)
		*distance_m = close_m;
	return best_share >= 0.5 ? best : NULL;
}

const struct place_zone *place_zone_of(const struct place_context *ctx, const struct geo *g)
{
	const struct place_zone *found = NULL;
	for (size_t i = 0; i < ctx->nzones; i++) {
		const struct place_zone *z = &ctx->zones[i];
		if (!geo_within(g, z->area))
			continue;
		if (!found || z->risk > found->risk)
			found = z;
	}
	return found;
}

size_t place_route(const struct place_context *ctx, int kind, const struct geo *g,
		   const char *district, size_t *idx, size_t cap)
{
	size_t n = 0;
	for (size_t i = 0; i < ctx->nareas; i++) {
		const struct place_area *a = &ctx->areas[i];
		if (a->kind != kind)
			continue;
		bool serves = a->area ? (g && geo_within(g, a->area))
				      : (district && strcmp(a->district, district) == 0);
		if (!serves)
			continue;
		bool seen = false;
		for (size_t j = 0; j < n; j++)
			seen = seen || ctx->areas[idx[j]].org_id == a->org_id;
		if (seen || n == cap)
			continue;
		/* in org id order */
		size_t at = n;
		while (at > 0 && ctx->areas[idx[at - 1]].org_id > a->org_id) {
			idx[at] = idx[at - 1];
			at--;
		}
		idx[at] = i;
		n++;
	}
	return n;
}
