/* Tests for workflows/fees.c: estimates, validation, quote checks and the JSON form. */
#include <criterion/criterion.h>
#include <criterion/parameterized.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "workflows/fees.h"

/*
 * Fixture schedules (made-up prices, not a real utility's). Kept as JSON so every test also
 * goes through fees_schedule_from_json.
 */
static const char water_v1[] =
    "{\"utility_kind\":\"water\",\"version\":1,\"effective_from\":\"2026-01-01\",\"items\":["
    "{\"code\":\"W-CONN\",\"name_zh\":\"接水工程费\",\"name_en\":\"Water connection\","
    " \"unit\":\"per_dn_band\",\"unit_price_fen\":150000,"
    " \"conditions\":{\"dn_min\":15,\"dn_max\":50},\"legal_basis\":\"fixture basis 1\"},"
    "{\"code\":\"W-CONN\",\"name_zh\":\"接水工程费\",\"name_en\":\"Water connection\","
    " \"unit\":\"per_dn_band\",\"unit_price_fen\":300000,"
    " \"conditions\":{\"dn_min\":51,\"dn_max\":100},\"legal_basis\":\"fixture basis 1\"},"
    "{\"code\":\"W-CONN\",\"name_zh\":\"接水工程费\",\"name_en\":\"Water connection\","
    " \"unit\":\"per_dn_band\",\"unit_price_fen\":800000,"
    " \"conditions\":{\"dn_min\":101,\"dn_max\":300},\"legal_basis\":\"fixture basis 1\"},"
    "{\"code\":\"W-PIPE\",\"name_zh\":\"管道敷设费\",\"name_en\":\"Pipe laying\","
    " \"unit\":\"per_metre\",\"unit_price_fen\":12000,\"legal_basis\":\"fixture basis 2\"},"
    "{\"code\":\"W-METER\",\"name_zh\":\"水表\",\"name_en\":\"Water meter\","
    " \"unit\":\"per_meter\",\"unit_price_fen\":0,\"legal_basis\":\"fixture basis 3\"},"
    "{\"code\":\"W-OLD\",\"name_zh\":\"接水手续费\",\"unit\":\"per_connection\","
    " \"unit_price_fen\":5000,\"legal_basis\":\"fixture basis 4\","
    " \"effective_to\":\"2026-03-31\"},"
    "{\"code\":\"W-NEW\",\"name_zh\":\"接水手续费\",\"unit\":\"per_connection\","
    " \"unit_price_fen\":6000,\"legal_basis\":\"fixture basis 5\","
    " \"effective_from\":\"2026-04-01\",\"effective_to\":null}"
    "]}";

static const char water_v2[] =
    "{\"utility_kind\":\"water\",\"version\":2,\"effective_from\":\"2026-07-01\",\"items\":["
    "{\"code\":\"W-CONN\",\"name_zh\":\"接水工程费\",\"unit\":\"per_dn_band\","
    " \"unit_price_fen\":180000,\"conditions\":{\"dn_min\":15,\"dn_max\":50},"
    " \"legal_basis\":\"fixture basis 6\"},"
    "{\"code\":\"W-PIPE\",\"name_zh\":\"管道敷设费\",\"unit\":\"per_metre\","
    " \"unit_price_fen\":15000,\"legal_basis\":\"fixture basis 6\"}"
    "]}";

static const char power_v1[] =
    "{\"utility_kind\":\"power\",\"version\":1,\"effective_from\":\"2026-01-01\",\"items\":["
    "{\"code\":\"P-LV\",\"name_zh\":\"低压接入\",\"unit\":\"per_connection\","
    " \"unit_price_fen\":0,\"conditions\":{\"kw_min\":0,\"kw_max\":160},"
    " \"legal_basis\":\"fixture basis 7\"},"
    "{\"code\":\"P-HV\",\"name_zh\":\"高压接入\",\"unit\":\"per_kw\","
    " \"unit_price_fen\":15000,\"conditions\":{\"kw_min\":161,"
    " \"customer_class\":\"commercial\"},\"legal_basis\":\"fixture basis 7\"},"
    "{\"code\":\"P-HV\",\"name_zh\":\"高压接入\",\"unit\":\"per_kw\","
    " \"unit_price_fen\":10000,\"conditions\":{\"kw_min\":161,"
    " \"customer_class\":\"residential\"},\"legal_basis\":\"fixture basis 7\"}"
    "]}";

static const char network_v1[] =
    "{\"utility_kind\":\"network\",\"version\":1,\"effective_from\":\"2026-01-01\",\"items\":["
    "{\"code\":\"N-PORT\",\"name_zh\":\"端口费\",\"unit\":\"per_port\","
    " \"unit_price_fen\":20000,\"legal_basis\":\"fixture basis 8\"}"
    "]}";

enum { S_W1 = 1, S_W2 = 2, S_P1 = 4, S_N1 = 8 };
static const char *const fixtures[] = {water_v1, water_v2, power_v1, network_v1};
#define NFIXTURES (sizeof(fixtures) / sizeof(fixtures[0]))

/* ---------------------------------------------------------------- helpers */

static day_t D(const char *s)
{
	day_t d = 0;
	cr_assert_eq(cal_day_parse(s, &d, NULL), 0, "bad test date %s", s);
	return d;
}

static struct fee_schedule *load(const char *text)
{
	json_error_t jerr;
	json_t *j = json_loads(text, 0, &jerr);
	cr_assert_not_null(j, "fixture JSON: %s", jerr.text);
	struct fee_schedule *s = NULL;
	struct error err = ERROR_INIT;
	int rc = fees_schedule_from_json(j, &s, &err);
	cr_assert_eq(rc, 0, "fixture rejected: %s (%zu details, first %s)", err.message,
		     err.ndetails, err.ndetails ? err.details[0].field : "-");
	error_release(&err);
	json_decref(j);
	return s;
}

/* Loads the fixtures named in mask, in fixture order. Returns how many. */
static size_t load_set(unsigned mask, struct fee_schedule *out[NFIXTURES])
{
	size_t n = 0;
	for (size_t i = 0; i < NFIXTURES; i++)
		if (mask & (1u << i))
			out[n++] = load(fixtures[i]);
	return n;
}

static void free_set(struct fee_schedule **s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		fees_schedule_free(s[i]);
}

/* "dn=100 length_m=30 class=residential" into params (class copied into cls). */
static void parse_params(const char *text, struct fee_params *p, char *cls, size_t clsz)
{
	fees_params_init(p);
	char buf[256];
	snprintf(buf, sizeof(buf), "%s", text);
	for (char *save = NULL, *tok = strtok_r(buf, " ", &save); tok;
	     tok = strtok_r(NULL, " ", &save)) {
		char *eq = strchr(tok, '=');
		cr_assert_not_null(eq, "bad test params %s", text);
		*eq = '\0';
		if (strcmp(tok, "class") == 0) {
			snprintf(cls, clsz, "%s", eq + 1);
			p->customer_class = cls;
		} else if (fees_params_set(p, tok, strtoll(eq + 1, NULL, 10), NULL) != 0) {
			/* negative values go in directly, to test the estimate's own check */
			int param = fees_param_from_name(tok);
			cr_assert_geq(param, 0, "bad test param %s", tok);
			p->has[param] = true;
			p->value[param] = strtoll(eq + 1, NULL, 10);
		}
	}
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Sorts a comma-separated list, so details can be compared regardless of order. */
static char *sorted_list(const char *list)
{
	char *copy = strdup(list), *items[64] = { 0 };
	size_t n = 0;
	for (char *save = NULL, *tok = strtok_r(copy, ",", &save); tok && n < 64;
	     tok = strtok_r(NULL, ",", &save))
		items[n++] = tok;
	qsort(items, n, sizeof(items[0]), cmp_str);
	char *out = calloc(1, strlen(list) + 2);
	for (size_t i = 0; i < n; i++) {
		if (i)
			strcat(out, ",");
		strcat(out, items[i]);
	}
	free(copy);
	return out;
}

/* The error's details as a sorted "field:code,field:code" list. */
static char *details_of(const struct error *err)
{
	size_t cap = 1;
	for (size_t i = 0; i < err->ndetails; i++)
		cap += strlen(err->details[i].field) + strlen(err->details[i].code) + 2;
	char *joined = calloc(1, cap);
	for (size_t i = 0; i < err->ndetails; i++) {
		if (i)
			strcat(joined, ",");
		strcat(joined, err->details[i].field);
		strcat(joined, ":");
		strcat(joined, err->details[i].code);
	}
	char *out = sorted_list(joined);
	free(joined);
	return out;
}

static void expect_details(const struct error *err, const char *want)
{
	char *got = details_of(err), *exp = sorted_list(want);
	cr_expect_str_eq(got, exp, "details\n  got:  %s\n  want: %s", got, exp);
	for (size_t i = 0; i < err->ndetails; i++)
		cr_expect_neq(err->details[i].message[0], '\0', "every detail has a message");
	free(got);
	free(exp);
}

/* ---------------------------------------------------------------- estimates */

/* Inline strings: Criterion runs each case in a fresh process, so pointers would dangle. */
struct est_case {
	char day[11];
	unsigned schedules;
	char params[96];
	char lines[256]; /* "CODE:quantity:amount,..." in order */
	int64_t total_fen;
};

ParameterizedTestParameters(fees, estimate)
{
	static struct est_case cases[] = {
	    /* DN 100 is in the 51-100 band; the meter is free but still listed. */
	    {"2026-02-01", S_W1, "dn=100 length_m=30 meters=2",
	     "W-CONN:1:300000,W-PIPE:30:360000,W-METER:2:0,W-OLD:1:5000", 665000},
	    /* last day of the old handling fee, then the first of the new */
	    {"2026-03-31", S_W1, "dn=100 length_m=30 meters=2",
	     "W-CONN:1:300000,W-PIPE:30:360000,W-METER:2:0,W-OLD:1:5000", 665000},
	    {"2026-04-01", S_W1, "dn=100 length_m=30 meters=2",
	     "W-CONN:1:300000,W-PIPE:30:360000,W-METER:2:0,W-NEW:1:6000", 666000},
	    /* band edges: 101 is the next band, 15 the first, 10 none */
	    {"2026-02-01", S_W1, "dn=101 length_m=0 meters=1",
	     "W-CONN:1:800000,W-PIPE:0:0,W-METER:1:0,W-OLD:1:5000", 805000},
	    {"2026-02-01", S_W1, "dn=15 length_m=1 meters=1",
	     "W-CONN:1:150000,W-PIPE:1:12000,W-METER:1:0,W-OLD:1:5000", 167000},
	    {"2026-02-01", S_W1, "dn=10 length_m=1 meters=1",
	     "W-PIPE:1:12000,W-METER:1:0,W-OLD:1:5000", 17000},
	    /* per_connection counts connections when given */
	    {"2026-02-01", S_W1, "dn=10 length_m=1 meters=1 connections=3",
	     "W-PIPE:1:12000,W-METER:1:0,W-OLD:3:15000", 27000},
	    /* version 2 supersedes version 1 from its first day, even for items v1 still had */
	    {"2026-06-30", S_W1 | S_W2, "dn=50 length_m=10 meters=1",
	     "W-CONN:1:150000,W-PIPE:10:120000,W-METER:1:0,W-NEW:1:6000", 276000},
	    {"2026-07-01", S_W1 | S_W2, "dn=50 length_m=10 meters=1",
	     "W-CONN:1:180000,W-PIPE:10:150000", 330000},
	    /* before any schedule is in force: nothing to charge */
	    {"2025-12-31", S_W1 | S_P1, "dn=50 length_m=10 meters=1 kw=100", "", 0},
	    /* power: small loads free, larger by kW and customer class */
	    {"2026-02-01", S_P1, "kw=160", "P-LV:1:0", 0},
	    {"2026-02-01", S_P1, "kw=250 class=commercial", "P-HV:250:3750000", 3750000},
	    {"2026-02-01", S_P1, "kw=250 class=residential", "P-HV:250:2500000", 2500000},
	    {"2026-02-01", S_P1, "kw=250", "", 0},
	    {"2026-02-01", S_P1, "dn=50", "", 0}, /* no kW given: no kW-banded item */
	    /* a joint application: water, power and network together */
	    {"2026-05-01", S_W1 | S_P1 | S_N1,
	     "dn=50 length_m=10 meters=1 kw=200 ports=8 class=commercial",
	     "W-CONN:1:150000,W-PIPE:10:120000,W-METER:1:0,W-NEW:1:6000,P-HV:200:3000000,"
	     "N-PORT:8:160000",
	     3436000},
	};
	return cr_make_param_array(struct est_case, cases, sizeof(cases) / sizeof(cases[0]));
}

ParameterizedTest(struct est_case *c, fees, estimate)
{
	struct fee_schedule *set[NFIXTURES];
	size_t n = load_set(c->schedules, set);
	struct fee_params p;
	char cls[32];
	parse_params(c->params, &p, cls, sizeof(cls));
	struct fee_estimate e;
	struct error err = ERROR_INIT;
	int rc = fees_estimate((const struct fee_schedule *const *)set, n, D(c->day), &p, &e, &err);
	cr_assert_eq(rc, 0, "%s %s: %s", c->day, c->params, err.message);

	char got[512] = "";
	int64_t sum = 0;
	for (size_t i = 0; i < e.nlines; i++) {
		char one[64];
		snprintf(one, sizeof(one), "%s%s:%lld:%lld", i ? "," : "", e.lines[i].code,
			 (long long)e.lines[i].quantity, (long long)e.lines[i].amount_fen);
		strcat(got, one);
		cr_expect_eq(e.lines[i].amount_fen,
			     e.lines[i].quantity * e.lines[i].unit_price_fen);
		sum += e.lines[i].amount_fen;
	}
	cr_expect_str_eq(got, c->lines, "%s %s", c->day, c->params);
	cr_expect_eq(e.total_fen, c->total_fen, "%s %s", c->day, c->params);
	cr_expect_eq(e.total_fen, sum);
	fees_estimate_release(&e);
	error_release(&err);
	free_set(set, n);
}

struct est_error_case {
	char day[11];
	unsigned schedules;
	char params[96];
	char details[256];
};

ParameterizedTestParameters(fees, estimate_errors)
{
	static struct est_error_case cases[] = {
	    /* every missing quantity named once, however many items need it */
	    {"2026-02-01", S_W1, "dn=100", "params.length_m:required,params.meters:required"},
	    {"2026-02-01", S_W1 | S_N1, "dn=100 meters=1",
	     "params.length_m:required,params.ports:required"},
	    {"2026-02-01", S_W1, "dn=-5 length_m=-1 meters=1",
	     "params.dn:negative,params.length_m:negative"},
	    /* amounts and totals beyond int64 are refused, never wrapped */
	    {"2026-02-01", S_W1, "dn=100 meters=1 length_m=9223372036854775", "total_fen:overflow"},
	    {"2026-02-01", S_W1, "dn=100 meters=1 length_m=768614336404564", "total_fen:overflow"},
	    {"2026-02-01", S_P1, "kw=9223372036854775807 class=commercial", "total_fen:overflow"},
	};
	return cr_make_param_array(struct est_error_case, cases, sizeof(cases) / sizeof(cases[0]));
}

ParameterizedTest(struct est_error_case *c, fees, estimate_errors)
{
	struct fee_schedule *set[NFIXTURES];
	size_t n = load_set(c->schedules, set);
	struct fee_params p;
	char cls[32];
	parse_params(c->params, &p, cls, sizeof(cls));
	struct fee_estimate e;
	struct error err = ERROR_INIT;
	int rc = fees_estimate((const struct fee_schedule *const *)set, n, D(c->day), &p, &e, &err);
	cr_expect_eq(rc, ERR_INVALID, "%s", c->params);
	cr_expect_eq(err.code, ERR_INVALID);
	expect_details(&err, c->details);
	cr_expect_eq(e.nlines, 0, "no partial estimate on failure");
	cr_expect_null(e.lines);
	cr_expect_eq(e.total_fen, 0);
	error_release(&err);
	free_set(set, n);
}

Test(fees, estimate_without_error_record)
{
	struct fee_schedule *w = load(water_v1);
	struct fee_params p;
	fees_params_init(&p);
	struct fee_estimate e;
	cr_expect_eq(
	    fees_estimate((const struct fee_schedule *const *)&w, 1, D("2026-02-01"), &p, &e, NULL),
	    ERR_INVALID);
	fees_schedule_free(w);
}

/* ---------------------------------------------------------------- validation */

#define ITEM(extra)                                                                                \
	"{\"code\":\"W-CONN\",\"name_zh\":\"接水工程费\",\"unit\":\"per_dn_band\","           \
	"\"unit_price_fen\":150000,\"legal_basis\":\"basis\"" extra "}"
#define SCHEDULE(items)                                                                            \
	"{\"utility_kind\":\"water\",\"version\":1,\"effective_from\":\"2026-03-01\","             \
	"\"items\":[" items "]}"
#define DN(lo, hi) ",\"conditions\":{\"dn_min\":" #lo ",\"dn_max\":" #hi "}"

struct validate_case {
	char name[48];
	char today[11];
	char json[1024];
	char details[400]; /* "" when the schedule is valid */
};

ParameterizedTestParameters(fees, validate)
{
	static struct validate_case cases[] = {
	    {"valid", "2026-02-01", SCHEDULE(ITEM(DN(15, 50)) "," ITEM(DN(51, 100))), ""},
	    {"published on its first day", "2026-03-01", SCHEDULE(ITEM(DN(15, 50))), ""},
	    {"negative price", "2026-02-01",
	     SCHEDULE("{\"code\":\"X\",\"name_zh\":\"x\",\"unit\":\"per_metre\","
		      "\"unit_price_fen\":-1,\"legal_basis\":\"b\"}"),
	     "items[0].unit_price_fen:negative"},
	    {"empty code and names", "2026-02-01",
	     SCHEDULE("{\"code\":\"\",\"name_zh\":\"\",\"unit\":\"per_metre\","
		      "\"unit_price_fen\":1,\"legal_basis\":\"\"}"),
	     "items[0].code:required,items[0].name_zh:required,"
	     "items[0].legal_basis:required"},
	    {"unknown unit", "2026-02-01",
	     SCHEDULE("{\"code\":\"X\",\"name_zh\":\"x\",\"unit\":\"per_yard\","
		      "\"unit_price_fen\":1,\"legal_basis\":\"b\"}"),
	     "items[0].unit:unknown_unit"},
	    {"in the past", "2026-03-02", SCHEDULE(ITEM(DN(15, 50))),
	     "effective_from:in_the_past,items[0].effective_from:in_the_past"},
	    {"item before its schedule", "2026-02-01",
	     SCHEDULE(ITEM(DN(15, 50) ",\"effective_from\":\"2026-02-15\"")),
	     "items[0].effective_from:invalid_range"},
	    {"ends before it starts", "2026-02-01",
	     SCHEDULE(ITEM(DN(15, 50) ",\"effective_to\":\"2026-02-28\"")),
	     "items[0].effective_to:invalid_range"},
	    {"duplicate", "2026-02-01", SCHEDULE(ITEM(DN(15, 50)) "," ITEM(DN(15, 50))),
	     "items[1].code:duplicate"},
	    {"dn bands overlap", "2026-02-01", SCHEDULE(ITEM(DN(15, 50)) "," ITEM(DN(50, 100))),
	     "items[1].code:overlap"},
	    {"third band overlaps both", "2026-02-01",
	     SCHEDULE(ITEM(DN(15, 50)) "," ITEM(DN(51, 100)) "," ITEM(DN(40, 60))),
	     "items[2].code:overlap,items[2].code:overlap"},
	    {"same band, other classes", "2026-02-01",
	     SCHEDULE(ITEM(",\"conditions\":{\"dn_min\":15,\"customer_class\":\"a\"}") "," ITEM(
		 ",\"conditions\":{\"dn_min\":15,\"customer_class\":\"b\"}")),
	     ""},
	    {"classless overlaps a class", "2026-02-01",
	     SCHEDULE(ITEM(",\"conditions\":{\"dn_min\":15}") "," ITEM(
		 ",\"conditions\":{\"dn_min\":15,\"customer_class\":\"b\"}")),
	     "items[1].code:overlap"},
	    {"same band, disjoint dates", "2026-02-01",
	     SCHEDULE(ITEM(DN(15, 50) ",\"effective_to\":\"2026-06-30\"") "," ITEM(
		 DN(15, 50) ",\"effective_from\":\"2026-07-01\"")),
	     ""},
	    {"same band, dates meet", "2026-02-01",
	     SCHEDULE(ITEM(DN(15, 50) ",\"effective_to\":\"2026-07-01\"") "," ITEM(
		 DN(15, 50) ",\"effective_from\":\"2026-07-01\"")),
	     "items[1].code:overlap"},
	    {"kW open range overlaps", "2026-02-01",
	     SCHEDULE("{\"code\":\"P\",\"name_zh\":\"p\",\"unit\":\"per_kw\",\"unit_price_fen\":1,"
		      "\"legal_basis\":\"b\",\"conditions\":{\"kw_min\":161}},"
		      "{\"code\":\"P\",\"name_zh\":\"p\",\"unit\":\"per_kw\",\"unit_price_fen\":2,"
		      "\"legal_basis\":\"b\",\"conditions\":{\"kw_min\":200,\"kw_max\":300}}"),
	     "items[1].code:overlap"},
	    {"kW ranges apart", "2026-02-01",
	     SCHEDULE("{\"code\":\"P\",\"name_zh\":\"p\",\"unit\":\"per_kw\",\"unit_price_fen\":1,"
		      "\"legal_basis\":\"b\",\"conditions\":{\"kw_max\":160}},"
		      "{\"code\":\"P\",\"name_zh\":\"p\",\"unit\":\"per_kw\",\"unit_price_fen\":2,"
		      "\"legal_basis\":\"b\",\"conditions\":{\"kw_min\":161}}"),
	     ""},
	    {"other codes may overlap", "2026-02-01",
	     SCHEDULE("{\"code\":\"A\",\"name_zh\":\"a\",\"unit\":\"per_metre\","
		      "\"unit_price_fen\":1,\"legal_basis\":\"b\"},"
		      "{\"code\":\"B\",\"name_zh\":\"b\",\"unit\":\"per_metre\","
		      "\"unit_price_fen\":1,\"legal_basis\":\"b\"}"),
	     ""},
	    {"band without dn", "2026-02-01", SCHEDULE(ITEM("")),
	     "items[0].conditions:band_missing"},
	    {"min above max", "2026-02-01", SCHEDULE(ITEM(DN(100, 50))),
	     "items[0].conditions.dn_min:invalid_range"},
	    {"no items", "2026-02-01", SCHEDULE(""), "items:required"},
	    {"bad kind and version", "2026-02-01",
	     "{\"utility_kind\":\"sewage\",\"version\":0,\"effective_from\":\"2026-03-01\","
	     "\"items\":[" ITEM(DN(15, 50)) "]}",
	     "utility_kind:unknown_kind,version:out_of_range"},
	    {"empty kind", "2026-02-01",
	     "{\"utility_kind\":\"\",\"version\":1,\"effective_from\":\"2026-03-01\","
	     "\"items\":[" ITEM(DN(15, 50)) "]}",
	     "utility_kind:required"},
	    /* one-time notice: every problem of a bad schedule at once */
	    {"many problems at once", "2026-03-05",
	     "{\"utility_kind\":\"sewage\",\"version\":1,\"effective_from\":\"2026-03-01\","
	     "\"items\":["
	     "{\"code\":\"A\",\"name_zh\":\"a\",\"unit\":\"per_yard\",\"unit_price_fen\":-5,"
	     "\"legal_basis\":\"b\",\"effective_from\":\"2026-03-10\"},"
	     "{\"code\":\"\",\"name_zh\":\"b\",\"unit\":\"per_metre\",\"unit_price_fen\":1,"
	     "\"legal_basis\":\"b\",\"effective_from\":\"2026-03-10\"}," ITEM(DN(15, 50) ",\"effect"
											 "ive_"
											 "from\":"
											 "\"2026-"
											 "03-10\"") "," ITEM(
		 DN(50, 80) ",\"effective_from\":\"2026-03-10\"") "," ITEM(DN(15,
									      50) ",\"effective_"
										  "from\":\"2026-"
										  "03-10\"") "]}",
	     "utility_kind:unknown_kind,effective_from:in_the_past,"
	     "items[0].unit:unknown_unit,items[0].unit_price_fen:negative,"
	     "items[1].code:required,items[3].code:overlap,"
	     "items[4].code:duplicate,items[4].code:overlap"},
	};
	return cr_make_param_array(struct validate_case, cases, sizeof(cases) / sizeof(cases[0]));
}

ParameterizedTest(struct validate_case *c, fees, validate)
{
	struct fee_schedule *s = load(c->json);
	struct error err = ERROR_INIT;
	int rc = fees_validate_schedule(s, D(c->today), &err);
	cr_expect_eq(rc, c->details[0] ? ERR_INVALID : 0, "%s: %s", c->name, err.message);
	expect_details(&err, c->details);
	error_release(&err);
	fees_schedule_free(s);
}

Test(fees, fixtures_are_valid)
{
	for (size_t i = 0; i < NFIXTURES; i++) {
		struct fee_schedule *s = load(fixtures[i]);
		struct error err = ERROR_INIT;
		cr_expect_eq(fees_validate_schedule(s, D("2026-01-01"), &err), 0, "fixture %zu", i);
		expect_details(&err, "");
		error_release(&err);
		fees_schedule_free(s);
	}
}

Test(fees, validate_hand_built_schedule)
{
	/* Schedules need not come from JSON: literals work too (and are not freed). */
	struct fee_item items[] = {
	    {.code = "G-CONN",
	     .name_zh = "接气费",
	     .name_en = "",
	     .unit = "per_meter",
	     .unit_price_fen = 50000,
	     .legal_basis = "b",
	     .effective_from = D("2026-01-01"),
	     .effective_to = FEES_OPEN_END},
	    {.code = "G-CONN",
	     .name_zh = "接气费",
	     .name_en = "",
	     .unit = "per_meter",
	     .unit_price_fen = -1,
	     .legal_basis = "b",
	     .effective_from = D("2026-01-01"),
	     .effective_to = FEES_OPEN_END},
	};
	struct fee_schedule s = {.utility_kind = "gas",
				 .version = 1,
				 .effective_from = D("2026-01-01"),
				 .items = items,
				 .nitems = 2};
	struct error err = ERROR_INIT;
	cr_expect_eq(fees_validate_schedule(&s, D("2026-01-01"), &err), ERR_INVALID);
	expect_details(&err, "items[1].unit_price_fen:negative,items[1].code:duplicate");
	error_release(&err);
}

/* ---------------------------------------------------------------- quotes */

struct quote_case {
	char day[11];
	struct {
		char code[16];
		int64_t quantity;
		int64_t unit_price_fen;
	} lines[4];
	size_t nlines;
	char details[256]; /* "" when the quote is good */
	int64_t total_fen;
	char params[64]; /* the job's parameters, as fees_params_from_json reads them */
};

ParameterizedTestParameters(fees, check_quote)
{
	static struct quote_case cases[] = {
	    {"2026-02-01", {{"W-CONN", 1, 300000}, {"W-PIPE", 30, 12000}}, 2, "", 660000,
	     "{\"dn\":60}"},
	    /* the price is the band's that the job's own pipe size falls in, not any band's */
	    {"2026-02-01", {{"W-CONN", 1, 800000}}, 1, "", 800000, "{\"dn\":200}"},
	    {"2026-02-01", {{"W-CONN", 1, 800000}}, 1, "quote[0].unit_price_fen:price_mismatch", 0,
	     "{\"dn\":60}"},
	    {"2026-02-01", {{"W-CONN", 1, 150000}}, 1, "quote[0].unit_price_fen:price_mismatch", 0,
	     "{\"dn\":100}"},
	    {"2026-02-01", {{"W-CONN", 1, 150000}}, 1, "", 150000, "{\"dn\":50}"},
	    {"2026-02-01", {{"W-CONN", 1, 300000}}, 1, "", 300000, "{\"dn\":51}"},
	    /* no band of the code covers the job, or the job does not say its size */
	    {"2026-02-01", {{"W-CONN", 1, 800000}}, 1, "quote[0].code:not_applicable", 0,
	     "{\"dn\":400}"},
	    {"2026-02-01", {{"W-CONN", 1, 150000}}, 1, "quote[0].code:not_applicable", 0, "{}"},
	    {"2026-02-01", {{"W-METER", 2, 0}}, 1, "", 0, "{}"},
	    {"2026-02-01", {{"", 0, 0}}, 0, "", 0, "{}"}, /* an empty quote */
	    {"2026-02-01", {{"W-PIPE", 30, 13000}}, 1, "quote[0].unit_price_fen:price_mismatch", 0,
	     "{}"},
	    {"2026-02-01", {{"W-XYZ", 1, 100}}, 1, "quote[0].code:not_published", 0, "{}"},
	    {"2026-02-01", {{"", 1, 100}}, 1, "quote[0].code:required", 0, "{}"},
	    /* a price not yet, or no longer, in force on the submission date */
	    {"2026-02-01", {{"W-NEW", 1, 6000}}, 1, "quote[0].code:not_in_force", 0, "{}"},
	    {"2026-04-01", {{"W-OLD", 1, 5000}}, 1, "quote[0].code:not_in_force", 0, "{}"},
	    {"2026-04-01", {{"W-NEW", 1, 6000}}, 1, "", 6000, "{}"},
	    /* the schedule itself is not yet in force */
	    {"2025-12-01",
	     {{"W-CONN", 1, 150000}, {"W-PIPE", 1, 12000}},
	     2,
	     "quote[0].code:not_in_force,quote[1].code:not_in_force",
	     0,
	     "{\"dn\":20}"},
	    {"2026-02-01", {{"W-PIPE", 0, 12000}}, 1, "quote[0].quantity:out_of_range", 0, "{}"},
	    /* every bad line listed at once, with its index */
	    {"2026-02-01",
	     {{"W-XYZ", 1, 1}, {"W-PIPE", 30, 11000}, {"W-CONN", 1, 150000}, {"W-METER", -1, 0}},
	     4,
	     "quote[0].code:not_published,quote[1].unit_price_fen:price_mismatch,"
	     "quote[3].quantity:out_of_range",
	     0,
	     "{\"dn\":20}"},
	    {"2026-02-01",
	     {{"W-PIPE", 768614336404564, 12000}, {"W-CONN", 1, 300000}},
	     2,
	     "quote:overflow",
	     0,
	     "{\"dn\":60}"},
	};
	return cr_make_param_array(struct quote_case, cases, sizeof(cases) / sizeof(cases[0]));
}

/* The job's parameters of a case. */
static void quote_params(const char *text, struct fee_params *p, json_t **keep)
{
	*keep = json_loads(text, 0, NULL);
	cr_assert(*keep, "%s", text);
	fees_params_init(p);
	cr_assert_eq(fees_params_from_json(*keep, p, NULL), 0, "%s", text);
}

ParameterizedTest(struct quote_case *c, fees, check_quote)
{
	struct fee_schedule *s = load(water_v1);
	struct fee_quote_line lines[4];
	for (size_t i = 0; i < c->nlines; i++)
		lines[i] = (struct fee_quote_line){c->lines[i].code, c->lines[i].quantity,
						   c->lines[i].unit_price_fen};
	struct fee_params params;
	json_t *keep;
	quote_params(c->params, &params, &keep);
	struct error err = ERROR_INIT;
	int64_t total = -1;
	int rc = fees_check_quote(s, D(c->day), &params, lines, c->nlines, &total, &err);
	expect_details(&err, c->details);
	if (c->details[0]) {
		cr_expect_eq(rc, ERR_INVALID);
		cr_expect_eq(total, -1, "total untouched on failure");
	} else {
		cr_expect_eq(rc, 0, "%s", err.message);
		cr_expect_eq(total, c->total_fen);
	}
	error_release(&err);
	json_decref(keep);
	fees_schedule_free(s);
}

/* What a refused line says: the band that applies and its price, or the items that do apply. */
struct quote_message_case {
	char params[64];
	char code[16];
	int64_t unit_price_fen;
	char says[3][64]; /* each must appear in the detail's message */
};

ParameterizedTestParameters(fees, quote_messages)
{
	static struct quote_message_case cases[] = {
	    {"{\"dn\":100}", "W-CONN", 150000, {"band of W-CONN", "dn 51-100", "at 300000 fen"}},
	    {"{\"dn\":100}", "W-CONN", 150000, {"this job: dn 100", "", ""}},
	    {"{\"dn\":400}", "W-CONN", 800000, {"dn 400", "none", ""}},
	    {"{}", "W-CONN", 150000, {"dn not given", "", ""}},
	};
	return cr_make_param_array(struct quote_message_case, cases,
				   sizeof(cases) / sizeof(cases[0]));
}

ParameterizedTest(struct quote_message_case *c, fees, quote_messages)
{
	struct fee_schedule *s = load(water_v1);
	struct fee_params params;
	json_t *keep;
	quote_params(c->params, &params, &keep);
	struct fee_quote_line line = {c->code, 1, c->unit_price_fen};
	struct error err = ERROR_INIT;
	cr_assert_eq(fees_check_quote(s, D("2026-02-01"), &params, &line, 1, NULL, &err),
		     ERR_INVALID);
	cr_assert_eq(err.ndetails, 1);
	for (int i = 0; i < 3 && c->says[i][0]; i++)
		cr_expect(strstr(err.details[0].message, c->says[i]), "'%s' not in: %s", c->says[i],
			  err.details[0].message);
	error_release(&err);
	json_decref(keep);
	fees_schedule_free(s);
}

/* The alternatives named are the bands of the same parameter that apply, at their price. */
Test(fees, a_code_of_another_band_names_the_item_that_applies)
{
	static const char power[] =
	    "{\"utility_kind\":\"power\",\"version\":1,\"effective_from\":\"2026-01-01\","
	    "\"items\":["
	    "{\"code\":\"P-LV\",\"name_zh\":\"低压\",\"unit\":\"per_connection\","
	    " \"unit_price_fen\":0,\"conditions\":{\"kw_max\":160},\"legal_basis\":\"b\"},"
	    "{\"code\":\"P-HV\",\"name_zh\":\"高压\",\"unit\":\"per_kw\","
	    " \"unit_price_fen\":12000,\"conditions\":{\"kw_min\":161,\"kw_max\":2000},"
	    " \"legal_basis\":\"b\"},"
	    "{\"code\":\"P-HV\",\"name_zh\":\"高压\",\"unit\":\"per_kw\","
	    " \"unit_price_fen\":10000,\"conditions\":{\"kw_min\":2001},\"legal_basis\":\"b\"}"
	    "]}";
	struct fee_schedule *s = load(power);
	struct fee_params params;
	json_t *keep;
	quote_params("{\"kw\":250}", &params, &keep);
	struct fee_quote_line lines[] = {{"P-LV", 1, 0}, {"P-HV", 250, 10000}, {"P-HV", 250, 12000}};
	struct error err = ERROR_INIT;
	int64_t total = -1;
	cr_assert_eq(fees_check_quote(s, D("2026-02-01"), &params, lines, 3, &total, &err),
		     ERR_INVALID);
	expect_details(&err, "quote[0].code:not_applicable,quote[1].unit_price_fen:price_mismatch");
	cr_expect(strstr(err.details[0].message, "P-HV (kw 161-2000) at 12000 fen"), "%s",
		  err.details[0].message);
	cr_expect(strstr(err.details[1].message, "kw 161-2000"), "%s", err.details[1].message);
	cr_expect(strstr(err.details[1].message, "at 12000 fen"), "%s", err.details[1].message);
	error_release(&err);
	/* the right band alone is accepted */
	cr_assert_eq(fees_check_quote(s, D("2026-02-01"), &params, &lines[2], 1, &total, &err), 0,
		     "%s", err.message);
	cr_expect_eq(total, 3000000);
	json_decref(keep);
	fees_schedule_free(s);
}

/* ---------------------------------------------------------------- JSON in */

struct json_case {
	char name[40];
	char json[700];
	int rc;
	char details[600];
};

ParameterizedTestParameters(fees, from_json_errors)
{
	static struct json_case cases[] = {
	    {"not an object", "[]", ERR_MALFORMED, ""},
	    {"empty object", "{}", ERR_INVALID,
	     "utility_kind:required,version:required,effective_from:required,items:required"},
	    {"wrong types",
	     "{\"utility_kind\":5,\"version\":\"1\","
	     "\"effective_from\":\"2026-02-30\",\"items\":{}}",
	     ERR_INVALID,
	     "utility_kind:wrong_type,version:wrong_type,effective_from:invalid_date,"
	     "items:wrong_type"},
	    {"typo in a field name",
	     "{\"utility_kind\":\"water\",\"versoin\":1,"
	     "\"effective_from\":\"2026-02-01\",\"items\":[]}",
	     ERR_INVALID, "versoin:unknown_field,version:required"},
	    {"version too large",
	     "{\"utility_kind\":\"water\",\"version\":99999999999,"
	     "\"effective_from\":\"2026-02-01\",\"items\":[]}",
	     ERR_INVALID, "version:out_of_range"},
	    {"every item problem at once",
	     "{\"utility_kind\":\"water\",\"version\":1,\"effective_from\":\"2026-02-01\","
	     "\"items\":[5,"
	     "{\"code\":1,\"unit_price_fen\":1.5,\"name_en\":null,\"colour\":\"red\","
	     "\"effective_to\":\"2026/12/31\",\"effective_from\":20260101,"
	     "\"conditions\":{\"dn_min\":\"x\",\"depth_min\":3,\"kw\":1,"
	     "\"customer_class\":4,\"kw_max\":null}},"
	     "{\"code\":\"A\",\"name_zh\":\"a\",\"unit\":\"per_metre\",\"unit_price_fen\":1,"
	     "\"legal_basis\":\"b\",\"conditions\":[]}]}",
	     ERR_INVALID,
	     "items[0]:wrong_type,items[1].code:wrong_type,items[1].name_zh:required,"
	     "items[1].unit:required,items[1].unit_price_fen:wrong_type,"
	     "items[1].legal_basis:required,items[1].effective_to:invalid_date,"
	     "items[1].effective_from:wrong_type,items[1].colour:unknown_field,"
	     "items[1].conditions.dn_min:wrong_type,items[1].conditions.depth_min:unknown_field,"
	     "items[1].conditions.kw:unknown_field,"
	     "items[1].conditions.customer_class:wrong_type,"
	     "items[2].conditions:wrong_type"},
	};
	return cr_make_param_array(struct json_case, cases, sizeof(cases) / sizeof(cases[0]));
}

ParameterizedTest(struct json_case *c, fees, from_json_errors)
{
	json_t *j = json_loads(c->json, 0, NULL);
	cr_assert_not_null(j, "%s: test JSON does not parse", c->name);
	struct fee_schedule *s = (struct fee_schedule *)1;
	struct error err = ERROR_INIT;
	cr_expect_eq(fees_schedule_from_json(j, &s, &err), c->rc, "%s", c->name);
	cr_expect_null(s, "no schedule on failure");
	expect_details(&err, c->details);
	error_release(&err);
	json_decref(j);
}

Test(fees, from_json_defaults)
{
	struct fee_schedule *s = load(water_v1);
	cr_assert_eq(s->nitems, 7);
	cr_expect_str_eq(s->utility_kind, "water");
	cr_expect_eq(s->version, 1);
	const struct fee_item *conn = &s->items[1], *old = &s->items[5], *nw = &s->items[6];
	cr_expect(conn->conditions.range[FEE_PARAM_DN].has_min);
	cr_expect_eq(conn->conditions.range[FEE_PARAM_DN].min, 51);
	cr_expect_eq(conn->conditions.range[FEE_PARAM_DN].max, 100);
	cr_expect_not(conn->conditions.range[FEE_PARAM_KW].has_min);
	cr_expect_null(conn->conditions.customer_class);
	cr_expect_eq(conn->effective_from, D("2026-01-01"), "items default to the schedule's date");
	cr_expect_eq(conn->effective_to, FEES_OPEN_END);
	cr_expect_eq(old->effective_to, D("2026-03-31"));
	cr_expect_str_eq(old->name_en, "", "name_en is optional");
	cr_expect_eq(nw->effective_from, D("2026-04-01"));
	cr_expect_eq(nw->effective_to, FEES_OPEN_END, "null effective_to is open");
	fees_schedule_free(s);
}

/* ---------------------------------------------------------------- JSON out */

Test(fees, schedule_json_round_trip)
{
	for (size_t i = 0; i < NFIXTURES; i++) {
		struct fee_schedule *s = load(fixtures[i]);
		json_t *once = fees_schedule_to_json(s);
		struct fee_schedule *again = NULL;
		cr_assert_eq(fees_schedule_from_json(once, &again, NULL), 0, "fixture %zu", i);
		json_t *twice = fees_schedule_to_json(again);
		cr_expect(json_equal(once, twice), "fixture %zu changes in a round trip", i);
		json_decref(once);
		json_decref(twice);
		fees_schedule_free(again);
		fees_schedule_free(s);
	}
}

Test(fees, schedule_to_json_shape)
{
	struct fee_schedule *s = load(power_v1);
	json_t *got = fees_schedule_to_json(s);
	json_t *want = json_loads(
	    "{\"utility_kind\":\"power\",\"version\":1,\"effective_from\":\"2026-01-01\","
	    "\"items\":["
	    "{\"code\":\"P-LV\",\"name_zh\":\"低压接入\",\"name_en\":\"\","
	    "\"unit\":\"per_connection\",\"unit_price_fen\":0,"
	    "\"conditions\":{\"kw_min\":0,\"kw_max\":160},\"legal_basis\":\"fixture basis 7\","
	    "\"effective_from\":\"2026-01-01\",\"effective_to\":null},"
	    "{\"code\":\"P-HV\",\"name_zh\":\"高压接入\",\"name_en\":\"\",\"unit\":\"per_kw\","
	    "\"unit_price_fen\":15000,"
	    "\"conditions\":{\"kw_min\":161,\"customer_class\":\"commercial\"},"
	    "\"legal_basis\":\"fixture basis 7\",\"effective_from\":\"2026-01-01\","
	    "\"effective_to\":null},"
	    "{\"code\":\"P-HV\",\"name_zh\":\"高压接入\",\"name_en\":\"\",\"unit\":\"per_kw\","
	    "\"unit_price_fen\":10000,"
	    "\"conditions\":{\"kw_min\":161,\"customer_class\":\"residential\"},"
	    "\"legal_basis\":\"fixture basis 7\",\"effective_from\":\"2026-01-01\","
	    "\"effective_to\":null}]}",
	    0, NULL);
	cr_assert_not_null(want);
	char *text = json_dumps(got, JSON_SORT_KEYS);
	cr_expect(json_equal(got, want), "got %s", text);
	free(text);
	json_decref(got);
	json_decref(want);
	fees_schedule_free(s);
}

Test(fees, estimate_to_json)
{
	struct fee_schedule *set[NFIXTURES];
	size_t n = load_set(S_W1 | S_N1, set);
	struct fee_params p;
	char cls[32];
	parse_params("dn=50 length_m=2 meters=1 ports=3", &p, cls, sizeof(cls));
	struct fee_estimate e;
	cr_assert_eq(fees_estimate((const struct fee_schedule *const *)set, n, D("2026-05-01"), &p,
				   &e, NULL),
		     0);
	json_t *got = fees_estimate_to_json(&e);
	json_t *want =
	    json_loads("{\"total_fen\":240000,\"lines\":["
		       "{\"utility_kind\":\"water\",\"code\":\"W-CONN\",\"name_zh\":\"接水工程费\","
		       "\"name_en\":\"Water connection\",\"unit\":\"per_dn_band\",\"quantity\":1,"
		       "\"unit_price_fen\":150000,\"amount_fen\":150000},"
		       "{\"utility_kind\":\"water\",\"code\":\"W-PIPE\",\"name_zh\":\"管道敷设费\","
		       "\"name_en\":\"Pipe laying\",\"unit\":\"per_metre\",\"quantity\":2,"
		       "\"unit_price_fen\":12000,\"amount_fen\":24000},"
		       "{\"utility_kind\":\"water\",\"code\":\"W-METER\",\"name_zh\":\"水表\","
		       "\"name_en\":\"Water meter\",\"unit\":\"per_meter\",\"quantity\":1,"
		       "\"unit_price_fen\":0,\"amount_fen\":0},"
		       "{\"utility_kind\":\"water\",\"code\":\"W-NEW\",\"name_zh\":\"接水手续费\","
		       "\"name_en\":\"\",\"unit\":\"per_connection\",\"quantity\":1,"
		       "\"unit_price_fen\":6000,\"amount_fen\":6000},"
		       "{\"utility_kind\":\"network\",\"code\":\"N-PORT\",\"name_zh\":\"端口费\","
		       "\"name_en\":\"\",\"unit\":\"per_port\",\"quantity\":3,"
		       "\"unit_price_fen\":20000,\"amount_fen\":60000}]}",
		       0, NULL);
	cr_assert_not_null(want);
	char *text = json_dumps(got, JSON_SORT_KEYS);
	cr_expect(json_equal(got, want), "got %s", text);
	free(text);
	json_decref(got);
	json_decref(want);
	fees_estimate_release(&e);
	free_set(set, n);
}

/* ---------------------------------------------------------------- parameters and lookups */

struct params_json_case {
	char json[200];
	int rc;
	char details[200];
};

ParameterizedTestParameters(fees, params_from_json)
{
	static struct params_json_case cases[] = {
	    {"{\"dn\":100,\"kw\":250,\"customer_class\":\"commercial\"}", 0, ""},
	    {"{\"customer_class\":null}", 0, ""},
	    {"{\"dn\":-1,\"kw\":\"5\",\"colour\":1,\"customer_class\":3,\"ports\":1.5}",
	     ERR_INVALID,
	     "params.dn:negative,params.kw:wrong_type,params.colour:unknown_field,"
	     "params.customer_class:wrong_type,params.ports:wrong_type"},
	    {"[1]", ERR_MALFORMED, ""},
	};
	return cr_make_param_array(struct params_json_case, cases,
				   sizeof(cases) / sizeof(cases[0]));
}

ParameterizedTest(struct params_json_case *c, fees, params_from_json)
{
	json_t *j = json_loads(c->json, 0, NULL);
	cr_assert_not_null(j);
	struct fee_params p;
	struct error err = ERROR_INIT;
	cr_expect_eq(fees_params_from_json(j, &p, &err), c->rc, "%s", c->json);
	expect_details(&err, c->details);
	if (c->rc == 0 && json_object_get(j, "dn")) {
		cr_expect(p.has[FEE_PARAM_DN]);
		cr_expect_eq(p.value[FEE_PARAM_DN], 100);
		cr_expect_eq(p.value[FEE_PARAM_KW], 250);
		cr_expect_not(p.has[FEE_PARAM_PORTS]);
		cr_expect_str_eq(p.customer_class, "commercial");
	}
	error_release(&err);
	json_decref(j);
}

Test(fees, params_set)
{
	struct fee_params p;
	struct error err = ERROR_INIT;
	fees_params_init(&p);
	cr_expect_eq(fees_params_set(&p, "length_m", 30, &err), 0);
	cr_expect(p.has[FEE_PARAM_LENGTH_M]);
	cr_expect_eq(p.value[FEE_PARAM_LENGTH_M], 30);
	cr_expect_eq(fees_params_set(&p, "depth", 3, &err), ERR_INVALID);
	cr_expect_eq(fees_params_set(&p, "kw", -1, &err), ERR_INVALID);
	cr_expect_not(p.has[FEE_PARAM_KW]);
	expect_details(&err, "params.depth:unknown_field,params.kw:negative");
	error_release(&err);
}

Test(fees, names_and_units)
{
	for (int i = 0; i < FEE_PARAM_COUNT; i++)
		cr_expect_eq(fees_param_from_name(fees_param_name(i)), i);
	cr_expect_null(fees_param_name(FEE_PARAM_COUNT));
	cr_expect_null(fees_param_name(-1));
	cr_expect_eq(fees_param_from_name("DN"), -1);
	const char *known[] = {"per_connection", "per_metre",	"per_meter",
			       "per_kw",	 "per_dn_band", "per_port"};
	for (size_t i = 0; i < sizeof(known) / sizeof(known[0]); i++)
		cr_expect(fees_unit_known(known[i]), "%s", known[i]);
	cr_expect_not(fees_unit_known("per_yard"));
	cr_expect_not(fees_unit_known(NULL));
}

Test(fees, schedule_in_force_picks_latest_version)
{
	struct fee_schedule *set[NFIXTURES];
	size_t n = load_set(S_W1 | S_W2 | S_P1, set);
	const struct fee_schedule *const *all = (const struct fee_schedule *const *)set;
	cr_expect_eq(fees_schedule_in_force(all, n, "water", D("2026-06-30")), set[0]);
	cr_expect_eq(fees_schedule_in_force(all, n, "water", D("2026-07-01")), set[1]);
	cr_expect_eq(fees_schedule_in_force(all, n, "power", D("2026-07-01")), set[2]);
	cr_expect_null(fees_schedule_in_force(all, n, "water", D("2025-12-31")));
	cr_expect_null(fees_schedule_in_force(all, n, "gas", D("2026-07-01")));
	/* a re-issue on the same day: the higher version wins */
	set[1]->effective_from = set[0]->effective_from;
	cr_expect_eq(fees_schedule_in_force(all, n, "water", D("2026-02-01")), set[1]);
	free_set(set, n);
}
