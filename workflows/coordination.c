/* Coordination of digs: reading planned digs and the conflict rule (issue #20). */
#include "coordination.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/xalloc.h"

static void read_date(const json_t *o, const char *name, const char *at, day_t *out,
		      struct error *err)
{
	char f[64];
	snprintf(f, sizeof(f), "%s.%s", at, name);
	const json_t *v = json_object_get(o, name);
	*out = -1;
	if (!v || json_is_null(v))
		error_add(err, f, "required", "%s is required", f);
	else if (!json_is_string(v) || cal_day_parse(json_string_value(v), out, NULL)) {
		error_add(err, f, "wrong_type", "%s must be YYYY-MM-DD", f);
		*out = -1;
	}
}

static void read_dig(const json_t *o, size_t i, enum geo_crs crs, day_t today,
		     struct planned_dig_request *d, struct error *err)
{
	static const char *const allowed[] = {"geometry", "start_date", "end_date", "purpose",
					      NULL};
	char at[32], f[64];
	snprintf(at, sizeof(at), "digs[%zu]", i);
	if (!json_is_object(o)) {
		error_add(err, at, "wrong_type",
			  "a planned dig is {geometry, start_date, end_date, purpose?}");
		return;
	}
	const char *key;
	json_t *v;
	json_object_foreach((json_t *)o, key, v)
	{
		bool ok = false;
		for (size_t k = 0; allowed[k]; k++)
			ok |= !strcmp(key, allowed[k]);
		if (!ok) {
			snprintf(f, sizeof(f), "%s.%.30s", at, key);
			error_add(err, f, "unknown_field", "unknown field '%.60s'", key);
		}
	}
	snprintf(f, sizeof(f), "%s.geometry", at);
	const json_t *g = json_object_get(o, "geometry");
	if (!g || json_is_null(g))
		error_add(err, f, "required", "a planned dig is drawn as a LineString or Polygon");
	else
		geo_parse(g, crs, GEO_LINESTRING | GEO_POLYGON, f, &d->extent, err);
	read_date(o, "start_date", at, &d->start_day, err);
	read_date(o, "end_date", at, &d->end_day, err);
	if (d->start_day >= 0 && d->start_day < today) {
		snprintf(f, sizeof(f), "%s.start_date", at);
		error_add(err, f, "in_the_past", "a planned dig starts today or later");
	}
	if (d->start_day >= 0 && d->end_day >= 0) {
		snprintf(f, sizeof(f), "%s.end_date", at);
		if (d->end_day < d->start_day)
			error_add(err, f, "invalid_range", "the end is before the start");
		else if (d->end_day - d->start_day > COORDINATION_MAX_DAYS)
			error_add(err, f, "too_long", "a planned dig lasts at most %d days",
				  COORDINATION_MAX_DAYS);
	}
	const json_t *p = json_object_get(o, "purpose");
	snprintf(f, sizeof(f), "%s.purpose", at);
	if (p && (!json_is_string(p) || strlen(json_string_value(p)) > 200))
		error_add(err, f, "wrong_type", "purpose is text of at most 200 bytes");
	else if (p)
		snprintf(d->purpose, sizeof(d->purpose), "%s", json_string_value(p));
}

size_t coordination_parse_digs(const json_t *digs, enum geo_crs crs, day_t today,
			       struct planned_dig_request **out, size_t *n, struct error *err)
{
	size_t before = err->ndetails;
	*out = NULL;
	*n = 0;
	if (!digs || json_is_null(digs))
		return 0;
	if (!json_is_array(digs) || json_array_size(digs) > COORDINATION_MAX_DIGS) {
		error_add(err, "digs", "wrong_type", "digs is a list of at most %d planned digs",
			  COORDINATION_MAX_DIGS);
		return err->ndetails - before;
	}
	*out = xcalloc(json_array_size(digs) + 1, sizeof(**out));
	for (size_t i = 0; i < json_array_size(digs); i++) {
		read_dig(json_array_get(digs, i), i, crs, today, &(*out)[i], err);
		(*n)++;
	}
	return err->ndetails - before;
}

void coordination_digs_release(struct planned_dig_request *d, size_t n)
{
	for (size_t i = 0; d && i < n; i++)
		geo_free(d[i].extent);
	free(d);
}

static int days_in_month(int y, int m)
{
	static const int len[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
	bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
	return m == 2 && leap ? 29 : len[m - 1];
}

day_t coordination_add_months(day_t d, int months)
{
	int y, m, dd;
	cal_day_to_ymd(d, &y, &m, &dd);
	int total = y * 12 + (m - 1) + months;
	y = total / 12;
	m = total % 12 + 1;
	int last = days_in_month(y, m);
	return cal_day_from_ymd(y, m, dd > last ? last : dd);
}

bool coordination_pair(const struct planned_dig *x, const struct planned_dig *y, int months,
		       int *gap_days)
{
	if (!x->road_id || !*x->road_id || !y->road_id || strcmp(x->road_id, y->road_id) ||
	    x->project_id == y->project_id)
		return false;
	const struct planned_dig *first = x->start_day <= y->start_day ? x : y;
	const struct planned_dig *later = first == x ? y : x;
	if (later->start_day > coordination_add_months(first->end_day, months))
		return false;
	if (gap_days)
		*gap_days = later->start_day > first->end_day
				? (int)(later->start_day - first->end_day)
				: 0;
	return true;
}

/* A dig's sort key: by road (none last), then start day, then index in the array. */
struct dig_key {
	const char *road; /* "" for none */
	day_t start;
	size_t index;
};

static int by_road_start(const void *pa, const void *pb)
{
	const struct dig_key *a = pa, *b = pb;
	if (!*a->road != !*b->road)
		return *a->road ? -1 : 1;
	int c = strcmp(a->road, b->road);
	if (c)
		return c;
	if (a->start != b->start)
		return a->start < b->start ? -1 : 1;
	return a->index < b->index ? -1 : a->index > b->index;
}

size_t coordination_conflicts(const struct planned_dig *d, size_t n, int months,
			      struct dig_conflict *out, size_t cap)
{
	/*
	 * One pass per road over its digs by start day: a dig's partners that start after it are
	 * the next ones up to the first starting beyond `months` after its end, so the work is the
	 * sort and the pairs found, not every pair of the plan.
	 */
	struct dig_key *key = xcalloc(n + 1, sizeof(*key));
	for (size_t i = 0; i < n; i++)
		key[i] = (struct dig_key){d[i].road_id ? d[i].road_id : "", d[i].start_day, i};
	qsort(key, n, sizeof(*key), by_road_start);
	size_t found = 0;
	for (size_t i = 0; i < n; i++) {
		const struct planned_dig *x = &d[key[i].index];
		if (!x->road_id || !*x->road_id)
			break; /* the digs on no road sort last */
		day_t reach = coordination_add_months(x->end_day, months);
		for (size_t j = i + 1; j < n; j++) {
			const struct planned_dig *y = &d[key[j].index];
			if (!y->road_id || strcmp(x->road_id, y->road_id) || y->start_day > reach)
				break;
			int gap = 0;
			if (!coordination_pair(x, y, months, &gap))
				continue;
			size_t a = key[i].index < key[j].index ? key[i].index : key[j].index;
			size_t b = key[i].index < key[j].index ? key[j].index : key[i].index;
			if (found < cap)
				out[found] = (struct dig_conflict){a, b, gap};
			found++;
		}
	}
	free(key);
	return found;
}
