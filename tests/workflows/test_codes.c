/* The published decision code lists: membership, the checks transitions make, and parsing. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "workflows/codes.h"
#include "workflows/job.h"
#include "workflows/permit.h"

static struct code_lists sample(void)
{
	struct code_lists cl = { .version = 3 };
	codes_add(&cl, CODES_RETURN_ITEM, "MATERIAL_MISSING", "缺少申请材料", "missing");
	codes_add(&cl, CODES_REJECT_REASON, "DUPLICATE", "重复申请", "duplicate");
	codes_add(&cl, CODES_CONDITION, "KEEP_ONE_LANE", "保留一条车道通行", "one lane");
	codes_add(&cl, CODES_CONDITION, "NIGHT_WORK_ONLY", "仅限夜间施工", "night");
	return cl;
}

/* "field:code,..." of err's details. */
static void details(const struct error *e, char *out, size_t n)
{
	out[0] = 0;
	for (size_t i = 0; i < e->ndetails; i++) {
		size_t len = strlen(out);
		snprintf(out + len, n - len, "%s%s:%s", i ? "," : "", e->details[i].field,
			 e->details[i].code);
	}
}

struct permit_case {
	const char *action;
	enum permit_state from;
	const char *c0, *c1; /* up to two codes: conditions (approve), items (return) */
	const char *reason;
	int want;
	const char *details;
};

static const struct permit_case permit_cases[] = {
	{ "approve", PERMIT_UNDER_REVIEW, "KEEP_ONE_LANE", "NIGHT_WORK_ONLY", NULL, 0, "" },
	{ "approve", PERMIT_UNDER_REVIEW, "KEEP_ONE_LANE", "BOGUS", NULL, ERR_INVALID,
	  "conditions[1].code:unknown_code" },
	{ "approve", PERMIT_UNDER_REVIEW, "DUPLICATE", "", NULL, ERR_INVALID,
	  "conditions[0].code:unknown_code,conditions[1].code:required" },
	{ "return", PERMIT_SUBMITTED, "MATERIAL_MISSING", NULL, NULL, 0, "" },
	{ "return", PERMIT_SUBMITTED, "KEEP_ONE_LANE", NULL, NULL, ERR_INVALID,
	  "items[0].code:unknown_code" },
	{ "reject", PERMIT_UNDER_REVIEW, NULL, NULL, "DUPLICATE", 0, "" },
	{ "reject", PERMIT_UNDER_REVIEW, NULL, NULL, "duplicate", ERR_INVALID,
	  "reason_code:unknown_code" },
	{ "revoke", PERMIT_APPROVED, NULL, NULL, "MATERIAL_MISSING", ERR_INVALID,
	  "reason_code:unknown_code" },
	{ "reject", PERMIT_UNDER_REVIEW, NULL, NULL, NULL, ERR_INVALID, "reason_code:required" },
};

/* One row of permit_cases (a table in one process: its strings are plain pointers). */
static void permit_case(size_t i)
{
	const struct permit_case *c = &permit_cases[i];
	struct code_lists cl = sample();
	struct permit_code list[2] = { { c->c0, NULL }, { c->c1, NULL } };
	size_t n = c->c1 ? 2 : c->c0 ? 1 : 0;
	bool approve = !strcmp(c->action, "approve");
	struct permit_facts f = { .kind = PERMIT_DIG_ROAD, .codes = &cl,
				  .items = approve ? NULL : list, .nitems = approve ? 0 : n,
				  .conditions = approve ? list : NULL,
				  .nconditions = approve ? n : 0, .reason_code = c->reason };
	struct permit_outcome o;
	struct error e = ERROR_INIT;
	enum role who = !strcmp(c->action, "revoke") ? ROLE_OFFICE : ROLE_AUTHORITY;
	int rc = permit_apply(&f, c->from, c->action, who, &o, &e);
	char got[256];
	details(&e, got, sizeof(got));
	cr_expect_eq(rc, c->want, "row %zu %s: %s", i, c->action, e.message);
	cr_expect_str_eq(got, c->details, "row %zu %s", i, c->action);
	error_release(&e);
	codes_release(&cl);
}

Test(codes, permit_codes_are_checked_against_the_list)
{
	for (size_t i = 0; i < sizeof(permit_cases) / sizeof(permit_cases[0]); i++)
		permit_case(i);
}

Test(codes, job_return_and_reject_are_checked_and_the_message_lists_the_allowed)
{
	struct code_lists cl = sample();
	struct job_item items[] = { { "MATERIAL_MISSING", NULL }, { "NOPE", "x" } };
	struct job_facts f = { .items = items, .nitems = 2, .codes = &cl };
	struct job_outcome o;
	struct error e = ERROR_INIT;
	cr_expect_eq(job_apply(&f, JOB_SUBMITTED, "return", ROLE_UTILITY, &o, &e), ERR_INVALID);
	cr_assert_eq(e.ndetails, 1);
	cr_expect_str_eq(e.details[0].field, "items[1].code");
	cr_expect(strstr(e.details[0].message, "'NOPE'") &&
		  strstr(e.details[0].message, "allowed: MATERIAL_MISSING") &&
		  strstr(e.details[0].message, "version 3"), "%s", e.details[0].message);
	error_release(&e);
	f = (struct job_facts){ .reason_code = "KEEP_ONE_LANE", .codes = &cl };
	cr_expect_eq(job_apply(&f, JOB_SUBMITTED, "reject", ROLE_UTILITY, &o, &e), ERR_INVALID);
	error_release(&e);
	f.reason_code = "DUPLICATE";
	cr_expect_eq(job_apply(&f, JOB_SUBMITTED, "reject", ROLE_UTILITY, &o, &e), 0);
	f.codes = NULL; /* no list given: not checked */
	f.reason_code = "anything";
	cr_expect_eq(job_apply(&f, JOB_SUBMITTED, "reject", ROLE_UTILITY, &o, &e), 0);
	error_release(&e);
	codes_release(&cl);
}

struct parse_case {
	const char *json;
	const char *details; /* NULL: parses */
	size_t n;
};

static const struct parse_case parse_cases[] = {
	{ "{\"return_item\":[{\"code\":\"A\",\"name_zh\":\"甲\",\"name_en\":\"a\"}],"
	  "\"reject_reason\":[{\"code\":\"B_1\",\"name_zh\":\"乙\",\"name_en\":\"b\"}],"
	  "\"condition\":[{\"code\":\"A\",\"name_zh\":\"丙\",\"name_en\":\"c\"}],"
	  "\"post_check_result\":[{\"code\":\"D\",\"name_zh\":\"丁\",\"name_en\":\"d\"}]}",
	  NULL, 4 },
	{ "{\"return_item\":[{\"code\":\"A\",\"name_zh\":\"甲\",\"name_en\":\"a\"},"
	  "{\"code\":\"A\",\"name_zh\":\"甲\",\"name_en\":\"a\"}],"
	  "\"reject_reason\":[{\"code\":\"b\",\"name_zh\":\"乙\",\"name_en\":\"b\"}],"
	  "\"condition\":[{\"code\":\"C\",\"name_zh\":\"丙\"}],\"other\":[],"
	  "\"post_check_result\":[{\"code\":\"D\",\"name_zh\":\"丁\",\"name_en\":\"d\"}]}",
	  "other:unknown_field,return_item[1].code:duplicate,reject_reason[0].code:invalid,"
	  "condition[0]:invalid", 0 },
	{ "[]", ":wrong_type", 0 },
	{ "{}", "return_item:required,reject_reason:required,condition:required,"
	  "post_check_result:required", 0 },
};

static void parse_case(size_t i)
{
	const struct parse_case *c = &parse_cases[i];
	json_t *j = json_loads(c->json, 0, NULL);
	cr_assert(j, "test JSON parses");
	struct code_lists cl;
	struct error e = ERROR_INIT;
	int rc = codes_from_json(j, &cl, &e);
	char got[512];
	details(&e, got, sizeof(got));
	if (!c->details) {
		cr_expect_eq(rc, 0, "row %zu: %s", i, got);
		cr_expect_eq(cl.n, c->n, "row %zu", i);
		cr_expect(codes_has(&cl, CODES_CONDITION, "A") && !codes_has(&cl, CODES_CONDITION, "B_1"));
		json_t *back = codes_to_json(&cl);
		cr_expect_eq(json_array_size(json_object_get(back, "reject_reason")), 1);
		json_decref(back);
	} else {
		cr_expect_eq(rc, ERR_INVALID, "row %zu", i);
		cr_expect_str_eq(got, c->details, "row %zu", i);
		cr_expect_eq(cl.n, 0, "row %zu", i);
	}
	codes_release(&cl);
	error_release(&e);
	json_decref(j);
}

Test(codes, new_versions_list_every_problem)
{
	for (size_t i = 0; i < sizeof(parse_cases) / sizeof(parse_cases[0]); i++)
		parse_case(i);
}

/* Issue #20: point_change may be given (then checked like the others) or left out, when the
 * publisher carries the list in force over; a list given is never merged with the old one. */
Test(codes, point_change_is_optional_and_carried_over)
{
	static const char base[] = "\"return_item\":[{\"code\":\"R\",\"name_zh\":\"z\",\"name_en\":\"e\"}],"
				   "\"reject_reason\":[{\"code\":\"J\",\"name_zh\":\"z\",\"name_en\":\"e\"}],"
				   "\"condition\":[{\"code\":\"C\",\"name_zh\":\"z\",\"name_en\":\"e\"}],"
				   "\"post_check_result\":[{\"code\":\"D\",\"name_zh\":\"z\","
				   "\"name_en\":\"e\"}]";
	struct code_lists in_force = { 0 };
	codes_add(&in_force, CODES_POINT_CHANGE, "OLD", "z", "e");
	char text[1024];
	struct error e = ERROR_INIT;
	struct code_lists cl;
	snprintf(text, sizeof(text), "{%s}", base);
	json_t *j = json_loads(text, 0, NULL);
	cr_assert_eq(codes_from_json(j, &cl, &e), 0, "%s", e.message);
	cr_expect(!codes_has(&cl, CODES_POINT_CHANGE, "OLD"));
	codes_carry_over(&cl, &in_force, CODES_POINT_CHANGE);
	cr_expect(codes_has(&cl, CODES_POINT_CHANGE, "OLD"), "carried over");
	codes_release(&cl);
	json_decref(j);
	snprintf(text, sizeof(text),
		 "{%s,\"point_change\":[{\"code\":\"NEW\",\"name_zh\":\"z\",\"name_en\":\"e\"}]}", base);
	j = json_loads(text, 0, NULL);
	cr_assert_eq(codes_from_json(j, &cl, &e), 0, "%s", e.message);
	codes_carry_over(&cl, &in_force, CODES_POINT_CHANGE);
	cr_expect(codes_has(&cl, CODES_POINT_CHANGE, "NEW"));
	cr_expect(!codes_has(&cl, CODES_POINT_CHANGE, "OLD"), "a list given replaces the old one");
	json_t *back = codes_to_json(&cl);
	cr_expect_eq(json_array_size(json_object_get(back, "point_change")), 1);
	json_decref(back);
	codes_release(&cl);
	json_decref(j);
	snprintf(text, sizeof(text), "{%s,\"point_change\":[]}", base);
	j = json_loads(text, 0, NULL);
	cr_expect_eq(codes_from_json(j, &cl, &e), ERR_INVALID, "an empty list given is refused");
	codes_release(&cl);
	json_decref(j);
	error_release(&e);
	codes_release(&in_force);
}
