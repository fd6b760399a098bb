/*
 * The aftermath of a dig (issue #21) as rules: the guarantee period a closed dig carries, where
 * a reported defect goes (the utility that dug while its works are in their guarantee period,
 * else the road authority of the road there, else the office), what a public report's photo
 * must be, and what public feedback must say. Pure: the caller loads the digs and roads near
 * the point and passes today.
 */
#ifndef WORKFLOWS_DEFECTS_H
#define WORKFLOWS_DEFECTS_H

#include <stdbool.h>
#include <stddef.h>

#include "calendar.h"
#include "geo.h"
#include "lib/error.h"

/* A defect this close to a dig's extent (metres) is taken to be in its reinstatement. */
#define DEFECTS_NEAR_M 5.0
/* The largest photo a report may carry (decoded bytes), and its text limit. */
#define DEFECTS_PHOTO_MAX (256 * 1024)
#define DEFECTS_TEXT_MAX 2000

/*
 * The last day of a guarantee of `months` starting on closed_on: the same day of the month
 * `months` later (the month's last day when it has fewer), so a dig closed on 2026-03-10 with
 * 12 months is guaranteed through 2027-03-10. Cannot fail.
 */
day_t defects_guarantee_to(day_t closed_on, int months);

/* A closed dig near the point: one extent of it. Borrowed. */
struct defects_dig {
	long long permit_id;
	long long utility_org_id; /* the utility whose excavation it is (0: unknown) */
	const struct geo *extent;
	day_t guarantee_to;	  /* -1: no guarantee recorded */
};

/* A road of the register in force near the point. Borrowed. */
struct defects_road {
	long long authority_org_id; /* whose register lists it */
	const char *road_id, *road_class, *district;
	const struct geo *centreline;
};

enum defects_target { DEFECTS_TO_UTILITY, DEFECTS_TO_AUTHORITY, DEFECTS_TO_OFFICE };

/* Where the report goes and why. */
struct defects_route {
	enum defects_target target;
	long long org_id;
	long long permit_id;	/* the dig it is charged to (utility), or the nearest closed dig */
	day_t guarantee_to;	/* that dig's last guarantee day, -1 when none */
	char road_id[33];	/* the road there, "" when none */
	char district[33];	/* the road's district, "" when none */
	char reason[200];
};

/*
 * Decides where a defect at `point` reported on `today` goes: to the utility of the nearest dig
 * within DEFECTS_NEAR_M whose guarantee runs through today; otherwise to the authority of the
 * nearest road whose corridor (place_corridor_m) holds the point; otherwise to office_org_id.
 * The reason says which, naming an expired guarantee when a closed dig is there. Cannot fail.
 */
void defects_route(const struct geo *point, day_t today, const struct defects_dig *digs,
		   size_t ndigs, const struct defects_road *roads, size_t nroads,
		   long long office_org_id, struct defects_route *out);

/* The stable names of targets: "utility", "authority", "office". */
const char *defects_target_name(enum defects_target t);

/*
 * Checks a report photo's decoded bytes: at most DEFECTS_PHOTO_MAX, a JPEG or PNG by its first
 * bytes, agreeing with the declared content type ("image/jpeg", "image/png"). Adds a detail at
 * `field` per problem and returns the count (0: fine).
 */
int defects_photo_check(const unsigned char *bytes, size_t n, const char *content_type,
			const char *field, struct error *err);

/*
 * Public feedback's rule: kind "rating" needs a score (good, average, bad), kind "complaint" a
 * text; either concerns a certificate number or a works location, exactly one. Adds a detail
 * per problem (fields kind, score, text, certificate_number) and returns the count.
 */
int defects_feedback_check(const char *kind, const char *score, const char *text,
			   bool has_certificate, bool has_location, struct error *err);

/* One road class's limits in a reinstatement standard to publish. */
struct defects_class_limits {
	char road_class[16];
	int guarantee_months; /* 1..120 */
	int remedial_days;    /* working days, 1..250 */
	int defect_days;      /* working days, 1..250 */
};

/*
 * A new version of the reinstatement standard: every road class of the register (expressway,
 * primary, secondary, branch) exactly once, each limit in its range, in force from today or
 * later (a standard never changes what was decided under the last). Adds a detail per problem
 * (fields road_classes[i].…, road_classes, effective_from) and returns the count.
 */
int defects_standards_check(const struct defects_class_limits *rows, size_t n,
			    day_t effective_from, day_t today, struct error *err);

#endif
