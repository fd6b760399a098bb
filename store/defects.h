/*
 * SQL for the aftermath of a dig (migrations/0015_defects.sql): the utility's reinstatement
 * reports, the published reinstatement standards (guarantee months, remedial and repair
 * limits per road class), the guarantee period a closed dig carries, defect reports and their
 * tasks, the task queues, public feedback, and the rows the aftercare statistics count.
 */
#ifndef STORE_DEFECTS_H
#define STORE_DEFECTS_H

#include <stdbool.h>
#include <stddef.h>

#include "store/db.h"
#include "workflows/calendar.h"
#include "lib/error.h"

/* --- reinstatement ------------------------------------------------------------------------ */

/* What the inspection rules read of a permit's works. */
struct reinstatement_status {
	bool works_started; /* a job needing the permit is constructing, connected or completed */
	int reports;	    /* reinstatement and remedial reports */
	int inspections;    /* reinstatement inspections */
	bool remedial_open; /* an open remedial task */
};

/* Loads it. Errors as store_exec's. */
int store_reinstatement_status(struct store_conn *c, long long permit_id,
			       struct reinstatement_status *out, struct error *err);

/*
 * Who dug in a permit's trench and who has reported (a joint dig is inspected once, when every
 * utility that dug in it is done). A utility sharing the permit counts once its works under it
 * have started (as for remedial tasks): one that has not dug has nothing to reinstate.
 */
struct reinstatement_share {
	int sharing;		/* utilities whose works under the permit have started */
	int reported;		/* of them, those that reported their dig reinstated */
	int own_reports;	/* org's reports of its dig reinstated */
	bool own_remedial_open; /* org has a remedial task open on the permit */
};

/* Loads it for org_id (0: no organisation; the own_ fields are then 0). Errors as store_exec's. */
int store_reinstatement_share(struct store_conn *c, long long permit_id, long long org_id,
			      struct reinstatement_share *out, struct error *err);

/* Appends the utility's report ("reinstated" or "remedied"); comment NULL: "". */
int store_reinstatement_report(struct store_conn *c, long long permit_id, const char *kind,
			       long long org_id, long long user_id, const char *comment,
			       const char *at, struct error *err);

/* One road class's published limits. */
struct reinstatement_standard {
	int version;
	day_t effective_from;
	char road_class[16];
	int guarantee_months, remedial_days, defect_days;
};

/*
 * The standard in force on `day` for a permit's works: of its excavations' road classes the one
 * with the longest guarantee (the longest of the version when none of them is a class of the
 * standard, or the permit has none). *found false when nothing is published. Errors as
 * store_exec's.
 */
int store_reinstatement_standard_for(struct store_conn *c, long long permit_id, day_t day,
				     struct reinstatement_standard *out, bool *found,
				     struct error *err);

/*
 * Every road class of the version in force on `day`: *rows a new array of *n (the caller
 * frees). Errors as store_exec's.
 */
int store_reinstatement_standards(struct store_conn *c, day_t day,
				  struct reinstatement_standard **rows, size_t *n,
				  struct error *err);

/*
 * Publishes the next version of the standard (rows: every road class; checked by the caller),
 * in force from effective_from: *version its number. Errors as store_exec's.
 */
struct defects_class_limits;
int store_reinstatement_publish(struct store_conn *c, day_t effective_from,
				const struct defects_class_limits *rows, size_t n,
				long long user_id, int *version, struct error *err);

/*
 * Opens a remedial task due on due_day for every utility whose job needs the permit and has
 * started its works (the ones that dug). Errors as store_exec's.
 */
int store_remedial_tasks_due(struct store_conn *c, long long permit_id, day_t due_day,
			     struct error *err);

/* A closed dig's guarantee. */
struct guarantee_row {
	char road_class[16];
	int version, months;
	day_t closed_on, guarantee_to;
};

int store_guarantee_insert(struct store_conn *c, long long permit_id,
			   const struct guarantee_row *g, struct error *err);
/* *found false when the permit has none. Errors as store_exec's. */
int store_guarantee_get(struct store_conn *c, long long permit_id, struct guarantee_row *out,
			bool *found, struct error *err);

/* --- places near a point ------------------------------------------------------------------ */

/* An excavation extent near a point, with its permit, utility and guarantee. */
struct dig_near_row {
	long long permit_id, utility_org_id, authority_org_id;
	char permit_state[25], district[33];
	char *wkt;	    /* owned */
	day_t guarantee_to; /* -1: none */
};

/*
 * Dig-road excavation extents whose box meets box_wkt (closed permits only when closed_only),
 * at most 100: *rows (free with store_digs_near_free). Errors as store_exec's.
 */
int store_digs_near(struct store_conn *c, const char *box_wkt, bool closed_only,
		    struct dig_near_row **rows, size_t *n, struct error *err);
void store_digs_near_free(struct dig_near_row *rows, size_t n);

/* A road of the register in force near a point, with the authority publishing it. */
struct road_near_row {
	long long org_id;
	char road_id[33], road_class[16], district[33];
	char *wkt; /* owned */
};

int store_roads_near_point(struct store_conn *c, const char *box_wkt, day_t day,
			   struct road_near_row **rows, size_t *n, struct error *err);
void store_roads_near_free(struct road_near_row *rows, size_t n);

/* The office's organisation (the lowest id of kind office), 0 when there is none. */
int store_office_org(struct store_conn *c, long long *org_id, struct error *err);

/* --- defects ------------------------------------------------------------------------------ */

struct defect_new {
	const char *reference, *description;
	double lng, lat;
	const unsigned char *photo;
	size_t photo_len;
	const char *photo_type, *photo_hash; /* NULL with no photo */
	const char *reported_by;	     /* public, authority, office */
	long long reporter_org_id, reporter_user_id; /* 0: none */
	const char *routed_to, *route_reason;
	long long org_id, permit_id; /* permit 0: none */
	day_t guarantee_to, due_day; /* guarantee -1: none */
	const char *road_id, *district; /* NULL: none */
};

/* Inserts the defect and its task (kind 'defect', for org_id, due on due_day): *id its id. */
int store_defect_insert(struct store_conn *c, const struct defect_new *d, long long *id,
			struct error *err);

/* The bytes of the photos the public sent with its reports on the city's day `day`. */
int store_public_photo_bytes(struct store_conn *c, day_t day, unsigned long long *bytes,
			     struct error *err);

struct defect_row {
	long long id, org_id, permit_id, reporter_org_id;
	char reference[25], reported_by[12], routed_to[12], status[10], org_name[201];
	char permit_reference[33], road_id[33], district[33], photo_type[33];
	char *description, *route_reason, *repair_note; /* owned */
	double lng, lat;
	bool has_photo;
	day_t guarantee_to, due_day;
	char created_at[32], repaired_at[32];
};
void store_defect_row_release(struct defect_row *r);

/* By reference (id 0) or by id (reference NULL). ERR_NOT_FOUND when there is none. */
int store_defect_get(struct store_conn *c, const char *reference, long long id,
		     struct defect_row *out, struct error *err);

/* The photo's bytes (*photo owned, NULL when none) and type. */
int store_defect_photo(struct store_conn *c, long long id, unsigned char **photo, size_t *len,
		       char type[33], struct error *err);

/*
 * Defects assigned to org (0: all), status NULL any, newest first, ids below `before` (0: from
 * the newest; the keyset cursor), at most cap: *rows a new array (each released, then freed).
 * Errors as store_exec's.
 */
int store_defects_list(struct store_conn *c, long long org_id, const char *status,
		       long long before, size_t cap, struct defect_row **rows, size_t *n,
		       struct error *err);

/* Marks an open defect repaired and its task done; ERR_CONFLICT when it is not open. */
int store_defect_repaired(struct store_conn *c, long long id, const char *note, const char *at,
			  struct error *err);

/* --- tasks -------------------------------------------------------------------------------- */

struct task_row {
	long long id, permit_id, org_id, defect_id, authority_org_id;
	char kind[16], status[8], permit_reference[33], defect_reference[25], org_name[201];
	day_t opened_on, due_day; /* due -1: none stored */
};

/*
 * Tasks visible to org (0: all): its own, and for an authority those on its permits; kind and
 * status NULL any; oldest first, ids above `after` (the keyset cursor); at most cap. *rows a
 * new array the caller frees.
 */
int store_tasks_list(struct store_conn *c, long long org_id, const char *kind, const char *status,
		     long long after, size_t cap, struct task_row **rows, size_t *n,
		     struct error *err);

/* --- public feedback ---------------------------------------------------------------------- */

/* What a certificate number concerns: *found false when no such certificate. */
int store_certificate_subject(struct store_conn *c, const char *number, long long *permit_id,
			      long long *org_id, char district[33], bool *found,
			      struct error *err);

struct feedback_new {
	const char *reference, *kind, *score, *body, *certificate_number;
	bool has_location;
	double lng, lat;
	long long permit_id, org_id; /* 0: none */
	const char *district;	     /* NULL: none */
};
int store_feedback_insert(struct store_conn *c, const struct feedback_new *f, long long *id,
			  struct error *err);

struct feedback_row {
	long long id, permit_id, org_id;
	char reference[25], kind[12], score[10], status[10], certificate_number[25], district[33];
	char org_name[201], permit_reference[33];
	char *body, *answer; /* owned */
	bool has_location;
	double lng, lat;
	char created_at[32], answered_at[32];
};
void store_feedback_row_release(struct feedback_row *r);

int store_feedback_get(struct store_conn *c, const char *reference, long long id,
		       struct feedback_row *out, struct error *err);
/* Feedback, status NULL any, newest first, ids below `before` (0: from the newest), at most cap. */
int store_feedback_list(struct store_conn *c, const char *status, long long before, size_t cap,
			struct feedback_row **rows, size_t *n, struct error *err);
/* Answers open feedback; ERR_CONFLICT when it is answered already. */
int store_feedback_answer(struct store_conn *c, long long id, const char *answer,
			  long long user_id, const char *at, struct error *err);

/* --- statistics --------------------------------------------------------------------------- */

/* One counted event: its id, district, the organisation it counts for, and its dates. */
struct aftercare_event {
	long long id, org_id;
	char district[33], org_name[201], kind[16];
	day_t opened_on, done_on, submitted_day; /* post-checks */
};

enum aftercare_figure {
	AFTERCARE_POST_CHECKS, /* done post-checks, for the authority */
	AFTERCARE_OVERRUNS,    /* recorded overruns, for each utility digging */
	AFTERCARE_CLOSURES,    /* closed dig-road permits, for each utility that dug */
	AFTERCARE_DEFECTS,     /* defect reports, for the organisation they went to */
	AFTERCARE_FEEDBACK,    /* public feedback (kind rating/complaint), for its organisation */
	AFTERCARE_NFIGURES
};

/* A district's names. */
struct district_names {
	char code[33], zh[101], en[101];
};
/* Every district's names: *rows a new array the caller frees. Errors as store_exec's. */
int store_district_names(struct store_conn *c, struct district_names **rows, size_t *n,
			 struct error *err);

/* The events of one figure, ordered by id: *rows a new array the caller frees. */
int store_aftercare_events(struct store_conn *c, enum aftercare_figure f,
			   struct aftercare_event **rows, size_t *n, struct error *err);

#endif
