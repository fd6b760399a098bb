/* The demo's sample history, generated through the real transition tables and stage clock. */
#define _GNU_SOURCE
#include "sample_history.h"

#include <jansson.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "demo/fuzhou.h"
#include "workflows/job.h"
#include "lib/json_text.h"
#include "workflows/permit.h"
#include "lib/xalloc.h"

bool sample_reference(const char *reference)
{
	return reference && strncmp(reference, SAMPLE_PREFIX, strlen(SAMPLE_PREFIX)) == 0;
}

/* --- how each party works -----------------------------------------------------------------
 * speed: the share of a limit an on-time stage typically uses; late: the chance that a stage
 * runs past its limit; returns: the chance that acceptance returns the file for a supplement.
 * Fixed per kind, so the demo's rankings read the same every time; varied per district by
 * the seed. The figures are invented to give the statistics something to show.
 */
struct profile {
	double speed, late, returns;
};

static const struct profile utility_profile[UK_COUNT] = {
    [UK_WATER] = {0.70, 0.025, 0.10},	[UK_POWER] = {0.55, 0.015, 0.06},
    [UK_GAS] = {0.85, 0.045, 0.18},	[UK_HEAT] = {0.95, 0.055, 0.12},
    [UK_NETWORK] = {0.50, 0.010, 0.04},
};

static const struct profile authority_profile[PERMIT_KIND_COUNT] = {
    [PERMIT_DIG_ROAD] = {0.70, 0.050, 0.05},
    [PERMIT_GREENING] = {0.60, 0.030, 0.08},
    [PERMIT_PLANNING] = {0.90, 0.070, 0.10},
};

/* How likely an application wants each utility. */
static const double wanted_share[UK_COUNT] = {0.85, 0.90, 0.45, 0.35, 0.70};
/* Whether a utility's works dig the road (network mostly uses existing ducts). */
static const double digs_share[UK_COUNT] = {1.0, 0.75, 1.0, 1.0, 0.2};

/* The sample works dig the demo city's register roads (demo/fuzhou.c). */
#define NROADS fz_nroads

/*
 * What a return asks for, by material type: the published return-item code (migration 0011)
 * and a reason a real case officer would give.
 */
static const struct {
	const char *type, *code, *comment;
} return_reasons[] = {
    {"site_plan", "DRAWING_INCOMPLETE",
     "总平面图未标注接入位置 / The site plan does not mark the connection point"},
    {"pipeline_drawing", "DRAWING_INCOMPLETE",
     "管线设计图缺少管径标注 / The pipeline drawing gives no pipe sizes"},
    {"load_calculation", "SIGNATURE_MISSING",
     "负荷计算书未盖章 / The load calculation is not stamped"},
    {"excavation_plan", "DRAWING_INCOMPLETE",
     "挖掘方案未写明回填工艺 / The excavation plan does not describe the backfill"},
    {"traffic_plan", "DRAWING_INCOMPLETE",
     "交通组织方案缺少夜间施工安排 / The traffic plan has no night-work plan"},
    {"tree_survey", "DRAWING_INCOMPLETE",
     "树木调查表缺少胸径 / The tree survey gives no trunk diameters"},
};

static const char *const good_comments[] = {
    "办理快，一次讲清楚 / Quick, and told us everything at once",
    "现场勘察很专业 / A professional site survey",
    "比承诺时间还早 / Earlier than promised",
    "全程网上办理，不用跑腿 / All online, no visits needed",
};
static const char *const average_comments[] = {
    "时间还可以，沟通一般 / Time was fine, communication so-so",
    "补正了一次材料 / We had to supplement once",
};
static const char *const bad_comments[] = {
    "超过承诺时限 / Past the published limit",
    "多次催办才有回复 / Answered only after several reminders",
    "前后要求的材料不一致 / Asked for different materials each time",
};
static const char *const answers[] = {
    "已约谈经办人员并整改 / We spoke to the case officer and fixed the cause",
    "已调整排班，缩短等待 / The rota is changed to shorten the wait",
};
static const char *const close_notes[] = {
    "答复已核实 / Answer verified",
    "整改到位 / Remedy confirmed",
};

#define N(a) (sizeof(a) / sizeof((a)[0]))

/* --- the generator's state ----------------------------------------------------------------- */

struct gen {
	const struct sample_input *in;
	struct sample_history *h;
	uint64_t rng;
	size_t cap_sites, cap_apps, cap_tracks, cap_events, cap_pauses, cap_links, cap_digs,
	    cap_insp;
	struct profile *district;
	double *district_weight;
	int (*district_sites)[3]; /* site index + 1 per district, 0: not made yet */
	char failure[300];	  /* the first step the tables refused (a generator bug) */
};

/* splitmix64: small, fast and the same everywhere, which is all a demo needs. */
static uint64_t next(struct gen *g)
{
	uint64_t z = (g->rng += 0x9E3779B97F4A7C15ULL);
	z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
	z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
	return z ^ (z >> 31);
}

static double unit(struct gen *g)
{
	return (double)(next(g) >> 11) / (double)(1ULL << 53);
}

static int below(struct gen *g, int n)
{
	return n > 0 ? (int)(next(g) % (uint64_t)n) : 0;
}

static bool chance(struct gen *g, double p)
{
	return unit(g) < p;
}

#define GROW(g, arr, n, cap)                                                                       \
	do {                                                                                       \
		if ((n) == (cap)) {                                                                \
			(cap) = (cap) ? (cap)*2 : 64;                                              \
			(arr) = xrealloc((arr), (cap) * sizeof(*(arr)));                           \
		}                                                                                  \
		memset(&(arr)[(n)], 0, sizeof(*(arr)));                                            \
	} while (0)

/* --- time ------------------------------------------------------------------------------------ */

static int64_t local_instant(day_t day, int seconds)
{
	return (int64_t)day * 86400 + seconds - CAL_TZ_OFFSET_SECONDS;
}

/*
 * An instant in office hours (09:00-16:50 local) on the first working day from `day` on, at
 * least ten minutes after `after`.
 */
static int64_t office_time(struct gen *g, day_t day, int64_t after)
{
	for (;; day++) {
		if (!calendar_is_working_day(g->in->cal, day))
			continue;
		int64_t lo = local_instant(day, 9 * 3600),
			hi = local_instant(day, 16 * 3600 + 3000);
		if (lo < after + 600)
			lo = after + 600;
		if (lo <= hi)
			return lo + below(g, (int)(hi - lo + 1));
	}
}

static day_t day_of(int64_t at)
{
	return cal_day_of_instant(at);
}

/* --- output -------------------------------------------------------------------------------- */

struct sim {
	size_t track;
	const struct service_standard *std;
	struct profile p;
	int64_t last;	  /* the last event's instant */
	day_t count_from; /* the day the running stage counts from (start or resume) */
	bool late;	  /* some stage ended after its due day */
	int64_t decided_at, completed_at;
};

static struct sample_track *track(struct gen *g, const struct sim *s)
{
	return &g->h->tracks[s->track];
}

static void add_event(struct gen *g, const struct sim *s, const char *action, const char *from,
		      const char *to, enum role role, enum sample_party party, int64_t at,
		      json_t *payload)
{
	struct sample_history *h = g->h;
	struct sample_track *t = track(g, s);
	GROW(g, h->events, h->nevents, g->cap_events);
	struct sample_event *e = &h->events[h->nevents++];
	e->app = t->app;
	e->track = (long)s->track;
	e->action = action;
	e->from = from;
	e->to = to;
	e->role = role;
	e->party = party;
	e->at = at;
	e->stage = t->stage;
	e->due_day = t->stage && !t->clock.paused ? t->clock.due_day : -1;
	e->payload = json_text(payload);
	json_decref(payload);
	t->version++;
	t->updated_at = at;
}

static int stage_limit(const struct service_standard *std, const char *stage)
{
	int days = 0;
	return application_stage_limit(std, stage, &days, NULL) == 0 ? days : 0;
}

/*
 * The clock part of a transition at `at`: what the portal's handler does with the effect the
 * table returned. A pause is put on the record with the items owed.
 */
static void clock_effect(struct gen *g, struct sim *s, enum clock_effect effect, const char *stage,
			 enum role role, int64_t at, json_t *payload)
{
	struct sample_track *t = track(g, s);
	const struct calendar *cal = g->in->cal;
	switch (effect) {
	case CLOCK_KEEP:
		break;
	case CLOCK_STOP:
		memset(&t->clock, 0, sizeof(t->clock));
		t->stage = NULL;
		break;
	case CLOCK_START:
		clock_start(&t->clock, cal, stage_limit(s->std, stage), at, NULL);
		t->stage = stage;
		s->count_from = t->clock.started_day;
		break;
	case CLOCK_PAUSE: {
		struct clock_pause rec;
		if (!t->stage ||
		    clock_pause(&t->clock, cal, at, CLOCK_REASON_SUPPLEMENT, role, &rec, NULL) != 0)
			break;
		struct sample_history *h = g->h;
		GROW(g, h->pauses, h->npauses, g->cap_pauses);
		struct sample_pause *p = &h->pauses[h->npauses++];
		p->track = s->track;
		p->stage = t->stage;
		p->items = json_text(json_object_get(payload, "items"));
		p->role = role;
		p->paused_at = at;
		p->resumed_at = -1;
		p->paused_day = rec.day;
		p->remaining_days = rec.remaining_days;
		break;
	}
	case CLOCK_RESUME:
		if (!t->stage || !t->clock.paused || clock_resume(&t->clock, cal, at, NULL) != 0)
			break;
		s->count_from = calendar_received_day(cal, at);
		for (size_t i = g->h->npauses; i-- > 0;)
			if (g->h->pauses[i].track == s->track && g->h->pauses[i].resumed_at < 0) {
				g->h->pauses[i].resumed_at = at;
				break;
			}
		break;
	}
}

static void fail(struct gen *g, const struct sim *s, const char *action, const struct error *err)
{
	if (!g->failure[0])
		snprintf(g->failure, sizeof(g->failure), "%s %s: %s", track(g, s)->reference,
			 action, err->message);
}

/* Instants only move forward on one track. */
static int64_t after_last(const struct sim *s, int64_t at)
{
	return at > s->last ? at : s->last + 60;
}

/*
 * What every step records once its workflow said yes: a stage that ran past its due day makes
 * the application late, the clock moves, the history gets the event, the track its new state.
 */
static void record_step(struct gen *g, struct sim *s, struct sample_track *t, const char *action,
			const char *to, enum clock_effect clock, const char *stage, enum role role,
			enum sample_party party, int64_t at, json_t *payload)
{
	if (t->stage && !t->clock.paused && day_of(at) > t->clock.due_day && clock != CLOCK_PAUSE)
		s->late = true;
	clock_effect(g, s, clock, stage, role, at, payload);
	add_event(g, s, action, t->state, to, role, party, at, payload);
	t->state = to;
	s->last = at;
}

/*
 * One job transition through job_apply. False, changing nothing, when `at` is after now (the
 * track stays as it is) or the table refuses (recorded as a failure).
 */
static bool job_step(struct gen *g, struct sim *s, const char *action, enum role role,
		     enum sample_party party, int64_t at, const struct job_facts *f,
		     json_t *payload)
{
	at = after_last(s, at);
	struct sample_track *t = track(g, s);
	if (at > g->in->now) {
		json_decref(payload);
		return false;
	}
	enum job_state from;
	struct job_outcome out;
	struct error err = ERROR_INIT;
	if (job_state_parse(t->state, &from, &err) != 0 ||
	    job_apply(f, from, action, role, &out, &err) != 0) {
		fail(g, s, action, &err);
		error_release(&err);
		json_decref(payload);
		return false;
	}
	record_step(g, s, t, action, job_state_name(out.state), out.clock, out.stage, role, party,
		    at, payload);
	return true;
}

/* The same for a permit; f carries the permit as it stands plus the payload's facts. */
static bool permit_step(struct gen *g, struct sim *s, const char *action, enum role role,
			enum sample_party party, int64_t at, struct permit_facts *f,
			json_t *payload)
{
	at = after_last(s, at);
	struct sample_track *t = track(g, s);
	if (at > g->in->now) {
		json_decref(payload);
		return false;
	}
	enum permit_state from;
	struct permit_outcome out;
	struct error err = ERROR_INIT;
	f->kind = (enum permit_kind)t->kind;
	permit_decision_parse(t->decision, &f->decision, NULL);
	f->is_deemed = t->deemed;
	f->post_checked = t->post_checked;
	f->reinstatement_passed = t->reinstated;
	f->window_from = t->window_from;
	f->window_to = t->window_to;
	f->due_day = t->clock.due_day;
	f->today = day_of(at);
	if (permit_state_parse(t->state, &from, &err) != 0 ||
	    permit_apply(f, from, action, role, &out, &err) != 0) {
		fail(g, s, action, &err);
		error_release(&err);
		json_decref(payload);
		return false;
	}
	record_step(g, s, t, action, permit_state_name(out.state), out.clock, out.stage, role,
		    party, at, payload);
	t->decision = permit_decision_name(out.decision);
	t->deemed = out.is_deemed;
	t->post_checked = out.post_checked;
	t->window_from = out.window_from;
	t->window_to = out.window_to;
	return true;
}

/*
 * When the running stage ends: a number of working days drawn from the party's profile
 * (mostly inside the limit, now and then past it), counted from the stage's start or resume.
 */
static int64_t stage_end(struct gen *g, struct sim *s)
{
	const struct sample_track *t = track(g, s);
	const struct calendar *cal = g->in->cal;
	/*
	 * Now and then a stage whose limit ran out in the last weeks is still not done today:
	 * what the supervision list is for. It ends after the history does.
	 */
	day_t today = day_of(g->in->now);
	if (t->clock.due_day < today && t->clock.due_day > today - 21 && chance(g, 0.03))
		return g->in->now + 86400;
	int left = calendar_working_days_between(cal, s->count_from, t->clock.due_day);
	int d;
	if (chance(g, s->p.late))
		d = left + 1 + below(g, left > 4 ? 8 : 4);
	else {
		d = (int)(left * s->p.speed * (0.35 + 0.65 * unit(g)) + 0.5);
		if (d > left)
			d = left;
	}
	return office_time(g, calendar_add_working_days(cal, s->count_from, d), s->last);
}

/* Working days later, in office hours. */
static int64_t later(struct gen *g, int64_t from, int min_days, int spread)
{
	day_t d = calendar_add_working_days(g->in->cal, day_of(from), min_days + below(g, spread));
	return office_time(g, d, from);
}

static json_t *action_payload(const char *action)
{
	return json_pack("{s:s}", "action", action);
}

/* A return listing one or two of the application's materials, each with why. */
static json_t *return_payload(struct gen *g, const struct sample_app *a)
{
	json_t *items = json_array();
	int want = 1 + below(g, 2);
	for (size_t k = 0, start = (size_t)below(g, (int)a->nmaterials);
	     k < a->nmaterials && (int)json_array_size(items) < want; k++) {
		const char *type = a->materials[(start + k) % a->nmaterials];
		for (size_t r = 0; r < N(return_reasons); r++)
			if (!strcmp(return_reasons[r].type, type))
				json_array_append_new(
				    items, json_pack("{s:s, s:s}", "code", return_reasons[r].code,
						     "comment", return_reasons[r].comment));
	}
	if (!json_array_size(items))
		json_array_append_new(items, json_pack("{s:s, s:s}", "code", return_reasons[0].code,
						       "comment", return_reasons[0].comment));
	return json_pack("{s:s, s:o}", "action", "return", "items", items);
}

/* --- one application --------------------------------------------------------------------- */

struct plan {
	size_t app;
	int64_t t0;
	bool wanted[UK_COUNT], digs[UK_COUNT];
	long job[UK_COUNT];		/* track index, -1 when not wanted */
	long permit[PERMIT_KIND_COUNT]; /* track index, -1 when not triggered */
	struct sim jsim[UK_COUNT], psim[PERMIT_KIND_COUNT];
	json_t *params[UK_COUNT];
	const char *road, *road_class;
	int from_m, to_m;
	day_t dig_from, dig_to;
	int green_m2, trees, outside_m;
	bool fast_track;
};

static size_t site_for(struct gen *g, int district)
{
	int which = below(g, 3);
	if (g->district_sites[district][which])
		return (size_t)g->district_sites[district][which] - 1;
	struct sample_history *h = g->h;
	GROW(g, h->sites, h->nsites, g->cap_sites);
	struct sample_site *s = &h->sites[h->nsites];
	const char *code = g->in->districts[district];
	s->district = district;
	snprintf(s->name, sizeof(s->name), "Sample block %zu", h->nsites + 1);
	snprintf(s->address, sizeof(s->address), "%s %d号",
		 fz_roads[(size_t)(district * 3 + which) % NROADS].name_zh, 1 + below(g, 400));
	snprintf(s->plot_ref, sizeof(s->plot_ref), SAMPLE_PREFIX "%.16s-%c", code,
		 (char)('1' + which));
	/* near a landmark of its district (demo/fuzhou.c), else near Wuyi Square */
	double lat = 26.0787, lng = 119.3035;
	for (size_t i = 0; i < fz_nlandmarks; i++)
		if (!strcmp(fz_landmarks[i].district, code)) {
			lat = fz_landmarks[i].lat;
			lng = fz_landmarks[i].lng;
			break;
		}
	s->lat = lat + 0.004 * (unit(g) - 0.5);
	s->lng = lng + 0.004 * (unit(g) - 0.5);
	s->zone_risk = which == 2 ? "medium" : "low";
	g->district_sites[district][which] = (int)++h->nsites;
	return h->nsites - 1;
}

static int pick_district(struct gen *g)
{
	double total = 0;
	for (size_t i = 0; i < g->in->ndistricts; i++)
		total += g->district_weight[i];
	double x = unit(g) * total;
	for (size_t i = 0; i < g->in->ndistricts; i++) {
		if (x < g->district_weight[i])
			return (int)i;
		x -= g->district_weight[i];
	}
	return (int)g->in->ndistricts - 1;
}

static json_t *utility_params(struct gen *g, int k)
{
	switch (k) {
	case UK_WATER: {
		static const int dn[] = {25, 32, 50, 80, 100};
		return json_pack("{s:i, s:s, s:i}", "dn", dn[below(g, 5)], "use",
				 chance(g, 0.6) ? "domestic" : "commercial", "meters",
				 1 + below(g, 4));
	}
	case UK_POWER:
		return json_pack("{s:i, s:s}", "kw", 200 + 50 * below(g, 24), "voltage_level",
				 "10kV");
	case UK_GAS:
		return json_pack("{s:i, s:s, s:i}", "flow_m3h", 20 + 10 * below(g, 10),
				 "pressure_class", chance(g, 0.8) ? "low" : "medium", "meters",
				 1 + below(g, 3));
	case UK_HEAT:
		return json_pack("{s:i}", "load_kw", 300 + 100 * below(g, 12));
	default:
		return json_pack("{s:i, s:i}", "bandwidth_mbps", chance(g, 0.5) ? 500 : 1000,
				 "ports", 4 * (1 + below(g, 6)));
	}
}

/* The fee parameters of a job, as the portal's estimate reads them. */
static void fee_params(const struct plan *pl, int k, struct fee_params *fp)
{
	fees_params_init(fp);
	static const struct {
		const char *json, *fee;
	} names[] = {{"dn", "dn"},	   {"kw", "kw"},       {"load_kw", "kw"},
		     {"meters", "meters"}, {"ports", "ports"}, {"flow_m3h", "flow_m3h"}};
	for (size_t i = 0; i < N(names); i++) {
		json_t *v = json_object_get(pl->params[k], names[i].json);
		if (json_is_integer(v))
			fees_params_set(fp, names[i].fee, json_integer_value(v), NULL);
	}
	fees_params_set(fp, "length_m", pl->digs[k] ? pl->to_m - pl->from_m : 0, NULL);
	if (!fp->has[FEE_PARAM_METERS])
		fees_params_set(fp, "meters", 1, NULL);
	fees_params_set(fp, "connections", 1, NULL);
}

/* The estimate of one kind on day from its schedules, into lines; 0 lines when none applies. */
static int64_t price(const struct fee_schedule *const *sched, size_t n, const char *kind, day_t day,
		     const struct fee_params *fp, json_t *lines)
{
	const struct fee_schedule *s = fees_schedule_in_force(sched, n, kind, day);
	struct fee_estimate e = {0};
	int64_t total = 0;
	if (s && fees_estimate(&s, 1, day, fp, &e, NULL) == 0) {
		json_t *j = fees_estimate_to_json(&e);
		json_array_extend(lines, json_object_get(j, "lines"));
		total = e.total_fen;
		json_decref(j);
	}
	fees_estimate_release(&e);
	return total;
}

static bool has_type(const struct sample_app *a, const char *type)
{
	for (size_t i = 0; i < a->nmaterials; i++)
		if (!strcmp(a->materials[i], type))
			return true;
	return false;
}

/* The materials the standards of the application's tracks require, each once. */
static void add_materials(struct sample_app *a, const struct service_standard *std, bool excavation,
			  bool green, bool outside)
{
	for (size_t i = 0; std && i < std->nmaterials; i++) {
		const struct material_standard *m = &std->materials[i];
		const char *c = m->condition;
		bool applies = !c || (!strcmp(c, "excavation") && excavation) ||
			       (!strcmp(c, "green_space") && green) ||
			       (!strcmp(c, "outside_plot") && outside);
		if (m->required && applies && !has_type(a, m->type) &&
		    a->nmaterials < N(a->materials))
			a->materials[a->nmaterials++] = m->type;
	}
}

static long new_track(struct gen *g, struct plan *pl, bool permit, int kind,
		      const struct service_standard *std, struct sim *s)
{
	struct sample_history *h = g->h;
	GROW(g, h->tracks, h->ntracks, g->cap_tracks);
	struct sample_track *t = &h->tracks[h->ntracks];
	t->app = pl->app;
	t->permit = permit;
	t->kind = kind;
	snprintf(t->reference, sizeof(t->reference), "%s-%s", h->apps[pl->app].reference,
		 permit ? permit_suffix((enum permit_kind)kind) : utility_suffix(kind));
	t->state = "submitted";
	t->decision = "none";
	t->window_from = t->window_to = t->deadline_day = -1;
	t->quote_total_fen = -1;
	t->created_at = t->updated_at = pl->t0;
	memset(s, 0, sizeof(*s));
	s->track = h->ntracks;
	s->std = std;
	s->last = pl->t0 - 60;
	s->decided_at = s->completed_at = -1;
	return (long)h->ntracks++;
}

/* Starts a track as submission does: its first stage's clock and the submit row. */
static void submit_track(struct gen *g, struct plan *pl, struct sim *s)
{
	struct sample_track *t = track(g, s);
	clock_effect(g, s, CLOCK_START, JOB_FIRST_STAGE, ROLE_APPLICANT, pl->t0, NULL);
	add_event(g, s, "submit", NULL, "submitted", ROLE_APPLICANT, SAMPLE_APPLICANT, pl->t0,
		  json_object());
	t->version = 1;
	s->last = pl->t0;
}

/* Acceptance may first return the file; the applicant supplements within days. */
static bool maybe_return(struct gen *g, struct plan *pl, struct sim *s, bool permit)
{
	if (!chance(g, s->p.returns))
		return true;
	const struct sample_app *a = &g->h->apps[pl->app];
	int64_t at = office_time(
	    g, calendar_add_working_days(g->in->cal, s->count_from, below(g, 2)), s->last);
	json_t *payload = return_payload(g, a);
	size_t nitems = json_array_size(json_object_get(payload, "items"));
	struct job_item ji[4];
	struct permit_code pc[4];
	for (size_t i = 0; i < nitems && i < 4; i++) {
		json_t *it = json_array_get(json_object_get(payload, "items"), i);
		ji[i].code = pc[i].code = json_string_value(json_object_get(it, "code"));
		ji[i].comment = pc[i].comment = json_string_value(json_object_get(it, "comment"));
	}
	bool ok;
	if (permit) {
		struct permit_facts f = {.items = pc, .nitems = nitems};
		ok = permit_step(g, s, "return", ROLE_AUTHORITY, SAMPLE_HANDLER, at, &f, payload);
	} else {
		struct job_facts f = {.items = ji, .nitems = nitems};
		ok = job_step(g, s, "return", ROLE_UTILITY, SAMPLE_HANDLER, at, &f, payload);
	}
	if (!ok)
		return false;
	at = later(g, s->last, 1, 5);
	if (permit) {
		struct permit_facts f = {0};
		return permit_step(g, s, "supplement", ROLE_APPLICANT, SAMPLE_APPLICANT, at, &f,
				   action_payload("supplement"));
	}
	return job_step(g, s, "supplement", ROLE_APPLICANT, SAMPLE_APPLICANT, at, NULL,
			action_payload("supplement"));
}

/* A permit from filing to its decision (or as far as now allows). */
static void run_permit(struct gen *g, struct plan *pl, int k)
{
	struct sim *s = &pl->psim[k];
	struct sample_track *t = track(g, s);
	const struct calendar *cal = g->in->cal;
	int acc = stage_limit(s->std, "acceptance"), rev = stage_limit(s->std, "review");
	t->deadline_day =
	    calendar_add_working_days(cal, calendar_received_day(cal, pl->t0), acc + rev);
	if (k == PERMIT_DIG_ROAD) {
		t->window_from = pl->dig_from;
		t->window_to = pl->dig_to;
	}
	if (k == PERMIT_DIG_ROAD && pl->fast_track) {
		/* decided at submission on the applicant's commitment (rule 6) */
		struct permit_facts f = {.fast_track_eligible = true};
		t->deadline_day = day_of(pl->t0);
		char *why = xasprintf("low-risk zone, road class %s, %d m: within the fast-track "
				      "thresholds",
				      pl->road_class, pl->to_m - pl->from_m);
		json_t *payload =
		    json_pack("{s:s, s:s}", "trigger_reason", t->trigger_reason, "fast_track", why);
		free(why);
		permit_step(g, s, "fast_track", ROLE_SYSTEM, SAMPLE_APPLICANT, pl->t0, &f, payload);
		/* the row has no from-state: the permit was filed and decided in one step */
		g->h->events[g->h->nevents - 1].from = NULL;
		t->fast_track = true;
		t->post_check_task = true;
		s->decided_at = pl->t0;
		return;
	}
	submit_track(g, pl, s);
	if (!maybe_return(g, pl, s, true))
		return;
	struct permit_facts f = {0};
	if (!permit_step(g, s, "accept", ROLE_AUTHORITY, SAMPLE_HANDLER, stage_end(g, s), &f,
			 action_payload("accept")))
		return;
	int64_t at = stage_end(g, s);
	bool silence = false;
	application_stage_limit(s->std, "review", &rev, &silence);
	if (silence && day_of(at) > t->clock.due_day) {
		/* the authority let the limit pass: the sweeper deems it on the next day (rule 14)
		 */
		struct permit_facts d = {.deemed_allowed = true};
		at = local_instant(t->clock.due_day + 1, 300 + below(g, 1800));
		if (permit_step(g, s, "deem", ROLE_SYSTEM, SAMPLE_NOBODY, at, &d,
				action_payload("deem")))
			s->decided_at = s->last;
		return;
	}
	if (k != PERMIT_DIG_ROAD && chance(g, 0.05)) {
		const char *code = k == PERMIT_GREENING ? "PROTECTED_TREES" : "PLAN_CONFLICT";
		json_t *payload =
		    json_pack("{s:s, s:s, s:s}", "action", "reject", "reason_code", code, "comment",
			      k == PERMIT_GREENING
				  ? "涉及古树名木，请调整线位 / Heritage trees: reroute the line"
				  : "与控制性详细规划冲突 / Conflicts with the zoning plan");
		struct permit_facts r = {.reason_code = code};
		char *reason = json_text(payload);
		if (permit_step(g, s, "reject", ROLE_AUTHORITY, SAMPLE_HANDLER, at, &r, payload)) {
			t->decision_reason = reason;
			s->decided_at = s->last;
		} else
			free(reason);
		return;
	}
	json_t *payload = action_payload("approve");
	struct permit_code cond = {"NIGHT_WORK_ONLY", "22:00 后不得施工 / No works after 22:00"};
	struct permit_facts a = {0};
	if (k == PERMIT_DIG_ROAD && chance(g, 0.3)) {
		json_object_set_new(
		    payload, "conditions",
		    json_pack("[{s:s, s:s}]", "code", cond.code, "comment", cond.comment));
		a.conditions = &cond;
		a.nconditions = 1;
		t->conditions = json_text(json_object_get(payload, "conditions"));
	}
	if (permit_step(g, s, "approve", ROLE_AUTHORITY, SAMPLE_HANDLER, at, &a, payload))
		s->decided_at = s->last;
}

/* What a permit means to a job's start_construction, as the portal reads it. */
static void permit_need(const struct sample_track *p, struct job_permit_need *n)
{
	n->ref = p->reference;
	n->approved = !strcmp(p->state, "approved");
	n->window_from = p->window_from;
	n->window_to = p->window_to >= 0 ? p->window_to : 1 << 30;
}

/* A job from submission to completion (or as far as now allows). */
static void run_job(struct gen *g, struct plan *pl, int k)
{
	struct sim *s = &pl->jsim[k];
	struct sample_track *t = track(g, s);
	struct sample_app *a = &g->h->apps[pl->app];
	submit_track(g, pl, s);
	if (!maybe_return(g, pl, s, false))
		return;
	if (!job_step(g, s, "accept", ROLE_UTILITY, SAMPLE_HANDLER, stage_end(g, s), NULL,
		      action_payload("accept")))
		return;
	struct sample_site *site = &g->h->sites[a->site];
	json_t *cp = json_pack("{s:f, s:f, s:s}", "lat", site->lat + 0.001 * unit(g), "lng",
			       site->lng + 0.001 * unit(g), "description",
			       chance(g, 0.5) ? "north gate" : "east side, by the substation");
	struct job_facts f = {.has_connection_point = true};
	char *cp_text = json_text(cp);
	json_decref(cp);
	if (!job_step(g, s, "survey", ROLE_UTILITY, SAMPLE_HANDLER, stage_end(g, s), &f,
		      action_payload("survey"))) {
		free(cp_text);
		return;
	}
	t->connection_point = cp_text;

	/* the plan: a quote from the published fees, and the permits the works need */
	struct fee_params fp;
	fee_params(pl, k, &fp);
	json_t *lines = json_array(), *quote = json_array(), *needed = json_array();
	int64_t total = price(g->in->fees[k], g->in->nfees[k], utility_kind_name(k),
			      a->submitted_day, &fp, lines);
	size_t i;
	json_t *l;
	json_array_foreach(lines, i, l)
	{
		json_array_append_new(
		    quote, json_pack("{s:O, s:O, s:O}", "code", json_object_get(l, "code"),
				     "quantity", json_object_get(l, "quantity"), "unit_price_fen",
				     json_object_get(l, "unit_price_fen")));
	}
	json_decref(lines);
	struct job_permit_need needs[PERMIT_KIND_COUNT];
	size_t nneeds = 0;
	for (int p = 0; p < PERMIT_KIND_COUNT; p++) {
		if (pl->permit[p] < 0)
			continue;
		/* dig-road for the utilities that dig; greening and planning for the first one */
		bool first_digger = true;
		for (int u = 0; u < k; u++)
			first_digger &= !(pl->wanted[u] && pl->digs[u]);
		if (p == PERMIT_DIG_ROAD ? !pl->digs[k] : !(pl->digs[k] && first_digger))
			continue;
		struct sample_history *h = g->h;
		GROW(g, h->links, h->nlinks, g->cap_links);
		h->links[h->nlinks++] = (struct sample_link){s->track, (size_t)pl->permit[p]};
		json_array_append_new(needed, json_string(h->tracks[pl->permit[p]].reference));
		needs[nneeds++].ref = h->tracks[pl->permit[p]].reference;
	}
	struct job_facts pf = {.nquote_lines = json_array_size(quote), .permits_listed = true};
	if (!pf.nquote_lines) {
		/*
		 * Nothing priced: no schedule of this kind was given (the demo publishes every
		 * kind; a test may not). A plan still carries a quote, here of nothing.
		 */
		json_array_append_new(quote, json_pack("{s:s, s:i, s:i}", "code", "FREE",
						       "quantity", 1, "unit_price_fen", 0));
		pf.nquote_lines = 1;
	}
	char *quote_text = json_text(quote), *needed_text = json_text(needed);
	json_decref(quote);
	json_decref(needed);
	if (!job_step(g, s, "plan", ROLE_UTILITY, SAMPLE_HANDLER, stage_end(g, s), &pf,
		      action_payload("plan"))) {
		free(quote_text);
		free(needed_text);
		return;
	}
	t->quote = quote_text;
	t->quote_total_fen = total;
	t->permits_needed = needed_text;

	/* the applicant's turn: confirm the plan, or now and then give up */
	int64_t at = later(g, s->last, 1, 5);
	if (chance(g, 0.02)) {
		json_t *w = json_pack("{s:s, s:s}", "action", "withdraw", "comment",
				      "项目延期 / The project is postponed");
		job_step(g, s, "withdraw", ROLE_APPLICANT, SAMPLE_APPLICANT, at, NULL, w);
		return;
	}
	if (!job_step(g, s, "confirm", ROLE_APPLICANT, SAMPLE_APPLICANT, at, NULL,
		      action_payload("confirm")))
		return;

	/* construction waits for every needed permit and its work window (rule 4) */
	at = later(g, s->last, 1, 3);
	for (size_t n = 0; n < nneeds; n++) {
		for (int p = 0; p < PERMIT_KIND_COUNT; p++) {
			if (pl->permit[p] < 0 ||
			    strcmp(g->h->tracks[pl->permit[p]].reference, needs[n].ref) != 0)
				continue;
			const struct sample_track *pt = &g->h->tracks[pl->permit[p]];
			int64_t decided = pl->psim[p].decided_at;
			if (decided < 0)
				return; /* still waiting for the permit */
			if (strcmp(pt->state, "approved") != 0) {
				json_t *w = json_pack("{s:s, s:s}", "action", "withdraw", "comment",
						      "许可未获批准 / The permit was refused");
				job_step(g, s, "withdraw", ROLE_APPLICANT, SAMPLE_APPLICANT,
					 later(g, decided > at ? decided : at, 1, 4), NULL, w);
				return;
			}
			if (decided >= at)
				at = office_time(g, day_of(decided), decided);
			if (pt->window_from >= 0 && day_of(at) < pt->window_from)
				at = office_time(g, pt->window_from, at);
			permit_need(pt, &needs[n]);
		}
	}
	for (size_t n = 0; n < nneeds; n++) {
		if (needs[n].window_to < day_of(at)) {
			json_t *w = json_pack("{s:s, s:s}", "action", "withdraw", "comment",
					      "错过施工窗口，重新申请 / Missed the work window; "
					      "applying again");
			job_step(g, s, "withdraw", ROLE_APPLICANT, SAMPLE_APPLICANT, at, NULL, w);
			return;
		}
	}
	struct job_facts sc = {.permits = needs, .npermits = nneeds, .today = day_of(at)};
	if (!job_step(g, s, "start_construction", ROLE_UTILITY, SAMPLE_HANDLER, at, &sc,
		      action_payload("start_construction")))
		return;
	if (!job_step(g, s, "connect", ROLE_UTILITY, SAMPLE_HANDLER, stage_end(g, s), NULL,
		      action_payload("connect")))
		return;
	if (job_step(g, s, "complete", ROLE_UTILITY, SAMPLE_HANDLER, stage_end(g, s), NULL,
		     action_payload("complete")))
		s->completed_at = s->last;
}

static void inspected(struct gen *g, const struct sim *s, const char *kind, const char *comment)
{
	struct sample_history *h = g->h;
	GROW(g, h->inspections, h->ninspections, g->cap_insp);
	h->inspections[h->ninspections++] =
	    (struct sample_inspection){s->track, kind, comment, s->last};
}

/* After the works: post-check of a fast-tracked permit, reinstatement and close of a dig. */
static void permit_aftermath(struct gen *g, struct plan *pl, int k)
{
	struct sim *s = &pl->psim[k];
	struct sample_track *t = track(g, s);
	if (strcmp(t->state, "approved") != 0)
		return;
	if (t->fast_track) {
		struct permit_facts f = {.result = PERMIT_RESULT_PASS};
		json_t *payload =
		    json_pack("{s:s, s:s, s:s}", "action", "post_check", "result", "pass",
			      "comment", "现场核查与承诺一致 / On site as committed");
		if (permit_step(g, s, "post_check", ROLE_AUTHORITY, SAMPLE_HANDLER,
				later(g, s->last, 5, 10), &f, payload)) {
			t->task_done_at = s->last;
			inspected(g, s, "post_check", "现场核查与承诺一致 / On site as committed");
		}
	}
	if (k != PERMIT_DIG_ROAD)
		return;
	int64_t done = -1;
	for (int u = 0; u < UK_COUNT; u++) {
		if (!pl->wanted[u] || !pl->digs[u])
			continue;
		if (pl->jsim[u].completed_at < 0)
			return; /* a trench is still open */
		if (pl->jsim[u].completed_at > done)
			done = pl->jsim[u].completed_at;
	}
	if (done < 0)
		return;
	/* the utilities' reports of the reinstatement are not part of the sample history */
	struct permit_facts f = {.result = PERMIT_RESULT_PASS,
				 .works_started = true,
				 .reinstatement_reports = 1,
				 .inspection_awaited = true};
	json_t *payload = json_pack("{s:s, s:s, s:s}", "action", "inspect", "result", "pass",
				    "comment", "路面恢复合格 / Surface reinstated to standard");
	if (!permit_step(g, s, "inspect", ROLE_AUTHORITY, SAMPLE_HANDLER, later(g, done, 3, 8), &f,
			 payload))
		return;
	t->reinstated = true;
	inspected(g, s, "reinstatement", "路面恢复合格 / Surface reinstated to standard");
	struct permit_facts c = {0};
	permit_step(g, s, "close", ROLE_AUTHORITY, SAMPLE_HANDLER, later(g, s->last, 1, 3), &c,
		    action_payload("close"));
}

/* The applicant's rating of a finished track, and the follow-up of a bad one. */
static void rate(struct gen *g, struct sim *s, int64_t finished, double share)
{
	struct sample_track *t = track(g, s);
	if (finished < 0 || !chance(g, share))
		return;
	int64_t at = office_time(g, day_of(finished) + 1 + below(g, 10), finished);
	if (at > g->in->now)
		return;
	double x = unit(g);
	bool bad_news = s->late || t->deemed;
	if (bad_news ? x < 0.35 : x < 0.05) {
		t->score = "bad";
		t->comment = bad_comments[below(g, N(bad_comments))];
	} else if (bad_news ? x < 0.75 : x < 0.22) {
		t->score = "average";
		t->comment = average_comments[below(g, N(average_comments))];
	} else {
		t->score = "good";
		t->comment = good_comments[below(g, N(good_comments))];
	}
	t->rated_at = at;
	if (strcmp(t->score, "bad") != 0)
		return;
	t->follow_up = "open";
	int64_t answered = later(g, at, 1, 5);
	if (answered > g->in->now)
		return;
	t->follow_up = "answered";
	t->answer = answers[below(g, N(answers))];
	t->answered_at = answered;
	int64_t closed = later(g, answered, 1, 4);
	if (closed > g->in->now)
		return;
	t->follow_up = "closed";
	t->close_note = close_notes[below(g, N(close_notes))];
	t->closed_at = closed;
}

static const struct service_standard *standard(const struct sample_input *in, const char *kind,
					       day_t day)
{
	return standards_in_force(in->standards, in->nstandards, kind, day);
}

/* The fast-track thresholds of the dig-road standard, for the works as planned. */
static bool fast_track_fits(const struct service_standard *std, const struct plan *pl,
			    const char *zone)
{
	const struct fast_track_standard *ft = &std->fast_track;
	if (!std->has_fast_track || !ft->enabled)
		return false;
	bool zone_ok = false, road_ok = false;
	for (size_t i = 0; i < ft->nzone_risk; i++)
		zone_ok |= !strcmp(ft->zone_risk[i], zone);
	for (size_t i = 0; i < ft->nroad_classes; i++)
		road_ok |= !strcmp(ft->road_classes[i], pl->road_class);
	int len = pl->to_m - pl->from_m;
	return zone_ok && road_ok && len <= ft->max_length_m && len <= ft->max_area_m2 &&
	       pl->dig_to - pl->dig_from + 1 <= ft->max_duration_days;
}

static void application(struct gen *g, day_t day, int64_t t0)
{
	const struct sample_input *in = g->in;
	struct sample_history *h = g->h;
	GROW(g, h->apps, h->napps, g->cap_apps);
	struct plan pl = {.app = h->napps, .t0 = t0};
	struct sample_app *a = &h->apps[h->napps++];
	int y;
	cal_day_to_ymd(day, &y, NULL, NULL);
	snprintf(a->reference, sizeof(a->reference), SAMPLE_PREFIX "%04d-%04zu", y, h->napps);
	int district = pick_district(g);
	a->site = site_for(g, district);
	a->submitted_at = t0;
	a->submitted_day = calendar_received_day(in->cal, t0);
	a->version = 1;
	const struct sample_site *site = &h->sites[a->site];

	/* what is asked for: utilities, and the works they need */
	bool any = false;
	for (int k = 0; k < UK_COUNT; k++) {
		pl.wanted[k] = chance(g, wanted_share[k]);
		pl.digs[k] = pl.wanted[k] && chance(g, digs_share[k]);
		any |= pl.wanted[k];
	}
	if (!any)
		pl.wanted[UK_POWER] = true;
	bool digging = false;
	for (int k = 0; k < UK_COUNT; k++)
		digging |= pl.digs[k];
	bool low = !strcmp(site->zone_risk, "low");
	size_t r = (size_t)(district * 3 + below(g, 4)) % NROADS;
	pl.road = fz_roads[r].name_zh;
	pl.road_class = fz_roads[r].road_class;
	pl.from_m = 10 * below(g, 60);
	pl.to_m = pl.from_m + (low ? 15 + below(g, 35) : 40 + below(g, 160));
	/* works start weeks after submission, so the jobs are ready by then */
	pl.dig_from = digging ? a->submitted_day + 24 + below(g, 14) : -1;
	pl.dig_to = digging ? pl.dig_from + (low ? 3 + below(g, 5) : 30 + below(g, 40)) : -1;
	pl.green_m2 = chance(g, 0.3) ? 20 + below(g, 130) : 0;
	pl.trees = pl.green_m2 ? below(g, 5) : 0;
	pl.outside_m = chance(g, 0.3) ? 10 + below(g, 70) : 0;
	for (int k = 0; k < UK_COUNT; k++)
		pl.params[k] = pl.wanted[k] ? utility_params(g, k) : NULL;

	/* which permits the works trigger, by the published thresholds */
	for (int p = 0; p < PERMIT_KIND_COUNT; p++) {
		pl.permit[p] = -1;
		const struct service_standard *std =
		    standard(in, permit_kind_name((enum permit_kind)p), a->submitted_day);
		const struct trigger_standard *tr = &std->trigger;
		bool on;
		if (p == PERMIT_DIG_ROAD)
			on = digging && pl.to_m - pl.from_m > tr->min_length_m;
		else if (p == PERMIT_GREENING)
			on = digging && (pl.green_m2 > tr->min_area_m2 || pl.trees > tr->min_trees);
		else
			on = digging && pl.outside_m > tr->min_outside_m;
		if (!on)
			continue;
		pl.permit[p] = new_track(g, &pl, true, p, std, &pl.psim[p]);
		pl.psim[p].p = authority_profile[p];
		struct sample_track *t = &h->tracks[pl.permit[p]];
		if (p == PERMIT_DIG_ROAD) {
			char who[64] = "";
			int n = 0;
			for (int k = 0; k < UK_COUNT; k++)
				if (pl.digs[k]) {
					snprintf(who + strlen(who), sizeof(who) - strlen(who),
						 "%s%s", n++ ? ", " : "", utility_kind_name(k));
				}
			t->trigger_reason = xasprintf("%s excavation of %s %d-%d m by %s",
						      n > 1 ? "joint (dig once)" : "road", pl.road,
						      pl.from_m, pl.to_m, who);
			pl.fast_track = fast_track_fits(std, &pl, site->zone_risk);
		} else if (p == PERMIT_GREENING) {
			t->trigger_reason = xasprintf("green space %d m², %d tree(s) affected",
						      pl.green_m2, pl.trees);
		} else {
			t->trigger_reason = xasprintf("lines outside the plot: %d m", pl.outside_m);
		}
		add_materials(a, std, digging, pl.green_m2 > 0, pl.outside_m > 0);
	}
	for (int k = 0; k < UK_COUNT; k++) {
		pl.job[k] = -1;
		if (!pl.wanted[k])
			continue;
		const struct service_standard *std =
		    standard(in, utility_kind_name(k), a->submitted_day);
		pl.job[k] = new_track(g, &pl, false, k, std, &pl.jsim[k]);
		struct sim *s = &pl.jsim[k];
		s->p = utility_profile[k];
		h->tracks[pl.job[k]].params = json_text(pl.params[k]);
		add_materials(a, std, pl.digs[k], pl.green_m2 > 0, pl.outside_m > 0);
	}
	/* a district's own pace on top of each party's */
	const struct profile *dp = &g->district[district];
	for (int k = 0; k < UK_COUNT; k++) {
		pl.jsim[k].p.speed *= dp->speed;
		pl.jsim[k].p.late += dp->late;
	}
	for (int p = 0; p < PERMIT_KIND_COUNT; p++) {
		pl.psim[p].p.speed *= dp->speed;
		pl.psim[p].p.late += dp->late;
	}

	/* the request and its estimate, as submitted */
	json_t *utilities = json_object(), *lines = json_array(), *digs = json_array();
	int64_t total = 0;
	for (int k = 0; k < UK_COUNT; k++) {
		if (!pl.wanted[k])
			continue;
		json_object_set(utilities, utility_kind_name(k), pl.params[k]);
		struct fee_params fp;
		fee_params(&pl, k, &fp);
		total += price(in->fees[k], in->nfees[k], utility_kind_name(k), a->submitted_day,
			       &fp, lines);
		if (!pl.digs[k])
			continue;
		char d1[11], d2[11];
		json_array_append_new(
		    digs,
		    json_pack("{s:s, s:s, s:s, s:s, s:i, s:i, s:i, s:s, s:s}", "utility",
			      utility_kind_name(k), "district", in->districts[district], "road",
			      pl.road, "road_class", pl.road_class, "from_m", pl.from_m, "to_m",
			      pl.to_m, "width_m", 1, "start_date", cal_day_format(pl.dig_from, d1),
			      "end_date", cal_day_format(pl.dig_to, d2)));
		GROW(g, h->digs, h->ndigs, g->cap_digs);
		h->digs[h->ndigs++] = (struct sample_dig){pl.app,
							  pl.permit[PERMIT_DIG_ROAD] >= 0
							      ? (size_t)pl.permit[PERMIT_DIG_ROAD]
							      : (size_t)-1,
							  k,
							  pl.road,
							  pl.road_class,
							  pl.from_m,
							  pl.to_m,
							  pl.dig_from,
							  pl.dig_to};
	}
	if (pl.permit[PERMIT_DIG_ROAD] >= 0) {
		struct fee_params fp;
		fees_params_init(&fp);
		fees_params_set(&fp, "length_m", pl.to_m - pl.from_m, NULL);
		total += price(in->road_fees, in->nroad_fees, "road", a->submitted_day, &fp, lines);
	}
	json_t *works = json_pack("{s:o}", "excavations", digs);
	if (pl.green_m2)
		json_object_set_new(
		    works, "green_space",
		    json_pack("{s:i, s:i}", "area_m2", pl.green_m2, "trees_affected", pl.trees));
	if (pl.outside_m)
		json_object_set_new(works, "lines_outside_plot_m", json_integer(pl.outside_m));
	json_t *req =
	    json_pack("{s:b, s:o, s:o}", "commitment", 1, "utilities", utilities, "works", works);
	a->request = json_text(req);
	json_t *est = json_pack("{s:o, s:I}", "lines", lines, "total_fen", (json_int_t)total);
	a->estimate = json_text(est);
	a->estimate_total_fen = total;
	unsigned char hash[32];
	crypto_generichash(hash, sizeof(hash), (const unsigned char *)a->request,
			   strlen(a->request), NULL, 0);
	sodium_bin2hex(a->request_hash, sizeof(a->request_hash), hash, sizeof(hash));
	json_decref(req);
	json_decref(est);

	/* the application's own row, then every track in parallel (rule 3) */
	GROW(g, h->events, h->nevents, g->cap_events);
	h->events[h->nevents++] = (struct sample_event){
	    pl.app,	      -1, "submit", NULL, "open",	ROLE_APPLICANT,
	    SAMPLE_APPLICANT, t0, NULL,	    -1,	  xstrdup("{}")};
	for (int p = 0; p < PERMIT_KIND_COUNT; p++)
		if (pl.permit[p] >= 0)
			run_permit(g, &pl, p);
	for (int k = 0; k < UK_COUNT; k++)
		if (pl.job[k] >= 0)
			run_job(g, &pl, k);
	for (int p = 0; p < PERMIT_KIND_COUNT; p++)
		if (pl.permit[p] >= 0)
			permit_aftermath(g, &pl, p);
	bool open = false, all_withdrawn = true;
	for (int k = 0; k < UK_COUNT; k++) {
		if (pl.job[k] < 0)
			continue;
		const char *st = h->tracks[pl.job[k]].state;
		open |=
		    strcmp(st, "completed") && strcmp(st, "rejected") && strcmp(st, "withdrawn");
		all_withdrawn &= !strcmp(st, "withdrawn");
		rate(g, &pl.jsim[k], pl.jsim[k].completed_at, 0.7);
	}
	for (int p = 0; p < PERMIT_KIND_COUNT; p++)
		if (pl.permit[p] >= 0 && !h->tracks[pl.permit[p]].fast_track)
			rate(g, &pl.psim[p], pl.psim[p].decided_at, 0.45);
	h->apps[pl.app].status = open ? "open" : all_withdrawn ? "withdrawn" : "completed";
	h->apps[pl.app].version = open ? 1 : 2;
	for (int k = 0; k < UK_COUNT; k++)
		json_decref(pl.params[k]);
}

/* --- the whole history ------------------------------------------------------------------- */

static int cmp_event(const void *a, const void *b)
{
	const struct sample_event *x = a, *y = b;
	if (x->at != y->at)
		return x->at < y->at ? -1 : 1;
	/* same instant: the application's row first, then tracks in creation order */
	return x->track < y->track ? -1 : x->track > y->track;
}

static int cmp_pause(const void *a, const void *b)
{
	const struct sample_pause *x = a, *y = b;
	return (x->paused_at > y->paused_at) - (x->paused_at < y->paused_at);
}

int sample_history_generate(const struct sample_input *in, struct sample_history *out,
			    struct error *err)
{
	memset(out, 0, sizeof(*out));
	if (!in->ndistricts || in->first_day > in->last_day || in->per_week < 1)
		return error_set(err, ERR_INVALID, "no districts or no days to generate");
	static const char *const kinds[] = {"water",   "power",	   "gas",      "heat",
					    "network", "dig_road", "greening", "planning"};
	for (size_t i = 0; i < N(kinds); i++)
		if (!standard(in, kinds[i], in->first_day)) {
			char d[11];
			return error_set(err, ERR_INVALID,
					 "no %s service standard in force on %s: publish the "
					 "standards first",
					 kinds[i], cal_day_format(in->first_day, d));
		}
	struct gen g = {.in = in, .h = out, .rng = in->seed};
	g.district = xcalloc(in->ndistricts, sizeof(*g.district));
	g.district_weight = xcalloc(in->ndistricts, sizeof(*g.district_weight));
	g.district_sites = xcalloc(in->ndistricts, sizeof(*g.district_sites));
	for (size_t i = 0; i < in->ndistricts; i++) {
		g.district[i] = (struct profile){0.8 + 0.45 * unit(&g), 0.025 * unit(&g), 0};
		g.district_weight[i] = 1 + below(&g, 4);
	}
	double per_day = in->per_week / 5.0;
	for (day_t d = in->first_day; d <= in->last_day; d++) {
		if (!calendar_is_working_day(in->cal, d))
			continue;
		int n =
		    (int)per_day + chance(&g, per_day - (int)per_day) + below(&g, 2) - below(&g, 2);
		for (int i = 0; i < n; i++) {
			/* 08:30 to 18:30: some arrive after the cut-off and count from the next day
			 */
			int64_t t0 = local_instant(d, 8 * 3600 + 1800 + below(&g, 10 * 3600));
			if (t0 < in->now)
				application(&g, d, t0);
		}
	}
	free(g.district);
	free(g.district_weight);
	free(g.district_sites);
	if (g.failure[0]) {
		sample_history_release(out);
		return error_set(err, ERR_INTERNAL, "the sample history broke a rule: %s",
				 g.failure);
	}
	qsort(out->events, out->nevents, sizeof(*out->events), cmp_event);
	qsort(out->pauses, out->npauses, sizeof(*out->pauses), cmp_pause);
	return 0;
}

void sample_history_release(struct sample_history *h)
{
	for (size_t i = 0; i < h->napps; i++) {
		free(h->apps[i].request);
		free(h->apps[i].estimate);
	}
	for (size_t i = 0; i < h->ntracks; i++) {
		struct sample_track *t = &h->tracks[i];
		free(t->params);
		free(t->connection_point);
		free(t->quote);
		free(t->permits_needed);
		free(t->trigger_reason);
		free(t->conditions);
		free(t->decision_reason);
	}
	for (size_t i = 0; i < h->nevents; i++)
		free(h->events[i].payload);
	for (size_t i = 0; i < h->npauses; i++)
		free(h->pauses[i].items);
	free(h->sites);
	free(h->apps);
	free(h->tracks);
	free(h->events);
	free(h->pauses);
	free(h->links);
	free(h->digs);
	free(h->inspections);
	memset(h, 0, sizeof(*h));
}
