/*
 * The office's oversight rules after a fast-tracked decision (issue #21, measures 十五 and 十六):
 * which fast-tracked permits are checked on site (a reproducible draw against the published
 * share per risk class), what a credit entry weighs and how long it lasts, which post-check
 * codes mean the commitment was false, and when an organisation loses the fast track. Pure:
 * the rules come in as data, time as a day.
 */
#ifndef WORKFLOWS_CREDIT_H
#define WORKFLOWS_CREDIT_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#include "calendar.h"
#include "lib/error.h"
#include "triggers.h"

enum credit_severity { CREDIT_MINOR, CREDIT_SERIOUS, CREDIT_NSEVERITIES };

/* The events that write an entry (the rules' names). */
#define CREDIT_POST_CHECK_FAILED "post_check_failed"
#define CREDIT_FALSE_COMMITMENT "false_commitment"
#define CREDIT_PERMIT_REVOKED "permit_revoked"
#define CREDIT_OVERRUN "overrun"
#define CREDIT_REMEDIAL_OVERDUE "remedial_overdue"

#define CREDIT_MAX_RULES 16
#define CREDIT_MAX_CODES 32

/* One published credit rule: what an event of this name weighs, and for how long. */
struct credit_rule {
	char rule[33];
	enum credit_severity severity;
	int months; /* the entry expires this many months after the event */
};

/* One version of the oversight rules. Plain data, no allocation. */
struct oversight_rules {
	int version;			    /* 0: none */
	unsigned char key[16];		    /* the sampling draw's published key */
	int percent[ZONE_RISK_COUNT];	    /* the share checked on site, by risk class, 0..100 */
	int tolerance_percent;		    /* how far a sampled share may stray from it */
	struct credit_rule rules[CREDIT_MAX_RULES];
	size_t nrules;
	char false_codes[CREDIT_MAX_CODES][65]; /* post-check codes meaning a false commitment */
	size_t nfalse;
	enum credit_severity loss_severity; /* an entry this severe or worse ... */
	int loss_months;		    /* ... in the last this many months loses the fast track */
};

/* "minor", "serious"; "unknown" out of range. Static. */
const char *credit_severity_name(enum credit_severity s);
/* Parses a severity; 0 or ERR_INVALID. */
int credit_severity_parse(const char *s, enum credit_severity *out);

/*
 * Reads a version's body: {"sampling": {"key": 32 hex digits, "tolerance_percent",
 * "percent": {"low", "medium", "high"}}, "credit": {"rules": [{rule, severity, months}],
 * "false_commitment_codes": [...], "fast_track_loss": {severity, months}}}. Every rule named
 * in the CREDIT_* list must be there once; shares 0..100, months 1..120. Returns 0, or
 * ERR_INVALID with every problem listed (*out then zeroed). out->version is set to version.
 */
int oversight_rules_from_json(const json_t *j, int version, struct oversight_rules *out,
			      struct error *err);

/* The body as published (without version). New reference. */
json_t *oversight_rules_to_json(const struct oversight_rules *r);

/*
 * The draw for permit_id under these rules: SipHash-2-4 keyed with the published key over
 * "<permit_id>:<version>", reduced to 0..9999. The same permit and version always give the
 * same draw; anyone holding the published rules can recompute it. Cannot fail.
 */
int credit_sample_draw(const struct oversight_rules *r, long long permit_id);

/*
 * Whether a fast-tracked permit of risk class `risk` is checked on site: its draw falls under
 * the class's share (draw < percent * 100). *draw and *share (either may be NULL) say why.
 */
bool credit_sampled(const struct oversight_rules *r, enum zone_risk risk, long long permit_id,
		    int *draw, int *share);

/* The rule of that name, or NULL when the version does not publish it. */
const struct credit_rule *credit_rule_find(const struct oversight_rules *r, const char *rule);

/* The day an entry of `months` made on `occurred` expires (same day of month, clamped). */
day_t credit_expiry(day_t occurred, int months);

/* Whether any of the post-check codes says the commitment was false. */
bool credit_false_commitment(const struct oversight_rules *r, const char *const *codes, size_t n);

/* What the fast-track rule reads of one entry. */
struct credit_fact {
	long long id;
	const char *rule;
	enum credit_severity severity;
	day_t occurred_on, expires_on;
	bool withdrawn; /* an appeal withdrew it */
};

/*
 * The fast-track rule: an organisation with a standing entry (not withdrawn, not expired on
 * today) of at least the published severity that occurred within the last loss_months months
 * loses the fast track. Returns whether it is lost; then why (at least 160 bytes, may be NULL)
 * names the entry, its rule and date. Cannot fail.
 */
bool credit_fast_track_lost(const struct oversight_rules *r, const struct credit_fact *entries,
			    size_t n, day_t today, char *why, size_t len);

#endif
