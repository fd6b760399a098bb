/* Projects at the planning stage: reading registrations and guidance answers (issue #20). */
#define _GNU_SOURCE
#include "project.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/xalloc.h"

/* One expected load: its name, bounds and the fee parameter it feeds (NULL: none). */
struct load_spec {
	const char *name;
	long long min, max;
	bool required;
	const char *fee;
};

static const struct load_spec loads[UK_COUNT][3] = {
    [UK_WATER] = {{"m3_per_day", 1, 1000000, true, NULL}, {"dn", 15, 2000, true, "dn"}},
    /* the fee schedules band power by kW; a stated kVA is taken as kW (power factor 1) */
    [UK_POWER] = {{"kva", 1, 10000000, true, "kw"}},
    [UK_GAS] = {{"m3_per_hour", 1, 1000000, true, "flow_m3h"}},
    [UK_HEAT] = {{"kw", 1, 10000000, true, "kw"}},
    [UK_NETWORK] = {{"lines", 1, 100000, true, "ports"}},
};

/* The loads of kind from obj, normalised; every problem listed under prefix. */
static json_t *read_loads(int kind, const json_t *obj, const char *prefix, struct error *err)
{
	char f[96];
	if (!json_is_object(obj)) {
		error_add(err, prefix, "wrong_type", "%s must be an object of expected loads",
			  prefix);
		return NULL;
	}
	json_t *out = json_object();
	const char *key;
	json_t *v;
	json_object_foreach((json_t *)obj, key, v)
	{
		bool known = false;
		for (size_t i = 0; i < 3 && loads[kind][i].name; i++)
			known |= !strcmp(key, loads[kind][i].name);
		if (!known) {
			snprintf(f, sizeof(f), "%s.%s", prefix, key);
			error_add(err, f, "unknown_field", "%s is not a load of %s", key,
				  utility_kind_name(kind));
		}
	}
	for (size_t i = 0; i < 3 && loads[kind][i].name; i++) {
		const struct load_spec *s = &loads[kind][i];
		snprintf(f, sizeof(f), "%s.%s", prefix, s->name);
		v = json_object_get(obj, s->name);
		if (!v || json_is_null(v)) {
			if (s->required)
				error_add(err, f, "required", "%s is required", f);
			continue;
		}
		if (!json_is_integer(v) || json_integer_value(v) < s->min ||
		    json_integer_value(v) > s->max) {
			error_add(err, f, json_is_integer(v) ? "out_of_range" : "wrong_type",
				  "%s must be a whole number from %lld to %lld", f, s->min, s->max);
			continue;
		}
		json_object_set_new(out, s->name, json_integer(json_integer_value(v)));
	}
	return out;
}

static void read_needs(const json_t *needs, bool digs, struct project_request *out,
		       struct error *err)
{
	if ((!needs || json_is_null(needs)) && digs)
		return; /* planned works only (a utility's own network works, issue #20) */
	if (!needs || json_is_null(needs)) {
		error_add(err, "needs", "required",
			  "name the kinds the project will need, each with its expected loads");
		return;
	}
	if (!json_is_object(needs)) {
		error_add(err, "needs", "wrong_type", "needs must be an object by kind");
		return;
	}
	const char *key;
	json_t *v;
	size_t n = 0;
	json_object_foreach((json_t *)needs, key, v)
	{
		char f[64];
		snprintf(f, sizeof(f), "needs.%s", key);
		int k = utility_kind_parse(key);
		if (k < 0) {
			error_add(err, f, "unknown_kind",
				  "%s is not a utility kind (water, power, gas, heat, network)",
				  key);
			continue;
		}
		out->need[k].wanted = true;
		out->need[k].loads = read_loads(k, v, f, err);
		n++;
	}
	if (n == 0 && json_object_size(needs) == 0)
		error_add(err, "needs", "required", "a project needs at least one kind");
}

static void read_materials(const json_t *m, struct project_request *out, struct error *err)
{
	if (!m || json_is_null(m))
		return;
	/* as an application's (workflows/application.c): the application citing it takes them */
	if (!json_is_array(m) || json_array_size(m) > 200) {
		error_add(err, "materials", "wrong_type", "materials must be a list of at most 200");
		return;
	}
	out->materials = xcalloc(json_array_size(m) + 1, sizeof(*out->materials));
	size_t i;
	json_t *it;
	json_array_foreach(m, i, it)
	{
		json_t *id = json_is_object(it) ? json_object_get(it, "material_id") : it;
		if (!json_is_integer(id) || json_integer_value(id) <= 0) {
			char f[48];
			snprintf(f, sizeof(f), "materials[%zu]", i);
			error_add(err, f, "wrong_type",
				  "give each material as {\"material_id\": n}");
			continue;
		}
		bool twice = false;
		for (size_t k = 0; k < out->nmaterials; k++)
			twice = twice || out->materials[k] == json_integer_value(id);
		if (twice) {
			char f[48];
			snprintf(f, sizeof(f), "materials[%zu]", i);
			error_add(err, f, "duplicate", "material %lld is listed twice",
				  (long long)json_integer_value(id));
			continue;
		}
		out->materials[out->nmaterials++] = json_integer_value(id);
	}
}

static void read_providers(const json_t *p, struct project_request *out, struct error *err)
{
	if (!p || json_is_null(p))
		return;
	if (!json_is_object(p)) {
		error_add(err, "providers", "wrong_type", "providers must be an object by kind");
		return;
	}
	const char *key;
	json_t *v;
	json_object_foreach((json_t *)p, key, v)
	{
		char f[64];
		snprintf(f, sizeof(f), "providers.%s", key);
		int k = utility_kind_parse(key);
		if (k < 0)
			error_add(err, f, "unknown_kind", "%s is not a utility kind", key);
		else if (!json_is_integer(v) || json_integer_value(v) <= 0)
			error_add(err, f, "wrong_type", "%s must be an organisation id", f);
		else
			out->provider[k] = json_integer_value(v);
	}
}

size_t project_parse(const json_t *body, day_t today, struct project_request *out,
		     struct error *err)
{
	size_t before = err->ndetails;
	memset(out, 0, sizeof(*out));
	out->hookup_day = -1;
	read_needs(json_object_get(body, "needs"),
		   json_array_size(json_object_get(body, "digs")) > 0, out, err);
	json_t *d = json_object_get(body, "hookup_date");
	if (!d || json_is_null(d)) {
		error_add(err, "hookup_date", "required", "the expected hookup date is required");
	} else if (!json_is_string(d) ||
		   cal_day_parse(json_string_value(d), &out->hookup_day, NULL)) {
		error_add(err, "hookup_date", "wrong_type", "hookup_date must be YYYY-MM-DD");
		out->hookup_day = -1;
	} else if (out->hookup_day < today) {
		error_add(err, "hookup_date", "in_the_past", "the expected hookup date has passed");
	}
	read_materials(json_object_get(body, "materials"), out, err);
	read_providers(json_object_get(body, "providers"), out, err);
	return err->ndetails - before;
}

void project_request_release(struct project_request *r)
{
	for (int k = 0; k < UK_COUNT; k++)
		json_decref(r->need[k].loads);
	free(r->materials);
	memset(r, 0, sizeof(*r));
}

void project_fee_params(int kind, const json_t *l, long long length_m, struct fee_params *out)
{
	fees_params_init(out);
	if (kind < 0 || kind >= UK_COUNT)
		return;
	for (size_t i = 0; i < 3 && loads[kind][i].name; i++) {
		json_t *v = json_object_get(l, loads[kind][i].name);
		if (loads[kind][i].fee && json_is_integer(v))
			fees_params_set(out, loads[kind][i].fee, json_integer_value(v), NULL);
	}
	fees_params_set(out, "length_m", length_m, NULL);
	if (kind == UK_WATER || kind == UK_GAS || kind == UK_HEAT)
		fees_params_set(out, "meters", 1, NULL);
}

static void read_point(const json_t *cp, struct guidance_answer *out, struct error *err)
{
	if (!cp || json_is_null(cp)) {
		error_add(err, "connection_point", "required",
			  "the connection point (a GeoJSON Point and a description) is required");
		return;
	}
	if (!json_is_object(cp)) {
		error_add(err, "connection_point", "wrong_type",
			  "connection_point must be an object");
		return;
	}
	static const char *const allowed[] = {"geometry", "crs", "description", NULL};
	const char *key;
	json_t *v;
	json_object_foreach((json_t *)cp, key, v)
	{
		bool ok = false;
		for (const char *const *a = allowed; *a; a++)
			ok |= !strcmp(*a, key);
		if (!ok) {
			char f[96];
			snprintf(f, sizeof(f), "connection_point.%.60s", key);
			error_add(err, f, "unknown_field",
				  "%s is not a member of a connection point", key);
		}
	}
	enum geo_crs crs = GEO_CRS_CGCS2000;
	geo_crs_parse(json_object_get(cp, "crs"), "connection_point.crs", &crs, err);
	json_t *g = json_object_get(cp, "geometry");
	if (!g)
		error_add(err, "connection_point.geometry", "required",
			  "the connection point is a GeoJSON Point");
	else
		geo_parse(g, crs, GEO_POINT, "connection_point.geometry", &out->point, err);
	json_t *d = json_object_get(cp, "description");
	if (!json_is_string(d) || !json_string_length(d))
		error_add(err, "connection_point.description", "required",
			  "describe the connection point (which main, which chamber)");
	else if (json_string_length(d) > 500)
		error_add(err, "connection_point.description", "too_long", "at most 500 bytes");
	else
		snprintf(out->description, sizeof(out->description), "%s", json_string_value(d));
}

static void read_capacity(const json_t *c, day_t today, struct guidance_answer *out,
			  struct error *err)
{
	const char *status = json_string_value(json_object_get(c, "status"));
	if (!json_is_object(c) || !status) {
		error_add(err, "capacity.status", "required",
			  "say whether capacity is available or reinforcement is needed");
		return;
	}
	out->reinforcement = !strcmp(status, "reinforcement");
	if (!out->reinforcement && strcmp(status, "available")) {
		error_add(err, "capacity.status", "not_allowed",
			  "capacity.status is available or reinforcement");
		return;
	}
	json_t *d = json_object_get(c, "ready_by");
	if (!out->reinforcement) {
		if (d && !json_is_null(d))
			error_add(err, "capacity.ready_by", "not_allowed",
				  "ready_by goes with reinforcement only");
		return;
	}
	if (!d || json_is_null(d))
		error_add(err, "capacity.ready_by", "required",
			  "say by when the reinforcement will be done");
	else if (!json_is_string(d) || cal_day_parse(json_string_value(d), &out->ready_day, NULL))
		error_add(err, "capacity.ready_by", "wrong_type", "ready_by must be YYYY-MM-DD");
	else if (out->ready_day < today)
		error_add(err, "capacity.ready_by", "in_the_past", "ready_by has passed");
}

static void read_conditions(const json_t *c, struct guidance_answer *out, struct error *err)
{
	out->conditions = json_array();
	if (!c || json_is_null(c))
		return;
	if (!json_is_array(c) || json_array_size(c) > 50) {
		error_add(err, "conditions", "wrong_type",
			  "conditions are a list of at most 50 texts");
		return;
	}
	size_t i;
	json_t *it;
	json_array_foreach(c, i, it)
	{
		if (json_is_string(it) && json_string_length(it) > 0 &&
		    json_string_length(it) <= 500) {
			json_array_append(out->conditions, it);
			continue;
		}
		char f[48];
		snprintf(f, sizeof(f), "conditions[%zu]", i);
		error_add(err, f, "wrong_type", "a condition is a text of 1 to 500 bytes");
	}
}

static void read_quote(const json_t *q, struct guidance_answer *out, struct error *err)
{
	if (!q || json_is_null(q))
		return;
	if (!json_is_array(q) || json_array_size(q) == 0 || json_array_size(q) > 100) {
		error_add(err, "quote", "wrong_type", "a quote is a list of 1 to 100 items");
		return;
	}
	out->quote = xcalloc(json_array_size(q), sizeof(*out->quote));
	out->quote_json = json_array();
	size_t i;
	json_t *it;
	json_array_foreach(q, i, it)
	{
		json_t *code = json_object_get(it, "code"), *qty = json_object_get(it, "quantity"),
		       *price = json_object_get(it, "unit_price_fen");
		if (!json_is_string(code) || !json_is_integer(qty) || !json_is_integer(price)) {
			char f[48];
			snprintf(f, sizeof(f), "quote[%zu]", i);
			error_add(err, f, "wrong_type",
				  "a quote item is {\"code\", \"quantity\", \"unit_price_fen\"}");
			continue;
		}
		out->quote[out->nquote++] = (struct fee_quote_line){
		    json_string_value(code), json_integer_value(qty), json_integer_value(price)};
		json_array_append_new(out->quote_json,
				      json_pack("{s:O, s:O, s:O}", "code", code, "quantity", qty,
						"unit_price_fen", price));
	}
}

size_t guidance_answer_parse(const json_t *body, day_t today, struct guidance_answer *out,
			     struct error *err)
{
	size_t before = err->ndetails;
	memset(out, 0, sizeof(*out));
	out->ready_day = -1;
	static const char *const allowed[] = {"connection_point", "capacity", "conditions",
					      "length_m",	  "quote",    NULL};
	const char *key;
	json_t *v;
	json_object_foreach((json_t *)body, key, v)
	{
		bool ok = false;
		for (const char *const *a = allowed; *a; a++)
			ok |= !strcmp(*a, key);
		if (!ok)
			error_add(err, key, "unknown_field",
				  "%s is not a member of a guidance answer", key);
	}
	read_point(json_object_get(body, "connection_point"), out, err);
	read_capacity(json_object_get(body, "capacity"), today, out, err);
	read_conditions(json_object_get(body, "conditions"), out, err);
	read_quote(json_object_get(body, "quote"), out, err);
	json_t *l = json_object_get(body, "length_m");
	if (l && !json_is_null(l)) {
		if (!json_is_integer(l) || json_integer_value(l) < 0 ||
		    json_integer_value(l) > 100000)
			error_add(err, "length_m", "out_of_range",
				  "length_m must be a whole number from 0 to 100000");
		else
			out->length_m = json_integer_value(l);
	}
	return err->ndetails - before;
}

void guidance_answer_release(struct guidance_answer *a)
{
	geo_free(a->point);
	json_decref(a->conditions);
	free(a->quote);
	json_decref(a->quote_json);
	memset(a, 0, sizeof(*a));
}

json_t *guidance_answer_json(const struct guidance_answer *a)
{
	char d[11];
	json_t *cap =
	    json_pack("{s:s}", "status", a->reinforcement ? "reinforcement" : "available");
	if (a->reinforcement)
		json_object_set_new(cap, "ready_by", json_string(cal_day_format(a->ready_day, d)));
	return json_pack("{s:{s:o, s:s}, s:o, s:o, s:I}", "connection_point", "geometry",
			 a->point ? geo_geojson(a->point) : json_null(), "description",
			 a->description, "capacity", cap, "conditions",
			 a->conditions ? json_incref(a->conditions) : json_array(), "length_m",
			 (json_int_t)a->length_m);
}

const char *guidance_status(bool answered, day_t due_day, day_t today)
{
	if (answered)
		return "answered";
	return today > due_day ? "overdue" : "due";
}

static char *dup_str(const json_t *o, const char *name)
{
	const char *s = json_string_value(json_object_get(o, name));
	return xstrdup(s ? s : "");
}

void project_estimate_use_guidance(struct fee_estimate *e, const char *kind, const json_t *guided)
{
	const json_t *lines = json_object_get(guided, "lines");
	if (!json_is_array(lines))
		return;
	size_t keep = 0;
	for (size_t i = 0; i < e->nlines; i++) {
		struct fee_line *l = &e->lines[i];
		if (l->utility_kind && !strcmp(l->utility_kind, kind)) {
			free(l->utility_kind);
			free(l->code);
			free(l->name_zh);
			free(l->name_en);
			free(l->unit);
			continue;
		}
		e->lines[keep++] = *l;
	}
	e->nlines = keep;
	e->lines = xrealloc(e->lines, (keep + json_array_size(lines) + 1) * sizeof(*e->lines));
	size_t i;
	json_t *o;
	json_array_foreach(lines, i, o)
	{
		struct fee_line *l = &e->lines[e->nlines++];
		l->utility_kind = xstrdup(kind);
		l->code = dup_str(o, "code");
		l->name_zh = dup_str(o, "name_zh");
		l->name_en = dup_str(o, "name_en");
		l->unit = dup_str(o, "unit");
		l->quantity = json_integer_value(json_object_get(o, "quantity"));
		l->unit_price_fen = json_integer_value(json_object_get(o, "unit_price_fen"));
		l->amount_fen = json_integer_value(json_object_get(o, "amount_fen"));
	}
	e->total_fen = 0;
	for (size_t k = 0; k < e->nlines; k++)
		e->total_fen += e->lines[k].amount_fen;
}
