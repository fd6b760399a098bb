/* Which permits a site's works trigger; dig-once groups, the fast track and trench overlap. */
#ifndef WORKFLOWS_TRIGGERS_H
#define WORKFLOWS_TRIGGERS_H

#include <stdbool.h>
#include <stddef.h>

#include "calendar.h"
#include "lib/error.h"
#include "permit.h"

/* The risk class the office publishes for a zone. */
enum zone_risk { ZONE_RISK_LOW, ZONE_RISK_MEDIUM, ZONE_RISK_HIGH, ZONE_RISK_COUNT };

struct geo;

/*
 * One utility's excavation (DESIGN.md "Clock and place rules"): its extent as drawn, the
 * register road it lies on, and what was computed from them. Windows are closed ranges
 * [start_day, end_day]; two windows that only touch intersect. Borrowed.
 */
struct excavation {
	const char *utility;
	const char *district;
	const char *road;	/* the register road's id */
	const char *road_class; /* from the register: expressway, primary, secondary, branch */
	const struct geo *extent;
	enum zone_risk zone_risk; /* of the published zone covering it (medium when none) */
	const char *zone;	  /* that zone's code and version, "" or NULL when none */
	int length_m, area_m2;	  /* computed from the extent */
	day_t start_day, end_day;
};

/* What the site's works touch, as the application states it. Borrowed. */
struct site_facts {
	const struct excavation *digs;
	size_t ndigs;
	int green_area_m2;
	int trees_affected;
	int lines_outside_plot_m; /* length of lines laid outside the plot boundary */
};

/*
 * Published thresholds: a permit is triggered when a quantity is strictly above its threshold.
 * TRIGGER_RULES_DEFAULT triggers on anything above zero.
 */
struct trigger_rules {
	int dig_min_length_m;
	int green_min_area_m2;
	int green_min_trees;
	int planning_min_outside_m;
};

// clang-format off
#define TRIGGER_RULES_DEFAULT { 0, 0, 0, 0 }
// clang-format on

/* One triggered permit with the reason recorded on it. */
struct trigger {
	enum permit_kind kind;
	char *reason;	/* owned by the list */
	size_t segment; /* dig_road: index into site_facts.digs; otherwise SIZE_MAX */
};

struct trigger_list {
	struct trigger *items;
	size_t n;
};

/*
 * Decides the permits the site's works trigger: one dig_road per excavation longer than the
 * threshold ("road excavation of 120 m on Zhongshan Road"; dig-once grouping is a separate
 * step, triggers_group_digs), then at most one greening and one planning. Returns 0 and fills
 * *out (release with triggers_list_release), or ERR_INVALID listing every negative quantity
 * and reversed range (then *out is empty).
 */
int triggers_evaluate(const struct trigger_rules *rules, const struct site_facts *site,
		      struct trigger_list *out, struct error *err);

/* Frees the reasons and the array; the list is empty afterwards. Safe on an empty list. */
void triggers_list_release(struct trigger_list *list);

/*
 * Dig once: the excavations whose extents come within buffer_m metres of each other (on one
 * road, or crossing at a junction) and whose windows intersect, directly or through a chain of
 * others, form one group: one joint dig-road permit with one work window, the union of the
 * members' windows.
 */
struct dig_group {
	const char *district, *road; /* the first member's; borrowed from the input */
	int length_m;		     /* the members' lengths added up */
	day_t start_day, end_day;    /* the joint work window */
	size_t *members;	     /* indices into the input, ascending; owned by the list */
	size_t nmembers;
};

struct dig_group_list {
	struct dig_group *groups; /* ordered by their first member */
	size_t n;
};

/*
 * Groups n excavations as above; every excavation is in exactly one group. Returns 0 and fills
 * *out (release with triggers_groups_release), or ERR_INVALID listing every excavation without
 * an extent or road, or with a reversed window (then *out is empty).
 */
int triggers_group_digs(const struct excavation *digs, size_t n, double buffer_m,
			struct dig_group_list *out, struct error *err);

/* Frees the groups; the list is empty afterwards. */
void triggers_groups_release(struct dig_group_list *list);

/* The published fast-track thresholds (inclusive maxima). */
struct fast_track_rules {
	const char *const *road_classes; /* the classes that qualify */
	size_t nroad_classes;
	int max_length_m;
	int max_area_m2;
	int max_duration_days;
};

/* Which criteria failed (bits of fast_track_decision.failed). */
#define FT_ZONE (1u << 0)
#define FT_ROAD_CLASS (1u << 1)
#define FT_LENGTH (1u << 2)
#define FT_AREA (1u << 3)
#define FT_DURATION (1u << 4)

struct fast_track_decision {
	bool fast;
	unsigned failed;  /* FT_* bits; 0 when fast */
	char reason[256]; /* every failed criterion, or why it qualifies */
};

/*
 * Fast track when a published low-risk zone covers the dig AND the register's road class is
 * allowed AND the computed length <= max AND area <= max AND duration (end_day - start_day + 1
 * days) <= max. Cannot fail.
 */
void triggers_fast_track(const struct fast_track_rules *rules, const struct excavation *dig,
			 struct fast_track_decision *out);

/*
 * Trench sharing across applications: true when a's and b's extents come within buffer_m
 * metres of each other (along one road or across a junction) and their windows intersect.
 */
bool triggers_overlap(const struct excavation *a, const struct excavation *b, double buffer_m);

/* "low", "medium", "high"; "unknown" when out of range. */
const char *triggers_risk_name(enum zone_risk risk);

/* Parses a risk name. Returns 0, or ERR_INVALID (message in err, which may be NULL). */
int triggers_risk_parse(const char *s, enum zone_risk *out, struct error *err);

#endif
