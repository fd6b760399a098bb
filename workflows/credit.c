/* The oversight rules: reading the published version, the sampling draw, the fast-track rule. */
#include "credit.h"

#include <stdio.h>
#include <string.h>

#include <sodium.h>

static const char *const severity_names[CREDIT_NSEVERITIES] = { "minor", "serious" };

/* Every rule a version must publish: each is an event the portal writes entries for. */
static const char *const required_rules[] = { CREDIT_POST_CHECK_FAILED, CREDIT_FALSE_COMMITMENT,
					      CREDIT_PERMIT_REVOKED, CREDIT_OVERRUN,
					      CREDIT_REMEDIAL_OVERDUE, NULL };

const char *credit_severity_name(enum credit_severity s)
{
	return s >= 0 && s < CREDIT_NSEVERITIES ? severity_names[s] : "unknown";
}

int credit_severity_parse(const char *s, enum credit_severity *out)
{
	for (int i = 0; s && i < CREDIT_NSEVERITIES; i++)
		if (!strcmp(s, severity_names[i])) {
			*out = (enum credit_severity)i;
			return 0;
		}
	return ERR_INVALID;
}

static bool int_in(const json_t *v, int lo, int hi)
{
	return json_is_integer(v) && json_integer_value(v) >= lo && json_integer_value(v) <= hi;
}

static void read_sampling(const json_t *s, struct oversight_rules *out, struct error *err)
{
	if (!json_is_object(s)) {
		error_add(err, "sampling", "required", "sampling is an object");
		return;
	}
	const char *key = json_string_value(json_object_get(s, "key"));
	size_t got = 0;
	if (!key || strlen(key) != 32 ||
	    sodium_hex2bin(out->key, sizeof(out->key), key, 32, NULL, &got, NULL) != 0 || got != 16)
		error_add(err, "sampling.key", "invalid", "the draw's key is 32 hexadecimal digits");
	const json_t *tol = json_object_get(s, "tolerance_percent");
	if (!int_in(tol, 0, 100))
		error_add(err, "sampling.tolerance_percent", "invalid", "a share of 0 to 100");
	else
		out->tolerance_percent = (int)json_integer_value(tol);
	const json_t *pc = json_object_get(s, "percent");
	for (int k = 0; k < ZONE_RISK_COUNT; k++) {
		char at[48];
		snprintf(at, sizeof(at), "sampling.percent.%s", triggers_risk_name(k));
		const json_t *v = json_object_get(pc, triggers_risk_name(k));
		if (!int_in(v, 0, 100))
			error_add(err, at, "invalid", "the share checked on site is 0 to 100 (%%)");
		else
			out->percent[k] = (int)json_integer_value(v);
	}
}

static void read_rules(const json_t *arr, struct oversight_rules *out, struct error *err)
{
	if (!json_is_array(arr) || json_array_size(arr) > CREDIT_MAX_RULES) {
		error_add(err, "credit.rules", "required", "a list of {rule, severity, months}");
		return;
	}
	size_t i;
	const json_t *e;
	json_array_foreach(arr, i, e)
	{
		char at[48];
		const char *name = json_string_value(json_object_get(e, "rule"));
		enum credit_severity sev = CREDIT_MINOR;
		snprintf(at, sizeof(at), "credit.rules[%zu]", i);
		size_t before = err->ndetails;
		if (!name || !*name || strlen(name) > 32)
			error_add(err, at, "invalid", "a rule names its event");
		else if (credit_rule_find(out, name))
			error_add(err, at, "duplicate", "%s is listed twice", name);
		if (credit_severity_parse(json_string_value(json_object_get(e, "severity")), &sev))
			error_add(err, at, "invalid", "severity is minor or serious");
		if (!int_in(json_object_get(e, "months"), 1, 120))
			error_add(err, at, "invalid", "months is 1 to 120");
		if (err->ndetails != before)
			continue;
		struct credit_rule *r = &out->rules[out->nrules++];
		snprintf(r->rule, sizeof(r->rule), "%s", name);
		r->severity = sev;
		r->months = (int)json_integer_value(json_object_get(e, "months"));
	}
	for (const char *const *n = required_rules; *n; n++)
		if (!credit_rule_find(out, *n))
			error_add(err, "credit.rules", "missing", "no rule for %s", *n);
}

static void read_credit(const json_t *c, struct oversight_rules *out, struct error *err)
{
	if (!json_is_object(c)) {
		error_add(err, "credit", "required", "credit is an object");
		return;
	}
	read_rules(json_object_get(c, "rules"), out, err);
	const json_t *codes = json_object_get(c, "false_commitment_codes");
	if (!json_is_array(codes) || json_array_size(codes) > CREDIT_MAX_CODES) {
		error_add(err, "credit.false_commitment_codes", "required", "a list of codes");
	} else {
		size_t i;
		const json_t *v;
		json_array_foreach(codes, i, v)
		{
			const char *s = json_string_value(v);
			if (!s || !*s || strlen(s) > 64)
				error_add(err, "credit.false_commitment_codes", "invalid",
					  "entry %zu is not a code", i + 1);
			else
				snprintf(out->false_codes[out->nfalse++], 65, "%s", s);
		}
	}
	const json_t *loss = json_object_get(c, "fast_track_loss");
	if (credit_severity_parse(json_string_value(json_object_get(loss, "severity")),
				  &out->loss_severity))
		error_add(err, "credit.fast_track_loss.severity", "invalid", "minor or serious");
	if (!int_in(json_object_get(loss, "months"), 1, 120))
		error_add(err, "credit.fast_track_loss.months", "invalid", "1 to 120");
	else
		out->loss_months = (int)json_integer_value(json_object_get(loss, "months"));
}

int oversight_rules_from_json(const json_t *j, int version, struct oversight_rules *out,
			      struct error *err)
{
	struct error local = ERROR_INIT;
	struct error *e = err ? err : &local;
	size_t before = e->ndetails;
	memset(out, 0, sizeof(*out));
	if (!json_is_object(j)) {
		error_add(e, "", "wrong_type", "the oversight rules are an object");
	} else {
		const char *key;
		const json_t *v;
		json_object_foreach((json_t *)j, key, v)
		{
			if (strcmp(key, "sampling") && strcmp(key, "credit"))
				error_add(e, key, "unknown_field", "unknown member (sampling, credit)");
		}
		read_sampling(json_object_get(j, "sampling"), out, e);
		read_credit(json_object_get(j, "credit"), out, e);
	}
	size_t n = e->ndetails - before;
	error_release(&local);
	if (!n) {
		out->version = version;
		return 0;
	}
	memset(out, 0, sizeof(*out));
	return error_set(err, ERR_INVALID, "the oversight rules have %zu problem(s); all are listed",
			 n);
}

json_t *oversight_rules_to_json(const struct oversight_rules *r)
{
	char hex[33];
	sodium_bin2hex(hex, sizeof(hex), r->key, sizeof(r->key));
	json_t *pc = json_object();
	for (int k = 0; k < ZONE_RISK_COUNT; k++)
		json_object_set_new(pc, triggers_risk_name(k), json_integer(r->percent[k]));
	json_t *rules = json_array();
	for (size_t i = 0; i < r->nrules; i++)
		json_array_append_new(rules, json_pack("{s:s, s:s, s:i}", "rule", r->rules[i].rule,
						       "severity",
						       credit_severity_name(r->rules[i].severity),
						       "months", r->rules[i].months));
	json_t *codes = json_array();
	for (size_t i = 0; i < r->nfalse; i++)
		json_array_append_new(codes, json_string(r->false_codes[i]));
	return json_pack("{s:{s:s, s:i, s:o}, s:{s:o, s:o, s:{s:s, s:i}}}", "sampling", "key", hex,
			 "tolerance_percent", r->tolerance_percent, "percent", pc, "credit",
			 "rules", rules, "false_commitment_codes", codes, "fast_track_loss",
			 "severity", credit_severity_name(r->loss_severity), "months",
			 r->loss_months);
}

int credit_sample_draw(const struct oversight_rules *r, long long permit_id)
{
	char in[64];
	int len = snprintf(in, sizeof(in), "%lld:%d", permit_id, r->version);
	unsigned char h[crypto_shorthash_siphash24_BYTES];
	crypto_shorthash_siphash24(h, (const unsigned char *)in, (unsigned long long)len, r->key);
	unsigned long long v = 0;
	for (size_t i = 0; i < sizeof(h); i++)
		v = (v << 8) | h[i];
	return (int)(v % 10000);
}

bool credit_sampled(const struct oversight_rules *r, enum zone_risk risk, long long permit_id,
		    int *draw, int *share)
{
	int d = credit_sample_draw(r, permit_id);
	int s = risk >= 0 && risk < ZONE_RISK_COUNT ? r->percent[risk] : 100;
	if (draw)
		*draw = d;
	if (share)
		*share = s;
	return d < s * 100;
}

const struct credit_rule *credit_rule_find(const struct oversight_rules *r, const char *rule)
{
	for (size_t i = 0; rule && i < r->nrules; i++)
		if (!strcmp(r->rules[i].rule, rule))
			return &r->rules[i];
	return NULL;
}

day_t credit_expiry(day_t occurred, int months)
{
	int y, m, d;
	cal_day_to_ymd(occurred, &y, &m, &d);
	int total = y * 12 + (m - 1) + months;
	int ny = total / 12, nm = total % 12 + 1;
	static const int mdays[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
	int last = mdays[nm - 1];
	if (nm == 2 && ((ny % 4 == 0 && ny % 100 != 0) || ny % 400 == 0))
		last = 29;
	return cal_day_from_ymd(ny, nm, d > last ? last : d);
}

bool credit_false_commitment(const struct oversight_rules *r, const char *const *codes, size_t n)
{
	for (size_t i = 0; i < n; i++)
		for (size_t k = 0; codes[i] && k < r->nfalse; k++)
			if (!strcmp(codes[i], r->false_codes[k]))
				return true;
	return false;
}

bool credit_fast_track_lost(const struct oversight_rules *r, const struct credit_fact *entries,
			    size_t n, day_t today, char *why, size_t len)
{
	if (!r || r->loss_months <= 0)
		return false;
	day_t since = credit_expiry(today, -r->loss_months);
	for (size_t i = 0; i < n; i++) {
		const struct credit_fact *e = &entries[i];
		if (e->withdrawn || e->expires_on <= today || e->severity < r->loss_severity ||
		    e->occurred_on < since || e->occurred_on > today)
			continue;
		if (why) {
			char d[11];
			snprintf(why, len,
				 "fast track withdrawn: credit entry %lld (%s, %s) of %s, within the "
				 "last %d months (oversight rules version %d)",
				 e->id, e->rule ? e->rule : "", credit_severity_name(e->severity),
				 cal_day_format(e->occurred_on, d), r->loss_months, r->version);
		}
		return true;
	}
	return false;
}
