/*
 * Tests for workflows/sample_history.c: the same input gives the same history; every row is one
 * the portal could have written (states chain, stage clocks start on the published limits and
 * the calendar, people act on working days, nothing happens after now); and the history has
 * what the statistics and supervision need to show: late stages, deemed and fast-tracked
 * permits, supplement pauses, open tracks, ratings and follow-ups.
 */
#define _GNU_SOURCE
#include <criterion/criterion.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "workflows/application.h"
#include "demo/sample_history.h"
#include "workflows/stats.h"

static const char *const districts[] = {"350102", "350104", "350103", "350105"};

/* A standard like the demo's (portal/seed_published.c), in force from 2026-01-01. */
static struct service_standard *standard(const char *kind)
{
	bool permit =
	    !strcmp(kind, "dig_road") || !strcmp(kind, "greening") || !strcmp(kind, "planning");
	json_t *stages = json_array();
	static const char *const codes[] = {"accept", "survey", "plan", "construct", "complete"};
	static const int limits[] = {1, 3, 3, 10, 2};
	for (int i = 0; i < (permit ? 2 : 5); i++) {
		const char *code = permit && i == 1 ? "review" : codes[i];
		int limit = permit && i == 1 ? (!strcmp(kind, "planning") ? 10 : 5) : limits[i];
		json_array_append_new(
		    stages, json_pack("{s:s, s:s, s:s, s:i, s:b}", "code", code, "name_zh", code,
				      "name_en", code, "limit_days", limit, "silence_approves",
				      permit && i == 1 && !strcmp(kind, "dig_road")));
	}
	json_t *materials = json_pack(
	    "[{s:s, s:s, s:s, s:b, s:n, s:b}, {s:s, s:s, s:s, s:b, s:s, "
	    "s:b}]",
	    "type", "site_plan", "name_zh", "总平面图", "name_en", "Site plan", "required", 1,
	    "condition", "elicence", 0, "type", "excavation_plan", "name_zh", "挖掘方案", "name_en",
	    "Excavation plan", "required", 1, "condition", "excavation", "elicence", 0);
	json_t *doc = json_pack("{s:s, s:i, s:s, s:s, s:s, s:o, s:o}", "kind", kind, "version", 1,
				"effective_from", "2026-01-01", "name_zh", kind, "name_en", kind,
				"stages", stages, "materials", materials);
	if (!strcmp(kind, "dig_road"))
		json_object_set_new(doc, "fast_track",
				    json_pack("{s:b, s:[s], s:[s, s], s:i, s:i, s:i, s:i}",
					      "enabled", 1, "zone_risk", "low", "road_classes",
					      "branch", "secondary", "max_length_m", 50,
					      "max_area_m2", 100, "max_duration_days", 7,
					      "decision_days", 0));
	if (permit)
		json_object_set_new(doc, "trigger",
				    json_pack("{s:i, s:i, s:i, s:i}", "min_length_m", 0,
					      "min_area_m2", 0, "min_trees", 0, "min_outside_m",
					      0));
	struct service_standard *s = NULL;
	struct error err = ERROR_INIT;
	cr_assert_eq(standards_from_json(doc, &s, &err), 0, "%s: %s", kind, err.message);
	json_decref(doc);
	return s;
}

static const char *const kinds[] = {"water",   "power",	   "gas",      "heat",
				    "network", "dig_road", "greening", "planning"};
#define NKINDS 8

struct fixture {
	struct calendar cal;
	struct service_standard *std[NKINDS];
	struct sample_input in;
};

/* 1 April to 7 December 2026 (a Monday, 12:00 local), with National Day off. */
static void fixture_init(struct fixture *f, size_t nstandards)
{
	memset(f, 0, sizeof(*f));
	calendar_init(&f->cal);
	for (int d = 1; d <= 7; d++)
		calendar_add_holiday(&f->cal, cal_day_from_ymd(2026, 10, d));
	calendar_add_makeup(&f->cal, cal_day_from_ymd(2026, 10, 10));
	for (size_t i = 0; i < nstandards; i++)
		f->std[i] = standard(kinds[i]);
	f->in = (struct sample_input){
	    .seed = 42,
	    .now = (int64_t)cal_day_from_ymd(2026, 12, 7) * 86400 + 4 * 3600,
	    .first_day = cal_day_from_ymd(2026, 4, 1),
	    .last_day = cal_day_from_ymd(2026, 12, 7),
	    .per_week = 8,
	    .cal = &f->cal,
	    .districts = districts,
	    .ndistricts = 4,
	    .standards = (const struct service_standard *const *)f->std,
	    .nstandards = nstandards,
	};
}

static void fixture_release(struct fixture *f)
{
	for (size_t i = 0; i < NKINDS; i++)
		standards_free(f->std[i]);
	calendar_release(&f->cal);
}

static struct sample_history generate(struct fixture *f)
{
	struct sample_history h;
	struct error err = ERROR_INIT;
	cr_assert_eq(sample_history_generate(&f->in, &h, &err), 0, "%s", err.message);
	return h;
}

Test(sample_history, the_same_input_gives_the_same_history)
{
	struct fixture f;
	fixture_init(&f, NKINDS);
	struct sample_history a = generate(&f), b = generate(&f);
	cr_assert_eq(a.napps, b.napps);
	cr_assert_eq(a.nevents, b.nevents);
	cr_assert_eq(a.npauses, b.npauses);
	for (size_t i = 0; i < a.nevents; i++) {
		cr_assert_eq(a.events[i].at, b.events[i].at);
		cr_assert_eq(a.events[i].track, b.events[i].track);
		cr_assert_str_eq(a.events[i].action, b.events[i].action);
		cr_assert_str_eq(a.events[i].payload, b.events[i].payload);
	}
	for (size_t i = 0; i < a.napps; i++) {
		cr_assert_str_eq(a.apps[i].reference, b.apps[i].reference);
		cr_assert_str_eq(a.apps[i].request, b.apps[i].request);
	}
	/* another seed, another history */
	f.in.seed = 43;
	struct sample_history c = generate(&f);
	cr_expect(c.nevents != a.nevents ||
		  c.events[c.nevents / 2].at != a.events[a.nevents / 2].at);
	sample_history_release(&a);
	sample_history_release(&b);
	sample_history_release(&c);
	fixture_release(&f);
}

static int limit_of(const struct fixture *f, const struct sample_track *t, const char *stage)
{
	const char *kind =
	    t->permit ? permit_kind_name((enum permit_kind)t->kind) : utility_kind_name(t->kind);
	const struct service_standard *std = standards_in_force(
	    (const struct service_standard *const *)f->std, NKINDS, kind, f->in.first_day);
	int days = -1;
	cr_assert_eq(application_stage_limit(std, stage, &days, NULL), 0, "%s %s", kind, stage);
	return days;
}

Test(sample_history, every_row_is_one_the_portal_could_have_written)
{
	struct fixture f;
	fixture_init(&f, NKINDS);
	struct sample_history h = generate(&f);
	cr_assert_gt(h.napps, 200, "eight a week for eight months: %zu", h.napps);
	const struct sample_event **last = calloc(h.ntracks, sizeof(*last));
	for (size_t i = 0; i < h.nevents; i++) {
		const struct sample_event *e = &h.events[i];
		cr_assert_leq(e->at, f.in.now, "nothing after now");
		cr_assert(i == 0 || h.events[i - 1].at <= e->at, "in time order");
		cr_assert(sample_reference(h.apps[e->app].reference));
		json_t *payload = json_loads(e->payload, 0, NULL);
		cr_assert(payload, "a JSON payload: %s", e->payload);
		json_decref(payload);
		/* people work on working days; only the sweeper deems at night */
		if (e->role != ROLE_SYSTEM)
			cr_assert(calendar_is_working_day(&f.cal, cal_day_of_instant(e->at)),
				  "%s on a day off", e->action);
		if (e->track < 0)
			continue;
		const struct sample_track *t = &h.tracks[e->track];
		const struct sample_event *p = last[e->track];
		cr_assert(!p || p->at < e->at, "one track moves forward");
		if (p)
			cr_assert_str_eq(e->from, p->to, "%s: %s after %s", t->reference, e->action,
					 p->action);
		/* a stage starting here is due its published limit after its received day */
		if (e->stage && e->due_day >= 0 && (!p || !p->stage || strcmp(p->stage, e->stage)))
			cr_assert_eq(e->due_day,
				     calendar_add_working_days(&f.cal,
							       calendar_received_day(&f.cal, e->at),
							       limit_of(&f, t, e->stage)),
				     "%s %s", t->reference, e->stage);
		last[e->track] = e;
	}
	for (size_t k = 0; k < h.ntracks; k++)
		cr_assert_str_eq(last[k] ? last[k]->to : "", h.tracks[k].state, "%s ends as stored",
				 h.tracks[k].reference);
	for (size_t i = 0; i < h.npauses; i++) {
		const struct sample_pause *p = &h.pauses[i];
		cr_assert_geq(p->remaining_days, 0);
		cr_assert(p->resumed_at < 0 || p->resumed_at > p->paused_at);
		cr_assert(p->stage, "a pause stops a running stage");
		json_t *items = json_loads(p->items, 0, NULL);
		cr_assert(json_array_size(items) >= 1, "a pause lists what is owed: %s", p->items);
		cr_assert(json_string_value(json_object_get(json_array_get(items, 0), "code")));
		json_decref(items);
	}
	free(last);
	sample_history_release(&h);
	fixture_release(&f);
}

/* The track's finished stretch, as the statistics compute it. */
static bool track_on_time(const struct fixture *f, const struct sample_history *h, size_t k,
			  bool *finished)
{
	struct stats_event ev[64];
	struct stats_pause pa[8];
	size_t n = 0, np = 0;
	for (size_t i = 0; i < h->nevents && n < 64; i++) {
		const struct sample_event *e = &h->events[i];
		if (e->track != (long)k)
			continue;
		bool fin = h->tracks[k].permit
			       ? !strcmp(e->to, "approved") || !strcmp(e->to, "rejected")
			       : !strcmp(e->to, "completed");
		ev[n++] = (struct stats_event){e->at, e->stage, e->due_day, fin};
	}
	for (size_t i = 0; i < h->npauses && np < 8; i++)
		if (h->pauses[i].track == k)
			pa[np++] =
			    (struct stats_pause){h->pauses[i].paused_at, h->pauses[i].resumed_at};
	struct stats_span sp[64];
	size_t ns = stats_spans(&f->cal, ev, n, pa, np, sp, 64);
	*finished = ns > 0 && ns <= 64 && !sp[ns - 1].stage;
	return *finished && sp[ns - 1].on_time;
}

Test(sample_history, has_what_supervision_and_statistics_are_for)
{
	struct fixture f;
	fixture_init(&f, NKINDS);
	struct sample_history h = generate(&f);
	int late = 0, on_time = 0, deemed = 0, fast = 0, open = 0, overdue = 0, bad = 0;
	int follow_ups = 0, months[13] = {0};
	day_t today = cal_day_of_instant(f.in.now);
	for (size_t k = 0; k < h.ntracks; k++) {
		const struct sample_track *t = &h.tracks[k];
		bool finished;
		if (track_on_time(&f, &h, k, &finished))
			on_time++;
		else if (finished)
			late++;
		deemed += t->deemed;
		fast += t->fast_track;
		bool terminal = !strcmp(t->state, "completed") || !strcmp(t->state, "withdrawn") ||
				(t->permit && strcmp(t->state, "submitted") &&
				 strcmp(t->state, "under_review") && strcmp(t->state, "returned"));
		open += !terminal;
		overdue += t->stage && !t->clock.paused && t->clock.due_day < today;
		bad += t->score && !strcmp(t->score, "bad");
		follow_ups += t->follow_up != NULL;
		if (t->deemed)
			cr_expect_str_eq(t->decision, "deemed_approved");
	}
	for (size_t i = 0; i < h.napps; i++) {
		int m;
		cal_day_to_ymd(h.apps[i].submitted_day, NULL, &m, NULL);
		months[m]++;
	}
	int nmonths = 0;
	for (int m = 1; m <= 12; m++)
		nmonths += months[m] > 0;
	cr_expect_geq(nmonths, 8, "April to December");
	cr_expect_gt(late, 0, "some tracks ran late");
	cr_expect_gt(on_time, late * 3, "most kept their limits: %d on time, %d late", on_time,
		     late);
	cr_expect_geq(deemed, 1, "a dig-road review left past its limit is deemed");
	cr_expect_geq(fast, 10, "low-risk digs are fast-tracked");
	cr_expect_geq(open, 10, "recent applications are still open");
	cr_expect_geq(overdue, 1, "some open stages are past their limit");
	cr_expect_geq(h.npauses, 20, "supplement pauses");
	cr_expect_gt(bad, 0);
	cr_expect_eq(follow_ups, bad, "every bad rating opens a follow-up");
	sample_history_release(&h);
	fixture_release(&f);
}

Test(sample_history, needs_the_standards_in_force)
{
	struct fixture f;
	fixture_init(&f, NKINDS - 1); /* no planning standard */
	struct sample_history h;
	struct error err = ERROR_INIT;
	cr_assert_eq(sample_history_generate(&f.in, &h, &err), ERR_INVALID);
	cr_expect(strstr(err.message, "planning"), "%s", err.message);
	error_release(&err);
	fixture_release(&f);
	cr_expect(sample_reference("SAMPLE-2026-0001-W"));
	cr_expect(!sample_reference("HK-2026-000001"));
	cr_expect(!sample_reference(NULL));
}

/*
 * Whatever the time the demo is seeded at, the history keeps every rule: `now` cuts tracks at
 * any instant of the day (a seed at 22:32 once broke a rule in CI), so sweep it over a week in
 * steps that fall on every minute of the day.
 */
Test(sample_history, every_seeding_time_keeps_the_rules, .timeout = 120)
{
	struct fixture f;
	fixture_init(&f, NKINDS);
	int64_t base = (int64_t)cal_day_from_ymd(2026, 12, 7) * 86400 - 8 * 3600;
	int broke = 0;
	char first[400] = "";
	for (int64_t t = 0; t < 7 * 86400; t += 2 * 3600 + 17 * 60 + 7) {
		f.in.now = base + t;
		f.in.last_day = cal_day_of_instant(f.in.now);
		struct sample_history h;
		struct error err = ERROR_INIT;
		if (sample_history_generate(&f.in, &h, &err) != 0) {
			if (!broke++)
				snprintf(first, sizeof(first), "now %lld: %s", (long long)f.in.now,
					 err.message);
		} else {
			sample_history_release(&h);
		}
		error_release(&err);
	}
	cr_expect_eq(broke, 0, "%d seeding times broke a rule; first: %s", broke, first);
	fixture_release(&f);
}
