/* Tests for workflows/standards.c: parsing with every problem listed, rendering, lookups. */
#define _GNU_SOURCE
#include <criterion/criterion.h>
#include <criterion/parameterized.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "workflows/standards.h"

/* A complete dig-road standard (made-up limits, for the tests only). */
static const char dig_road[] =
	"{\"kind\":\"dig_road\",\"version\":2,\"effective_from\":\"2026-03-01\","
	"\"name_zh\":\"道路挖掘许可\",\"name_en\":\"Road excavation permit\",\"sample\":true,"
	"\"stages\":[{\"code\":\"accept\",\"name_zh\":\"受理\",\"name_en\":\"Acceptance\","
	"\"limit_days\":1,\"silence_approves\":false},"
	"{\"code\":\"review\",\"name_zh\":\"审查\",\"name_en\":\"Review\",\"limit_days\":5,"
	"\"silence_approves\":true}],"
	"\"materials\":[{\"type\":\"business_licence\",\"name_zh\":\"营业执照\","
	"\"name_en\":\"Business licence\",\"required\":true,\"condition\":null,\"elicence\":true},"
	"{\"type\":\"traffic_plan\",\"name_zh\":\"交通组织方案\",\"name_en\":\"Traffic plan\","
	"\"required\":true,\"condition\":\"excavation\",\"elicence\":false}],"
	"\"fast_track\":{\"enabled\":true,\"zone_risk\":[\"low\"],"
	"\"road_classes\":[\"branch\",\"secondary\"],\"max_length_m\":50,\"max_area_m2\":100,"
	"\"max_duration_days\":7,\"decision_days\":0},"
	"\"trigger\":{\"min_length_m\":0,\"min_area_m2\":0,\"min_trees\":0,\"min_outside_m\":0}}";

static const char *const water_stages =
	"[{\"code\":\"accept\",\"name_zh\":\"受理\",\"limit_days\":1},"
	"{\"code\":\"survey\",\"name_zh\":\"勘察\",\"limit_days\":3},"
	"{\"code\":\"plan\",\"name_zh\":\"方案\",\"limit_days\":3},"
	"{\"code\":\"construct\",\"name_zh\":\"施工\",\"limit_days\":10},"
	"{\"code\":\"complete\",\"name_zh\":\"竣工\",\"limit_days\":2}]";

static struct service_standard *load(const char *text)
{
	json_error_t jerr;
	json_t *j = json_loads(text, 0, &jerr);
	cr_assert_not_null(j, "fixture JSON: %s", jerr.text);
	struct service_standard *s = NULL;
	struct error err = ERROR_INIT;
	cr_assert_eq(standards_from_json(j, &s, &err), 0, "%s (%s)", err.message,
		     err.ndetails ? err.details[0].field : "");
	json_decref(j);
	error_release(&err);
	return s;
}

static struct service_standard *water(const char *from, int version, int accept_days)
{
	char text[2048];
	snprintf(text, sizeof(text),
		 "{\"kind\":\"water\",\"version\":%d,\"effective_from\":\"%s\","
		 "\"name_zh\":\"供水\",\"stages\":%s}",
		 version, from, water_stages);
	struct service_standard *s = load(text);
	s->stages[0].limit_days = accept_days;
	return s;
}

static day_t D(const char *s)
{
	day_t d = 0;
	cr_assert_eq(cal_day_parse(s, &d, NULL), 0, "bad test date %s", s);
	return d;
}

/* "field:code,..." of every detail, sorted, for comparing with a table entry. */
static int cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static char *details_of(const struct error *err)
{
	char **v = calloc(err->ndetails + 1, sizeof(*v));
	size_t len = 1;
	for (size_t i = 0; i < err->ndetails; i++) {
		cr_expect_neq(err->details[i].message[0], '\0', "every detail has a message");
		if (asprintf(&v[i], "%s:%s", err->details[i].field, err->details[i].code) < 0)
			abort();
		len += strlen(v[i]) + 1;
	}
	qsort(v, err->ndetails, sizeof(*v), cmp);
	char *out = calloc(1, len);
	for (size_t i = 0; i < err->ndetails; i++) {
		if (i)
			strcat(out, ",");
		strcat(out, v[i]);
		free(v[i]);
	}
	free(v);
	return out;
}

static char *sorted(const char *list)
{
	struct error e = ERROR_INIT;
	char *copy = strdup(list);
	for (char *tok = strtok(copy, ","); tok; tok = strtok(NULL, ",")) {
		char *colon = strchr(tok, ':');
		*colon = 0;
		error_add(&e, tok, colon + 1, "x");
	}
	char *out = details_of(&e);
	error_release(&e);
	free(copy);
	return out;
}

/* ---------------------------------------------------------------- round trip */

Test(standards, reads_and_renders_the_same_standard)
{
	struct service_standard *s = load(dig_road);
	cr_expect_str_eq(s->kind, "dig_road");
	cr_expect_eq(s->version, 2);
	cr_expect_eq(s->effective_from, D("2026-03-01"));
	cr_expect(s->sample);
	cr_expect_eq(s->nstages, 2);
	cr_expect_eq(s->nmaterials, 2);
	cr_expect_null(s->materials[0].condition);
	cr_expect_str_eq(s->materials[1].condition, "excavation");
	cr_expect(s->materials[0].elicence);
	cr_expect(s->has_fast_track && s->fast_track.enabled);
	cr_expect_eq(s->fast_track.nroad_classes, 2);
	cr_expect_str_eq(s->fast_track.road_classes[1], "secondary");
	cr_expect_eq(s->fast_track.max_area_m2, 100);
	cr_expect_eq(s->fast_track.decision_days, 0);
	cr_expect(s->has_trigger);

	json_t *want = json_loads(dig_road, 0, NULL);
	json_t *got = standards_to_json(s);
	char *text = json_dumps(got, JSON_SORT_KEYS);
	cr_expect(json_equal(got, want), "round trip changed it: %s", text);
	free(text);
	json_decref(got);
	json_decref(want);
	standards_free(s);
}

Test(standards, a_draft_has_version_zero_and_no_optional_parts)
{
	struct service_standard *s = water("2026-05-01", 0, 1);
	cr_expect_eq(s->version, 0);
	cr_expect_not(s->has_fast_track);
	cr_expect_not(s->has_trigger);
	cr_expect_eq(s->nmaterials, 0);
	json_t *j = standards_to_json(s);
	cr_expect(json_is_null(json_object_get(j, "fast_track")));
	cr_expect(json_is_null(json_object_get(j, "trigger")));
	cr_expect_str_eq(json_string_value(json_object_get(j, "name_en")), "");
	json_decref(j);
	standards_free(s);
}

/* ---------------------------------------------------------------- every problem at once */

struct bad_case {
	char name[48];
	char json[900];
	int rc;
	char details[500];
};

ParameterizedTestParameters(standards, from_json_errors)
{
	static struct bad_case cases[] = {
	    {"not an object", "[1]", ERR_MALFORMED, ""},
	    {"empty object", "{}", ERR_INVALID,
	     "kind:required,effective_from:required,name_zh:required,stages:required"},
	    {"wrong types and unknown fields",
	     "{\"kind\":7,\"version\":\"1\",\"effective_from\":\"2026-02-30\",\"name_zh\":[],"
	     "\"sample\":1,\"stages\":{},\"materials\":3,\"fast_track\":[],\"trigger\":\"x\","
	     "\"colour\":\"red\"}",
	     ERR_INVALID,
	     "kind:wrong_type,version:wrong_type,effective_from:invalid_date,"
	     "name_zh:wrong_type,sample:wrong_type,stages:wrong_type,materials:wrong_type,"
	     "fast_track:wrong_type,trigger:wrong_type,colour:unknown_field"},
	    {"unknown kind, no stages",
	     "{\"kind\":\"sewer\",\"effective_from\":\"2026-02-01\",\"name_zh\":\"x\","
	     "\"stages\":[]}",
	     ERR_INVALID, "kind:unknown_kind,stages:required"},
	    {"permit lacks review, stage problems",
	     "{\"kind\":\"greening\",\"effective_from\":\"2026-02-01\",\"name_zh\":\"x\","
	     "\"stages\":[{\"code\":\"accept\",\"name_zh\":\"a\",\"limit_days\":-1},"
	     "{\"code\":\"accept\",\"limit_days\":1.5,\"silence_approves\":\"yes\"},5]}",
	     ERR_INVALID,
	     "stages[0].limit_days:negative,stages[1].code:duplicate,stages[1].name_zh:required,"
	     "stages[1].limit_days:wrong_type,stages[1].silence_approves:wrong_type,"
	     "stages[2]:wrong_type,stages:missing_stage"},
	    {"utility lacks three stages and has a trigger",
	     "{\"kind\":\"gas\",\"effective_from\":\"2026-02-01\",\"name_zh\":\"x\","
	     "\"stages\":[{\"code\":\"accept\",\"name_zh\":\"a\",\"limit_days\":1},"
	     "{\"code\":\"survey\",\"name_zh\":\"a\",\"limit_days\":1}],"
	     "\"trigger\":{\"min_length_m\":1}}",
	     ERR_INVALID,
	     "stages:missing_stage,stages:missing_stage,stages:missing_stage,trigger:not_allowed"},
	    {"materials, fast track and trigger problems",
	     "{\"kind\":\"dig_road\",\"effective_from\":\"2026-02-01\",\"name_zh\":\"x\","
	     "\"stages\":[{\"code\":\"accept\",\"name_zh\":\"a\",\"limit_days\":1},"
	     "{\"code\":\"review\",\"name_zh\":\"b\",\"limit_days\":5}],"
	     "\"materials\":[{\"type\":\"\",\"name_zh\":\"m\",\"condition\":\"moon\","
	     "\"required\":\"y\",\"size\":1}],"
	     "\"fast_track\":{\"enabled\":true,\"zone_risk\":[\"tiny\",3],\"road_classes\":[\"\"],"
	     "\"max_length_m\":-5,\"speed\":1},"
	     "\"trigger\":{\"min_trees\":-1,\"min_depth\":2}}",
	     ERR_INVALID,
	     "materials[0].type:required,materials[0].condition:not_allowed,"
	     "materials[0].required:wrong_type,materials[0].size:unknown_field,"
	     "fast_track.zone_risk[0]:not_allowed,fast_track.zone_risk[1]:wrong_type,"
	     "fast_track.road_classes[0]:wrong_type,fast_track.max_length_m:negative,"
	     "fast_track.max_area_m2:required,fast_track.max_duration_days:required,"
	     "fast_track.decision_days:required,fast_track.speed:unknown_field,"
	     "trigger.min_trees:negative,trigger.min_depth:unknown_field"},
	};
	return cr_make_param_array(struct bad_case, cases, sizeof(cases) / sizeof(cases[0]));
}

ParameterizedTest(struct bad_case *c, standards, from_json_errors)
{
	json_t *j = json_loads(c->json, 0, NULL);
	cr_assert_not_null(j, "%s: fixture is not JSON", c->name);
	struct service_standard *s = (void *)1;
	struct error err = ERROR_INIT;
	cr_expect_eq(standards_from_json(j, &s, &err), c->rc, "%s", c->name);
	cr_expect_null(s, "%s: no standard on failure", c->name);
	char *got = details_of(&err), *want = sorted(c->details);
	cr_expect_str_eq(got, want, "%s\n  got:  %s\n  want: %s", c->name, got, want);
	free(got);
	free(want);
	error_release(&err);
	json_decref(j);
}

Test(standards, publication_rules_are_listed_together)
{
	struct service_standard *s = water("2026-05-01", 0, 1);
	struct error err = ERROR_INIT;
	cr_expect_eq(standards_validate_publish(s, D("2026-05-02"), &err), ERR_INVALID);
	char *got = details_of(&err);
	cr_expect_str_eq(got, "effective_from:in_the_past,version:out_of_range");
	free(got);
	error_release(&err);
	s->version = 1;
	cr_expect_eq(standards_validate_publish(s, D("2026-05-01"), NULL), 0, "today is fine");
	standards_free(s);
}

/* ---------------------------------------------------------------- in force */

struct force_case {
	char day[11];
	int want_accept_days; /* identifies the version; 0: none in force */
};

ParameterizedTestParameters(standards, in_force)
{
	static struct force_case cases[] = {
	    { "2025-12-31", 0 }, /* before any */
	    { "2026-01-01", 1 }, /* v1 from its first day */
	    { "2026-06-30", 1 },
	    { "2026-07-01", 3 }, /* v2 and v3 start together: the higher version wins */
	    { "2027-01-01", 3 }, /* v4 is published for 2028 only */
	    { "2028-01-01", 4 },
	};
	return cr_make_param_array(struct force_case, cases, sizeof(cases) / sizeof(cases[0]));
}

ParameterizedTest(struct force_case *c, standards, in_force)
{
	struct service_standard *v[] = {
		water("2028-01-01", 4, 4), water("2026-01-01", 1, 1), water("2026-07-01", 3, 3),
		water("2026-07-01", 2, 2), load(dig_road),
	};
	const struct service_standard *const *all = (const struct service_standard *const *)v;
	const struct service_standard *got = standards_in_force(all, 5, "water", D(c->day));
	if (!c->want_accept_days)
		cr_expect_null(got, "%s", c->day);
	else
		cr_expect_eq(got ? got->stages[0].limit_days : -1, c->want_accept_days, "%s",
			     c->day);
	cr_expect_null(standards_in_force(all, 5, "gas", D("2030-01-01")));
	cr_expect_eq(standards_in_force(all, 5, "dig_road", D("2026-03-01")), v[4]);
	for (size_t i = 0; i < 5; i++)
		standards_free(v[i]);
}

Test(standards, stage_lookup_and_kinds)
{
	struct service_standard *s = load(dig_road);
	const struct stage_standard *review = standards_stage(s, "review");
	cr_assert_not_null(review);
	cr_expect_eq(review->limit_days, 5);
	cr_expect(review->silence_approves);
	cr_expect_null(standards_stage(s, "survey"));
	cr_expect_null(standards_stage(s, NULL));
	cr_expect_null(standards_stage(NULL, "accept"));
	cr_expect(standards_is_utility_kind("heat"));
	cr_expect_not(standards_is_utility_kind("dig_road"));
	cr_expect(standards_is_permit_kind("planning"));
	cr_expect_not(standards_is_permit_kind("road"));
	cr_expect_not(standards_is_permit_kind(NULL));
	standards_free(s);
}
