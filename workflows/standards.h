/*
 * Published service standards (DESIGN.md rule 10): per utility kind and per permit kind, the
 * stages with their limits in working days, the required materials, the fast-track thresholds
 * and the permit trigger thresholds. Pure: parsing, checking, rendering and lookup; no I/O.
 */
#ifndef WORKFLOWS_STANDARDS_H
#define WORKFLOWS_STANDARDS_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#include "calendar.h"
#include "lib/error.h"

/*
 * One stage of a job or permit. The applications code relies on these codes: every utility
 * kind has "accept", "survey", "plan", "construct", "complete"; every permit kind "accept" and
 * "review".
 */
struct stage_standard {
	char *code;
	char *name_zh;
	char *name_en;
	int limit_days;	       /* working days, >= 0 (0: decided the same day) */
	bool silence_approves; /* deemed approved when the limit passes without a decision */
};

/* One material the applicant supplies (once; rule 1). */
struct material_standard {
	char *type; /* "business_licence", "site_plan", ... */
	char *name_zh;
	char *name_en;
	bool required;
	char *condition; /* NULL: always; else "excavation", "green_space" or "outside_plot" */
	bool elicence;	 /* may be referenced by electronic licence number instead of upload */
};

/* Low-risk fast track (rule 6); inclusive maxima. Strings owned. */
struct fast_track_standard {
	bool enabled;
	char **zone_risk; /* "low", "medium", "high" */
	size_t nzone_risk;
	char **road_classes; /* "branch", "secondary", ... */
	size_t nroad_classes;
	int max_length_m;
	int max_area_m2;
	int max_duration_days;
	int decision_days; /* 0: decided at submission */
	int post_check_days; /* the authority's post-check limit in working days (0: none published) */
	int rectification_days; /* a failed post-check's rectification limit, working days (0: none
				   published: the post-check limit applies) */
};

/* When a permit kind is triggered: a quantity strictly above its threshold. Permit kinds only. */
struct trigger_standard {
	int min_length_m;
	int min_area_m2;
	int min_trees;
	int min_outside_m;
};

/* One version of a standard. Owns every string and array (standards_free). */
struct service_standard {
	char *kind;  /* water, power, gas, heat, network, dig_road, greening, planning */
	int version; /* 0 for a draft; 1, 2, ... once published */
	day_t effective_from;
	char *name_zh;
	char *name_en;
	bool sample; /* demo data, to be shown as such */
	struct stage_standard *stages;
	size_t nstages;
	struct material_standard *materials;
	size_t nmaterials;
	bool has_fast_track;
	struct fast_track_standard fast_track;
	bool has_trigger;
	struct trigger_standard trigger;
};

/* True for the five utility kinds, false for the permit kinds and anything else. */
bool standards_is_utility_kind(const char *kind);
/* True for dig_road, greening and planning. */
bool standards_is_permit_kind(const char *kind);

/*
 * Reads and checks a standard, listing EVERY problem at once (ERR_INVALID, one detail per
 * problem with a field like "stages[1].limit_days"): missing or mistyped fields, unknown
 * fields, an unknown kind ("unknown_kind"), no stages, a duplicate stage code ("duplicate"),
 * a stage code the kind requires but lacks ("stages": "missing_stage"), a negative limit or
 * threshold ("negative"), an unknown material condition or zone risk ("not_allowed"), a trigger
 * on a utility kind ("not_allowed"). "version" may be absent (a draft: 0). ERR_MALFORMED when
 * j is not an object. On success *out is a new standard the caller frees with standards_free.
 */
int standards_from_json(const json_t *j, struct service_standard **out, struct error *err);

/*
 * The rules at publication: effective_from not before today ("in_the_past") and a version
 * >= 1 ("out_of_range"). ERR_INVALID listing both when both fail; 0 otherwise.
 */
int standards_validate_publish(const struct service_standard *s, day_t today, struct error *err);

/* The standard in the shape standards_from_json reads. New reference. Cannot fail. */
json_t *standards_to_json(const struct service_standard *s);

/* Frees a standard from standards_from_json. Safe on NULL. */
void standards_free(struct service_standard *s);

/*
 * Of n published standards, the one in force for kind on day: the latest effective_from not
 * after day, the higher version on a tie. NULL when none. Points into the array.
 */
const struct service_standard *standards_in_force(const struct service_standard *const *all,
						  size_t n, const char *kind, day_t day);

/* The stage with that code, or NULL. Borrowed from std. */
const struct stage_standard *standards_stage(const struct service_standard *std,
					     const char *code);

#endif
