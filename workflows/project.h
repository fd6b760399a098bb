/*
 * Projects at the planning stage (issue #20): reading a registration (the kinds a project will
 * need with their expected loads, the hookup date, materials, chosen providers) and a utility's
 * guidance answer (connection point, capacity, conditions), and mapping loads to fee parameters.
 * Pure: no I/O, no clock (today is passed in).
 */
#ifndef WORKFLOWS_PROJECT_H
#define WORKFLOWS_PROJECT_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#include "application.h"
#include "calendar.h"
#include "fees.h"
#include "geo.h"

/* One needed kind: its loads as given, normalised ({"m3_per_day": 120, "dn": 50} for water). */
struct project_need {
	bool wanted;
	json_t *loads; /* owned; NULL when not wanted */
};

/* What a registration asks for, apart from its site (read as sites take it). */
struct project_request {
	struct project_need need[UK_COUNT];
	day_t hookup_day;
	long long *materials; /* material ids, in order */
	size_t nmaterials;
	long long
	    provider[UK_COUNT]; /* the applicant's choice where several serve; 0: each serving */
};

/*
 * Reads "needs" (optional when "digs" lists planned digs), "hookup_date" (not before today), "materials" ([{"material_id": n}]) and
 * "providers" ({"network": org id}) from body into *out, adding one detail to err per problem
 * (field "needs.water.dn", code "required" / "out_of_range" / "wrong_type" / "unknown_kind" /
 * "in_the_past" ...). Returns the number of problems added. Other members are not looked at.
 * Release *out with project_request_release whatever the result.
 */
size_t project_parse(const json_t *body, day_t today, struct project_request *out,
		     struct error *err);
void project_request_release(struct project_request *r);

/*
 * The fee parameters of kind's loads (as project_parse normalised them), with length_m metres
 * of line or pipe outside the plot to the connection point and one meter where the schedule
 * charges per meter: water dn, gas flow_m3h, heat kw, power kw (= the kVA stated), network ports
 * (= lines). Cannot fail; unknown loads are left out.
 */
void project_fee_params(int kind, const json_t *loads, long long length_m, struct fee_params *out);

/* A utility's answer to a guidance task. */
struct guidance_answer {
	struct geo *point; /* the connection point, owned */
	char description[501];
	bool reinforcement; /* false: capacity available */
	day_t ready_day;    /* reinforcement: when capacity will be there; -1 otherwise */
	json_t *conditions; /* array of strings, owned */
	long long length_m; /* outside the plot, for the estimate; 0 when not given */
	/* the utility's own quote, optional: items of its published schedule (codes borrowed from
	 * the body parsed, which must outlive the answer) */
	struct fee_quote_line *quote;
	size_t nquote;
	json_t *quote_json; /* the lines as given, owned; NULL without a quote */
};

/*
 * Reads {"connection_point": {"geometry": Point, "crs"?, "description"}, "capacity": {"status":
 * "available"|"reinforcement", "ready_by": date after today (reinforcement only)}, "conditions":
 * [text], "length_m"?, "quote"?: [{"code", "quantity", "unit_price_fen"}]} into *out, one
 * detail per problem, unknown members included (the quote's items are checked against the
 * schedule by fees_check_quote, not here). Returns the
 * number of problems added. Release *out with guidance_answer_release whatever the result.
 */
size_t guidance_answer_parse(const json_t *body, day_t today, struct guidance_answer *out,
			     struct error *err);
void guidance_answer_release(struct guidance_answer *a);

/* The answer as stored and shown (connection point as GeoJSON). New reference. */
json_t *guidance_answer_json(const struct guidance_answer *a);

/* What a guidance task shows: "answered", "overdue" (open past its due day) or "due". */
const char *guidance_status(bool answered, day_t due_day, day_t today);

/*
 * The estimate of an application citing its project (issue #20): kind's lines are those of the
 * answered guidance's estimate (guided: {"lines": [...]} as stored with the answer), the others
 * kept; the total recomputed. Nothing changes when guided has no lines. Cannot fail.
 */
void project_estimate_use_guidance(struct fee_estimate *e, const char *kind, const json_t *guided);

#endif
