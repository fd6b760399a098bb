/* The adapter registry, plus the schema checker and event mapper the kind files are built on. */
#include "adapter.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/xalloc.h"

/*
 * The registry: one line per kind. Each name refers to `adapter_<name>`, defined in
 * integrations/<name>.c; adding a kind is adding that file and its name here.
 */
#define ADAPTER_KINDS(X) X(water) X(power) X(gas) X(heat) X(network) X(road) X(greening) X(planning)

#define DECLARE(name) extern const struct adapter adapter_##name;
ADAPTER_KINDS(DECLARE)
#undef DECLARE

#define ENTRY(name) &adapter_##name,
static const struct adapter *const registry[] = {ADAPTER_KINDS(ENTRY)};
#undef ENTRY

#define NREGISTRY (sizeof(registry) / sizeof(registry[0]))
#define STRING_MAX 2000 /* longest free-text value accepted from a party */

const struct adapter *adapter_find(const char *kind)
{
	if (!kind)
		return NULL;
	for (size_t i = 0; i < NREGISTRY; i++)
		if (strcmp(registry[i]->kind, kind) == 0)
			return registry[i];
	return NULL;
}

const struct adapter *const *adapter_all(size_t *n)
{
	*n = NREGISTRY;
	return registry;
}

json_t *adapter_callback_transition(const struct adapter_callback *cb)
{
	static const char *const same[] = {"items",	     "reason_code", "comment",
					   "connection_point", "permits_needed", "conditions",
					   "result",	     NULL};
	json_t *body = json_pack("{s:s}", "action", cb->action);
	const json_t *v;

	for (size_t i = 0; same[i]; i++)
		if ((v = json_object_get(cb->payload, same[i])) && !json_is_null(v))
			json_object_set_new(body, same[i], json_deep_copy(v));
	if ((v = json_object_get(cb->payload, "quote_lines")))
		json_object_set_new(body, "quote", json_deep_copy(v));
	if ((v = json_object_get(cb->payload, "defects")) && json_array_size(v))
		json_object_set_new(body, "items", json_deep_copy(v));
	const char *d = json_string_value(json_object_get(cb->payload, "decision"));
	if (d)
		json_object_set_new(body, "decision",
				    json_string(strcmp(d, "granted") == 0 ? "grant" : "refuse"));
	return body;
}

json_t *adapter_guidance_answer(const struct adapter_callback *cb)
{
	json_t *body = json_object();
	const json_t *cp = json_object_get(cb->payload, "connection_point"), *v;
	if (cp)
		json_object_set_new(
		    body, "connection_point",
		    json_pack("{s:{s:s, s:[O,O]}, s:O}", "geometry", "type", "Point", "coordinates",
			      json_object_get(cp, "lng"), json_object_get(cp, "lat"), "description",
			      json_object_get(cp, "description")));
	static const char *const same[] = {"capacity", "conditions", "length_m", NULL};
	for (size_t i = 0; same[i]; i++)
		if ((v = json_object_get(cb->payload, same[i])) && !json_is_null(v))
			json_object_set_new(body, same[i], json_deep_copy(v));
	if ((v = json_object_get(cb->payload, "quote_lines")))
		json_object_set_new(body, "quote", json_deep_copy(v));
	return body;
}

void adapter_callback_release(struct adapter_callback *cb)
{
	if (!cb)
		return;
	json_decref(cb->payload);
	memset(cb, 0, sizeof(*cb));
}

/* ---- value checks ------------------------------------------------------------------------ */

static bool digits(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (s[i] < '0' || s[i] > '9')
			return false;
	return true;
}

static int num(const char *s, size_t n)
{
	int v = 0;

	for (size_t i = 0; i < n; i++)
		v = v * 10 + (s[i] - '0');
	return v;
}

/* The first 10 characters of s are a real "YYYY-MM-DD" date. */
static bool date_prefix_ok(const char *s)
{
	static const int mdays[] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
	int y, m, d;
	bool leap;

	if (strnlen(s, 10) < 10 || !digits(s, 4) || s[4] != '-' || !digits(s + 5, 2) ||
	    s[7] != '-' || !digits(s + 8, 2))
		return false;
	y = num(s, 4);
	m = num(s + 5, 2);
	d = num(s + 8, 2);
	leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
	if (m < 1 || m > 12 || d < 1 || d > mdays[m - 1])
		return false;
	return !(m == 2 && d == 29 && !leap);
}

bool adapter_date_ok(const char *s)
{
	return s && strlen(s) == 10 && date_prefix_ok(s);
}

/* RFC 3339: date "T" hh:mm:ss [.fraction] ("Z" | ±hh:mm). */
static bool time_ok(const char *s)
{
	const char *p = s + 11;

	if (!date_prefix_ok(s) || (s[10] != 'T' && s[10] != 't'))
		return false;
	if (strnlen(p, 8) < 8 || !digits(p, 2) || p[2] != ':' || !digits(p + 3, 2) || p[5] != ':' ||
	    !digits(p + 6, 2))
		return false;
	if (num(p, 2) > 23 || num(p + 3, 2) > 59 || num(p + 6, 2) > 60)
		return false;
	p += 8;
	if (*p == '.') {
		size_t n = strspn(p + 1, "0123456789");
		if (n == 0)
			return false;
		p += n + 1;
	}
	if ((*p == 'Z' || *p == 'z') && p[1] == '\0')
		return true;
	return (*p == '+' || *p == '-') && strlen(p) == 6 && digits(p + 1, 2) && p[3] == ':' &&
	       digits(p + 4, 2) && num(p + 1, 2) <= 23 && num(p + 4, 2) <= 59;
}

static bool in_values(const char *s, const char *const *values)
{
	if (!values)
		return true;
	for (; *values; values++)
		if (strcmp(s, *values) == 0)
			return true;
	return false;
}

/* "a, b, c" for messages; caller frees. */
static char *values_list(const char *const *values)
{
	char *s = xstrdup("");

	for (size_t i = 0; values[i]; i++) {
		char *t = xasprintf("%s%s%s", s, i ? ", " : "", values[i]);
		free(s);
		s = t;
	}
	return s;
}

static char *path_join(const char *prefix, const char *name)
{
	return *prefix ? xasprintf("%s.%s", prefix, name) : xstrdup(name);
}

static size_t check_members(const json_t *obj, const struct adapter_field *fields,
			    const char *prefix, bool strict, struct error *err);
static size_t unknown_members(const json_t *obj, const struct adapter_field *const *tables,
			      size_t ntables, const char *const *also, const char *prefix,
			      struct error *err);

static size_t check_string(const json_t *v, const struct adapter_field *f, const char *path,
			   struct error *err)
{
	const char *s;

	if (!json_is_string(v)) {
		error_add(err, path, "wrong_type", "must be a string");
		return 1;
	}
	s = json_string_value(v);
	if (!*s) {
		error_add(err, path, "empty", "must not be empty");
		return 1;
	}
	if (json_string_length(v) > STRING_MAX) {
		error_add(err, path, "too_long", "must be at most %d bytes", STRING_MAX);
		return 1;
	}
	if (!in_values(s, f->values)) {
		char *list = values_list(f->values);
		error_add(err, path, "invalid_value", "must be one of: %s", list);
		free(list);
		return 1;
	}
	return 0;
}

/* Numbers: which JSON kinds a type accepts and its range, in one table. */
static size_t check_number(const json_t *v, enum adapter_type type, const char *path,
			   struct error *err)
{
	static const struct {
		enum adapter_type type;
		bool integer;
		double min, max;
		bool min_exclusive;
		const char *what;
	} rules[] = {
	    {ADAPTER_INT, true, 0, INFINITY, false, "an integer >= 0"},
	    {ADAPTER_POSITIVE, true, 0, INFINITY, true, "an integer > 0"},
	    {ADAPTER_AMOUNT, false, 0, INFINITY, true, "a number > 0"},
	    {ADAPTER_MEASURE, false, 0, INFINITY, false, "a number >= 0"},
	    {ADAPTER_LAT, false, -90, 90, false, "a latitude in -90..90"},
	    {ADAPTER_LNG, false, -180, 180, false, "a longitude in -180..180"},
	};

	for (size_t i = 0; i < sizeof(rules) / sizeof(rules[0]); i++) {
		double x;

		if (rules[i].type != type)
			continue;
		if (rules[i].integer ? !json_is_integer(v) : !json_is_number(v)) {
			error_add(err, path, "wrong_type", "must be %s", rules[i].what);
			return 1;
		}
		x = json_number_value(v);
		if (x < rules[i].min || (rules[i].min_exclusive && x == rules[i].min) ||
		    x > rules[i].max) {
			error_add(err, path, "out_of_range", "must be %s", rules[i].what);
			return 1;
		}
		return 0;
	}
	return 0;
}

static size_t check_array(const json_t *v, const struct adapter_field *f, const char *path,
			  bool strict, struct error *err)
{
	size_t bad = 0, i;
	json_t *item;

	if (!json_is_array(v)) {
		error_add(err, path, "wrong_type", "must be an array");
		return 1;
	}
	if ((f->flags & ADAPTER_NONEMPTY) && json_array_size(v) == 0) {
		error_add(err, path, "empty", "must list at least one item");
		return 1;
	}
	json_array_foreach(v, i, item)
	{
		char *ipath = xasprintf("%s[%zu]", path, i);

		if (f->fields && !json_is_object(item)) {
			error_add(err, ipath, "wrong_type", "must be an object");
			bad++;
		} else if (f->fields) {
			bad += check_members(item, f->fields, ipath, strict, err);
			if (strict)
				bad += unknown_members(item, &f->fields, 1, NULL, ipath, err);
		} else {
			bad += check_string(item, f, ipath, err);
		}
		free(ipath);
	}
	return bad;
}

/* Checks one present, non-null value against its field; returns the details added. */
static size_t check_value(const json_t *v, const struct adapter_field *f, const char *path,
			  bool strict, struct error *err)
{
	size_t bad = 0;

	switch (f->type) {
	case ADAPTER_STRING:
		return check_string(v, f, path, err);
	case ADAPTER_BOOL:
		if (json_is_boolean(v))
			return 0;
		error_add(err, path, "wrong_type", "must be true or false");
		return 1;
	case ADAPTER_DATE:
	case ADAPTER_TIME:
		if (json_is_string(v) &&
		    (f->type == ADAPTER_DATE ? adapter_date_ok(json_string_value(v))
					     : time_ok(json_string_value(v))))
			return 0;
		error_add(err, path, "wrong_format", "must be %s",
			  f->type == ADAPTER_DATE ? "a date YYYY-MM-DD" : "an RFC 3339 date-time");
		return 1;
	case ADAPTER_OBJECT:
		if (!json_is_object(v)) {
			error_add(err, path, "wrong_type", "must be an object");
			return 1;
		}
		bad = check_members(v, f->fields, path, strict, err);
		if (strict)
			bad += unknown_members(v, &f->fields, 1, NULL, path, err);
		return bad;
	case ADAPTER_ARRAY:
		return check_array(v, f, path, strict, err);
	default:
		return check_number(v, f->type, path, err);
	}
}

/* Checks each listed member of obj (presence, type); strict applies to nested objects. */
static size_t check_members(const json_t *obj, const struct adapter_field *fields,
			    const char *prefix, bool strict, struct error *err)
{
	size_t bad = 0;

	for (const struct adapter_field *f = fields; f && f->name; f++) {
		const json_t *v = json_object_get(obj, f->name);
		char *path = path_join(prefix, f->name);

		if (!v || json_is_null(v)) {
			if (f->flags & ADAPTER_REQUIRED) {
				error_add(err, path, "required", "is required");
				bad++;
			}
		} else {
			bad += check_value(v, f, path, strict, err);
		}
		free(path);
	}
	return bad;
}

static bool listed(const char *key, const struct adapter_field *const *tables, size_t ntables,
		   const char *const *also)
{
	for (size_t t = 0; t < ntables; t++)
		for (const struct adapter_field *f = tables[t]; f && f->name; f++)
			if (strcmp(f->name, key) == 0)
				return true;
	for (; also && *also; also++)
		if (strcmp(*also, key) == 0)
			return true;
	return false;
}

/* Refuses members of obj named in none of the tables (nor in `also`). */
static size_t unknown_members(const json_t *obj, const struct adapter_field *const *tables,
			      size_t ntables, const char *const *also, const char *prefix,
			      struct error *err)
{
	const char *key;
	json_t *v;
	size_t bad = 0;

	json_object_foreach((json_t *)obj, key, v)
	{
		char *path;

		if (listed(key, tables, ntables, also))
			continue;
		path = path_join(prefix, key);
		error_add(err, path, "unknown_field", "is not a field of this message");
		free(path);
		bad++;
	}
	return bad;
}

size_t adapter_check_object(const json_t *obj, const struct adapter_field *fields,
			    const char *prefix, bool strict, struct error *err)
{
	size_t bad = check_members(obj, fields, prefix, strict, err);

	if (strict)
		bad += unknown_members(obj, &fields, 1, NULL, prefix, err);
	return bad;
}

/* ---- dotted paths ------------------------------------------------------------------------ */

const json_t *adapter_get_path(const json_t *root, const char *path)
{
	const json_t *v = root;
	const char *p = path;

	while (v && *p) {
		size_t n = strcspn(p, ".");
		char *key = xstrndup(p, n);

		v = json_is_object(v) ? json_object_get(v, key) : NULL;
		free(key);
		p += n;
		if (*p == '.')
			p++;
	}
	return v;
}

/* Sets value (stolen) at a dotted path, creating intermediate objects. */
static void set_path(json_t *root, const char *path, json_t *value)
{
	const char *dot = strchr(path, '.');

	if (!dot) {
		json_object_set_new(root, path, value);
		return;
	}
	char *key = xstrndup(path, (size_t)(dot - path));
	json_t *child = json_object_get(root, key);

	if (!json_is_object(child)) {
		child = json_object();
		json_object_set_new(root, key, child);
	}
	free(key);
	set_path(child, dot + 1, value);
}

/* ---- outbound payloads ------------------------------------------------------------------- */

/* The header of every event, whatever its object: copied as it is. */
#define ENVELOPE_HEADER                                                         \
	{"type", "type", ADAPTER_STRING, ADAPTER_REQUIRED, NULL},               \
	{"version", "version", ADAPTER_POSITIVE, ADAPTER_REQUIRED, NULL},       \
	{"sequence", "sequence", ADAPTER_POSITIVE, ADAPTER_REQUIRED, NULL},     \
	{"occurred_at", "occurred_at", ADAPTER_TIME, ADAPTER_REQUIRED, NULL}

/* The envelope and snapshot fields every party receives. */
static const struct adapter_map envelope[] = {
    ENVELOPE_HEADER,
    {"object.reference", "data.reference", ADAPTER_STRING, ADAPTER_REQUIRED, NULL},
    {"object.kind", "data.kind", ADAPTER_STRING, ADAPTER_REQUIRED, NULL},
    {"object.state", "data.state", ADAPTER_STRING, ADAPTER_REQUIRED, NULL},
    {"object.due_date", "data.due_date", ADAPTER_DATE, 0, NULL},
    {"object.application.reference", "data.application_reference", ADAPTER_STRING, ADAPTER_REQUIRED,
     NULL},
    {"object.application.site.address", "data.site.address", ADAPTER_STRING, ADAPTER_REQUIRED,
     NULL},
    {"object.application.site.district", "data.site.district", ADAPTER_STRING, ADAPTER_REQUIRED,
     NULL},
    {"object.application.site.lat", "data.site.lat", ADAPTER_LAT, ADAPTER_REQUIRED, NULL},
    {"object.application.site.lng", "data.site.lng", ADAPTER_LNG, ADAPTER_REQUIRED, NULL},
    {NULL, NULL, 0, 0, NULL},
};

/* Checks every mapped value, copying the good ones into payload. */
static void map_values(const json_t *event, const struct adapter_map *maps, json_t *payload,
		       struct error *err)
{
	for (const struct adapter_map *m = maps; m->from; m++) {
		const struct adapter_field f = {m->from, m->type, m->flags, NULL, m->fields};
		const json_t *v = adapter_get_path(event, m->from);

		if (!v || json_is_null(v)) {
			if (m->flags & ADAPTER_REQUIRED)
				error_add(err, m->from, "required", "is required");
			continue;
		}
		if (check_value(v, &f, m->from, false, err) == 0)
			set_path(payload, m->to, json_deep_copy(v));
	}
}

/* The event must be about this kind and addressed to this party. */
static void check_routing(const json_t *event, const struct adapter_payload_spec *spec,
			  struct error *err)
{
	const char *kind = json_string_value(adapter_get_path(event, "object.kind"));
	const char *type = json_string_value(adapter_get_path(event, "type"));
	const char *prefix = strcmp(spec->party, "utility") == 0 ? "job." : "permit.";

	if (kind && *kind && strcmp(kind, spec->kind) != 0)
		error_add(err, "object.kind", "wrong_kind",
			  "is \"%s\"; this adapter handles \"%s\"", kind, spec->kind);
	if (type && *type && strncmp(type, prefix, strlen(prefix)) != 0)
		error_add(err, "type", "wrong_party", "a %s receives only %s* events", spec->party,
			  prefix);
}

/* Moves the details of a private record (kept so counts work when err is NULL) into err. */
static void details_move(struct error *err, struct error *local)
{
	for (size_t i = 0; err && i < local->ndetails; i++)
		error_add(err, local->details[i].field, local->details[i].code, "%s",
			  local->details[i].message);
	error_release(local);
}

/* ---- planning-stage events (issue #20) -------------------------------------------------- */

static const struct adapter_field geometry_fields[] = {
    {"type", ADAPTER_STRING, ADAPTER_REQUIRED, NULL, NULL},
    {NULL, 0, 0, NULL, NULL}, /* coordinates: checked by coordinates_ok */
};

static const struct adapter_map guidance_envelope[] = {
    ENVELOPE_HEADER,
    {"object.project.reference", "data.reference", ADAPTER_STRING, ADAPTER_REQUIRED, NULL},
    {"object.id", "data.guidance_id", ADAPTER_POSITIVE, ADAPTER_REQUIRED, NULL},
    {"object.kind", "data.kind", ADAPTER_STRING, ADAPTER_REQUIRED, NULL},
    {"object.status", "data.state", ADAPTER_STRING, ADAPTER_REQUIRED, NULL},
    {"object.due_date", "data.due_date", ADAPTER_DATE, ADAPTER_REQUIRED, NULL},
    {"object.hookup_date", "data.hookup_date", ADAPTER_DATE, 0, NULL},
    {"object.limit_days", "data.limit_days", ADAPTER_POSITIVE, 0, NULL},
    {"object.preferred", "data.preferred", ADAPTER_BOOL, 0, NULL},
    {"object.project.name", "data.project_name", ADAPTER_STRING, 0, NULL},
    {"object.project.district", "data.site.district", ADAPTER_STRING, ADAPTER_REQUIRED, NULL},
    {"object.project.geometry", "data.site.geometry", ADAPTER_OBJECT, ADAPTER_REQUIRED,
     geometry_fields},
    {NULL, NULL, 0, 0, NULL},
};

/* Geometry coordinates are numbers (nested arrays), which the string check of arrays refuses. */
static bool coordinates_ok(const json_t *v)
{
	if (json_is_number(v))
		return true;
	if (!json_is_array(v) || json_array_size(v) == 0)
		return false;
	size_t i;
	json_t *x;
	json_array_foreach(v, i, x) if (!coordinates_ok(x)) return false;
	return true;
}

static const struct adapter_field conflict_item[] = {
    {"projects", ADAPTER_ARRAY, ADAPTER_REQUIRED | ADAPTER_NONEMPTY, NULL, NULL},
    {"gap_days", ADAPTER_INT, ADAPTER_REQUIRED, NULL, NULL},
    {NULL, 0, 0, NULL, NULL},
};

static const struct adapter_map conflict_envelope[] = {
    ENVELOPE_HEADER,
    {"object.project", "data.reference", ADAPTER_STRING, ADAPTER_REQUIRED, NULL},
    {"object.road_id", "data.road", ADAPTER_STRING, ADAPTER_REQUIRED, NULL},
    {"object.months", "data.window_months", ADAPTER_POSITIVE, ADAPTER_REQUIRED, NULL},
    {"object.conflicts", "data.conflicts", ADAPTER_ARRAY, ADAPTER_REQUIRED | ADAPTER_NONEMPTY,
     conflict_item},
    {"object.total", "data.total", ADAPTER_POSITIVE, 0, NULL},
    {"object.part", "data.part", ADAPTER_POSITIVE, 0, NULL},
    {"object.parts", "data.parts", ADAPTER_POSITIVE, 0, NULL},
    {NULL, NULL, 0, 0, NULL},
};

/* Renames member from to to in o, if present. */
static void rename_member(json_t *o, const char *from, const char *to)
{
	json_t *v = json_object_get(o, from);
	if (!v)
		return;
	json_object_set(o, to, v);
	json_object_del(o, from);
}

static int planning_build(const json_t *event, const struct adapter_payload_spec *spec,
			  bool guidance, json_t **out, struct error *err)
{
	struct error local = ERROR_INIT;
	json_t *payload = json_object();
	map_values(event, guidance ? guidance_envelope : conflict_envelope, payload, &local);
	if (guidance) {
		const char *kind = json_string_value(adapter_get_path(event, "object.kind"));
		if (kind && *kind && strcmp(kind, spec->kind) != 0)
			error_add(&local, "object.kind", "wrong_kind",
				  "is \"%s\"; this adapter handles \"%s\"", kind, spec->kind);
		const json_t *g = adapter_get_path(event, "object.project.geometry");
		const json_t *c = json_object_get(g, "coordinates");
		if (json_is_object(g) && (!c || json_is_null(c)))
			error_add(&local, "object.project.geometry.coordinates", "required",
				  "is required");
		else if (json_is_object(g) && !coordinates_ok(c))
			error_add(&local, "object.project.geometry.coordinates", "wrong_type",
				  "must be nested arrays of numbers");
		map_values(event, spec->guidance_loads, payload, &local);
	} else {
		size_t i;
		json_t *item;
		json_array_foreach(adapter_get_path(payload, "data.conflicts"), i, item)
		{
			rename_member(item, "projects", "references");
			rename_member(item, "digs", "planned_dig_ids");
		}
	}
	size_t bad = local.ndetails;
	details_move(err, &local);
	if (bad) {
		json_decref(payload);
		return error_set(err, ERR_INVALID, "%s event has %zu missing or invalid field%s",
				 spec->kind, bad, bad == 1 ? "" : "s");
	}
	*out = payload;
	return 0;
}

int adapter_payload_build(const json_t *event, const struct adapter_payload_spec *spec,
			  json_t **out, struct error *err)
{
	struct error local = ERROR_INIT;
	json_t *payload;
	size_t bad;

	*out = NULL;
	if (!json_is_object(event))
		return error_set(err, ERR_INVALID, "event must be a JSON object");
	const char *type = json_string_value(json_object_get(event, "type"));
	if (type && spec->guidance_loads && !strcmp(type, "guidance.requested"))
		return planning_build(event, spec, true, out, err);
	if (type && spec->coordination && !strcmp(type, "coordination.conflict"))
		return planning_build(event, spec, false, out, err);
	payload = json_object();
	map_values(event, envelope, payload, &local);
	map_values(event, spec->maps, payload, &local);
	check_routing(event, spec, &local);
	if (spec->check)
		spec->check(event, &local);
	bad = local.ndetails;
	details_move(err, &local);
	if (bad) {
		json_decref(payload);
		return error_set(err, ERR_INVALID, "%s event has %zu missing or invalid field%s",
				 spec->kind, bad, bad == 1 ? "" : "s");
	}
	*out = payload;
	return 0;
}

/* ---- inbound callbacks ------------------------------------------------------------------- */

/* A {code, comment} pair: a coded reason, condition or missing item (published code lists). */
static const struct adapter_field coded_item[] = {
    {"code", ADAPTER_STRING, ADAPTER_REQUIRED, NULL, NULL},
    {"comment", ADAPTER_STRING, ADAPTER_REQUIRED, NULL, NULL},
    {NULL, 0, 0, NULL, NULL},
};

static const struct adapter_field connection_point[] = {
    {"lat", ADAPTER_LAT, ADAPTER_REQUIRED, NULL, NULL},
    {"lng", ADAPTER_LNG, ADAPTER_REQUIRED, NULL, NULL},
    {"description", ADAPTER_STRING, ADAPTER_REQUIRED, NULL, NULL},
    {NULL, 0, 0, NULL, NULL},
};

/* Money is integer fen; a quantity is a whole number of the fee item's unit. */
static const struct adapter_field quote_line[] = {
    {"code", ADAPTER_STRING, ADAPTER_REQUIRED, NULL, NULL},
    {"quantity", ADAPTER_POSITIVE, ADAPTER_REQUIRED, NULL, NULL},
    {"unit_price_fen", ADAPTER_INT, ADAPTER_REQUIRED, NULL, NULL},
    {NULL, 0, 0, NULL, NULL},
};

static const char *const permit_kinds[] = {"dig_road", "greening", "planning", NULL};
static const char *const pass_fail[] = {"pass", "fail", NULL};
static const char *const extension_decisions[] = {"granted", "refused", NULL};

#define COMMENT                                                                                    \
	{                                                                                          \
		"comment", ADAPTER_STRING, 0, NULL, NULL                                           \
	}
#define END                                                                                        \
	{                                                                                          \
		NULL, 0, 0, NULL, NULL                                                             \
	}

static const struct adapter_field f_comment[] = {COMMENT, END};
static const struct adapter_field f_return[] = {
    {"items", ADAPTER_ARRAY, ADAPTER_REQUIRED | ADAPTER_NONEMPTY, NULL, coded_item},
    COMMENT,
    END,
};
static const struct adapter_field f_reject[] = {
    {"reason_code", ADAPTER_STRING, ADAPTER_REQUIRED, NULL, NULL},
    COMMENT,
    END,
};
static const struct adapter_field f_survey[] = {
    {"connection_point", ADAPTER_OBJECT, ADAPTER_REQUIRED, NULL, connection_point},
    COMMENT,
    END,
};
static const struct adapter_field f_plan[] = {
    {"quote_lines", ADAPTER_ARRAY, ADAPTER_REQUIRED | ADAPTER_NONEMPTY, NULL, quote_line},
    {"permits_needed", ADAPTER_ARRAY, ADAPTER_REQUIRED, permit_kinds, NULL},
    COMMENT,
    END,
};
static const struct adapter_field f_connect[] = {
    {"connected_at", ADAPTER_TIME, 0, NULL, NULL},
    COMMENT,
    END,
};
static const struct adapter_field f_approve[] = {
    {"conditions", ADAPTER_ARRAY, 0, NULL, coded_item},
    COMMENT,
    END,
};
static const struct adapter_field f_inspect[] = {
    {"result", ADAPTER_STRING, ADAPTER_REQUIRED, pass_fail, NULL},
    {"inspected_on", ADAPTER_DATE, 0, NULL, NULL},
    {"defects", ADAPTER_ARRAY, 0, NULL, coded_item},
    COMMENT,
    END,
};
static const struct adapter_field f_post_check[] = {
    {"result", ADAPTER_STRING, ADAPTER_REQUIRED, pass_fail, NULL},
    COMMENT,
    END,
};
static const struct adapter_field f_extension[] = {
    {"decision", ADAPTER_STRING, ADAPTER_REQUIRED, extension_decisions, NULL},
    {"new_end_date", ADAPTER_DATE, 0, NULL, NULL},
    COMMENT,
    END,
};

/* The answer to a guidance task (issue #20), in the adapters' own shapes. */
static const char *const capacity_statuses[] = {"available", "reinforcement", NULL};
static const struct adapter_field capacity[] = {
    {"status", ADAPTER_STRING, ADAPTER_REQUIRED, capacity_statuses, NULL},
    {"ready_by", ADAPTER_DATE, 0, NULL, NULL},
    {NULL, 0, 0, NULL, NULL},
};
static const struct adapter_field f_guidance[] = {
    {"connection_point", ADAPTER_OBJECT, ADAPTER_REQUIRED, NULL, connection_point},
    {"capacity", ADAPTER_OBJECT, ADAPTER_REQUIRED, NULL, capacity},
    {"conditions", ADAPTER_ARRAY, 0, NULL, NULL},
    {"length_m", ADAPTER_INT, 0, NULL, NULL},
    {"quote_lines", ADAPTER_ARRAY, ADAPTER_NONEMPTY, NULL, quote_line},
    COMMENT,
    END,
};

static bool string_is(const json_t *body, const char *key, const char *value)
{
	const char *s = json_string_value(json_object_get(body, key));
	return s && strcmp(s, value) == 0;
}

static bool present(const json_t *body, const char *key)
{
	const json_t *v = json_object_get(body, key);
	return v && !json_is_null(v);
}

/* A failed inspection opens a remedial task, which must say what to fix. */
static void check_inspect(const json_t *body, struct error *err)
{
	if (string_is(body, "result", "fail") &&
	    json_array_size(json_object_get(body, "defects")) == 0)
		error_add(err, "defects", "required", "a failed inspection must list its defects");
}

/* A failed post-check revokes the permit; the revocation must give its grounds. */
static void check_post_check(const json_t *body, struct error *err)
{
	if (string_is(body, "result", "fail") && !present(body, "comment"))
		error_add(err, "comment", "required",
			  "a failed post-check must say what was found");
}

/* Reinforcement says by when; available capacity has no date. */
static void check_guidance(const json_t *body, struct error *err)
{
	const json_t *c = json_object_get(body, "capacity");
	if (string_is(c, "status", "reinforcement") && !present(c, "ready_by"))
		error_add(err, "capacity.ready_by", "required",
			  "say by when the reinforcement will be done");
	if (string_is(c, "status", "available") && present(c, "ready_by"))
		error_add(err, "capacity.ready_by", "not_allowed",
			  "ready_by goes with reinforcement only");
}

static void check_extension(const json_t *body, struct error *err)
{
	if (string_is(body, "decision", "granted") && !present(body, "new_end_date"))
		error_add(err, "new_end_date", "required",
			  "a granted extension needs its new end date");
	if (string_is(body, "decision", "refused") && present(body, "new_end_date"))
		error_add(err, "new_end_date", "not_allowed",
			  "a refused extension has no new end date");
}

struct action_rule {
	const char *action;
	const struct adapter_field *fields;
	void (*check)(const json_t *body, struct error *err);
};

static const struct action_rule job_actions[] = {
    {"accept", f_comment, NULL},   {"return", f_return, NULL}, {"reject", f_reject, NULL},
    {"survey", f_survey, NULL},	   {"plan", f_plan, NULL},     {"connect", f_connect, NULL},
    {"complete", f_comment, NULL}, {"guidance", f_guidance, check_guidance},
    {NULL, NULL, NULL},
};

static const struct action_rule permit_actions[] = {
    {"accept", f_comment, NULL},
    {"return", f_return, NULL},
    {"approve", f_approve, NULL},
    {"reject", f_reject, NULL},
    {"inspect", f_inspect, check_inspect},
    {"post_check", f_post_check, check_post_check},
    {"decide_extension", f_extension, check_extension},
    {NULL, NULL, NULL},
};

static const struct action_rule *actions_of(const char *party)
{
	return strcmp(party, "utility") == 0 ? job_actions : permit_actions;
}

static const struct action_rule *rule_find(const char *party, const char *action)
{
	for (const struct action_rule *r = actions_of(party); action && r->action; r++)
		if (strcmp(r->action, action) == 0)
			return r;
	return NULL;
}

static const struct adapter_action_extra *extra_find(const struct adapter_action_extra *extras,
						     const char *action)
{
	for (; extras && extras->action; extras++)
		if (strcmp(extras->action, action) == 0)
			return extras;
	return NULL;
}

/* "action" and "reference": present, of the party's vocabulary, and fitting the out struct. */
static void check_head(const json_t *body, const char *party, struct error *err)
{
	const json_t *action = json_object_get(body, "action");
	const json_t *ref = json_object_get(body, "reference");
	const char *r = json_string_value(ref);

	if (!action || json_is_null(action)) {
		error_add(err, "action", "required", "is required");
	} else if (!rule_find(party, json_string_value(action))) {
		char *list = xstrdup("");
		for (const struct action_rule *a = actions_of(party); a->action; a++) {
			char *t = xasprintf("%s%s%s", list, *list ? ", " : "", a->action);
			free(list);
			list = t;
		}
		error_add(err, "action", "invalid_value", "a %s may send one of: %s", party, list);
		free(list);
	}
	if (!ref || json_is_null(ref))
		error_add(err, "reference", "required", "is required");
	else if (!r || !*r || strlen(r) >= sizeof(((struct adapter_callback *)0)->external_ref) ||
		 strspn(r, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_") !=
		     strlen(r))
		error_add(err, "reference", "wrong_format",
			  "must be 1..63 letters, digits, '-' or '_'");
}

int adapter_callback_parse(const json_t *body, const char *party,
			   const struct adapter_action_extra *extras, struct adapter_callback *out,
			   struct error *err)
{
	static const char *const head[] = {"action", "reference", NULL};
	struct error local = ERROR_INIT;
	const struct action_rule *rule;
	const struct adapter_action_extra *extra = NULL;

	memset(out, 0, sizeof(*out));
	if (!json_is_object(body))
		return error_set(err, ERR_INVALID, "callback body must be a JSON object");
	check_head(body, party, &local);
	rule = rule_find(party, json_string_value(json_object_get(body, "action")));
	if (rule) {
		const struct adapter_field *tables[2] = {rule->fields, NULL};

		extra = extra_find(extras, rule->action);
		tables[1] = extra ? extra->fields : NULL;
		check_members(body, rule->fields, "", true, &local);
		check_members(body, tables[1], "", true, &local);
		unknown_members(body, tables, 2, head, "", &local);
		if (rule->check)
			rule->check(body, &local);
		if (extra && extra->check)
			extra->check(body, &local);
	}
	if (local.ndetails) {
		size_t bad = local.ndetails;

		details_move(err, &local);
		return error_set(err, ERR_INVALID, "callback has %zu problem%s", bad,
				 bad == 1 ? "" : "s");
	}
	snprintf(out->action, sizeof(out->action), "%s", rule->action);
	snprintf(out->external_ref, sizeof(out->external_ref), "%s",
		 json_string_value(json_object_get(body, "reference")));
	out->payload = json_deep_copy(body);
	json_object_del(out->payload, "action");
	json_object_del(out->payload, "reference");
	return 0;
}
