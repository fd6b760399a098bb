/* Published fee schedules: estimates, quote checks, validation and their JSON form. */
#include "fees.h"

#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/strbuf.h"
#include "lib/xalloc.h"

static const char *const param_names[FEE_PARAM_COUNT] = {
    [FEE_PARAM_DN] = "dn",	   [FEE_PARAM_KW] = "kw",
    [FEE_PARAM_METERS] = "meters", [FEE_PARAM_LENGTH_M] = "length_m",
    [FEE_PARAM_PORTS] = "ports",   [FEE_PARAM_CONNECTIONS] = "connections",
    [FEE_PARAM_FLOW] = "flow_m3h",
};

/* Where a unit's quantity comes from. */
enum quantity_rule {
	QTY_PARAM,	  /* the parameter, which must be given */
	QTY_PARAM_OR_ONE, /* the parameter, 1 when not given */
	QTY_ONE,	  /* always 1 (the item's conditions already chose it) */
};

static const struct unit_rule {
	const char *unit;
	int param;
	enum quantity_rule rule;
} unit_rules[] = {
    {"per_connection", FEE_PARAM_CONNECTIONS, QTY_PARAM_OR_ONE},
    {"per_metre", FEE_PARAM_LENGTH_M, QTY_PARAM},
    {"per_meter", FEE_PARAM_METERS, QTY_PARAM},
    {"per_kw", FEE_PARAM_KW, QTY_PARAM},
    {"per_port", FEE_PARAM_PORTS, QTY_PARAM},
    {"per_dn_band", FEE_PARAM_DN, QTY_ONE},
};

static const char *const known_kinds[] = {
    "water", "power", "gas", "heat", "network", "road", "greening", "planning",
};

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

/* Collects problems for one call; counts them even when the caller passed no error record. */
struct problems {
	struct error *err;
	size_t n;
};

static void problem(struct problems *p, const char *field, const char *code, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
static const struct unit_rule *find_unit(const char *unit);
static bool empty(const char *s);
static bool param_value(const struct fee_params *p, int param, int64_t *out);
static bool item_in_force(const struct fee_item *it, day_t day);
static bool conditions_match(const struct fee_conditions *c, const struct fee_params *p);
static bool ranges_intersect(const struct fee_range *a, const struct fee_range *b);
static bool conditions_intersect(const struct fee_conditions *a, const struct fee_conditions *b);
static bool conditions_equal(const struct fee_conditions *a, const struct fee_conditions *b);

/* ---------------------------------------------------------------- names */

const char *fees_param_name(int param)
{
	return param >= 0 && param < FEE_PARAM_COUNT ? param_names[param] : NULL;
}

int fees_param_from_name(const char *name)
{
	for (int i = 0; name && i < FEE_PARAM_COUNT; i++)
		if (strcmp(name, param_names[i]) == 0)
			return i;
	return -1;
}

bool fees_unit_known(const char *unit)
{
	return find_unit(unit) != NULL;
}

/* ---------------------------------------------------------------- schedules */

static void item_release(struct fee_item *it)
{
	free(it->code);
	free(it->name_zh);
	free(it->name_en);
	free(it->unit);
	free(it->conditions.customer_class);
	free(it->legal_basis);
}

void fees_schedule_free(struct fee_schedule *s)
{
	if (!s)
		return;
	for (size_t i = 0; i < s->nitems; i++)
		item_release(&s->items[i]);
	free(s->items);
	free(s->utility_kind);
	free(s);
}

const struct fee_schedule *fees_schedule_in_force(const struct fee_schedule *const *schedules,
						  size_t n, const char *utility_kind, day_t day)
{
	const struct fee_schedule *best = NULL;
	for (size_t i = 0; i < n; i++) {
		const struct fee_schedule *s = schedules[i];
		if (!s->utility_kind || !utility_kind || strcmp(s->utility_kind, utility_kind) != 0)
			continue;
		if (s->effective_from > day)
			continue;
		if (!best || s->effective_from > best->effective_from ||
		    (s->effective_from == best->effective_from && s->version > best->version))
			best = s;
	}
	return best;
}

/* ---------------------------------------------------------------- parameters */

void fees_params_init(struct fee_params *p)
{
	memset(p, 0, sizeof(*p));
}

int fees_params_set(struct fee_params *p, const char *name, int64_t value, struct error *err)
{
	int param = fees_param_from_name(name);
	if (param < 0) {
		char *field = xasprintf("params.%s", name ? name : "");
		error_add(err, field, "unknown_field", "no parameter named %s", name ? name : "");
		free(field);
		return error_set(err, ERR_INVALID, "unknown fee parameter");
	}
	if (value < 0) {
		char *field = xasprintf("params.%s", name);
		error_add(err, field, "negative", "%s must not be negative", name);
		free(field);
		return error_set(err, ERR_INVALID, "negative fee parameter");
	}
	p->has[param] = true;
	p->value[param] = value;
	return 0;
}

int fees_params_from_json(const json_t *obj, struct fee_params *p, struct error *err)
{
	if (!json_is_object(obj))
		return error_set(err, ERR_MALFORMED, "fee parameters must be a JSON object");
	fees_params_init(p);
	struct problems pr = {err, 0};
	const char *key;
	json_t *v;
	json_object_foreach((json_t *)obj, key, v)
	{
		char *field = xasprintf("params.%s", key);
		int param = fees_param_from_name(key);
		if (strcmp(key, "customer_class") == 0) {
			if (json_is_string(v))
				p->customer_class = json_string_value(v);
			else if (!json_is_null(v))
				problem(&pr, field, "wrong_type", "must be a string");
		} else if (param < 0) {
			problem(&pr, field, "unknown_field", "no parameter named %s", key);
		} else if (!json_is_integer(v)) {
			problem(&pr, field, "wrong_type", "must be an integer");
		} else if (json_integer_value(v) < 0) {
			problem(&pr, field, "negative", "must not be negative");
		} else {
			p->has[param] = true;
			p->value[param] = json_integer_value(v);
		}
		free(field);
	}
	if (pr.n)
		return error_set(err, ERR_INVALID, "%zu problem(s) in the fee parameters", pr.n);
	return 0;
}

/* ---------------------------------------------------------------- estimate */

void fees_estimate_release(struct fee_estimate *e)
{
	for (size_t i = 0; i < e->nlines; i++) {
		struct fee_line *l = &e->lines[i];
		free(l->utility_kind);
		free(l->code);
		free(l->name_zh);
		free(l->name_en);
		free(l->unit);
	}
	free(e->lines);
	memset(e, 0, sizeof(*e));
}

static void add_line(struct fee_estimate *e, const struct fee_schedule *s,
		     const struct fee_item *it, int64_t quantity, int64_t amount)
{
	e->lines = xrealloc(e->lines, (e->nlines + 1) * sizeof(*e->lines));
	e->lines[e->nlines++] = (struct fee_line){
	    .utility_kind = xstrdup(s->utility_kind ? s->utility_kind : ""),
	    .code = xstrdup(it->code ? it->code : ""),
	    .name_zh = xstrdup(it->name_zh ? it->name_zh : ""),
	    .name_en = xstrdup(it->name_en ? it->name_en : ""),
	    .unit = xstrdup(it->unit ? it->unit : ""),
	    .quantity = quantity,
	    .unit_price_fen = it->unit_price_fen,
	    .amount_fen = amount,
	};
}

/*
 * The quantity of a matching item. A missing parameter is reported once per parameter
 * (`reported` remembers which), however many items need it.
 */
static bool item_quantity(const struct fee_item *it, const struct fee_params *p, int64_t *q,
			  struct problems *pr, bool reported[FEE_PARAM_COUNT])
{
	const struct unit_rule *u = find_unit(it->unit);
	if (!u) {
		problem(pr, "schedule", "unknown_unit", "item %s has unknown unit %s", it->code,
			it->unit ? it->unit : "(none)");
		return false;
	}
	if (u->rule == QTY_ONE) {
		*q = 1;
		return true;
	}
	if (param_value(p, u->param, q))
		return true;
	if (!reported[u->param]) {
		char *field = xasprintf("params.%s", param_names[u->param]);
		problem(pr, field, "required", "%s is needed to price %s", param_names[u->param],
			it->code);
		free(field);
		reported[u->param] = true;
	}
	return false;
}

static void estimate_schedule(const struct fee_schedule *s, day_t day, const struct fee_params *p,
			      struct fee_estimate *out, struct problems *pr,
			      bool reported[FEE_PARAM_COUNT])
{
	for (size_t i = 0; i < s->nitems; i++) {
		const struct fee_item *it = &s->items[i];
		int64_t q, amount;
		if (!item_in_force(it, day) || !conditions_match(&it->conditions, p))
			continue;
		if (!item_quantity(it, p, &q, pr, reported))
			continue;
		if (__builtin_mul_overflow(q, it->unit_price_fen, &amount)) {
			problem(pr, "total_fen", "overflow", "%s: amount too large", it->code);
			continue;
		}
		if (__builtin_add_overflow(out->total_fen, amount, &out->total_fen)) {
			problem(pr, "total_fen", "overflow", "total too large");
			continue;
		}
		add_line(out, s, it, q, amount);
	}
}

int fees_estimate(const struct fee_schedule *const *schedules, size_t nschedules, day_t day,
		  const struct fee_params *params, struct fee_estimate *out, struct error *err)
{
	struct problems pr = {err, 0};
	bool reported[FEE_PARAM_COUNT] = {false};
	memset(out, 0, sizeof(*out));
	for (int i = 0; i < FEE_PARAM_COUNT; i++) {
		if (params->has[i] && params->value[i] < 0) {
			char *field = xasprintf("params.%s", param_names[i]);
			problem(&pr, field, "negative", "must not be negative");
			free(field);
		}
	}
	if (pr.n)
		goto out;
	for (size_t i = 0; i < nschedules; i++) {
		const struct fee_schedule *s = schedules[i];
		/* An older version of the same kind is superseded, even if its items still run. */
		if (fees_schedule_in_force(schedules, nschedules, s->utility_kind, day) != s)
			continue;
		estimate_schedule(s, day, params, out, &pr, reported);
	}
out:
	if (!pr.n)
		return 0;
	fees_estimate_release(out);
	return error_set(err, ERR_INVALID, "%zu problem(s) pricing the request", pr.n);
}

/* ---------------------------------------------------------------- validation */

static void validate_ranges(const struct fee_item *it, const char *at, struct problems *pr)
{
	for (int p = 0; p < FEE_PARAM_COUNT; p++) {
		const struct fee_range *r = &it->conditions.range[p];
		if (r->has_min && r->has_max && r->min > r->max) {
			char *field = xasprintf("%s.conditions.%s_min", at, param_names[p]);
			problem(pr, field, "invalid_range", "%s_min %lld is above %s_max %lld",
				param_names[p], (long long)r->min, param_names[p],
				(long long)r->max);
			free(field);
		}
	}
	const struct fee_range *dn = &it->conditions.range[FEE_PARAM_DN];
	if (it->unit && strcmp(it->unit, "per_dn_band") == 0 && !dn->has_min && !dn->has_max) {
		char *field = xasprintf("%s.conditions", at);
		problem(pr, field, "band_missing", "a per_dn_band price needs dn_min or dn_max");
		free(field);
	}
}

/* Reports a problem with field "<at>.<name>". */
static void item_problem(struct problems *pr, const char *at, const char *name, const char *code,
			 const char *fmt, ...) __attribute__((format(printf, 5, 6)));

static void item_problem(struct problems *pr, const char *at, const char *name, const char *code,
			 const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	char *msg = xvasprintf(fmt, ap);
	va_end(ap);
	char *field = xasprintf("%s.%s", at, name);
	problem(pr, field, code, "%s", msg);
	free(field);
	free(msg);
}

/* Compares item i with every earlier item of the same code. */
static void validate_against_earlier(const struct fee_schedule *s, size_t i, const char *at,
				     struct problems *pr)
{
	const struct fee_item *it = &s->items[i];
	for (size_t j = 0; !empty(it->code) && j < i; j++) {
		const struct fee_item *other = &s->items[j];
		if (empty(other->code) || strcmp(it->code, other->code) != 0)
			continue;
		bool same_dates = it->effective_from == other->effective_from &&
				  it->effective_to == other->effective_to;
		bool dates_meet = it->effective_from <= other->effective_to &&
				  other->effective_from <= it->effective_to;
		if (same_dates && conditions_equal(&it->conditions, &other->conditions))
			item_problem(pr, at, "code", "duplicate", "same item as items[%zu]", j);
		else if (dates_meet && conditions_intersect(&it->conditions, &other->conditions))
			item_problem(pr, at, "code", "overlap",
				     "%s can apply together with items[%zu]", it->code, j);
	}
}

static void validate_item(const struct fee_schedule *s, size_t i, day_t today, struct problems *pr)
{
	const struct fee_item *it = &s->items[i];
	char *at = xasprintf("items[%zu]", i);
	if (empty(it->code))
		item_problem(pr, at, "code", "required", "an item needs a code");
	if (empty(it->name_zh))
		item_problem(pr, at, "name_zh", "required", "an item needs a Chinese name");
	if (empty(it->legal_basis))
		item_problem(pr, at, "legal_basis", "required", "a fee needs its legal basis");
	if (!fees_unit_known(it->unit))
		item_problem(pr, at, "unit", "unknown_unit", "unknown unit %s",
			     it->unit ? it->unit : "(none)");
	if (it->unit_price_fen < 0)
		item_problem(pr, at, "unit_price_fen", "negative", "price %lld is negative",
			     (long long)it->unit_price_fen);
	if (it->effective_from < today)
		item_problem(pr, at, "effective_from", "in_the_past",
			     "a new price cannot start before today");
	else if (it->effective_from < s->effective_from)
		item_problem(pr, at, "effective_from", "invalid_range",
			     "an item cannot start before its schedule");
	if (it->effective_to < it->effective_from)
		item_problem(pr, at, "effective_to", "invalid_range", "ends before it starts");
	validate_ranges(it, at, pr);
	validate_against_earlier(s, i, at, pr);
	free(at);
}

int fees_validate_schedule(const struct fee_schedule *s, day_t today, struct error *err)
{
	struct problems pr = {err, 0};
	bool kind_known = false;
	for (size_t i = 0; !empty(s->utility_kind) && i < COUNT(known_kinds); i++)
		kind_known = kind_known || strcmp(s->utility_kind, known_kinds[i]) == 0;
	if (empty(s->utility_kind))
		problem(&pr, "utility_kind", "required", "a schedule names its utility kind");
	else if (!kind_known)
		problem(&pr, "utility_kind", "unknown_kind", "unknown kind %s", s->utility_kind);
	if (s->version < 1)
		problem(&pr, "version", "out_of_range", "versions start at 1");
	if (s->effective_from < today)
		problem(&pr, "effective_from", "in_the_past",
			"a schedule cannot take effect before it is published");
	if (s->nitems == 0)
		problem(&pr, "items", "required", "a schedule lists at least one item");
	for (size_t i = 0; i < s->nitems; i++)
		validate_item(s, i, today, &pr);
	if (pr.n)
		return error_set(err, ERR_INVALID, "%zu problem(s) in the fee schedule", pr.n);
	return 0;
}

/* ---------------------------------------------------------------- quotes */

/* The band an item applies to, as "dn 51-100, customer_class industrial", or "every job". */
static void describe_band(const struct fee_conditions *c, struct strbuf *b)
{
	size_t start = b->len;
	for (int i = 0; i < FEE_PARAM_COUNT; i++) {
		const struct fee_range *r = &c->range[i];
		if (!r->has_min && !r->has_max)
			continue;
		strbuf_printf(b, "%s%s ", b->len > start ? ", " : "", param_names[i]);
		if (r->has_min && r->has_max)
			strbuf_printf(b, "%lld-%lld", (long long)r->min, (long long)r->max);
		else if (r->has_min)
			strbuf_printf(b, ">= %lld", (long long)r->min);
		else
			strbuf_printf(b, "<= %lld", (long long)r->max);
	}
	if (!empty(c->customer_class))
		strbuf_printf(b, "%scustomer_class %s", b->len > start ? ", " : "",
			      c->customer_class);
	if (b->len == start)
		strbuf_puts(b, "every job");
}

/* The job's values of the parameters `ranged` marks, as "kw 250" ("kw not given"). */
static void describe_job(const bool ranged[FEE_PARAM_COUNT], bool by_class,
			 const struct fee_params *p, struct strbuf *b)
{
	size_t start = b->len;
	for (int i = 0; i < FEE_PARAM_COUNT; i++) {
		int64_t v;
		if (!ranged[i])
			continue;
		strbuf_printf(b, "%s%s ", b->len > start ? ", " : "", param_names[i]);
		if (param_value(p, i, &v))
			strbuf_printf(b, "%lld", (long long)v);
		else
			strbuf_puts(b, "not given");
	}
	if (by_class)
		strbuf_printf(b, "%scustomer_class %s", b->len > start ? ", " : "",
			      p->customer_class ? p->customer_class : "not given");
}

/*
 * The items of s in force on day that apply to the job and range over a parameter `ranged`
 * marks (the alternatives to a line whose code does not apply), as "P-HV (kw 161-2000) at
 * 12000 fen"; "none" when there are none.
 */
static void describe_alternatives(const struct fee_schedule *s, day_t day,
				  const struct fee_params *p, const bool ranged[FEE_PARAM_COUNT],
				  struct strbuf *b)
{
	size_t start = b->len;
	for (size_t k = 0; k < s->nitems; k++) {
		const struct fee_item *it = &s->items[k];
		bool related = false;
		for (int i = 0; i < FEE_PARAM_COUNT; i++)
			related |= ranged[i] && (it->conditions.range[i].has_min ||
						 it->conditions.range[i].has_max);
		if (!related || !item_in_force(it, day) || !conditions_match(&it->conditions, p))
			continue;
		strbuf_printf(b, "%s%s (", b->len > start ? ", " : "", it->code);
		describe_band(&it->conditions, b);
		strbuf_printf(b, ") at %lld fen", (long long)it->unit_price_fen);
	}
	if (b->len == start)
		strbuf_puts(b, "none");
}

/*
 * Checks one quote line against the items of its code in force on day: the one whose band
 * the job's parameters fall in sets the price. Returns true if the line is good.
 */
static bool check_quote_line(const struct fee_schedule *s, day_t day,
			     const struct fee_params *params, const struct fee_quote_line *l,
			     size_t i, struct problems *pr)
{
	bool published = false, in_force = false, ok = true, by_class = false;
	bool ranged[FEE_PARAM_COUNT] = { false };
	const struct fee_item *applies = NULL;
	char field[64];
	for (size_t k = 0; !empty(l->code) && k < s->nitems; k++) {
		const struct fee_item *it = &s->items[k];
		if (empty(it->code) || strcmp(it->code, l->code) != 0)
			continue;
		published = true;
		if (s->effective_from > day || !item_in_force(it, day))
			continue;
		in_force = true;
		for (int p = 0; p < FEE_PARAM_COUNT; p++)
			ranged[p] |= it->conditions.range[p].has_min || it->conditions.range[p].has_max;
		by_class |= !empty(it->conditions.customer_class);
		if (!applies && conditions_match(&it->conditions, params))
			applies = it;
	}
	snprintf(field, sizeof(field), "quote[%zu].code", i);
	struct strbuf b = { 0 };
	if (empty(l->code)) {
		problem(pr, field, "required", "a quote line names a published item");
		ok = false;
	} else if (!published) {
		problem(pr, field, "not_published", "%s is not on the published schedule", l->code);
		ok = false;
	} else if (!in_force) {
		problem(pr, field, "not_in_force", "%s is not in force on the submission date",
			l->code);
		ok = false;
	} else if (!applies) {
		describe_job(ranged, by_class, params, &b);
		strbuf_puts(&b, "); the schedule's items for this job: ");
		describe_alternatives(s, day, params, ranged, &b);
		problem(pr, field, "not_applicable", "no band of %s applies to this job (%s",
			l->code, b.p);
		ok = false;
	} else if (applies->unit_price_fen != l->unit_price_fen) {
		describe_band(&applies->conditions, &b);
		strbuf_puts(&b, " (this job: ");
		describe_job(ranged, by_class, params, &b);
		snprintf(field, sizeof(field), "quote[%zu].unit_price_fen", i);
		problem(pr, field, "price_mismatch",
			"%lld fen is not the price for this job: the band of %s that applies is %s) "
			"at %lld fen",
			(long long)l->unit_price_fen, l->code, b.p,
			(long long)applies->unit_price_fen);
		ok = false;
	}
	free(b.p);
	if (l->quantity < 1) {
		snprintf(field, sizeof(field), "quote[%zu].quantity", i);
		problem(pr, field, "out_of_range", "quantity must be at least 1");
		ok = false;
	}
	return ok;
}

int fees_check_quote(const struct fee_schedule *s, day_t day, const struct fee_params *params,
		     const struct fee_quote_line *lines, size_t nlines, int64_t *total_fen,
		     struct error *err)
{
	struct problems pr = {err, 0};
	int64_t total = 0;
	bool overflow = false;
	for (size_t i = 0; i < nlines; i++) {
		int64_t amount;
		if (!check_quote_line(s, day, params, &lines[i], i, &pr))
			continue;
		if (__builtin_mul_overflow(lines[i].quantity, lines[i].unit_price_fen, &amount) ||
		    __builtin_add_overflow(total, amount, &total))
			overflow = true;
	}
	if (overflow)
		problem(&pr, "quote", "overflow", "the quote total is too large");
	if (pr.n)
		return error_set(err, ERR_INVALID, "%zu problem(s) in the quote", pr.n);
	if (total_fen)
		*total_fen = total;
	return 0;
}

/* ---------------------------------------------------------------- JSON in */

/* Reads obj[key] as a string into *out (a copy); absent is fine unless required. */
static void read_string(const json_t *obj, const char *key, const char *at, bool required,
			char **out, struct problems *pr)
{
	json_t *v = json_object_get(obj, key);
	char *field = at ? xasprintf("%s.%s", at, key) : xstrdup(key);
	if (json_is_string(v))
		*out = xstrdup(json_string_value(v));
	else if (v && !(json_is_null(v) && !required))
		problem(pr, field, "wrong_type", "%s must be a string", key);
	else if (required)
		problem(pr, field, "required", "%s is required", key);
	free(field);
}

/* Reads obj[key] as an integer; returns true if present and well typed. */
static bool read_integer(const json_t *obj, const char *key, const char *at, bool required,
			 int64_t *out, struct problems *pr)
{
	json_t *v = json_object_get(obj, key);
	char *field = at ? xasprintf("%s.%s", at, key) : xstrdup(key);
	bool ok = false;
	if (json_is_integer(v)) {
		*out = json_integer_value(v);
		ok = true;
	} else if (v) {
		problem(pr, field, "wrong_type", "%s must be an integer", key);
	} else if (required) {
		problem(pr, field, "required", "%s is required", key);
	}
	free(field);
	return ok;
}

/* Reads obj[key] as "YYYY-MM-DD"; null counts as absent. Returns true if a date was read. */
static bool read_date(const json_t *obj, const char *key, const char *at, bool required, day_t *out,
		      struct problems *pr)
{
	json_t *v = json_object_get(obj, key);
	char *field = at ? xasprintf("%s.%s", at, key) : xstrdup(key);
	bool ok = false;
	if (json_is_string(v)) {
		ok = cal_day_parse(json_string_value(v), out, NULL) == 0;
		if (!ok)
			problem(pr, field, "invalid_date", "%s must be a real YYYY-MM-DD date",
				key);
	} else if (v && !json_is_null(v)) {
		problem(pr, field, "wrong_type", "%s must be a YYYY-MM-DD string", key);
	} else if (required) {
		problem(pr, field, "required", "%s is required", key);
	}
	free(field);
	return ok;
}

/* Lists keys of obj that are not in allowed (a NULL-terminated list). */
static void reject_unknown_keys(const json_t *obj, const char *const *allowed, const char *at,
				struct problems *pr)
{
	const char *key;
	json_t *v;
	json_object_foreach((json_t *)obj, key, v)
	{
		bool known = false;
		for (size_t i = 0; allowed[i] && !known; i++)
			known = strcmp(key, allowed[i]) == 0;
		if (known)
			continue;
		char *field = at ? xasprintf("%s.%s", at, key) : xstrdup(key);
		problem(pr, field, "unknown_field", "unknown field %s", key);
		free(field);
	}
}

static void read_conditions(const json_t *c, const char *at, struct fee_conditions *out,
			    struct problems *pr)
{
	const char *key;
	json_t *v;
	json_object_foreach((json_t *)c, key, v)
	{
		char *field = xasprintf("%s.%s", at, key);
		size_t len = strlen(key);
		char *name = len > 4 ? xstrndup(key, len - 4) : NULL;
		int param = name ? fees_param_from_name(name) : -1;
		bool is_min = len > 4 && strcmp(key + len - 4, "_min") == 0;
		bool is_max = len > 4 && strcmp(key + len - 4, "_max") == 0;
		if (strcmp(key, "customer_class") == 0) {
			if (json_is_string(v))
				out->customer_class = xstrdup(json_string_value(v));
			else if (!json_is_null(v))
				problem(pr, field, "wrong_type", "must be a string");
		} else if (param < 0 || !(is_min || is_max)) {
			problem(pr, field, "unknown_field", "no condition named %s", key);
		} else if (json_is_null(v)) {
			/* an explicit null bound means unbounded */
		} else if (!json_is_integer(v)) {
			problem(pr, field, "wrong_type", "must be an integer");
		} else if (is_min) {
			out->range[param].has_min = true;
			out->range[param].min = json_integer_value(v);
		} else {
			out->range[param].has_max = true;
			out->range[param].max = json_integer_value(v);
		}
		free(name);
		free(field);
	}
}

static void read_item(const json_t *j, size_t i, day_t schedule_from, struct fee_item *it,
		      struct problems *pr)
{
	static const char *const allowed[] = {
	    "code",	  "name_zh",	 "name_en",	   "unit",	   "unit_price_fen",
	    "conditions", "legal_basis", "effective_from", "effective_to", NULL,
	};
	char *at = xasprintf("items[%zu]", i);
	it->effective_from = schedule_from;
	it->effective_to = FEES_OPEN_END;
	if (!json_is_object(j)) {
		problem(pr, at, "wrong_type", "an item must be an object");
		goto out;
	}
	read_string(j, "code", at, true, &it->code, pr);
	read_string(j, "name_zh", at, true, &it->name_zh, pr);
	read_string(j, "name_en", at, false, &it->name_en, pr);
	read_string(j, "unit", at, true, &it->unit, pr);
	read_integer(j, "unit_price_fen", at, true, &it->unit_price_fen, pr);
	read_string(j, "legal_basis", at, true, &it->legal_basis, pr);
	read_date(j, "effective_from", at, false, &it->effective_from, pr);
	read_date(j, "effective_to", at, false, &it->effective_to, pr);
	json_t *c = json_object_get(j, "conditions");
	char *cat = xasprintf("%s.conditions", at);
	if (json_is_object(c))
		read_conditions(c, cat, &it->conditions, pr);
	else if (c && !json_is_null(c))
		problem(pr, cat, "wrong_type", "conditions must be an object");
	free(cat);
	reject_unknown_keys(j, allowed, at, pr);
out:
	if (!it->name_en)
		it->name_en = xstrdup("");
	free(at);
}

int fees_schedule_from_json(const json_t *j, struct fee_schedule **out, struct error *err)
{
	static const char *const allowed[] = {
	    "utility_kind", "version", "effective_from", "items", NULL,
	};
	*out = NULL;
	if (!json_is_object(j))
		return error_set(err, ERR_MALFORMED, "a fee schedule must be a JSON object");
	struct problems pr = {err, 0};
	struct fee_schedule *s = xcalloc(1, sizeof(*s));
	int64_t version = 0;
	read_string(j, "utility_kind", NULL, true, &s->utility_kind, &pr);
	if (read_integer(j, "version", NULL, true, &version, &pr) &&
	    (version < INT_MIN || version > INT_MAX))
		problem(&pr, "version", "out_of_range", "version is too large");
	s->version = (int)version;
	read_date(j, "effective_from", NULL, true, &s->effective_from, &pr);
	reject_unknown_keys(j, allowed, NULL, &pr);

	json_t *items = json_object_get(j, "items");
	if (json_is_array(items)) {
		s->nitems = json_array_size(items);
		s->items = xcalloc(s->nitems, sizeof(*s->items));
		for (size_t i = 0; i < s->nitems; i++)
			read_item(json_array_get(items, i), i, s->effective_from, &s->items[i],
				  &pr);
	} else if (items) {
		problem(&pr, "items", "wrong_type", "items must be an array");
	} else {
		problem(&pr, "items", "required", "items is required");
	}
	if (pr.n) {
		fees_schedule_free(s);
		return error_set(err, ERR_INVALID, "%zu problem(s) in the fee schedule", pr.n);
	}
	*out = s;
	return 0;
}

/* ---------------------------------------------------------------- JSON out */

static json_t *date_json(day_t day)
{
	char buf[11];
	return json_string(cal_day_format(day, buf));
}

static json_t *conditions_json(const struct fee_conditions *c)
{
	json_t *o = json_object();
	for (int p = 0; p < FEE_PARAM_COUNT; p++) {
		char key[32];
		if (c->range[p].has_min) {
			snprintf(key, sizeof(key), "%s_min", param_names[p]);
			json_object_set_new(o, key, json_integer(c->range[p].min));
		}
		if (c->range[p].has_max) {
			snprintf(key, sizeof(key), "%s_max", param_names[p]);
			json_object_set_new(o, key, json_integer(c->range[p].max));
		}
	}
	if (!empty(c->customer_class))
		json_object_set_new(o, "customer_class", json_string(c->customer_class));
	return o;
}

static json_t *item_json(const struct fee_item *it)
{
	json_t *o = json_object();
	json_object_set_new(o, "code", json_string(it->code ? it->code : ""));
	json_object_set_new(o, "name_zh", json_string(it->name_zh ? it->name_zh : ""));
	json_object_set_new(o, "name_en", json_string(it->name_en ? it->name_en : ""));
	json_object_set_new(o, "unit", json_string(it->unit ? it->unit : ""));
	json_object_set_new(o, "unit_price_fen", json_integer(it->unit_price_fen));
	json_object_set_new(o, "conditions", conditions_json(&it->conditions));
	json_object_set_new(o, "legal_basis", json_string(it->legal_basis ? it->legal_basis : ""));
	json_object_set_new(o, "effective_from", date_json(it->effective_from));
	json_object_set_new(o, "effective_to",
			    it->effective_to == FEES_OPEN_END ? json_null()
							      : date_json(it->effective_to));
	return o;
}

json_t *fees_schedule_to_json(const struct fee_schedule *s)
{
	json_t *items = json_array();
	for (size_t i = 0; i < s->nitems; i++)
		json_array_append_new(items, item_json(&s->items[i]));
	json_t *o = json_object();
	json_object_set_new(o, "utility_kind", json_string(s->utility_kind ? s->utility_kind : ""));
	json_object_set_new(o, "version", json_integer(s->version));
	json_object_set_new(o, "effective_from", date_json(s->effective_from));
	json_object_set_new(o, "items", items);
	return o;
}

json_t *fees_estimate_to_json(const struct fee_estimate *e)
{
	json_t *lines = json_array();
	for (size_t i = 0; i < e->nlines; i++) {
		const struct fee_line *l = &e->lines[i];
		json_t *o = json_object();
		json_object_set_new(o, "utility_kind", json_string(l->utility_kind));
		json_object_set_new(o, "code", json_string(l->code));
		json_object_set_new(o, "name_zh", json_string(l->name_zh));
		json_object_set_new(o, "name_en", json_string(l->name_en));
		json_object_set_new(o, "unit", json_string(l->unit));
		json_object_set_new(o, "quantity", json_integer(l->quantity));
		json_object_set_new(o, "unit_price_fen", json_integer(l->unit_price_fen));
		json_object_set_new(o, "amount_fen", json_integer(l->amount_fen));
		json_array_append_new(lines, o);
	}
	json_t *o = json_object();
	json_object_set_new(o, "lines", lines);
	json_object_set_new(o, "total_fen", json_integer(e->total_fen));
	return o;
}

/* ---------------------------------------------------------------- helpers */

static void problem(struct problems *p, const char *field, const char *code, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	char *msg = xvasprintf(fmt, ap);
	va_end(ap);
	error_add(p->err, field, code, "%s", msg);
	free(msg);
	p->n++;
}

static const struct unit_rule *find_unit(const char *unit)
{
	for (size_t i = 0; unit && i < COUNT(unit_rules); i++)
		if (strcmp(unit, unit_rules[i].unit) == 0)
			return &unit_rules[i];
	return NULL;
}

static bool empty(const char *s)
{
	return !s || !*s;
}

/* The request's value of a parameter; connections default to 1 (one connection is asked). */
static bool param_value(const struct fee_params *p, int param, int64_t *out)
{
	if (p->has[param]) {
		*out = p->value[param];
		return true;
	}
	if (param == FEE_PARAM_CONNECTIONS) {
		*out = 1;
		return true;
	}
	return false;
}

static bool item_in_force(const struct fee_item *it, day_t day)
{
	return it->effective_from <= day && day <= it->effective_to;
}

static bool conditions_match(const struct fee_conditions *c, const struct fee_params *p)
{
	for (int i = 0; i < FEE_PARAM_COUNT; i++) {
		const struct fee_range *r = &c->range[i];
		int64_t v;
		if (!r->has_min && !r->has_max)
			continue;
		/* A condition on a parameter the request does not give cannot hold. */
		if (!param_value(p, i, &v))
			return false;
		if ((r->has_min && v < r->min) || (r->has_max && v > r->max))
			return false;
	}
	if (empty(c->customer_class))
		return true;
	return p->customer_class && strcmp(p->customer_class, c->customer_class) == 0;
}

static bool ranges_intersect(const struct fee_range *a, const struct fee_range *b)
{
	int64_t lo = INT64_MIN, hi = INT64_MAX;
	if (a->has_min)
		lo = a->min;
	if (b->has_min && b->min > lo)
		lo = b->min;
	if (a->has_max)
		hi = a->max;
	if (b->has_max && b->max < hi)
		hi = b->max;
	return lo <= hi;
}

/* True if some request could match both: every range meets, and the classes do not differ. */
static bool conditions_intersect(const struct fee_conditions *a, const struct fee_conditions *b)
{
	for (int i = 0; i < FEE_PARAM_COUNT; i++)
		if (!ranges_intersect(&a->range[i], &b->range[i]))
			return false;
	if (empty(a->customer_class) || empty(b->customer_class))
		return true;
	return strcmp(a->customer_class, b->customer_class) == 0;
}

static bool range_equal(const struct fee_range *a, const struct fee_range *b)
{
	return a->has_min == b->has_min && a->has_max == b->has_max &&
	       (!a->has_min || a->min == b->min) && (!a->has_max || a->max == b->max);
}

static bool conditions_equal(const struct fee_conditions *a, const struct fee_conditions *b)
{
	for (int i = 0; i < FEE_PARAM_COUNT; i++)
		if (!range_equal(&a->range[i], &b->range[i]))
			return false;
	const char *ca = empty(a->customer_class) ? "" : a->customer_class;
	const char *cb = empty(b->customer_class) ? "" : b->customer_class;
	return strcmp(ca, cb) == 0;
}
