/* Service standards: JSON in and out, the checks that list every problem, and lookups. */
#include "standards.h"

#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/xalloc.h"

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

static const char *const utility_kinds[] = { "water", "power", "gas", "heat", "network", NULL };
static const char *const permit_kinds[] = { "dig_road", "greening", "planning", NULL };
static const char *const utility_stages[] = { "accept", "survey", "plan", "construct", "complete",
					       NULL };
static const char *const permit_stages[] = { "accept", "review", NULL };
static const char *const conditions[] = { "excavation", "green_space", "outside_plot", NULL };
static const char *const risks[] = { "low", "medium", "high", NULL };

/* Where problems go while reading; counts them even without an error record. */
struct reader {
	struct error *err;
	size_t n;
};

static void problem(struct reader *r, const char *field, const char *code, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static void problem(struct reader *r, const char *field, const char *code, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	char *msg = xvasprintf(fmt, ap);
	va_end(ap);
	error_add(r->err, field, code, "%s", msg);
	free(msg);
	r->n++;
}

static bool in_list(const char *s, const char *const *list)
{
	for (size_t i = 0; s && list[i]; i++)
		if (strcmp(s, list[i]) == 0)
			return true;
	return false;
}

bool standards_is_utility_kind(const char *kind)
{
	return in_list(kind, utility_kinds);
}

bool standards_is_permit_kind(const char *kind)
{
	return in_list(kind, permit_kinds);
}

/* "at.key", or "key" at the top level. Caller frees. */
static char *field_name(const char *at, const char *key)
{
	return at ? xasprintf("%s.%s", at, key) : xstrdup(key);
}

/* A non-empty string; NULL (with a problem when required or mistyped) otherwise. */
static char *read_str(const json_t *obj, const char *at, const char *key, bool required,
		      struct reader *r)
{
	json_t *v = json_object_get(obj, key);
	char *field = field_name(at, key), *out = NULL;
	if (json_is_string(v) && json_string_length(v) > 0)
		out = xstrdup(json_string_value(v));
	else if (v && !json_is_null(v) && !json_is_string(v))
		problem(r, field, "wrong_type", "%s must be a string", key);
	else if (required)
		problem(r, field, "required", "%s is required", key);
	free(field);
	return out;
}

/* An integer >= 0 that fits an int; *out keeps its value when absent. */
static void read_count(const json_t *obj, const char *at, const char *key, bool required,
		       int *out, struct reader *r)
{
	json_t *v = json_object_get(obj, key);
	char *field = field_name(at, key);
	if (json_is_integer(v)) {
		json_int_t x = json_integer_value(v);
		if (x < 0)
			problem(r, field, "negative", "%s must not be negative", key);
		else if (x > INT_MAX)
			problem(r, field, "out_of_range", "%s is too large", key);
		else
			*out = (int)x;
	} else if (v && !json_is_null(v)) {
		problem(r, field, "wrong_type", "%s must be an integer", key);
	} else if (required) {
		problem(r, field, "required", "%s is required", key);
	}
	free(field);
}

static void read_bool(const json_t *obj, const char *at, const char *key, bool *out,
		      struct reader *r)
{
	json_t *v = json_object_get(obj, key);
	if (json_is_boolean(v)) {
		*out = json_is_true(v);
	} else if (v && !json_is_null(v)) {
		char *field = field_name(at, key);
		problem(r, field, "wrong_type", "%s must be true or false", key);
		free(field);
	}
}

static void reject_unknown(const json_t *obj, const char *const *allowed, const char *at,
			   struct reader *r)
{
	const char *key;
	json_t *v;
	json_object_foreach((json_t *)obj, key, v)
	{
		if (in_list(key, allowed))
			continue;
		char *field = field_name(at, key);
		problem(r, field, "unknown_field", "unknown field %s", key);
		free(field);
	}
}

/* The array at obj[key] (NULL with a problem when mistyped, or missing and required). */
static json_t *read_array(const json_t *obj, const char *key, bool required, struct reader *r)
{
	json_t *v = json_object_get(obj, key);
	if (json_is_array(v))
		return v;
	if (v && !json_is_null(v))
		problem(r, key, "wrong_type", "%s must be an array", key);
	else if (required)
		problem(r, key, "required", "%s is required", key);
	return NULL;
}

static void read_stage(const json_t *j, const char *at, struct stage_standard *st,
		       struct reader *r)
{
	static const char *const allowed[] = { "code",	     "name_zh",	      "name_en",
					       "limit_days", "silence_approves", NULL };
	st->limit_days = -1;
	if (!json_is_object(j)) {
		problem(r, at, "wrong_type", "a stage must be an object");
		return;
	}
	st->code = read_str(j, at, "code", true, r);
	st->name_zh = read_str(j, at, "name_zh", true, r);
	st->name_en = read_str(j, at, "name_en", false, r);
	read_count(j, at, "limit_days", true, &st->limit_days, r);
	read_bool(j, at, "silence_approves", &st->silence_approves, r);
	reject_unknown(j, allowed, at, r);
}

static void read_material(const json_t *j, const char *at, struct material_standard *m,
			  struct reader *r)
{
	static const char *const allowed[] = { "type",	   "name_zh",  "name_en", "required",
					       "condition", "elicence", NULL };
	if (!json_is_object(j)) {
		problem(r, at, "wrong_type", "a material must be an object");
		return;
	}
	m->type = read_str(j, at, "type", true, r);
	m->name_zh = read_str(j, at, "name_zh", true, r);
	m->name_en = read_str(j, at, "name_en", false, r);
	read_bool(j, at, "required", &m->required, r);
	read_bool(j, at, "elicence", &m->elicence, r);
	m->condition = read_str(j, at, "condition", false, r);
	if (m->condition && !in_list(m->condition, conditions)) {
		char *field = field_name(at, "condition");
		problem(r, field, "not_allowed",
			"condition must be null, excavation, green_space or outside_plot");
		free(field);
	}
	reject_unknown(j, allowed, at, r);
}

/* A list of strings, each one of `allowed` (NULL: any non-empty string). */
static void read_str_list(const json_t *obj, const char *at, const char *key,
			  const char *const *allowed, char ***out, size_t *n, struct reader *r)
{
	json_t *v = json_object_get(obj, key);
	char *field = field_name(at, key);
	if (json_is_array(v)) {
		*out = xcalloc(json_array_size(v) + 1, sizeof(**out));
		for (size_t i = 0; i < json_array_size(v); i++) {
			json_t *s = json_array_get(v, i);
			char *f = xasprintf("%s[%zu]", field, i);
			if (!json_is_string(s) || json_string_length(s) == 0)
				problem(r, f, "wrong_type", "must be a non-empty string");
			else if (allowed && !in_list(json_string_value(s), allowed))
				problem(r, f, "not_allowed", "%s is not one of the allowed values",
					json_string_value(s));
			else
				(*out)[(*n)++] = xstrdup(json_string_value(s));
			free(f);
		}
	} else if (v && !json_is_null(v)) {
		problem(r, field, "wrong_type", "%s must be an array of strings", key);
	}
	free(field);
}

static void read_fast_track(const json_t *j, struct fast_track_standard *ft, struct reader *r)
{
	static const char *const allowed[] = { "enabled",      "zone_risk",	    "road_classes",
					       "max_length_m", "max_area_m2",	    "max_duration_days",
					       "decision_days", "post_check_days",
					       "rectification_days", NULL };
	const char *at = "fast_track";
	read_bool(j, at, "enabled", &ft->enabled, r);
	read_str_list(j, at, "zone_risk", risks, &ft->zone_risk, &ft->nzone_risk, r);
	read_str_list(j, at, "road_classes", NULL, &ft->road_classes, &ft->nroad_classes, r);
	read_count(j, at, "max_length_m", ft->enabled, &ft->max_length_m, r);
	read_count(j, at, "max_area_m2", ft->enabled, &ft->max_area_m2, r);
	read_count(j, at, "max_duration_days", ft->enabled, &ft->max_duration_days, r);
	read_count(j, at, "decision_days", ft->enabled, &ft->decision_days, r);
	read_count(j, at, "post_check_days", false, &ft->post_check_days, r);
	read_count(j, at, "rectification_days", false, &ft->rectification_days, r);
	reject_unknown(j, allowed, at, r);
}

static void read_trigger(const json_t *j, struct trigger_standard *t, struct reader *r)
{
	static const char *const allowed[] = { "min_length_m", "min_area_m2", "min_trees",
					       "min_outside_m", NULL };
	read_count(j, "trigger", "min_length_m", false, &t->min_length_m, r);
	read_count(j, "trigger", "min_area_m2", false, &t->min_area_m2, r);
	read_count(j, "trigger", "min_trees", false, &t->min_trees, r);
	read_count(j, "trigger", "min_outside_m", false, &t->min_outside_m, r);
	reject_unknown(j, allowed, "trigger", r);
}

static void read_stages(const json_t *j, struct service_standard *s, struct reader *r)
{
	json_t *a = read_array(j, "stages", true, r);
	if (!a)
		return;
	s->nstages = json_array_size(a);
	s->stages = xcalloc(s->nstages + 1, sizeof(*s->stages));
	for (size_t i = 0; i < s->nstages; i++) {
		char *at = xasprintf("stages[%zu]", i);
		read_stage(json_array_get(a, i), at, &s->stages[i], r);
		for (size_t k = 0; s->stages[i].code && k < i; k++)
			if (s->stages[k].code && strcmp(s->stages[k].code, s->stages[i].code) == 0) {
				char *f = xasprintf("%s.code", at);
				problem(r, f, "duplicate", "stage %s is also stages[%zu]",
					s->stages[i].code, k);
				free(f);
			}
		free(at);
	}
	if (s->nstages == 0)
		problem(r, "stages", "required", "a standard has at least one stage");
}

static void read_materials(const json_t *j, struct service_standard *s, struct reader *r)
{
	json_t *a = read_array(j, "materials", false, r);
	if (!a)
		return;
	s->nmaterials = json_array_size(a);
	s->materials = xcalloc(s->nmaterials + 1, sizeof(*s->materials));
	for (size_t i = 0; i < s->nmaterials; i++) {
		char *at = xasprintf("materials[%zu]", i);
		read_material(json_array_get(a, i), at, &s->materials[i], r);
		free(at);
	}
}

/* The stage codes the applications code relies on, for the standard's kind. */
static void check_required_stages(const struct service_standard *s, struct reader *r)
{
	const char *const *need = standards_is_utility_kind(s->kind) ? utility_stages
				  : standards_is_permit_kind(s->kind) ? permit_stages
								       : NULL;
	for (size_t i = 0; need && need[i]; i++)
		if (s->nstages && !standards_stage(s, need[i]))
			problem(r, "stages", "missing_stage", "a %s standard needs a stage %s",
				s->kind, need[i]);
}

int standards_from_json(const json_t *j, struct service_standard **out, struct error *err)
{
	static const char *const allowed[] = { "kind",	     "version",	  "effective_from",
					       "name_zh",    "name_en",	  "sample",
					       "stages",     "materials", "fast_track",
					       "trigger",    NULL };
	*out = NULL;
	if (!json_is_object(j))
		return error_set(err, ERR_MALFORMED, "a service standard must be a JSON object");
	struct reader r = { err, 0 };
	struct service_standard *s = xcalloc(1, sizeof(*s));
	s->kind = read_str(j, NULL, "kind", true, &r);
	if (s->kind && !standards_is_utility_kind(s->kind) && !standards_is_permit_kind(s->kind))
		problem(&r, "kind", "unknown_kind", "unknown kind %s", s->kind);
	read_count(j, NULL, "version", false, &s->version, &r);
	json_t *ef = json_object_get(j, "effective_from");
	if (!json_is_string(ef))
		problem(&r, "effective_from", ef ? "wrong_type" : "required",
			"effective_from is a YYYY-MM-DD date");
	else if (cal_day_parse(json_string_value(ef), &s->effective_from, NULL))
		problem(&r, "effective_from", "invalid_date", "effective_from must be a real date");
	s->name_zh = read_str(j, NULL, "name_zh", true, &r);
	s->name_en = read_str(j, NULL, "name_en", false, &r);
	read_bool(j, NULL, "sample", &s->sample, &r);
	read_stages(j, s, &r);
	read_materials(j, s, &r);
	json_t *ft = json_object_get(j, "fast_track");
	if (json_is_object(ft)) {
		s->has_fast_track = true;
		read_fast_track(ft, &s->fast_track, &r);
	} else if (ft && !json_is_null(ft)) {
		problem(&r, "fast_track", "wrong_type", "fast_track must be an object");
	}
	json_t *tr = json_object_get(j, "trigger");
	if (json_is_object(tr) && s->kind && standards_is_utility_kind(s->kind)) {
		problem(&r, "trigger", "not_allowed", "only permit kinds have trigger thresholds");
	} else if (json_is_object(tr)) {
		s->has_trigger = true;
		read_trigger(tr, &s->trigger, &r);
	} else if (tr && !json_is_null(tr)) {
		problem(&r, "trigger", "wrong_type", "trigger must be an object");
	}
	reject_unknown(j, allowed, NULL, &r);
	if (s->kind)
		check_required_stages(s, &r);
	if (r.n) {
		standards_free(s);
		return error_set(err, ERR_INVALID, "%zu problem(s) in the service standard", r.n);
	}
	*out = s;
	return 0;
}

int standards_validate_publish(const struct service_standard *s, day_t today, struct error *err)
{
	struct reader r = { err, 0 };
	if (s->version < 1)
		problem(&r, "version", "out_of_range", "versions start at 1");
	if (s->effective_from < today)
		problem(&r, "effective_from", "in_the_past",
			"a standard cannot take effect before it is published");
	if (r.n)
		return error_set(err, ERR_INVALID, "%zu problem(s) in the service standard", r.n);
	return 0;
}

/* ---------------------------------------------------------------- JSON out */

static json_t *str_or_null(const char *s)
{
	return s ? json_string(s) : json_null();
}

static json_t *str_list_json(char **list, size_t n)
{
	json_t *a = json_array();
	for (size_t i = 0; i < n; i++)
		json_array_append_new(a, json_string(list[i]));
	return a;
}

static json_t *stage_json(const struct stage_standard *st)
{
	return json_pack("{s:s, s:s, s:s, s:i, s:b}", "code", st->code, "name_zh", st->name_zh,
			 "name_en", st->name_en ? st->name_en : "", "limit_days", st->limit_days,
			 "silence_approves", st->silence_approves);
}

static json_t *material_json(const struct material_standard *m)
{
	return json_pack("{s:s, s:s, s:s, s:b, s:o, s:b}", "type", m->type, "name_zh", m->name_zh,
			 "name_en", m->name_en ? m->name_en : "", "required", m->required,
			 "condition", str_or_null(m->condition), "elicence", m->elicence);
}

static json_t *fast_track_json(const struct fast_track_standard *ft)
{
	json_t *j = json_pack("{s:b, s:o, s:o, s:i, s:i, s:i, s:i}", "enabled", ft->enabled,
			 "zone_risk", str_list_json(ft->zone_risk, ft->nzone_risk),
			 "road_classes", str_list_json(ft->road_classes, ft->nroad_classes),
			 "max_length_m", ft->max_length_m, "max_area_m2", ft->max_area_m2,
			 "max_duration_days", ft->max_duration_days, "decision_days",
			 ft->decision_days);
	if (ft->post_check_days > 0) /* absent from standards published before it existed */
		json_object_set_new(j, "post_check_days", json_integer(ft->post_check_days));
	if (ft->rectification_days > 0) /* likewise (issue #21) */
		json_object_set_new(j, "rectification_days", json_integer(ft->rectification_days));
	return j;
}

json_t *standards_to_json(const struct service_standard *s)
{
	char buf[11];
	json_t *stages = json_array(), *materials = json_array();
	for (size_t i = 0; i < s->nstages; i++)
		json_array_append_new(stages, stage_json(&s->stages[i]));
	for (size_t i = 0; i < s->nmaterials; i++)
		json_array_append_new(materials, material_json(&s->materials[i]));
	json_t *o = json_pack("{s:s, s:i, s:s, s:s, s:s, s:b, s:o, s:o}", "kind", s->kind,
			      "version", s->version, "effective_from",
			      cal_day_format(s->effective_from, buf), "name_zh", s->name_zh,
			      "name_en", s->name_en ? s->name_en : "", "sample", s->sample,
			      "stages", stages, "materials", materials);
	json_object_set_new(o, "fast_track",
			    s->has_fast_track ? fast_track_json(&s->fast_track) : json_null());
	json_object_set_new(o, "trigger",
			    s->has_trigger ? json_pack("{s:i, s:i, s:i, s:i}", "min_length_m",
						       s->trigger.min_length_m, "min_area_m2",
						       s->trigger.min_area_m2, "min_trees",
						       s->trigger.min_trees, "min_outside_m",
						       s->trigger.min_outside_m)
					   : json_null());
	return o;
}

/* ---------------------------------------------------------------- lifetime and lookup */

static void free_list(char **list, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(list[i]);
	free(list);
}

void standards_free(struct service_standard *s)
{
	if (!s)
		return;
	for (size_t i = 0; i < s->nstages; i++) {
		free(s->stages[i].code);
		free(s->stages[i].name_zh);
		free(s->stages[i].name_en);
	}
	for (size_t i = 0; i < s->nmaterials; i++) {
		free(s->materials[i].type);
		free(s->materials[i].name_zh);
		free(s->materials[i].name_en);
		free(s->materials[i].condition);
	}
	free(s->stages);
	free(s->materials);
	free_list(s->fast_track.zone_risk, s->fast_track.nzone_risk);
	free_list(s->fast_track.road_classes, s->fast_track.nroad_classes);
	free(s->kind);
	free(s->name_zh);
	free(s->name_en);
	free(s);
}

const struct service_standard *standards_in_force(const struct service_standard *const *all,
						  size_t n, const char *kind, day_t day)
{
	const struct service_standard *best = NULL;
	for (size_t i = 0; kind && i < n; i++) {
		const struct service_standard *s = all[i];
		if (!s->kind || strcmp(s->kind, kind) != 0 || s->effective_from > day)
			continue;
		if (!best || s->effective_from > best->effective_from ||
		    (s->effective_from == best->effective_from && s->version > best->version))
			best = s;
	}
	return best;
}

const struct stage_standard *standards_stage(const struct service_standard *std,
					     const char *code)
{
	for (size_t i = 0; std && code && i < std->nstages; i++)
		if (std->stages[i].code && strcmp(std->stages[i].code, code) == 0)
			return &std->stages[i];
	return NULL;
}
