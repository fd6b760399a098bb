/* Reading a project's registration and a guidance answer (workflows/project.c): tables. */
#include <criterion/criterion.h>
#include <criterion/parameterized.h>
#include <string.h>

#include "workflows/project.h"

#define TODAY cal_day_from_ymd(2026, 12, 7)

/* Arrays, not pointers: Criterion copies the cases into each test's process. */
struct parse_case {
	char body[400];
	char field[40], code[24]; /* the problem expected; "": none */
};

static bool listed(const struct error *e, const char *field, const char *code)
{
	for (size_t i = 0; i < e->ndetails; i++)
		if (!strcmp(e->details[i].field, field) && !strcmp(e->details[i].code, code))
			return true;
	return false;
}

ParameterizedTestParameters(project, registration)
{
	static struct parse_case registrations[] = {
	    {"{\"needs\":{\"water\":{\"m3_per_day\":120,\"dn\":50}},\"hookup_date\":\"2027-06-"
	     "01\"}",
	     "", ""},
	    {"{\"hookup_date\":\"2027-06-01\"}", "needs", "required"},
	    {"{\"needs\":{},\"hookup_date\":\"2027-06-01\"}", "needs", "required"},
	    {"{\"needs\":{\"sewage\":{}},\"hookup_date\":\"2027-06-01\"}", "needs.sewage",
	     "unknown_kind"},
	    {"{\"needs\":{\"water\":{\"m3_per_day\":120}},\"hookup_date\":\"2027-06-01\"}",
	     "needs.water.dn", "required"},
	    {"{\"needs\":{\"water\":{\"m3_per_day\":120,\"dn\":5}},\"hookup_date\":\"2027-06-01\"}",
	     "needs.water.dn", "out_of_range"},
	    {"{\"needs\":{\"power\":{\"kva\":400,\"kw\":1}},\"hookup_date\":\"2027-06-01\"}",
	     "needs.power.kw", "unknown_field"},
	    {"{\"needs\":{\"network\":{\"lines\":\"4\"}},\"hookup_date\":\"2027-06-01\"}",
	     "needs.network.lines", "wrong_type"},
	    {"{\"needs\":{\"gas\":{\"m3_per_hour\":20}}}", "hookup_date", "required"},
	    {"{\"needs\":{\"gas\":{\"m3_per_hour\":20}},\"hookup_date\":\"2026-12-06\"}",
	     "hookup_date", "in_the_past"},
	    {"{\"needs\":{\"heat\":{\"kw\":300}},\"hookup_date\":\"2027-06-01\",\"materials\":["
	     "\"a\"]}",
	     "materials[0]", "wrong_type"},
	    {"{\"needs\":{\"heat\":{\"kw\":300}},\"hookup_date\":\"2027-06-01\",\"materials\":["
	     "{\"material_id\":7},7]}",
	     "materials[1]", "duplicate"},
	    {"{\"needs\":{\"heat\":{\"kw\":300}},\"hookup_date\":\"2027-06-01\",\"providers\":"
	     "{\"network\":0}}",
	     "providers.network", "wrong_type"},
	};
	return cr_make_param_array(struct parse_case, registrations,
				   sizeof(registrations) / sizeof(registrations[0]));
}

ParameterizedTest(const struct parse_case *c, project, registration)
{
	json_t *body = json_loads(c->body, 0, NULL);
	cr_assert(body, "%s", c->body);
	struct project_request r;
	struct error err = ERROR_INIT;
	size_t n = project_parse(body, TODAY, &r, &err);
	if (!c->field[0])
		cr_expect_eq(n, 0, "%s: %zu problem(s), first %s", c->body, n,
			     n ? err.details[0].field : "");
	else
		cr_expect(listed(&err, c->field, c->code), "%s: %s %s not listed", c->body,
			  c->field, c->code);
	project_request_release(&r);
	error_release(&err);
	json_decref(body);
}

ParameterizedTestParameters(project, answer)
{
	static struct parse_case answers[] = {
	    {"{\"connection_point\":{\"geometry\":{\"type\":\"Point\",\"coordinates\":[119.29,26."
	     "08]},"
	     "\"description\":\"main\"},\"capacity\":{\"status\":\"available\"}}",
	     "", ""},
	    {"{\"capacity\":{\"status\":\"available\"}}", "connection_point", "required"},
	    {"{\"connection_point\":{\"geometry\":{\"type\":\"LineString\",\"coordinates\":[[119."
	     "29,"
	     "26.08],[119.3,26.08]]},\"description\":\"main\"},\"capacity\":{\"status\":"
	     "\"available\"}}",
	     "connection_point.geometry.type", "not_allowed"},
	    {"{\"connection_point\":{\"geometry\":{\"type\":\"Point\",\"coordinates\":[119.29,26."
	     "08]}},"
	     "\"capacity\":{\"status\":\"available\"}}",
	     "connection_point.description", "required"},
	    {"{\"connection_point\":{\"geometry\":{\"type\":\"Point\",\"coordinates\":[119.29,26."
	     "08]},"
	     "\"description\":\"main\"},\"capacity\":{\"status\":\"reinforcement\"}}",
	     "capacity.ready_by", "required"},
	    {"{\"connection_point\":{\"geometry\":{\"type\":\"Point\",\"coordinates\":[119.29,26."
	     "08]},"
	     "\"description\":\"main\"},\"capacity\":{\"status\":\"plenty\"}}",
	     "capacity.status", "not_allowed"},
	    {"{\"connection_point\":{\"geometry\":{\"type\":\"Point\",\"coordinates\":[119.29,26."
	     "08]},"
	     "\"description\":\"main\"},\"capacity\":{\"status\":\"available\"},\"quote\":[]}",
	     "quote", "wrong_type"},
	    {"{\"connection_point\":{\"geometry\":{\"type\":\"Point\",\"coordinates\":[119.29,26."
	     "08]},"
	     "\"description\":\"main\"},\"capacity\":{\"status\":\"available\"},\"price\":1}",
	     "price", "unknown_field"},
	    {"{\"connection_point\":{\"geometry\":{\"type\":\"Point\",\"coordinates\":[119.29,26."
	     "08]},"
	     "\"description\":\"main\"},\"capacity\":{\"status\":\"available\"},\"length_m\":-1}",
	     "length_m", "out_of_range"},
	};
	return cr_make_param_array(struct parse_case, answers,
				   sizeof(answers) / sizeof(answers[0]));
}

ParameterizedTest(const struct parse_case *c, project, answer)
{
	json_t *body = json_loads(c->body, 0, NULL);
	cr_assert(body, "%s", c->body);
	struct guidance_answer a;
	struct error err = ERROR_INIT;
	size_t n = guidance_answer_parse(body, TODAY, &a, &err);
	if (!c->field[0])
		cr_expect_eq(n, 0, "%s: %zu problem(s), first %s %s", c->body, n,
			     n ? err.details[0].field : "", n ? err.details[0].code : "");
	else
		cr_expect(listed(&err, c->field, c->code), "%s: %s %s not listed (%zu: %s %s)",
			  c->body, c->field, c->code, n, n ? err.details[0].field : "",
			  n ? err.details[0].code : "");
	guidance_answer_release(&a);
	error_release(&err);
	json_decref(body);
}

Test(project, loads_become_fee_parameters)
{
	json_t *water = json_pack("{s:i, s:i}", "m3_per_day", 120, "dn", 50);
	struct fee_params p;
	project_fee_params(UK_WATER, water, 10, &p);
	cr_expect(p.has[FEE_PARAM_DN] && p.value[FEE_PARAM_DN] == 50);
	cr_expect(p.has[FEE_PARAM_LENGTH_M] && p.value[FEE_PARAM_LENGTH_M] == 10);
	json_t *net = json_pack("{s:i}", "lines", 4);
	project_fee_params(UK_NETWORK, net, 0, &p);
	cr_expect(p.has[FEE_PARAM_PORTS] && p.value[FEE_PARAM_PORTS] == 4);
	json_decref(water);
	json_decref(net);
}

/* At most 200 materials, as an application takes: the citing application inherits them. */
Test(project, at_most_200_materials)
{
	char body[4096];
	int n = snprintf(body, sizeof(body),
			 "{\"needs\":{\"heat\":{\"kw\":300}},\"hookup_date\":\"2027-06-01\","
			 "\"materials\":[");
	for (int i = 1; i <= 201; i++)
		n += snprintf(body + n, sizeof(body) - (size_t)n, "%s%d", i > 1 ? "," : "", i);
	snprintf(body + n, sizeof(body) - (size_t)n, "]}");
	json_t *j = json_loads(body, 0, NULL);
	cr_assert(j);
	struct project_request r;
	struct error e = ERROR_INIT;
	project_parse(j, TODAY, &r, &e);
	cr_expect(listed(&e, "materials", "wrong_type"), "201 refused");
	project_request_release(&r);
	error_release(&e);
	json_decref(j);
}
