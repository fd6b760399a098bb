/*
 * Coordination of digs (issue #20): planned excavations registered months ahead, from projects
 * and from utilities' own planned network works, read as one plan per road and district; two
 * planned digs on the same register road within COORDINATION_MONTHS of each other are a
 * conflict dig-once could remove (combine them before anyone applies). Pure: no I/O, no clock.
 */
#ifndef WORKFLOWS_COORDINATION_H
#define WORKFLOWS_COORDINATION_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#include "calendar.h"
#include "geo.h"
#include "lib/error.h"

/* Two planned digs on one road this many months apart or closer are flagged (README). */
#define COORDINATION_MONTHS 6
/* At most this many planned digs per registration; each lasts at most a year. */
#define COORDINATION_MAX_DIGS 20
#define COORDINATION_MAX_DAYS 366

/* One planned dig as registered: its extent (a line or polygon), its dates, its purpose. */
struct planned_dig_request {
	struct geo *extent; /* owned */
	day_t start_day, end_day;
	char purpose[201];
};

/*
 * Reads "digs": [{"geometry": LineString or Polygon, "start_date", "end_date", "purpose"?}] in
 * crs into *out (*n of them), one detail per problem (field "digs[1].end_date", codes
 * "required", "wrong_type", "in_the_past", "invalid_range", "too_long", "unknown_field", and
 * geo_parse's). Absent: none. Returns the number of problems added. Release with
 * coordination_digs_release whatever the result.
 */
size_t coordination_parse_digs(const json_t *digs, enum geo_crs crs, day_t today,
			       struct planned_dig_request **out, size_t *n, struct error *err);
void coordination_digs_release(struct planned_dig_request *d, size_t n);

/* d plus months calendar months, the day clamped to the month's last (Jan 31 + 1 = Feb 28). */
day_t coordination_add_months(day_t d, int months);

/* A planned dig as the rule sees it (strings borrowed). */
struct planned_dig {
	long long id, project_id;
	const char *road_id; /* NULL or "": not on a register road, never in conflict */
	day_t start_day, end_day;
};

/* Two digs (indices into the array given) that could be combined; gap_days 0 when they overlap. */
struct dig_conflict {
	size_t a, b;
	int gap_days;
};

/*
 * Whether x and y conflict: different projects, the same register road, the later one starting
 * no more than `months` months after the earlier one ends (overlapping ones included); the days
 * between them into *gap_days (0 when they overlap; NULL: not wanted).
 */
bool coordination_pair(const struct planned_dig *x, const struct planned_dig *y, int months,
		       int *gap_days);

/*
 * Every conflicting pair (coordination_pair) of the digs into out (at most cap, a before b in
 * array order; pairs grouped by road, then by the earlier start); returns how many there are
 * (may exceed cap). One sorted pass per road: O(n log n + pairs), not every pair of the array.
 */
size_t coordination_conflicts(const struct planned_dig *d, size_t n, int months,
			      struct dig_conflict *out, size_t cap);

#endif
