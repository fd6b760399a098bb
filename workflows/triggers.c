/* Permit triggers over site facts, dig-once grouping, the fast-track rule and trench overlap. */
#include "triggers.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "geo.h"
#include "lib/xalloc.h"

static bool empty(const char *s)
{
	return !s || !*s;
}

static bool windows_meet(const struct excavation *a, const struct excavation *b)
{
	return a->start_day <= b->end_day && b->start_day <= a->end_day;
}

/* --- which permits --------------------------------------------------------------------- */

static void push(struct trigger_list *list, enum permit_kind kind, size_t segment, char *reason)
{
	list->items = xrealloc(list->items, (list->n + 1) * sizeof(*list->items));
	list->items[list->n++] = (struct trigger){kind, reason, segment};
}

/* Lists every impossible quantity; returns how many it found. */
static size_t check_site(const struct site_facts *site, struct error *err)
{
	size_t bad = 0;
	char field[40];
	for (size_t i = 0; i < site->ndigs; i++) {
		const struct excavation *d = &site->digs[i];
		if (d->length_m < 0 || d->area_m2 < 0) {
			snprintf(field, sizeof(field), "digs[%zu]", i);
			error_add(err, field, "negative", "length %d m and area %d m² cannot be negative",
				  d->length_m, d->area_m2);
			bad++;
		}
	}
	if (site->green_area_m2 < 0 || site->trees_affected < 0 || site->lines_outside_plot_m < 0) {
		error_add(err, "site", "negative",
			  "areas, tree counts and lengths cannot be negative");
		bad++;
	}
	return bad;
}

int triggers_evaluate(const struct trigger_rules *rules, const struct site_facts *site,
		      struct trigger_list *out, struct error *err)
{
	*out = (struct trigger_list){NULL, 0};
	size_t bad = check_site(site, err);
	if (bad)
		return error_set(err, ERR_INVALID, "%zu site fact(s) are impossible", bad);

	for (size_t i = 0; i < site->ndigs; i++) {
		const struct excavation *d = &site->digs[i];
		int length = d->length_m;
		if (length > rules->dig_min_length_m)
			push(out, PERMIT_DIG_ROAD, i,
			     xasprintf("road excavation of %d m on %s", length,
				       empty(d->road) ? "an unnamed road" : d->road));
	}
	if (site->green_area_m2 > rules->green_min_area_m2 ||
	    site->trees_affected > rules->green_min_trees)
		push(out, PERMIT_GREENING, SIZE_MAX,
		     xasprintf("green space of %d m² and %d tree(s) affected", site->green_area_m2,
			       site->trees_affected));
	if (site->lines_outside_plot_m > rules->planning_min_outside_m)
		push(out, PERMIT_PLANNING, SIZE_MAX,
		     xasprintf("%d m of lines outside the plot boundary",
			       site->lines_outside_plot_m));
	return 0;
}

void triggers_list_release(struct trigger_list *list)
{
	for (size_t i = 0; i < list->n; i++)
		free(list->items[i].reason);
	free(list->items);
	*list = (struct trigger_list){NULL, 0};
}

/* --- dig once -------------------------------------------------------------------------- */

static size_t check_digs(const struct excavation *digs, size_t n, struct error *err)
{
	size_t bad = 0;
	char field[40];
	for (size_t i = 0; i < n; i++) {
		const struct excavation *d = &digs[i];
		snprintf(field, sizeof(field), "digs[%zu]", i);
		if (!d->extent || empty(d->road)) {
			error_add(err, field, "required",
				  "an excavation has an extent on a register road");
			bad++;
		}
		if (d->end_day < d->start_day) {
			error_add(err, field, "invalid_window",
				  "the work window ends before it starts");
			bad++;
		}
	}
	return bad;
}

/* The representative of i's set (with path halving). */
static size_t find(size_t *parent, size_t i)
{
	while (parent[i] != i) {
		parent[i] = parent[parent[i]];
		i = parent[i];
	}
	return i;
}

int triggers_group_digs(const struct excavation *digs, size_t n, double buffer_m,
			struct dig_group_list *out, struct error *err)
{
	*out = (struct dig_group_list){NULL, 0};
	size_t bad = check_digs(digs, n, err);
	if (bad)
		return error_set(err, ERR_INVALID, "%zu problem(s) with the excavations", bad);
	if (n == 0)
		return 0;

	/* Every pair that meets in place and time joins the two sets (n is at most 100). */
	size_t *parent = xmalloc(n * sizeof(*parent));
	for (size_t i = 0; i < n; i++)
		parent[i] = i;
	for (size_t i = 0; i < n; i++)
		for (size_t j = i + 1; j < n; j++)
			if (find(parent, i) != find(parent, j) && windows_meet(&digs[i], &digs[j]) &&
			    geo_near(digs[i].extent, digs[j].extent, buffer_m))
				parent[find(parent, j)] = find(parent, i);

	/* Groups in the order of their first member; members ascending. */
	size_t *group_of = xmalloc(n * sizeof(*group_of));
	out->groups = xcalloc(n, sizeof(*out->groups));
	for (size_t i = 0; i < n; i++) {
		size_t root = find(parent, i);
		if (root == i) {
			group_of[i] = out->n;
			out->groups[out->n++] = (struct dig_group){
			    .district = digs[i].district,
			    .road = digs[i].road,
			    .start_day = digs[i].start_day,
			    .end_day = digs[i].end_day,
			    .members = xmalloc(n * sizeof(size_t)),
			};
		} else {
			group_of[i] = group_of[root]; /* root < i: its set was opened first */
		}
		struct dig_group *g = &out->groups[group_of[i]];
		if (digs[i].start_day < g->start_day)
			g->start_day = digs[i].start_day;
		if (digs[i].end_day > g->end_day)
			g->end_day = digs[i].end_day;
		g->length_m += digs[i].length_m;
		g->members[g->nmembers++] = i;
	}
	free(group_of);
	free(parent);
	return 0;
}

void triggers_groups_release(struct dig_group_list *list)
{
	for (size_t i = 0; i < list->n; i++)
		free(list->groups[i].members);
	free(list->groups);
	*list = (struct dig_group_list){NULL, 0};
}

/* --- fast track ------------------------------------------------------------------------ */

static bool class_allowed(const struct fast_track_rules *rules, const char *road_class)
{
	for (size_t i = 0; !empty(road_class) && i < rules->nroad_classes; i++)
		if (strcmp(rules->road_classes[i], road_class) == 0)
			return true;
	return false;
}

/* Appends "; text" (or just text first) to the reason, truncating safely. */
static void note(struct fast_track_decision *out, const char *text)
{
	size_t used = strlen(out->reason);
	snprintf(out->reason + used, sizeof(out->reason) - used, "%s%s", used ? "; " : "", text);
}

void triggers_fast_track(const struct fast_track_rules *rules, const struct excavation *dig,
			 struct fast_track_decision *out)
{
	int length = dig->length_m;
	int days = dig->end_day - dig->start_day + 1;
	const char *cls = empty(dig->road_class) ? "(none)" : dig->road_class;
	char text[128];

	*out = (struct fast_track_decision){0};
	if (dig->zone_risk != ZONE_RISK_LOW) {
		out->failed |= FT_ZONE;
		if (empty(dig->zone))
			snprintf(text, sizeof(text), "not in a published low-risk zone");
		else
			snprintf(text, sizeof(text), "zone %s is %s risk, not low", dig->zone,
				 triggers_risk_name(dig->zone_risk));
		note(out, text);
	}
	if (!class_allowed(rules, dig->road_class)) {
		out->failed |= FT_ROAD_CLASS;
		snprintf(text, sizeof(text), "road class %s is not on the fast-track list", cls);
		note(out, text);
	}
	if (length > rules->max_length_m) {
		out->failed |= FT_LENGTH;
		snprintf(text, sizeof(text), "length %d m over %d m", length, rules->max_length_m);
		note(out, text);
	}
	if (dig->area_m2 > rules->max_area_m2) {
		out->failed |= FT_AREA;
		snprintf(text, sizeof(text), "area %d m² over %d m²", dig->area_m2,
			 rules->max_area_m2);
		note(out, text);
	}
	if (days > rules->max_duration_days) {
		out->failed |= FT_DURATION;
		snprintf(text, sizeof(text), "duration %d days over %d days", days,
			 rules->max_duration_days);
		note(out, text);
	}
	out->fast = out->failed == 0;
	if (out->fast)
		snprintf(
		    out->reason, sizeof(out->reason),
		    "low-risk zone %s, road class %s, %d m, %d m², %d days: within the "
		    "fast-track thresholds",
		    dig->zone, cls, length, dig->area_m2, days);
}

/* --- trench sharing -------------------------------------------------------------------- */

bool triggers_overlap(const struct excavation *a, const struct excavation *b, double buffer_m)
{
	return a->extent && b->extent && windows_meet(a, b) &&
	       geo_near(a->extent, b->extent, buffer_m);
}

static const char *const risk_names[ZONE_RISK_COUNT] = {
    [ZONE_RISK_LOW] = "low",
    [ZONE_RISK_MEDIUM] = "medium",
    [ZONE_RISK_HIGH] = "high",
};

const char *triggers_risk_name(enum zone_risk risk)
{
	return (unsigned)risk < ZONE_RISK_COUNT ? risk_names[risk] : "unknown";
}

int triggers_risk_parse(const char *s, enum zone_risk *out, struct error *err)
{
	for (int i = 0; s && i < ZONE_RISK_COUNT; i++) {
		if (strcmp(s, risk_names[i]) == 0) {
			*out = (enum zone_risk)i;
			return 0;
		}
	}
	return error_set(err, ERR_INVALID, "unknown zone risk '%s'", s ? s : "(null)");
}
