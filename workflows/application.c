/* Parsing, the one-time notice and the plan of a joint application. */
#define _GNU_SOURCE
#include "application.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "geo.h"
#include "place.h"
#include "standards.h"
#include "lib/xalloc.h"

static const char *const kind_names[UK_COUNT] = { "water", "power", "gas", "heat", "network" };
static const char *const kind_suffix[UK_COUNT] = { "W", "E", "G", "H", "N" };
static const char *const customer_classes[] = { "residential", "commercial", "industrial",
						"public", NULL };

const char *utility_kind_name(int kind)
{
	return kind >= 0 && kind < UK_COUNT ? kind_names[kind] : NULL;
}

int utility_kind_parse(const char *name)
{
	for (int k = 0; name && k < UK_COUNT; k++)
		if (strcmp(name, kind_names[k]) == 0)
			return k;
	return -1;
}

const char *utility_suffix(int kind)
{
	return kind >= 0 && kind < UK_COUNT ? kind_suffix[kind] : "X";
}

const char *permit_suffix(enum permit_kind kind)
{
	static const char *const s[PERMIT_KIND_COUNT] = { "DR", "GR", "PL" };
	return (unsigned)kind < PERMIT_KIND_COUNT ? s[kind] : "X";
}

void application_reference(int year, long long n, char *buf, size_t len)
{
	snprintf(buf, len, "HK-%04d-%06lld", year, n);
}

void application_job_reference(const char *app_ref, int kind, char *buf, size_t len)
{
	snprintf(buf, len, "%s-%s", app_ref, utility_suffix(kind));
}

void application_permit_reference(const struct app_plan *plan, size_t i, const char *app_ref,
				   char *buf, size_t len)
{
	enum permit_kind kind = plan->permits[i].kind;
	int nth = 0;
	for (size_t k = 0; k <= i; k++)
		nth += plan->permits[k].kind == kind;
	if (nth > 1)
		snprintf(buf, len, "%s-%s%d", app_ref, permit_suffix(kind), nth);
	else
		snprintf(buf, len, "%s-%s", app_ref, permit_suffix(kind));
}

day_t application_permit_deadline(const struct service_standard *std, const struct calendar *cal,
				  int64_t utc_seconds, bool fast_track, day_t today)
{
	if (fast_track)
		return today;
	int acceptance = 0, review = 0;
	application_stage_limit(std, "acceptance", &acceptance, NULL);
	application_stage_limit(std, "review", &review, NULL);
	return calendar_add_working_days(cal, calendar_received_day(cal, utc_seconds),
					 acceptance + review);
}

/* --- parsing ---------------------------------------------------------------------------- */

/* One technical parameter of a utility: name, bounds, required, fee parameter it feeds. */
struct param_spec {
	const char *name;
	long long min, max;
	bool required;
	const char *fee; /* fee parameter name or NULL */
	const char *const *values; /* for string parameters */
};

static const char *const water_uses[] = { "domestic", "commercial", "industrial", "fire", NULL };
static const char *const voltages[] = { "0.4kV", "10kV", "35kV", "110kV", NULL };
static const char *const pressures[] = { "low", "medium", "high", NULL };

static const struct param_spec specs[UK_COUNT][6] = {
	[UK_WATER] = { { "dn", 15, 2000, true, "dn", NULL },
		       { "use", 0, 0, true, NULL, water_uses },
		       { "meters", 1, 10000, false, "meters", NULL },
		       { "length_m", 0, 100000, false, "length_m", NULL } },
	[UK_POWER] = { { "kw", 1, 1000000, true, "kw", NULL },
		       { "voltage_level", 0, 0, true, NULL, voltages },
		       { "length_m", 0, 100000, false, "length_m", NULL } },
	[UK_GAS] = { { "flow_m3h", 1, 1000000, true, "flow_m3h", NULL },
		     { "pressure_class", 0, 0, true, NULL, pressures },
		     { "meters", 1, 10000, false, "meters", NULL },
		     { "length_m", 0, 100000, false, "length_m", NULL } },
	[UK_HEAT] = { { "load_kw", 1, 10000000, true, "kw", NULL },
		      { "meters", 1, 10000, false, "meters", NULL },
		      { "length_m", 0, 100000, false, "length_m", NULL } },
	[UK_NETWORK] = { { "bandwidth_mbps", 1, 1000000, true, NULL, NULL },
			 { "ports", 1, 100000, true, "ports", NULL },
			 { "length_m", 0, 100000, false, "length_m", NULL } },
};

static bool listed(const char *s, const char *const *values)
{
	for (; *values; values++)
		if (strcmp(s, *values) == 0)
			return true;
	return false;
}

static void join(char *buf, size_t len, const char *const *values)
{
	buf[0] = 0;
	for (; *values; values++) {
		if (buf[0])
			strncat(buf, ", ", len - strlen(buf) - 1);
		strncat(buf, *values, len - strlen(buf) - 1);
	}
}

static void parse_utility(int k, const json_t *obj, struct app_utility *u, struct error *err)
{
	char field[128];
	u->wanted = true;
	u->params = json_deep_copy(obj);
	fees_params_init(&u->fees);
	fees_params_set(&u->fees, "connections", 1, NULL);
	if (!json_is_object(obj)) {
		error_add(err, "utilities", "wrong_type", "utilities.%s must be an object of parameters",
			  kind_names[k]);
		return;
	}
	const char *key;
	json_t *v;
	json_object_foreach((json_t *)obj, key, v)
	{
		bool known = false;
		for (int i = 0; i < 6 && specs[k][i].name; i++)
			known |= strcmp(specs[k][i].name, key) == 0;
		if (!known) {
			snprintf(field, sizeof(field), "utilities.%s.%s", kind_names[k], key);
			error_add(err, field, "unknown_field", "%s is not a %s parameter", key,
				  kind_names[k]);
		}
	}
	for (int i = 0; i < 6 && specs[k][i].name; i++) {
		const struct param_spec *s = &specs[k][i];
		snprintf(field, sizeof(field), "utilities.%s.%s", kind_names[k], s->name);
		json_t *p = json_object_get(obj, s->name);
		if (!p || json_is_null(p)) {
			if (s->required)
				error_add(err, field, "required", "%s connections need %s",
					  kind_names[k], s->name);
			continue;
		}
		if (s->values) {
			char list[128];
			join(list, sizeof(list), s->values);
			if (!json_is_string(p) || !listed(json_string_value(p), s->values))
				error_add(err, field, "not_allowed", "%s must be one of: %s", s->name,
					  list);
			continue;
		}
		if (!json_is_integer(p)) {
			error_add(err, field, "wrong_type", "%s must be a whole number", s->name);
			continue;
		}
		long long n = json_integer_value(p);
		if (n < s->min || n > s->max) {
			error_add(err, field, "out_of_range", "%s must be between %lld and %lld",
				  s->name, s->min, s->max);
			continue;
		}
		if (s->fee)
			fees_params_set(&u->fees, s->fee, n, NULL);
	}
}

void application_job_fee_params(int kind, const json_t *params, const char *customer_class,
				struct fee_params *out)
{
	struct app_utility u = { 0 };
	if (kind >= 0 && kind < UK_COUNT && params)
		parse_utility(kind, params, &u, NULL);
	else
		fees_params_init(&u.fees);
	json_decref(u.params);
	*out = u.fees;
	out->customer_class = customer_class && *customer_class ? customer_class : NULL;
}

static int get_int(const json_t *obj, const char *key, const char *prefix, bool required,
		   long long min, long long max, long long dflt, struct error *err)
{
	json_t *v = json_object_get(obj, key);
	if (!v || json_is_null(v)) {
		if (required)
			error_add(err, prefix, "required", "%s is required", prefix);
		return (int)dflt;
	}
	if (!json_is_integer(v) || json_integer_value(v) < min || json_integer_value(v) > max) {
		error_add(err, prefix, json_is_integer(v) ? "out_of_range" : "wrong_type",
			  "%s must be a whole number from %lld to %lld", prefix, min, max);
		return (int)dflt;
	}
	return (int)json_integer_value(v);
}

static char *get_str(const json_t *obj, const char *key, const char *field, size_t maxlen,
		     struct error *err)
{
	json_t *v = json_object_get(obj, key);
	if (!json_is_string(v) || json_string_length(v) == 0 || json_string_length(v) > maxlen ||
	    strlen(json_string_value(v)) != json_string_length(v)) {
		error_add(err, field, v ? "invalid" : "required", "%s must be text of 1 to %zu bytes",
			  field, maxlen);
		return NULL;
	}
	return xstrdup(json_string_value(v));
}

static day_t get_day(const json_t *obj, const char *key, const char *field, day_t today,
		     struct error *err)
{
	json_t *v = json_object_get(obj, key);
	day_t d = 0;
	if (!json_is_string(v) || cal_day_parse(json_string_value(v), &d, NULL) != 0) {
		error_add(err, field, v ? "invalid" : "required", "%s must be a date YYYY-MM-DD", field);
		return -1;
	}
	if (d < today) {
		error_add(err, field, "in_the_past", "%s is in the past", field);
		return -1;
	}
	return d;
}

static void parse_dig(const json_t *e, size_t i, const struct app_request *req, day_t today,
		      enum geo_crs crs, struct app_dig *d, struct error *err)
{
	char f[96];
	static const char *const allowed[] = { "utility",    "geometry",   "road_id", "width_m",
					       "start_date", "end_date", NULL };
	memset(d, 0, sizeof(*d));
	d->utility = -1;
	size_t before = err ? err->ndetails : 0;
	if (!json_is_object(e)) {
		snprintf(f, sizeof(f), "works.excavations[%zu]", i);
		error_add(err, f, "wrong_type", "each excavation is an object");
		return;
	}
	const char *key;
	json_t *v;
	json_object_foreach((json_t *)e, key, v)
	{
		if (!listed(key, allowed)) {
			snprintf(f, sizeof(f), "works.excavations[%zu].%s", i, key);
			error_add(err, f, "unknown_field",
				  "unknown field '%s' (an excavation is drawn: geometry, optional "
				  "road_id, width_m, start_date, end_date)",
				  key);
		}
	}
#define F(name) (snprintf(f, sizeof(f), "works.excavations[%zu].%s", i, name), f)
	json_t *u = json_object_get(e, "utility");
	d->utility = utility_kind_parse(json_string_value(u));
	if (d->utility < 0 || !req->util[d->utility].wanted) {
		error_add(err, F("utility"), "not_requested",
			  "an excavation must belong to one of the utilities applied for");
		d->utility = -1;
	}
	json_t *g = json_object_get(e, "geometry");
	if (!g)
		error_add(err, F("geometry"), "required",
			  "an excavation is drawn as a GeoJSON LineString or Polygon");
	else
		geo_parse(g, crs, GEO_LINESTRING | GEO_POLYGON, F("geometry"), &d->extent, err);
	json_t *r = json_object_get(e, "road_id");
	if (r)
		d->road_asked = get_str(e, "road_id", F("road_id"), 32, err);
	json_t *w = json_object_get(e, "width_m");
	bool line = d->extent && geo_kind_of(d->extent) == GEO_LINESTRING;
	if (w && (!json_is_number(w) || json_number_value(w) <= 0 || json_number_value(w) > 100))
		error_add(err, F("width_m"), "out_of_range",
			  "width_m must be a number above 0 and at most 100");
	else if (w)
		d->width_cm = (int)(json_number_value(w) * 100 + 0.5);
	else if (line || !g)
		error_add(err, F("width_m"), "required",
			  "a trench drawn as a line needs its width_m (above 0, at most 100)");
	d->start_day = get_day(e, "start_date", F("start_date"), today, err);
	d->end_day = get_day(e, "end_date", F("end_date"), today, err);
	if (d->start_day >= 0 && d->end_day >= 0 && d->end_day < d->start_day)
		error_add(err, F("end_date"), "invalid_range", "end_date is before start_date");
#undef F
	d->valid = err && err->ndetails == before;
}

static void parse_works(const json_t *w, struct app_request *req, day_t today,
			enum geo_crs crs, struct error *err)
{
	static const char *const allowed[] = { "excavations", "green_space", "lines_outside_plot_m",
					       NULL };
	if (!w)
		return;
	if (!json_is_object(w)) {
		error_add(err, "works", "wrong_type", "works must be an object");
		return;
	}
	const char *key;
	json_t *v;
	json_object_foreach((json_t *)w, key, v)
	{
		if (!listed(key, allowed)) {
			char f[96];
			snprintf(f, sizeof(f), "works.%s", key);
			error_add(err, f, "unknown_field", "unknown field '%s'", key);
		}
	}
	json_t *ex = json_object_get(w, "excavations");
	if (ex && !json_is_array(ex))
		error_add(err, "works.excavations", "wrong_type", "excavations must be a list");
	else if (ex && json_array_size(ex) > 100)
		error_add(err, "works.excavations", "too_many", "at most 100 excavations");
	else if (ex) {
		req->ndigs = json_array_size(ex);
		req->digs = xcalloc(req->ndigs + 1, sizeof(*req->digs));
		for (size_t i = 0; i < req->ndigs; i++)
			parse_dig(json_array_get(ex, i), i, req, today, crs, &req->digs[i], err);
	}
	json_t *g = json_object_get(w, "green_space");
	if (g && !json_is_object(g))
		error_add(err, "works.green_space", "wrong_type", "green_space must be an object");
	else if (g) {
		req->green_area_m2 = get_int(g, "area_m2", "works.green_space.area_m2", false, 0,
					     10000000, 0, err);
		req->trees_affected = get_int(g, "trees_affected", "works.green_space.trees_affected",
					      false, 0, 100000, 0, err);
	}
	req->lines_outside_plot_m = get_int(w, "lines_outside_plot_m", "works.lines_outside_plot_m",
					    false, 0, 1000000, 0, err);
}

/* "providers": {"network": 12}: the organisation chosen where several serve the site. */
static void parse_providers(const json_t *p, struct app_request *req, struct error *err)
{
	char f[64];
	if (!p)
		return;
	if (!json_is_object(p)) {
		error_add(err, "providers", "wrong_type",
			  "providers maps a utility kind to the id of the organisation chosen");
		return;
	}
	const char *key;
	json_t *v;
	json_object_foreach((json_t *)p, key, v)
	{
		int k = utility_kind_parse(key);
		snprintf(f, sizeof(f), "providers.%.40s", key);
		if (k < 0 || !req->util[k].wanted)
			error_add(err, f, "not_requested",
				  "a provider can be chosen only for a utility applied for");
		else if (!json_is_integer(v) || json_integer_value(v) <= 0)
			error_add(err, f, "wrong_type", "give the organisation's id (a number)");
		else
			req->provider[k] = json_integer_value(v);
	}
}

static void parse_materials(const json_t *m, struct app_request *req, struct error *err)
{
	if (!m)
		return;
	if (!json_is_array(m) || json_array_size(m) > 200) {
		error_add(err, "materials", "wrong_type", "materials must be a list of at most 200");
		return;
	}
	req->nmaterials = json_array_size(m);
	req->materials = xcalloc(req->nmaterials + 1, sizeof(*req->materials));
	for (size_t i = 0; i < req->nmaterials; i++) {
		json_t *e = json_array_get(m, i);
		char f[64];
		snprintf(f, sizeof(f), "materials[%zu]", i);
		json_t *id = json_is_object(e) ? json_object_get(e, "material_id") : e;
		if (!json_is_integer(id) || json_integer_value(id) <= 0) {
			error_add(err, f, "invalid", "give each material as {\"material_id\": N}");
			continue;
		}
		for (size_t k = 0; k < i; k++)
			if (req->materials[k].material_id == json_integer_value(id))
				error_add(err, f, "duplicate", "material %lld is listed twice",
					  (long long)json_integer_value(id));
		req->materials[i].material_id = json_integer_value(id);
	}
}

int application_parse(const json_t *body, day_t today, struct app_request *out,
		      struct error *err)
{
	static const char *const allowed[] = { "site_id",    "utilities", "works",
					       "materials",  "customer_class", "commitment",
					       "crs",	     "providers", "project_id", NULL };
	memset(out, 0, sizeof(*out));
	size_t before = err ? err->ndetails : 0;
	const char *key;
	json_t *v;
	json_object_foreach((json_t *)body, key, v)
	{
		if (!listed(key, allowed))
			error_add(err, key, "unknown_field", "unknown field '%s'", key);
	}
	out->site_id = get_int(body, "site_id", "site_id", true, 1, 0x7fffffff, 0, err);
	/* the project it was planned as (issue #20): optional; checked against the caller's own */
	out->project_id = get_int(body, "project_id", "project_id", false, 1, 0x7fffffff, 0,
				  err);
	json_t *u = json_object_get(body, "utilities");
	if (!json_is_object(u) || json_object_size(u) == 0) {
		error_add(err, "utilities", "required",
			  "apply for at least one of: water, power, gas, heat, network");
	} else {
		json_object_foreach(u, key, v)
		{
			int k = utility_kind_parse(key);
			if (k < 0) {
				char f[96];
				snprintf(f, sizeof(f), "utilities.%s", key);
				error_add(err, f, "unknown_utility",
					  "'%s' is not one of: water, power, gas, heat, network", key);
				continue;
			}
			parse_utility(k, v, &out->util[k], err);
		}
	}
	enum geo_crs crs = GEO_CRS_CGCS2000;
	geo_crs_parse(json_object_get(body, "crs"), "crs", &crs, err);
	parse_works(json_object_get(body, "works"), out, today, crs, err);
	parse_providers(json_object_get(body, "providers"), out, err);
	parse_materials(json_object_get(body, "materials"), out, err);
	json_t *cc = json_object_get(body, "customer_class");
	if (cc) {
		char list[96];
		join(list, sizeof(list), customer_classes);
		if (!json_is_string(cc) || !listed(json_string_value(cc), customer_classes))
			error_add(err, "customer_class", "not_allowed",
				  "customer_class must be one of: %s", list);
		else
			snprintf(out->customer_class, sizeof(out->customer_class), "%s",
				 json_string_value(cc));
	}
	for (int k = 0; k < UK_COUNT; k++)
		out->util[k].fees.customer_class = out->customer_class[0] ? out->customer_class : NULL;
	json_t *c = json_object_get(body, "commitment");
	if (c && !json_is_boolean(c))
		error_add(err, "commitment", "wrong_type", "commitment must be true or false");
	out->commitment = json_is_true(c);
	if (err && err->ndetails > before)
		return error_set(err, ERR_INVALID, "the application has %zu problem(s); all are listed",
				 err->ndetails - before);
	return 0;
}

void application_request_release(struct app_request *req)
{
	for (int k = 0; k < UK_COUNT; k++)
		json_decref(req->util[k].params);
	for (size_t i = 0; i < req->ndigs; i++) {
		geo_free(req->digs[i].extent);
		free(req->digs[i].road_asked);
	}
	free(req->digs);
	free(req->materials);
	memset(req, 0, sizeof(*req));
}

/* --- the one-time notice and the plan ---------------------------------------------------- */

/* Places one parsed excavation; returns how many problems it listed. */
static size_t place_dig(struct app_dig *d, size_t i, const struct place_context *ctx,
			struct error *err)
{
	char f[96];
	size_t before = err ? err->ndetails : 0;
	snprintf(f, sizeof(f), "works.excavations[%zu].geometry", i);
	const struct place_district *part = NULL;
	const struct place_district *dist = place_district_of(ctx, d->extent, &part);
	if (!dist && !place_in_city(ctx, d->extent)) {
		error_add(err, f, "outside_city",
			  "the excavation is %s the city's districts",
			  part ? "partly outside" : "outside");
	} else {
		dist = dist ? dist : part;
		snprintf(d->district, sizeof(d->district), "%s", dist ? dist->code : "");
	}
	const struct place_road *road = NULL, *nearest = NULL;
	double share = 0, dist_m = 0;
	if (d->road_asked) {
		road = place_road_find(ctx, d->road_asked);
		snprintf(f, sizeof(f), "works.excavations[%zu].road_id", i);
		if (!road) {
			error_add(err, f, "unknown",
				  "%s is not a road of the register in force near the works",
				  d->road_asked);
		} else {
			share = geo_share_near(d->extent, road->centreline,
					       place_corridor_m(road->road_class));
			if (share < 0.5) {
				error_add(err, f, "not_on_road",
					  "the excavation does not lie on %s %s (%.0f%% of it is "
					  "within %.0f m of the centreline; at least half must be)",
					  road->road_id, road->name_en, share * 100,
					  place_corridor_m(road->road_class));
				road = NULL;
			}
		}
	} else {
		road = place_road_of(ctx, d->extent, &share, &nearest, &dist_m);
		if (!road && err && err->ndetails == before) {
			snprintf(f, sizeof(f), "works.excavations[%zu].geometry", i);
			if (nearest)
				error_add(err, f, "no_register_road",
					  "the excavation lies on no road of the register; the "
					  "nearest is %s %s (%s), %.0f m away",
					  nearest->road_id, nearest->name_zh, nearest->name_en,
					  dist_m);
			else
				error_add(err, f, "no_register_road",
					  "the excavation lies on no road of the register (none is "
					  "published near it)");
		}
	}
	if (road) {
		snprintf(d->road, sizeof(d->road), "%s", road->road_id);
		snprintf(d->road_name, sizeof(d->road_name), "%s", road->name_zh);
		snprintf(d->road_class, sizeof(d->road_class), "%s", road->road_class);
		d->register_version = road->register_version;
	}
	double len = geo_length_m(d->extent);
	d->length_m = (int)(len + 0.5);
	if (geo_kind_of(d->extent) == GEO_POLYGON)
		d->area_m2 = (int)(geo_area_m2(d->extent) + 0.5);
	else
		d->area_m2 = (int)((len * d->width_cm + 99) / 100);
	const struct place_zone *z = place_zone_of(ctx, d->extent);
	d->zone_risk = z ? z->risk : ZONE_RISK_MEDIUM;
	if (z)
		snprintf(d->zone, sizeof(d->zone), "%s v%d", z->code, z->version);
	else
		d->zone[0] = 0;
	return err ? err->ndetails - before : 0;
}

size_t application_place(struct app_request *req, const struct place_context *ctx,
			 struct error *err)
{
	size_t problems = 0;
	for (size_t i = 0; i < req->ndigs; i++) {
		struct app_dig *d = &req->digs[i];
		if (!d->valid || !d->extent)
			continue;
		size_t n = place_dig(d, i, ctx, err);
		if (n)
			d->valid = false;
		problems += n;
	}
	return problems;
}

static const char *const permit_labels[PERMIT_KIND_COUNT] = { "dig-road permit",
							      "greening permit",
							      "planning permit" };

static bool utility_digs(const struct app_request *req, int k)
{
	for (size_t i = 0; i < req->ndigs; i++)
		if (req->digs[i].utility == k)
			return true;
	return false;
}

static bool condition_holds(const char *cond, const struct app_request *req, int utility)
{
	if (!cond || !*cond)
		return true;
	if (strcmp(cond, "excavation") == 0)
		return utility >= 0 ? utility_digs(req, utility) : req->ndigs > 0;
	if (strcmp(cond, "green_space") == 0)
		return req->green_area_m2 > 0 || req->trees_affected > 0;
	if (strcmp(cond, "outside_plot") == 0)
		return req->lines_outside_plot_m > 0;
	return true;
}

static bool has_type(const struct app_request *req, const char *type)
{
	for (size_t i = 0; i < req->nmaterials; i++)
		if (strcmp(req->materials[i].type, type) == 0)
			return true;
	return false;
}

/* Missing materials, one detail per type naming every track that needs it. */
struct missing {
	const char *type;
	const char *name;
	char tracks[200];
};

static void need(struct missing *m, size_t *n, size_t cap, const struct material_rule *r,
		 const char *track)
{
	for (size_t i = 0; i < *n; i++)
		if (strcmp(m[i].type, r->type) == 0) {
			strncat(m[i].tracks, ", ", sizeof(m[i].tracks) - strlen(m[i].tracks) - 1);
			strncat(m[i].tracks, track, sizeof(m[i].tracks) - strlen(m[i].tracks) - 1);
			return;
		}
	if (*n == cap)
		return;
	m[*n].type = r->type;
	m[*n].name = r->name_en ? r->name_en : r->type;
	snprintf(m[*n].tracks, sizeof(m[*n].tracks), "%s", track);
	(*n)++;
}

static void check_materials(const struct track_rules *t, const struct app_request *req,
			    int utility, const char *track, struct missing *m, size_t *n,
			    size_t cap)
{
	for (size_t i = 0; i < t->nmaterials; i++) {
		const struct material_rule *r = &t->materials[i];
		if (r->required && condition_holds(r->condition, req, utility) &&
		    !has_type(req, r->type))
			need(m, n, cap, r, track);
	}
}

static void to_excavation(const struct app_request *req, size_t i, struct excavation *e)
{
	const struct app_dig *d = &req->digs[i];
	*e = (struct excavation){
		.utility = d->utility >= 0 ? kind_names[d->utility] : "",
		.district = d->district,
		.road = d->road,
		.road_class = d->road_class,
		.extent = d->extent,
		.zone_risk = d->zone_risk,
		.zone = d->zone,
		.length_m = d->length_m,
		.area_m2 = d->area_m2,
		.start_day = d->start_day,
		.end_day = d->end_day,
	};
}

static void add_permit(struct app_plan *plan, enum permit_kind kind, char *reason)
{
	plan->permits = xrealloc(plan->permits, (plan->npermits + 1) * sizeof(*plan->permits));
	struct planned_permit *p = &plan->permits[plan->npermits++];
	memset(p, 0, sizeof(*p));
	p->kind = kind;
	p->reason = reason;
	p->window_from = -1;
	p->window_to = -1;
}

/* Appends name to a comma-separated list unless it is there. */
static void add_name(char *list, size_t len, const char *name)
{
	if (!name || !*name || strstr(list, name))
		return;
	if (list[0])
		strncat(list, ", ", len - strlen(list) - 1);
	strncat(list, name, len - strlen(list) - 1);
}

static int class_rank(const char *road_class)
{
	static const char *const order[] = { "branch", "secondary", "primary", "expressway" };
	for (int i = 0; road_class && i < 4; i++)
		if (strcmp(road_class, order[i]) == 0)
			return i;
	return road_class && *road_class ? 4 : -1;
}

/* What decided the fast track, recorded on the permit for the post-check. */
static json_t *fast_track_basis(const struct track_rules *t, const struct excavation *whole,
				const char *roads, bool commitment)
{
	json_t *classes = json_array();
	for (size_t i = 0; i < t->fast_track.nroad_classes; i++)
		json_array_append_new(classes, json_string(t->fast_track.road_classes[i]));
	return json_pack("{s:s, s:s, s:s, s:s, s:i, s:i, s:i, s:b, s:{s:o, s:i, s:i, s:i}}", "zone",
			 whole->zone ? whole->zone : "", "zone_risk",
			 whole->zone && *whole->zone ? triggers_risk_name(whole->zone_risk) : "none",
			 "roads", roads, "road_class", whole->road_class ? whole->road_class : "",
			 "length_m", whole->length_m, "area_m2", whole->area_m2, "duration_days",
			 (int)(whole->end_day - whole->start_day + 1), "commitment", commitment,
			 "thresholds", "road_classes", classes, "max_length_m",
			 t->fast_track.max_length_m, "max_area_m2", t->fast_track.max_area_m2,
			 "max_duration_days", t->fast_track.max_duration_days);
}

/* One joint dig-road permit per group of digs that meet; fast track decided per group. */
static void plan_digs(const struct app_request *req, const struct track_rules *t,
		      const struct excavation *ex, const size_t *orig,
		      const struct trigger_list *trig, struct app_plan *plan, struct error *err)
{
	size_t n = 0;
	struct excavation *sel = xcalloc(req->ndigs + 1, sizeof(*sel));
	size_t *map = xcalloc(req->ndigs + 1, sizeof(*map));
	for (size_t i = 0; i < trig->n; i++)
		if (trig->items[i].kind == PERMIT_DIG_ROAD) {
			map[n] = orig[trig->items[i].segment];
			sel[n++] = ex[trig->items[i].segment];
		}
	struct dig_group_list groups = { 0 };
	if (n && triggers_group_digs(sel, n, PLACE_SHARE_BUFFER_M, &groups, err) == 0) {
		for (size_t g = 0; g < groups.n; g++) {
			struct dig_group *gr = &groups.groups[g];
			char who[64] = "", roads[160] = "";
			struct excavation whole = sel[gr->members[0]];
			whole.area_m2 = 0;
			for (size_t m = 0; m < gr->nmembers; m++) {
				const struct excavation *e = &sel[gr->members[m]];
				add_name(who, sizeof(who), e->utility);
				add_name(roads, sizeof(roads), req->digs[map[gr->members[m]]].road_name);
				whole.area_m2 += e->area_m2;
				/* the group is as risky as its riskiest member */
				if (e->zone_risk > whole.zone_risk) {
					whole.zone_risk = e->zone_risk;
					whole.zone = e->zone;
				}
				if (class_rank(e->road_class) > class_rank(whole.road_class))
					whole.road_class = e->road_class;
			}
			whole.length_m = gr->length_m;
			whole.start_day = gr->start_day;
			whole.end_day = gr->end_day;
			add_permit(plan, PERMIT_DIG_ROAD,
				   xasprintf("%s excavation of %d m on %s by %s",
					     gr->nmembers > 1 ? "joint (dig once)" : "road",
					     gr->length_m, roads, who));
			struct planned_permit *p = &plan->permits[plan->npermits - 1];
			p->window_from = gr->start_day;
			p->window_to = gr->end_day;
			p->digs = xcalloc(gr->nmembers, sizeof(size_t));
			for (size_t m = 0; m < gr->nmembers; m++) {
				size_t at = map[gr->members[m]];
				p->digs[p->ndigs++] = at;
				if (req->digs[at].utility >= 0)
					p->utilities[req->digs[at].utility] = true;
			}
			struct fast_track_decision ft;
			triggers_fast_track(&t->fast_track, &whole, &ft);
			bool lost = req->fast_track_lost[0] != '\0';
			p->fast_track = t->fast_track_enabled && ft.fast && req->commitment && !lost;
			snprintf(p->fast_track_reason, sizeof(p->fast_track_reason), "%s%s",
				 !t->fast_track_enabled ? "fast track not offered"
				 : !ft.fast	       ? ft.reason
				 : !req->commitment    ? "qualifies, but no commitment was signed"
				 : lost		       ? req->fast_track_lost
						       : ft.reason,
				 "");
			p->fast_track_basis = fast_track_basis(t, &whole, roads, req->commitment);
			if (lost) /* the credit rule, recorded with what decided */
				json_object_set_new(p->fast_track_basis, "withdrawn",
						    json_string(req->fast_track_lost));
		}
	}
	triggers_groups_release(&groups);
	free(sel);
	free(map);
}

/* Moves every line of src to the end of dst. */
static void take_lines(struct fee_estimate *dst, struct fee_estimate *src)
{
	dst->lines = xrealloc(dst->lines, (dst->nlines + src->nlines + 1) * sizeof(*dst->lines));
	memcpy(dst->lines + dst->nlines, src->lines, src->nlines * sizeof(*src->lines));
	dst->nlines += src->nlines;
	dst->total_fen += src->total_fen;
	src->nlines = 0;
	fees_estimate_release(src);
}

/*
 * The estimate is information for the applicant, not a condition of submission: quantities
 * not declared are taken from the works (line length = the utility's excavation length, one
 * meter), and a kind that still cannot be priced is left out rather than refused.
 */
static void estimate_for(const char *kind, const struct fee_params *declared, long long dug_m,
			 const struct fee_schedule *const *schedules, size_t n, day_t day,
			 struct fee_estimate *into)
{
	const struct fee_schedule *s = fees_schedule_in_force(schedules, n, kind, day);
	if (!s)
		return; /* nothing published: nothing charged */
	struct fee_params params = *declared;
	if (!params.has[FEE_PARAM_LENGTH_M])
		fees_params_set(&params, "length_m", dug_m, NULL);
	if (!params.has[FEE_PARAM_METERS])
		fees_params_set(&params, "meters", 1, NULL);
	if (!params.has[FEE_PARAM_CONNECTIONS])
		fees_params_set(&params, "connections", 1, NULL);
	struct fee_estimate e = { 0 };
	struct error ignored = ERROR_INIT;
	if (fees_estimate(&s, 1, day, &params, &e, &ignored) == 0)
		take_lines(into, &e);
	error_release(&ignored);
}

static long long dug_by(const struct app_request *req, int k)
{
	long long m = 0;
	for (size_t i = 0; i < req->ndigs; i++)
		if (req->digs[i].utility == k && req->digs[i].valid)
			m += req->digs[i].length_m;
	return m;
}

int application_check(const struct app_request *req, const struct standards_view *std,
		      const struct fee_schedule *const *schedules,
		      size_t nschedules, day_t day, struct app_plan *plan, struct error *err)
{
	memset(plan, 0, sizeof(*plan));
	size_t before = err ? err->ndetails : 0;
	struct missing missing[64];
	size_t nmissing = 0;
	char f[64];

	for (int k = 0; k < UK_COUNT; k++) {
		if (!req->util[k].wanted)
			continue;
		plan->jobs[k] = true;
		if (!std->utility[k].published) {
			snprintf(f, sizeof(f), "utilities.%s", kind_names[k]);
			error_add(err, f, "not_offered",
				  "no service standard is published for %s connections", kind_names[k]);
			continue;
		}
		check_materials(&std->utility[k], req, k, kind_names[k], missing, &nmissing, 64);
	}

	/*
	 * Only the digs that parsed cleanly reach the permit rules: a bad one is already listed
	 * under its own field, and must not be listed again under another name.
	 */
	struct excavation *ex = xcalloc(req->ndigs + 1, sizeof(*ex));
	size_t *orig = xcalloc(req->ndigs + 1, sizeof(*orig)), nex = 0;
	for (size_t i = 0; i < req->ndigs; i++) {
		if (!req->digs[i].valid)
			continue;
		orig[nex] = i;
		to_excavation(req, i, &ex[nex++]);
	}
	struct site_facts facts = { ex, nex, req->green_area_m2, req->trees_affected,
				    req->lines_outside_plot_m };
	struct trigger_rules rules = {
		std->permit[PERMIT_DIG_ROAD].trigger.dig_min_length_m,
		std->permit[PERMIT_GREENING].trigger.green_min_area_m2,
		std->permit[PERMIT_GREENING].trigger.green_min_trees,
		std->permit[PERMIT_PLANNING].trigger.planning_min_outside_m,
	};
	struct trigger_list trig = { 0 };
	if (triggers_evaluate(&rules, &facts, &trig, err) == 0) {
		bool kinds[PERMIT_KIND_COUNT] = { false };
		for (size_t i = 0; i < trig.n; i++)
			kinds[trig.items[i].kind] = true;
		for (int p = 0; p < PERMIT_KIND_COUNT; p++) {
			if (!kinds[p])
				continue;
			if (!std->permit[p].published) {
				error_add(err, "works", "not_offered",
					  "the works need a %s, which has no published standard",
					  permit_labels[p]);
				continue;
			}
			check_materials(&std->permit[p], req, -1, permit_labels[p], missing,
					&nmissing, 64);
		}
		plan_digs(req, &std->permit[PERMIT_DIG_ROAD], ex, orig, &trig, plan, err);
		for (size_t i = 0; i < trig.n; i++) {
			if (trig.items[i].kind == PERMIT_DIG_ROAD)
				continue;
			add_permit(plan, trig.items[i].kind, xstrdup(trig.items[i].reason));
			/* greening and planning concern every line laid on the site */
			for (int k = 0; k < UK_COUNT; k++)
				plan->permits[plan->npermits - 1].utilities[k] = req->util[k].wanted;
		}
	}
	triggers_list_release(&trig);
	free(ex);
	free(orig);

	for (size_t i = 0; i < nmissing; i++) {
		snprintf(f, sizeof(f), "materials.%s", missing[i].type);
		error_add(err, f, "missing", "%s (%s) is required by: %s", missing[i].name,
			  missing[i].type, missing[i].tracks);
	}

	if (!err || err->ndetails == before) {
		for (int k = 0; k < UK_COUNT; k++)
			if (req->util[k].wanted)
				estimate_for(kind_names[k], &req->util[k].fees, dug_by(req, k),
					     schedules, nschedules, day, &plan->estimate);
		for (size_t i = 0; i < plan->npermits; i++) {
			if (plan->permits[i].kind != PERMIT_DIG_ROAD)
				continue;
			struct fee_params fp;
			fees_params_init(&fp);
			long long len = 0;
			for (size_t d = 0; d < plan->permits[i].ndigs; d++)
				len += req->digs[plan->permits[i].digs[d]].length_m;
			fees_params_set(&fp, "length_m", len, NULL);
			estimate_for("dig_road", &fp, len, schedules, nschedules, day, &plan->estimate);
			estimate_for("road", &fp, len, schedules, nschedules, day, &plan->estimate);
		}
	}
	if (err && err->ndetails > before) {
		application_plan_release(plan);
		return error_set(err, ERR_INVALID,
				 "the application cannot be accepted yet: %zu item(s) to fix, all listed",
				 err->ndetails - before);
	}
	return 0;
}

void application_plan_release(struct app_plan *plan)
{
	for (size_t i = 0; i < plan->npermits; i++) {
		free(plan->permits[i].reason);
		free(plan->permits[i].digs);
		json_decref(plan->permits[i].fast_track_basis);
	}
	free(plan->permits);
	fees_estimate_release(&plan->estimate);
	memset(plan, 0, sizeof(*plan));
}

/* --- from published standards to the rules above ----------------------------------------- */

void application_standards_in_force(const struct service_standard *const *all, size_t n,
				    day_t day, struct standards_set *out)
{
	memset(out, 0, sizeof(*out));
	for (int k = 0; k < UK_COUNT; k++)
		out->utility[k] = standards_in_force(all, n, kind_names[k], day);
	for (int p = 0; p < PERMIT_KIND_COUNT; p++)
		out->permit[p] = standards_in_force(all, n, permit_kind_name((enum permit_kind)p), day);
}

static void view_one(const struct service_standard *s, struct track_rules *t, bool permit)
{
	memset(t, 0, sizeof(*t));
	if (!s)
		return;
	t->published = true;
	t->version = s->version;
	struct material_rule *m = xcalloc(s->nmaterials + 1, sizeof(*m));
	for (size_t i = 0; i < s->nmaterials; i++) {
		m[i].type = s->materials[i].type;
		m[i].name_en = s->materials[i].name_en;
		m[i].condition = s->materials[i].condition;
		m[i].required = s->materials[i].required;
	}
	t->materials = m;
	t->nmaterials = s->nmaterials;
	bool silence = false;
	application_stage_limit(s, permit ? "review" : "acceptance", &t->first_limit_days, &silence);
	application_stage_limit(s, "acceptance", &t->first_limit_days, NULL);
	t->silence_approves = silence;
	if (!permit)
		return;
	if (s->has_trigger) {
		t->trigger.dig_min_length_m = s->trigger.min_length_m;
		t->trigger.green_min_area_m2 = s->trigger.min_area_m2;
		t->trigger.green_min_trees = s->trigger.min_trees;
		t->trigger.planning_min_outside_m = s->trigger.min_outside_m;
	}
	const struct fast_track_standard *f = &s->fast_track;
	bool low = false;
	for (size_t i = 0; i < f->nzone_risk; i++)
		low |= strcmp(f->zone_risk[i], "low") == 0;
	/* The rule in triggers.c admits low-risk zones only; a standard listing none offers none. */
	t->fast_track_enabled = s->has_fast_track && f->enabled && low;
	t->fast_track.road_classes = (const char *const *)f->road_classes;
	t->fast_track.nroad_classes = f->nroad_classes;
	t->fast_track.max_length_m = f->max_length_m;
	t->fast_track.max_area_m2 = f->max_area_m2;
	t->fast_track.max_duration_days = f->max_duration_days;
	t->fast_track_decision_days = f->decision_days;
}

void application_view_build(const struct standards_set *set, struct standards_view *view)
{
	for (int k = 0; k < UK_COUNT; k++)
		view_one(set->utility[k], &view->utility[k], false);
	for (int p = 0; p < PERMIT_KIND_COUNT; p++)
		view_one(set->permit[p], &view->permit[p], true);
}

void application_view_release(struct standards_view *view)
{
	for (int k = 0; k < UK_COUNT; k++)
		free((void *)view->utility[k].materials);
	for (int p = 0; p < PERMIT_KIND_COUNT; p++)
		free((void *)view->permit[p].materials);
	memset(view, 0, sizeof(*view));
}

int application_stage_limit(const struct service_standard *std, const char *stage, int *days,
			    bool *silence_approves)
{
	static const struct {
		const char *workflow, *code, *fallback;
	} map[] = {
		{ "acceptance", "accept", NULL },	{ "survey", "survey", NULL },
		{ "plan", "plan", NULL },		{ "construction", "construct", NULL },
		{ "completion", "complete", NULL },	{ "review", "review", NULL },
		{ "extension", "extension", "review" },
		{ "guidance", "guidance", NULL }, /* a project's, before any application (#20) */
	};
	if (!std || !stage)
		return ERR_NOT_FOUND;
	for (size_t i = 0; i < sizeof(map) / sizeof(map[0]); i++) {
		if (strcmp(map[i].workflow, stage) != 0)
			continue;
		const struct stage_standard *s = standards_stage(std, map[i].code);
		if (!s && map[i].fallback)
			s = standards_stage(std, map[i].fallback);
		if (!s)
			return ERR_NOT_FOUND;
		*days = s->limit_days;
		if (silence_approves)
			*silence_approves = s->silence_approves;
		return 0;
	}
	return ERR_NOT_FOUND;
}
