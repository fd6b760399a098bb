/*
 * The joint application: the submitted request parsed and checked against every published
 * standard at once (one-time notice), and the plan of parallel tracks it creates. Pure.
 */
#ifndef WORKFLOWS_APPLICATION_H
#define WORKFLOWS_APPLICATION_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "calendar.h"
#include "lib/error.h"
#include "fees.h"
#include "permit.h"
#include "triggers.h"

enum utility_kind { UK_WATER, UK_POWER, UK_GAS, UK_HEAT, UK_NETWORK, UK_COUNT };

/* "water", "power", ...; NULL out of range. */
const char *utility_kind_name(int kind);
/* Index of a utility kind name, or -1. */
int utility_kind_parse(const char *name);
/* Reference suffix of a track: W, E, G, H, N for utilities; DR, GR, PL for permits. */
const char *utility_suffix(int kind);
const char *permit_suffix(enum permit_kind kind);

/* One wanted utility with its technical parameters. */
struct app_utility {
	bool wanted;
	json_t *params;		/* the parameters as given (new reference) */
	struct fee_params fees; /* the same, as fee parameters (dn, kw, meters, ports, ...) */
};

struct place_context;

/*
 * One excavation of a utility's works: its extent as drawn (a line with a trench width, or a
 * polygon), and what application_place finds from it: the district, the register road it lies
 * on, the published zone covering it, its length and area.
 */
struct app_dig {
	int utility;
	struct geo *extent; /* in CGCS2000, owned */
	char *road_asked;   /* road_id as given, or NULL */
	int width_cm;	    /* a line's trench width; 0 for a polygon */
	day_t start_day, end_day;
	/* found by application_place */
	char district[33];
	char road[33]; /* the register road's id */
	char road_name[101];
	char road_class[16];
	int register_version;
	int length_m, area_m2;
	char zone[48]; /* "code v1", or "" outside every published zone */
	enum zone_risk zone_risk;
	bool valid; /* parsed and placed without a problem: only such digs reach the permit rules */
};

/* One material the application uses: an uploaded one by id, or an e-licence by number. */
struct app_material {
	long long material_id; /* 0 when referenced by licence number */
	char type[65];	       /* from the library row (filled by the caller for ids) */
};

/* A submission as parsed. Release with application_request_release. */
struct app_request {
	long long site_id;
	long long project_id; /* the project cited (issue #20), 0: none */
	struct app_utility util[UK_COUNT];
	struct app_dig *digs;
	size_t ndigs;
	int green_area_m2;
	int trees_affected;
	int lines_outside_plot_m;
	struct app_material *materials;
	size_t nmaterials;
	char customer_class[32];
	bool commitment; /* the applicant signs the notice-and-commitment for fast track */
	long long provider[UK_COUNT]; /* the applicant's choice where several serve; 0: none */
	/*
	 * Set by the caller, not parsed: why the applicant has lost the fast track under the
	 * published credit rules ("" when it has not; credit_fast_track_lost). Its digs then go to
	 * ordinary review and the notice says this.
	 */
	char fast_track_lost[240];
};

/*
 * Parses a submission body, listing every missing, mistyped, unknown or out-of-range field at
 * once (ERR_INVALID), e.g. "utilities.water.dn". Dates must not be before `today`. Material
 * entries give material_id; their types are filled later by the caller (application_check).
 */
int application_parse(const json_t *body, day_t today, struct app_request *out,
		      struct error *err);
void application_request_release(struct app_request *req);

/*
 * Places every parsed excavation (ctx holds the districts, the register roads near the works and
 * the zones in force): inside the city, on a register road (the road_id given, which the extent
 * must lie on, or the one found), its district, road class, length (a line's, or a polygon's
 * longer side) and area (a line's length by its width, or the polygon's), and the published
 * zone covering it. Every problem is added to err under works.excavations[i]; a dig with one is
 * marked invalid. Returns how many problems it added.
 */
size_t application_place(struct app_request *req, const struct place_context *ctx,
			 struct error *err);

/*
 * A job's fee parameters (dn, kw, meters, ports...) from its stored utility parameters as
 * submitted (`params`, the object under utilities.<kind>) and the application's customer class
 * (NULL or "": none), for checking its quote. Values that do not parse are left out. Borrows
 * customer_class. Cannot fail.
 */
void application_job_fee_params(int kind, const json_t *params, const char *customer_class,
				struct fee_params *out);

/* A material the published standard asks for, and when. Strings borrowed. */
struct material_rule {
	const char *type;
	const char *name_en;
	const char *condition; /* NULL: always; "excavation", "green_space", "outside_plot" */
	bool required;
};

/*
 * What the application needs from one published service standard (utility kind or permit
 * kind), extracted by the caller. Strings borrowed.
 */
struct track_rules {
	bool published;
	int version;
	const struct material_rule *materials;
	size_t nmaterials;
	int first_limit_days;  /* the "acceptance" stage */
	bool silence_approves; /* permits: deemed approval on silence */
	/* permits only */
	struct trigger_rules trigger;
	bool fast_track_enabled;
	struct fast_track_rules fast_track;
	int fast_track_decision_days;
};

/* The rules in force: utilities by enum utility_kind, permits by enum permit_kind. */
struct standards_view {
	struct track_rules utility[UK_COUNT];
	struct track_rules permit[PERMIT_KIND_COUNT];
};

/* One permit the plan files, with the utilities whose works need it. */
struct planned_permit {
	enum permit_kind kind;
	char *reason;
	bool fast_track;
	char fast_track_reason[256];
	day_t window_from, window_to;
	bool utilities[UK_COUNT]; /* whose works need it */
	size_t *digs;		  /* dig-road: indices into req->digs */
	size_t ndigs;
	json_t *fast_track_basis; /* dig-road: the zone, road and thresholds that decided it */
};

/* The tracks one submission creates. Release with application_plan_release. */
struct app_plan {
	bool jobs[UK_COUNT];
	struct planned_permit *permits;
	size_t npermits;
	struct fee_estimate estimate;
};

/*
 * The one-time notice and the plan together: checks the request against every wanted
 * utility's and every triggered permit's published standard (each wanted utility must be
 * offered; every required material present, by type; conditions by the works), and when all
 * is well fills *plan: one job per wanted utility, the triggered permits with dig-once
 * grouping (one joint dig-road permit per group of overlapping segments on one road), the
 * fast-track decision (published low-risk zone, register road class, computed length and area,
 * duration, and the applicant's commitment), and the fee
 * estimate from the schedules in force on `day`. On failure ERR_INVALID lists every problem
 * and *plan is empty.
 */
int application_check(const struct app_request *req, const struct standards_view *std,
		      const struct fee_schedule *const *schedules,
		      size_t nschedules, day_t day, struct app_plan *plan, struct error *err);
void application_plan_release(struct app_plan *plan);

/* The published standards in force on one day, by track kind (NULL where none). */
struct service_standard;
struct standards_set {
	const struct service_standard *utility[UK_COUNT];
	const struct service_standard *permit[PERMIT_KIND_COUNT];
};

/* Picks, for every kind, the standard in force on day among n published ones. Cannot fail. */
void application_standards_in_force(const struct service_standard *const *all, size_t n,
				    day_t day, struct standards_set *out);

/*
 * The rules the one-time notice needs, read from the standards (strings borrowed from them, so
 * keep them alive). Release with application_view_release.
 */
void application_view_build(const struct standards_set *set, struct standards_view *view);
void application_view_release(struct standards_view *view);

/*
 * The published limit of a workflow stage ("acceptance", "survey", "plan", "construction",
 * "completion", "review", "extension"), mapped onto the standard's stage codes (accept, survey,
 * plan, construct, complete, review; an extension is decided within the review limit when no
 * "extension" stage is published). 0 and the limit, or ERR_NOT_FOUND when std is NULL or has no
 * such stage.
 */
int application_stage_limit(const struct service_standard *std, const char *stage, int *days,
			    bool *silence_approves);

/* "HK-2026-000123" into buf (at least 24 bytes). */
void application_reference(int year, long long n, char *buf, size_t len);

/*
 * The reference of a utility job: the application's and the utility's suffix,
 * "HK-2026-000123-W". buf of at least 40 bytes. Cannot fail.
 */
void application_job_reference(const char *app_ref, int kind, char *buf, size_t len);

/*
 * The reference of plan->permits[i]: the application's and the kind's suffix, numbered from the
 * second permit of the same kind on ("-DR", "-DR2", "-GR"). buf of at least 40 bytes.
 */
void application_permit_reference(const struct app_plan *plan, size_t i, const char *app_ref,
				   char *buf, size_t len);

/*
 * When the authority's decision on a permit filed at utc_seconds is due: after its acceptance
 * and review limits (std), in working days from the day it counts as received (the office's
 * cut-off and non-working days move it on); a fast-tracked permit is decided `today`.
 */
day_t application_permit_deadline(const struct service_standard *std, const struct calendar *cal,
				  int64_t utc_seconds, bool fast_track, day_t today);

#endif
