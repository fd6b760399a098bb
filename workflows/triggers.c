/* Permit triggers over site facts, dig-once grouping, the fast-track rule and trench overlap. */
#include "triggers.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/xalloc.h"

static bool empty(const char *s)
{
	return !s || !*s;
}

static bool ranges_meet(int a_from, int a_to, int b_from, int b_to)
{
	return a_from <= b_to && b_from <= a_to;
}

static bool same_road(const struct excavation *a, const struct excavation *b)
{
	return !empty(a->district) && !empty(a->road) && !empty(b->district) && !empty(b->road) &&
	       strcmp(a->district, b->district) == 0 && strcmp(a->road, b->road) == 0;
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
		if (d->from_m < 0 || d->to_m < d->from_m) {
			snprintf(field, sizeof(field), "digs[%zu].to_m", i);
			error_add(err, field, "invalid_range", "chainage %d..%d m is not a range",
				  d->from_m, d->to_m);
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
		int length = d->to_m - d->from_m;
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

struct ref {
	const struct excavation *e;
	size_t index;
};

/* Orders by district, road, chainage start, then input order, so the sweep sees neighbours. */
static int by_place(const void *pa, const void *pb)
{
	const struct ref *a = pa, *b = pb;
	int c = strcmp(a->e->district, b->e->district);
	if (!c)
		c = strcmp(a->e->road, b->e->road);
	if (!c)
		c = (a->e->from_m > b->e->from_m) - (a->e->from_m < b->e->from_m);
	if (!c)
		c = (a->index > b->index) - (a->index < b->index);
	return c;
}

static int by_index(const void *pa, const void *pb)
{
	size_t a = *(const size_t *)pa, b = *(const size_t *)pb;
	return (a > b) - (a < b);
}

static size_t check_digs(const struct excavation *digs, size_t n, struct error *err)
{
	size_t bad = 0;
	char field[40];
	for (size_t i = 0; i < n; i++) {
		const struct excavation *d = &digs[i];
		snprintf(field, sizeof(field), "digs[%zu]", i);
		if (empty(d->district) || empty(d->road)) {
			error_add(err, field, "required",
				  "an excavation names its district and road");
			bad++;
		}
		if (d->to_m < d->from_m) {
			error_add(err, field, "invalid_range", "chainage %d..%d m is reversed",
				  d->from_m, d->to_m);
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

static struct dig_group *open_group(struct dig_group_list *list, const struct ref *r, size_t n)
{
	struct dig_group *g = &list->groups[list->n++];
	*g = (struct dig_group){
	    .district = r->e->district,
	    .road = r->e->road,
	    .from_m = r->e->from_m,
	    .to_m = r->e->to_m,
	    .start_day = r->e->start_day,
	    .end_day = r->e->end_day,
	    .members = xmalloc(n * sizeof(size_t)),
	};
	return g;
}

static void join_group(struct dig_group *g, const struct ref *r)
{
	if (r->e->to_m > g->to_m)
		g->to_m = r->e->to_m;
	if (r->e->start_day < g->start_day)
		g->start_day = r->e->start_day;
	if (r->e->end_day > g->end_day)
		g->end_day = r->e->end_day;
	g->members[g->nmembers++] = r->index;
}

int triggers_group_digs(const struct excavation *digs, size_t n, struct dig_group_list *out,
			struct error *err)
{
	*out = (struct dig_group_list){NULL, 0};
	size_t bad = check_digs(digs, n, err);
	if (bad)
		return error_set(err, ERR_INVALID, "%zu problem(s) with the excavations", bad);
	if (n == 0)
		return 0;

	struct ref *refs = xmalloc(n * sizeof(*refs));
	for (size_t i = 0; i < n; i++)
		refs[i] = (struct ref){&digs[i], i};
	qsort(refs, n, sizeof(*refs), by_place);

	out->groups = xcalloc(n, sizeof(*out->groups));
	struct dig_group *g = NULL;
	for (size_t i = 0; i < n; i++) {
		/* Sorted by start, so a segment that starts past the group's end starts a new one.
		 */
		bool joins = g && strcmp(g->district, refs[i].e->district) == 0 &&
			     strcmp(g->road, refs[i].e->road) == 0 && refs[i].e->from_m <= g->to_m;
		if (!joins)
			g = open_group(out, &refs[i], n);
		join_group(g, &refs[i]);
	}
	for (size_t k = 0; k < out->n; k++)
		qsort(out->groups[k].members, out->groups[k].nmembers, sizeof(size_t), by_index);
	free(refs);
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
	int length = dig->to_m - dig->from_m;
	int days = dig->end_day - dig->start_day + 1;
	const char *cls = empty(dig->road_class) ? "(none)" : dig->road_class;
	char text[128];

	*out = (struct fast_track_decision){0};
	if (dig->zone_risk != ZONE_RISK_LOW) {
		out->failed |= FT_ZONE;
		snprintf(text, sizeof(text), "zone risk %s is not low",
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
		    "low-risk zone, road class %s, %d m, %d m², %d days: within the fast-track "
		    "thresholds",
		    cls, length, dig->area_m2, days);
}

/* --- trench sharing -------------------------------------------------------------------- */

bool triggers_overlap(const struct excavation *a, const struct excavation *b)
{
	return same_road(a, b) && ranges_meet(a->from_m, a->to_m, b->from_m, b->to_m) &&
	       ranges_meet(a->start_day, a->end_day, b->start_day, b->end_day);
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
