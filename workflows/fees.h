/*
 * Published fee schedules: the applicant's estimate, the check of a utility's quote, schedule
 * validation and JSON conversion. Pure: no I/O, no clock (dates are passed in). Money is fen.
 */
#ifndef WORKFLOWS_FEES_H
#define WORKFLOWS_FEES_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "calendar.h"
#include "lib/error.h"

/* effective_to of an item with no end date. */
#define FEES_OPEN_END INT32_MAX

/*
 * The declared request parameters. Fee conditions range over them and units take their
 * quantity from them. JSON names: "dn", "kw", "meters", "length_m", "ports", "connections",
 * "flow_m3h".
 */
enum fee_param {
	FEE_PARAM_DN,	       /* pipe nominal diameter, mm */
	FEE_PARAM_KW,	       /* contracted capacity, kW */
	FEE_PARAM_METERS,      /* number of water/gas/heat meters */
	FEE_PARAM_LENGTH_M,    /* length of line to lay, metres */
	FEE_PARAM_PORTS,       /* network ports */
	FEE_PARAM_CONNECTIONS, /* number of connections; 1 when not given */
	FEE_PARAM_FLOW,	       /* gas flow, m3/h */
	FEE_PARAM_COUNT
};

/* The JSON name of a parameter, or NULL for an out-of-range value. Borrowed, static. */
const char *fees_param_name(int param);

/* The parameter with that JSON name, or -1. */
int fees_param_from_name(const char *name);

/*
 * The units a price may be published per, as the strings stored in fee_item.unit:
 * "per_connection" (quantity: connections, default 1), "per_metre" (length_m),
 * "per_meter" (meters: per water/gas meter, not per metre), "per_kw" (kw), "per_port" (ports),
 * "per_dn_band" (1 when dn is inside the item's dn range, which such an item must have).
 * Returns true if unit is one of them.
 */
bool fees_unit_known(const char *unit);

/* An inclusive range on one parameter; an unset bound is unbounded on that side. */
struct fee_range {
	bool has_min, has_max;
	int64_t min, max;
};

/* When an item applies: every set range holds, and the customer class matches if given. */
struct fee_conditions {
	struct fee_range range[FEE_PARAM_COUNT];
	char *customer_class; /* NULL or "": any class */
};

/* One published fee item. effective_to is the last day in force (inclusive) or FEES_OPEN_END. */
struct fee_item {
	char *code;
	char *name_zh;
	char *name_en;
	char *unit; /* see fees_unit_known */
	int64_t unit_price_fen;
	struct fee_conditions conditions;
	char *legal_basis;
	day_t effective_from;
	day_t effective_to;
};

/*
 * One published version of a utility's (or authority's) fee schedule. A schedule made by
 * fees_schedule_from_json owns every string and the items array (fees_schedule_free); one built
 * by hand from literals is only read by these functions and must not be passed to _free.
 */
struct fee_schedule {
	char *utility_kind; /* water, power, gas, heat, network, road, greening, planning */
	int version;	    /* 1, 2, ... a new version supersedes from its effective_from */
	day_t effective_from;
	struct fee_item *items;
	size_t nitems;
};

/* Frees a schedule from fees_schedule_from_json and everything in it. Safe on NULL. */
void fees_schedule_free(struct fee_schedule *s);

/*
 * Of n schedules, the one in force for utility_kind on day: the latest effective_from not after
 * day (the higher version on a tie). NULL if none. The result points into the array.
 */
const struct fee_schedule *fees_schedule_in_force(const struct fee_schedule *const *schedules,
						  size_t n, const char *utility_kind, day_t day);

/* What the applicant asks for: parameter values and the customer class. Borrows the class. */
struct fee_params {
	bool has[FEE_PARAM_COUNT];
	int64_t value[FEE_PARAM_COUNT];
	const char *customer_class; /* NULL: none given */
};

/* No parameters, no class. Cannot fail. */
void fees_params_init(struct fee_params *p);

/*
 * Sets parameter `name`. Returns 0, or ERR_INVALID (detail on field "params.<name>") for an
 * unknown name or a negative value. err may be NULL.
 */
int fees_params_set(struct fee_params *p, const char *name, int64_t value, struct error *err);

/*
 * Reads {"dn": 100, "kw": 250, ..., "customer_class": "residential"} into p, listing every bad
 * field at once (ERR_INVALID with details), or ERR_MALFORMED if obj is not an object. The class
 * string is borrowed from obj: keep obj alive while p is used.
 */
int fees_params_from_json(const json_t *obj, struct fee_params *p, struct error *err);

/* One line of an estimate. The strings are owned by the estimate. */
struct fee_line {
	char *utility_kind;
	char *code;
	char *name_zh;
	char *name_en;
	char *unit;
	int64_t quantity;
	int64_t unit_price_fen;
	int64_t amount_fen;
};

/* An itemised estimate. Release with fees_estimate_release. */
struct fee_estimate {
	struct fee_line *lines;
	size_t nlines;
	int64_t total_fen;
};

/* Frees the lines; the estimate is empty afterwards. Safe on an empty estimate. */
void fees_estimate_release(struct fee_estimate *e);

/*
 * The estimate for params on `day`: for each utility kind among the schedules, the version in
 * force on day (fees_schedule_in_force), and of it every item in force on day whose conditions
 * match, as one line (zero-price items give zero lines), in schedule then item order.
 * Returns 0 and fills *out (which the caller releases), or ERR_INVALID listing every problem:
 * a matching item whose quantity parameter is missing ("params.length_m", "required"), a
 * negative parameter, or an amount or total beyond int64 ("overflow"). On failure *out is empty.
 */
int fees_estimate(const struct fee_schedule *const *schedules, size_t nschedules, day_t day,
		  const struct fee_params *params, struct fee_estimate *out, struct error *err);

/*
 * Checks a schedule before it is published, listing EVERY problem at once (ERR_INVALID with one
 * detail per problem, field like "items[2].unit_price_fen"). Detail codes: "required" (empty
 * kind, code, name_zh, legal_basis, no items), "unknown_kind", "out_of_range" (version < 1),
 * "in_the_past" (an effective_from before today), "invalid_range" (effective_to before
 * effective_from, a min above its max), "unknown_unit", "band_missing" (per_dn_band without a dn
 * range), "negative" (price), "duplicate" (same code, conditions and dates as an earlier item),
 * "overlap" (same code, conditions that can both match and overlapping dates).
 * Returns 0 when there is nothing to report.
 */
int fees_validate_schedule(const struct fee_schedule *s, day_t today, struct error *err);

/* One line of a utility's quote: which published item, how many, at what unit price. */
struct fee_quote_line {
	const char *code;
	int64_t quantity;
	int64_t unit_price_fen;
};

/*
 * Checks a quote against the schedule for the job's submission day and the job's own
 * parameters (pipe size, capacity, ports, customer class...): every line must name an item in
 * force on `day` ("quote[i].code": "not_published", or "not_in_force" when the code is
 * published but not on that day) of which one band applies to params ("quote[i].code":
 * "not_applicable", naming the job's values and the items that do apply), at exactly that
 * band's price ("quote[i].unit_price_fen": "price_mismatch", naming the band and its price),
 * with quantity >= 1 ("quote[i].quantity": "out_of_range"). A schedule not yet in force on day
 * fails every line ("not_in_force").
 * Returns 0 and the total in *total_fen (may be NULL), or ERR_INVALID listing every bad line
 * (an overflowing total is "quote": "overflow").
 */
int fees_check_quote(const struct fee_schedule *s, day_t day, const struct fee_params *params,
		     const struct fee_quote_line *lines, size_t nlines, int64_t *total_fen,
		     struct error *err);

/*
 * Reads a schedule from JSON (see docs: utility_kind, version, effective_from "YYYY-MM-DD",
 * items[] with code, name_zh, name_en, unit, unit_price_fen, conditions {dn_min, dn_max, kw_min,
 * kw_max, ..., customer_class}, legal_basis, effective_from (default: the schedule's),
 * effective_to (absent or null: open)). Checks shape only; rules are fees_validate_schedule's.
 * Returns 0 and a new schedule in *out (caller frees with fees_schedule_free), ERR_MALFORMED if
 * j is not an object, or ERR_INVALID listing every missing, mistyped, unknown or undated field.
 */
int fees_schedule_from_json(const json_t *j, struct fee_schedule **out, struct error *err);

/* The schedule as JSON, in the shape fees_schedule_from_json reads. New reference. */
json_t *fees_schedule_to_json(const struct fee_schedule *s);

/*
 * The estimate as {"lines": [{"utility_kind", "code", "name_zh", "name_en", "unit",
 * "quantity", "unit_price_fen", "amount_fen"}], "total_fen"}. New reference.
 */
json_t *fees_estimate_to_json(const struct fee_estimate *e);

#endif
