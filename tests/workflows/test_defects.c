/* Tests for workflows/defects.c: guarantee dates, where a defect report goes, photo and feedback. */
#include <criterion/criterion.h>
#include <criterion/parameterized.h>
#include <string.h>

#include "workflows/defects.h"

struct guarantee_case {
	int y, m, d, months;
	int ty, tm, td;
};

ParameterizedTestParameters(defects, guarantee_to)
{
	static struct guarantee_case cases[] = {
		{ 2026, 3, 10, 12, 2027, 3, 10 }, /* minor road: a year to the day */
		{ 2026, 3, 10, 24, 2028, 3, 10 }, /* trunk road: two years */
		{ 2026, 3, 10, 18, 2027, 9, 10 },
		{ 2026, 1, 31, 1, 2026, 2, 28 },  /* no 31 February: the month's last day */
		{ 2027, 2, 29 - 1, 12, 2028, 2, 28 },
		{ 2028, 2, 29, 12, 2029, 2, 28 }, /* from a leap day */
		{ 2026, 12, 15, 1, 2027, 1, 15 }, /* over the year's end */
	};
	return cr_make_param_array(struct guarantee_case, cases, sizeof(cases) / sizeof(cases[0]));
}

ParameterizedTest(struct guarantee_case *c, defects, guarantee_to)
{
	day_t to = defects_guarantee_to(cal_day_from_ymd(c->y, c->m, c->d), c->months);
	char got[11];
	cal_day_format(to, got);
	cr_expect_eq(to, cal_day_from_ymd(c->ty, c->tm, c->td), "%04d-%02d-%02d + %d months: %s",
		     c->y, c->m, c->d, c->months, got);
}

/* One dig along a branch road; the road's centreline is the same line. */
#define LINE "LINESTRING(119.3000 26.0800, 119.3010 26.0800)"
#define TODAY (cal_day_from_ymd(2026, 6, 1))
#define UTILITY 7
#define AUTHORITY 3
#define OFFICE 1

struct route_case {
	char name[40];
	double north_m;	 /* the report's distance north of the line */
	int guarantee;	 /* guarantee_to - TODAY; -1000: no guarantee recorded; 1000: no dig */
	bool road;	 /* the register has the road */
	int target;
	long long org;
	char reason[40]; /* text the reason contains */
};

ParameterizedTestParameters(defects, route)
{
	static struct route_case cases[] = {
		{ "on the dig, in guarantee", 2, 30, true, DEFECTS_TO_UTILITY, UTILITY,
		  "the utility that dug" },
		{ "on the dig, last day of guarantee", 2, 0, true, DEFECTS_TO_UTILITY, UTILITY,
		  "guarantee until 2026-06-01" },
		{ "on the dig, guarantee over", 2, -1, true, DEFECTS_TO_AUTHORITY, AUTHORITY,
		  "guaranteed until 2026-05-31" },
		{ "on the dig, no guarantee recorded", 2, -1000, true, DEFECTS_TO_AUTHORITY,
		  AUTHORITY, "no works under guarantee" },
		{ "8 m off the dig, on the road", 8, 30, true, DEFECTS_TO_AUTHORITY, AUTHORITY,
		  "road authority" },
		{ "no dig there, on the road", 2, 1000, true, DEFECTS_TO_AUTHORITY, AUTHORITY,
		  "no works under guarantee" },
		{ "off any road", 40, 1000, true, DEFECTS_TO_OFFICE, OFFICE, "no registered road" },
		{ "no register at all", 2, 1000, false, DEFECTS_TO_OFFICE, OFFICE,
		  "no registered road" },
		{ "in guarantee though no road", 2, 30, false, DEFECTS_TO_UTILITY, UTILITY,
		  "the utility" },
	};
	return cr_make_param_array(struct route_case, cases, sizeof(cases) / sizeof(cases[0]));
}

ParameterizedTest(struct route_case *c, defects, route)
{
	char wkt[64];
	snprintf(wkt, sizeof(wkt), "POINT(119.3005 %.7f)", 26.08 + c->north_m / 111320.0);
	struct geo *pt = geo_from_wkt(wkt), *line = geo_from_wkt(LINE);
	cr_assert(pt && line);
	struct defects_dig dig = { 42, UTILITY, line,
				   c->guarantee == -1000 ? -1 : TODAY + c->guarantee };
	struct defects_road road = { AUTHORITY, "FZ-R1", "branch", "350102", line };
	struct defects_route r;
	defects_route(pt, TODAY, &dig, c->guarantee == 1000 ? 0 : 1, &road, c->road ? 1 : 0, OFFICE,
		      &r);
	cr_expect_eq(r.target, c->target, "%s: went to %s (%s)", c->name,
		     defects_target_name(r.target), r.reason);
	cr_expect_eq(r.org_id, c->org, "%s", c->name);
	cr_expect(strstr(r.reason, c->reason), "%s: reason '%s'", c->name, r.reason);
	if (r.target == DEFECTS_TO_UTILITY) {
		cr_expect_eq(r.permit_id, 42);
		cr_expect_eq(r.guarantee_to, TODAY + c->guarantee);
	}
	cr_expect_str_eq(r.road_id, c->road && c->north_m < 10 ? "FZ-R1" : "", "%s", c->name);
	geo_free(pt);
	geo_free(line);
}

Test(defects, the_nearest_dig_in_guarantee_is_charged)
{
	struct geo *pt = geo_from_wkt("POINT(119.3005 26.08003)");
	struct geo *a = geo_from_wkt("LINESTRING(119.3000 26.08004, 119.3010 26.08004)"); /* ~1 m */
	struct geo *b = geo_from_wkt("LINESTRING(119.3000 26.0800, 119.3010 26.0800)");	/* ~3 m */
	struct defects_dig digs[] = { { 1, 11, b, TODAY + 5 }, { 2, 12, a, TODAY + 5 },
				      { 3, 13, a, TODAY - 5 } };
	struct defects_route r;
	defects_route(pt, TODAY, digs, 3, NULL, 0, OFFICE, &r);
	cr_expect_eq(r.org_id, 12, "the nearer of the two in guarantee: %s", r.reason);
	cr_expect_eq(r.permit_id, 2);
	geo_free(pt);
	geo_free(a);
	geo_free(b);
}

struct photo_case {
	unsigned char head[8];
	size_t n;
	char type[12];
	char want[16]; /* first detail code, "" none */
};

ParameterizedTestParameters(defects, photo)
{
	static struct photo_case cases[] = {
		{ { 0xFF, 0xD8, 0xFF, 0xE0 }, 1000, "image/jpeg", "" },
		{ { 0x89, 'P', 'N', 'G', 0x0D, 0x0A, 0x1A, 0x0A }, 1000, "image/png", "" },
		{ { 0xFF, 0xD8, 0xFF, 0xE0 }, 1000, "image/png", "type_mismatch" },
		{ { 'G', 'I', 'F', '8', '9', 'a' }, 1000, "image/jpeg", "not_an_image" },
		{ { 0xFF, 0xD8 }, 2, "image/jpeg", "not_an_image" },
		{ { 0xFF, 0xD8, 0xFF, 0xE0 }, DEFECTS_PHOTO_MAX, "image/jpeg", "" },
		{ { 0xFF, 0xD8, 0xFF, 0xE0 }, DEFECTS_PHOTO_MAX + 1, "image/jpeg", "too_large" },
	};
	return cr_make_param_array(struct photo_case, cases, sizeof(cases) / sizeof(cases[0]));
}

ParameterizedTest(struct photo_case *c, defects, photo)
{
	static unsigned char buf[DEFECTS_PHOTO_MAX + 16];
	memset(buf, 0, sizeof(buf));
	memcpy(buf, c->head, sizeof(c->head));
	struct error err = ERROR_INIT;
	int n = defects_photo_check(buf, c->n, c->type, "photo", &err);
	cr_expect_eq(n > 0, c->want[0] != 0, "%zu bytes as %s: %d problem(s)", c->n, c->type, n);
	if (n)
		cr_expect_str_eq(err.details[0].code, c->want);
	error_release(&err);
}

struct feedback_case {
	char kind[12], score[12], text[40]; /* "-": absent */
	bool cert, loc;
	char want[64]; /* "field:code,..." */
};

ParameterizedTestParameters(defects, feedback)
{
	static struct feedback_case cases[] = {
		{ "rating", "good", "-", true, false, "" },
		{ "rating", "bad", "dust everywhere", false, true, "" },
		{ "complaint", "-", "the trench is open at night", false, true, "" },
		{ "rating", "-", "-", true, false, "score:required" },
		{ "rating", "excellent", "-", true, false, "score:required" },
		{ "complaint", "meh", "", true, false, "score:invalid,text:required" },
		{ "praise", "-", "-", false, false, "kind:invalid,certificate_number:one_subject" },
		{ "complaint", "-", "x", true, true, "certificate_number:one_subject" },
	};
	return cr_make_param_array(struct feedback_case, cases, sizeof(cases) / sizeof(cases[0]));
}

ParameterizedTest(struct feedback_case *c, defects, feedback)
{
	struct error err = ERROR_INIT;
#define OPT(s) (strcmp((s), "-") ? (s) : NULL)
	defects_feedback_check(c->kind, OPT(c->score), OPT(c->text), c->cert, c->loc, &err);
	char got[256] = "";
	for (size_t i = 0; i < err.ndetails; i++)
		snprintf(got + strlen(got), sizeof(got) - strlen(got), "%s%s:%s", i ? "," : "",
			 err.details[i].field, err.details[i].code);
	cr_expect_str_eq(got, c->want, "%s/%s", c->kind, c->score);
	error_release(&err);
}

Test(defects, a_new_standard_lists_every_problem)
{
	struct defects_class_limits ok[] = { { "expressway", 24, 5, 3 }, { "primary", 24, 5, 3 },
					     { "secondary", 18, 7, 5 }, { "branch", 12, 10, 7 } };
	struct error err = ERROR_INIT;
	cr_expect_eq(defects_standards_check(ok, 4, TODAY, TODAY, &err), 0);
	struct defects_class_limits bad[] = { { "primary", 0, 5, 3 }, { "primary", 24, 251, 0 },
					      { "lane", 12, 10, 7 } };
	cr_expect_eq(defects_standards_check(bad, 3, TODAY - 1, TODAY, &err), 9);
	static const char *const want[][2] = {
		{ "road_classes[0].guarantee_months", "out_of_range" },
		{ "road_classes[1].road_class", "duplicate" },
		{ "road_classes[1].remedial_days", "out_of_range" },
		{ "road_classes[1].defect_days", "out_of_range" },
		{ "road_classes[2].road_class", "invalid" },
		{ "road_classes", "missing" }, /* expressway */
		{ "road_classes", "missing" }, /* secondary */
		{ "road_classes", "missing" }, /* branch */
		{ "effective_from", "in_the_past" },
	};
	for (size_t i = 0; i < err.ndetails && i < 9; i++) {
		cr_expect_str_eq(err.details[i].field, want[i][0], "detail %zu", i);
		cr_expect_str_eq(err.details[i].code, want[i][1], "detail %zu", i);
	}
	error_release(&err);
}
