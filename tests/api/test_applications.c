/*
 * The joint application end to end over real HTTP against MariaDB: one submission for all five
 * utilities on a site whose works need all three permits, every party acts, and it completes.
 * Plus the rules around it: the one-time notice, idempotency, illegal and stale transitions,
 * the construction gate, the fee rule on quotes, the supplement pause and deemed approval.
 */
#define _GNU_SOURCE
#include <criterion/criterion.h>
#include <time.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "integrations/dispatcher.h"
#include "portal/sweeper.h"
#include "store/db.h"
#include "support/harness.h"
#include "support/journey.h"
#include "workflows/calendar.h"
#include "lib/json_text.h"
#include "lib/xalloc.h"

#define DEMO "demo-password-1"

static struct harness_server *srv;
static void setup(void) { srv = harness_server_start(); }
static void teardown(void) { harness_server_stop(srv); }
TestSuite(applications, .init = setup, .fini = teardown, .timeout = 120);

static const char *jstr(json_t *j, const char *key)
{
	return json_string_value(json_object_get(j, key));
}

static long long make_site(const char *token, const char *risk)
{
	char body[512];
	snprintf(body, sizeof(body),
		 "{\"name\":\"Block %d\",\"address\":\"88 Jingshi Road\",\"district\":\"350102\","
		 "\"lat\":26.108,\"lng\":119.252,\"plot_ref\":\"PLOT-7\",\"zone_risk\":\"%s\"}",
		 harness_unique(), risk);
	json_t *j = journey_call("POST", "/v1/sites", token, body, 201);
	long long id = json_integer_value(json_object_get(j, "id"));
	json_decref(j);
	return id;
}

static json_t *track(json_t *app, const char *list, const char *field, const char *value)
{
	size_t i;
	json_t *t;
	json_array_foreach(json_object_get(app, list), i, t)
	{
		if (!strcmp(jstr(t, field), value))
			return t;
	}
	return NULL;
}

static json_t *act(const char *kind, long long id, const char *token, const char *body, long want)
{
	char path[128];
	snprintf(path, sizeof(path), "/v1/%s/%lld/transitions", kind, id);
	return journey_call("POST", path, token, body, want);
}

static long long id_of(json_t *t)
{
	return json_integer_value(json_object_get(t, "id"));
}

Test(applications, the_whole_journey_completes)
{
	char *app_token = journey_login("applicant");
	long long site = make_site(app_token, "low");
	json_t *materials = journey_upload_required(app_token);
	char *body = journey_submission(site, materials);
	static const char *const key[] = { "Idempotency-Key: journey-1", NULL };
	struct reply r;
	http_call(&r, "POST", "/v1/applications", app_token, body, key);
	cr_assert_eq(r.status, 201, "%s", r.body);
	json_t *app = json_incref(r.json);
	reply_release(&r);
	char ref[32];
	snprintf(ref, sizeof(ref), "%s", jstr(app, "reference"));
	cr_assert(!strncmp(ref, "HK-20", 5), "readable reference %s", ref);
	cr_assert_eq(json_array_size(json_object_get(app, "jobs")), 5, "one job per utility");
	cr_assert_eq(json_array_size(json_object_get(app, "permits")), 4,
		     "joint dig-road, dig-road, greening, planning: %s",
		     json_dumps(json_object_get(app, "permits"), 0));
	cr_assert(json_integer_value(json_object_get(json_object_get(app, "estimate"), "total_fen")) >= 0);

	/* a retry with the same key returns the first result: its status, marked as a replay */
	http_call(&r, "POST", "/v1/applications", app_token, body, key);
	char replayed[16];
	cr_assert_eq(r.status, 201, "a replay answers the first status: %s", r.body);
	cr_assert(reply_header(&r, "Idempotent-Replayed", replayed, sizeof(replayed)));
	cr_assert_str_eq(replayed, "true");
	cr_assert_str_eq(jstr(r.json, "reference"), ref, "the same application, not a new one");
	reply_release(&r);

	long long app_id = id_of(app);
	char path[128];
	snprintf(path, sizeof(path), "/v1/applications/%lld", app_id);
	json_decref(app);
	app = journey_call("GET", path, app_token, NULL, 200);

	/* the joint dig of water and gas is fast-tracked on commitment */
	char dr[40], dr2[40], gr[40], pl[40];
	snprintf(dr, sizeof(dr), "%s-DR", ref);
	snprintf(dr2, sizeof(dr2), "%s-DR2", ref);
	snprintf(gr, sizeof(gr), "%s-GR", ref);
	snprintf(pl, sizeof(pl), "%s-PL", ref);
	json_t *joint = track(app, "permits", "reference", dr);
	json_t *longdig = track(app, "permits", "reference", dr2);
	cr_assert(joint && longdig && track(app, "permits", "reference", gr) &&
			  track(app, "permits", "reference", pl),
		  "refs: %s %s %s %s", jstr(json_array_get(json_object_get(app, "permits"), 0), "reference"),
		  jstr(json_array_get(json_object_get(app, "permits"), 1), "reference"),
		  jstr(json_array_get(json_object_get(app, "permits"), 2), "reference"),
		  jstr(json_array_get(json_object_get(app, "permits"), 3), "reference"));
	if (!json_is_true(json_object_get(joint, "fast_track"))) {
		json_t *t = joint;
		joint = longdig;
		longdig = t;
	}
	cr_assert(json_is_true(json_object_get(joint, "fast_track")));
	cr_assert_str_eq(jstr(joint, "state"), "approved");
	cr_assert_str_eq(jstr(joint, "decision"), "approved_on_commitment");
	cr_assert_str_eq(jstr(longdig, "state"), "submitted");
	cr_assert(json_is_string(json_object_get(longdig, "deadline_date")));

	static const char *const kinds[] = { "water", "power", "gas", "heat", "network" };
	/*
	 * every utility accepts, surveys and plans from its published fees, listing the permits
	 * its works need: water and gas their joint dig, power its long dig, greening and planning
	 * for the lines laid across the site; network none
	 */
	const char *needs[5];
	char needs_text[5][160];
	snprintf(needs_text[0], sizeof(needs_text[0]), "[\"%s\",\"%s\",\"%s\"]",
		 jstr(joint, "reference"), gr, pl);
	snprintf(needs_text[1], sizeof(needs_text[1]), "[\"%s\",\"%s\",\"%s\"]",
		 jstr(longdig, "reference"), gr, pl);
	snprintf(needs_text[2], sizeof(needs_text[2]), "[\"%s\"]", jstr(joint, "reference"));
	snprintf(needs_text[3], sizeof(needs_text[3]), "[\"%s\",\"%s\"]", gr, pl);
	snprintf(needs_text[4], sizeof(needs_text[4]), "[]");
	for (int k = 0; k < 5; k++)
		needs[k] = needs_text[k];
	for (int k = 0; k < 5; k++) {
		char *tok = journey_login(kinds[k]);
		long long jid = id_of(track(app, "jobs", "utility_kind", kinds[k]));
		json_decref(act("jobs", jid, tok, "{\"action\":\"accept\"}", 200));
		json_decref(act("jobs", jid, tok,
				"{\"action\":\"survey\",\"connection_point\":{\"lat\":26.1081,"
				"\"lng\":119.2521,\"description\":\"north gate\"}}",
				200));
		char *q = journey_quote(app, kinds[k]), *plan;
		if (asprintf(&plan, "{\"action\":\"plan\",\"quote\":%s,\"permits_needed\":%s}", q,
			     needs[k]) < 0)
			abort();
		json_t *j = act("jobs", jid, tok, plan, 200);
		cr_assert_str_eq(jstr(j, "state"), "planned");
		json_decref(j);
		json_decref(act("jobs", jid, app_token, "{\"action\":\"confirm\"}", 200));
		free(q);
		free(plan);
		free(tok);
	}

	/* power may not start before its permits are approved: each missing one is named */
	char *power = journey_login("power");
	long long power_job = id_of(track(app, "jobs", "utility_kind", "power"));
	struct reply gate;
	snprintf(path, sizeof(path), "/v1/jobs/%lld/transitions", power_job);
	http_call(&gate, "POST", path, power, "{\"action\":\"start_construction\"}", NULL);
	cr_assert_eq(gate.status, 409, "%s", gate.body);
	cr_assert(strstr(gate.body, jstr(longdig, "reference")), "names the dig-road permit: %s",
		  gate.body);
	cr_assert(strstr(gate.body, gr) && strstr(gate.body, pl), "names greening and planning");
	reply_release(&gate);

	/* the authorities decide in parallel */
	static const struct {
		const char *who;
		const char *suffix;
	} deciders[] = { { "road", NULL }, { "greening", "GR" }, { "planning", "PL" } };
	for (int d = 0; d < 3; d++) {
		char *tok = journey_login(deciders[d].who);
		char pref[48];
		if (deciders[d].suffix)
			snprintf(pref, sizeof(pref), "%s-%s", ref, deciders[d].suffix);
		long long pid = deciders[d].suffix ? id_of(track(app, "permits", "reference", pref))
						   : id_of(longdig);
		json_decref(act("permits", pid, tok, "{\"action\":\"accept\"}", 200));
		json_t *p = act("permits", pid, tok,
				"{\"action\":\"approve\",\"conditions\":[{\"code\":\"KEEP_ONE_LANE\"}]}",
				200);
		cr_assert_str_eq(jstr(p, "decision"), "approved");
		json_decref(p);
		free(tok);
	}

	/* now every utility builds, connects and completes */
	for (int k = 0; k < 5; k++) {
		char *tok = journey_login(kinds[k]);
		long long jid = id_of(track(app, "jobs", "utility_kind", kinds[k]));
		json_decref(act("jobs", jid, tok, "{\"action\":\"start_construction\"}", 200));
		json_decref(act("jobs", jid, tok, "{\"action\":\"connect\"}", 200));
		json_t *j = act("jobs", jid, tok, "{\"action\":\"complete\"}", 200);
		cr_assert_str_eq(jstr(j, "state"), "completed");
		json_decref(j);
		free(tok);
	}

	/* the road authority closes both dig-road permits once reinstatement passes */
	char *road = journey_login("road");
	json_t *pair[] = { joint, longdig };
	for (int i = 0; i < 2; i++) {
		long long pid = id_of(pair[i]);
		struct reply early;
		snprintf(path, sizeof(path), "/v1/permits/%lld/transitions", pid);
		http_call(&early, "POST", path, road, "{\"action\":\"close\"}", NULL);
		cr_assert_eq(early.status, 409, "no close before a passed inspection: %s", early.body);
		reply_release(&early);
		/*
		 * each utility that dug reports its reinstatement before the inspection: on the
		 * joint dig water and gas both dug, and the road waits for both
		 */
		json_decref(act("permits", pid, road, "{\"action\":\"inspect\",\"result\":\"pass\"}", 409));
		static const char *const dug[2][3] = { { "water", "gas", NULL }, { "power", NULL } };
		for (int u = 0; dug[i][u]; u++) {
			char *tok = journey_login(dug[i][u]);
			json_decref(act("permits", pid, tok, "{\"action\":\"report_reinstated\"}", 200));
			free(tok);
		}
		json_decref(act("permits", pid, road, "{\"action\":\"inspect\",\"result\":\"pass\"}", 200));
		json_t *p = act("permits", pid, road, "{\"action\":\"close\"}", 200);
		cr_assert_str_eq(jstr(p, "state"), "closed");
		json_decref(p);
	}

	snprintf(path, sizeof(path), "/v1/applications/%lld", app_id);
	json_t *done = journey_call("GET", path, app_token, NULL, 200);
	cr_assert_str_eq(jstr(done, "status"), "completed");
	cr_assert_gt(json_array_size(json_object_get(done, "timeline")), 40, "every step on the record");
	json_decref(done);
	json_decref(app);
	json_decref(materials);
	free(body);
	free(app_token);
	free(power);
	free(road);
}

Test(applications, the_one_time_notice_lists_everything_and_stores_nothing)
{
	/* an applicant of its own: the demo one applies in other tests running meanwhile */
	char email[128];
	harness_make_user("applicant", NULL, true, email);
	char *tok = harness_login(email, HARNESS_PASSWORD);
	long long site = make_site(tok, "medium");
	json_t *before = journey_call("GET", "/v1/applications?limit=200", tok, NULL, 200);
	char body[1024];
	snprintf(body, sizeof(body),
		 "{\"site_id\":%lld,\"utilities\":{\"water\":{\"dn\":100,\"use\":\"domestic\"},"
		 "\"power\":{\"kw\":0}},\"works\":{\"green_space\":{\"area_m2\":10}},"
		 "\"materials\":[]}",
		 site);
	json_t *e = journey_call("POST", "/v1/applications", tok, body, 422);
	json_t *details = json_object_get(json_object_get(e, "error"), "details");
	char *text = json_dumps(details, 0);
	cr_assert(strstr(text, "utilities.power.kw"), "%s", text);
	cr_assert(strstr(text, "utilities.power.voltage_level"), "%s", text);
	cr_assert(strstr(text, "\"missing\""), "missing materials listed too: %s", text);
	cr_assert_geq(json_array_size(details), 4, "%s", text);
	json_t *after = journey_call("GET", "/v1/applications?limit=200", tok, NULL, 200);
	cr_assert_eq(json_array_size(json_object_get(after, "items")),
		     json_array_size(json_object_get(before, "items")), "nothing stored on a 422");
	free(text);
	json_decref(e);
	json_decref(before);
	json_decref(after);
	free(tok);
}

/* A small application (water only, no works) and its job id. */
static long long water_only(const char *tok, char *ref_out)
{
	long long site = make_site(tok, "medium");
	json_t *materials = journey_upload_required(tok);
	char *m = json_dumps(materials, JSON_COMPACT);
	char body[4096];
	snprintf(body, sizeof(body),
		 "{\"site_id\":%lld,\"utilities\":{\"water\":{\"dn\":50,\"use\":\"domestic\"}},"
		 "\"materials\":%s}",
		 site, m);
	json_t *a = journey_call("POST", "/v1/applications", tok, body, 201);
	if (ref_out)
		strcpy(ref_out, jstr(a, "reference"));
	long long jid = id_of(json_array_get(json_object_get(a, "jobs"), 0));
	json_decref(a);
	json_decref(materials);
	free(m);
	return jid;
}

Test(applications, illegal_stale_and_foreign_transitions_are_refused)
{
	char *tok = journey_login("applicant");
	long long jid = water_only(tok, NULL);
	char *water = journey_login("water");
	char *gas = journey_login("gas");
	/* the applicant cannot accept; another utility cannot even see the job */
	json_decref(act("jobs", jid, tok, "{\"action\":\"accept\"}", 403));
	json_decref(act("jobs", jid, gas, "{\"action\":\"accept\"}", 404));
	json_decref(act("jobs", jid, water, "{\"action\":\"fly\"}", 422));
	json_t *j = act("jobs", jid, water, "{\"action\":\"accept\",\"version\":1}", 200);
	cr_assert_eq(json_integer_value(json_object_get(j, "version")), 2);
	json_decref(j);
	/* stale version */
	json_t *e = act("jobs", jid, water, "{\"action\":\"survey\",\"version\":1,"
			"\"connection_point\":{\"lat\":1,\"lng\":2}}", 409);
	json_decref(e);
	/* accepting twice: 409 listing what is allowed now */
	e = act("jobs", jid, water, "{\"action\":\"accept\"}", 409);
	char *text = json_dumps(e, 0);
	cr_assert(strstr(text, "survey"), "allowed actions listed: %s", text);
	free(text);
	json_decref(e);
	free(tok);
	free(water);
	free(gas);
}

Test(applications, a_return_pauses_the_clock_until_the_supplement)
{
	char *tok = journey_login("applicant");
	long long jid = water_only(tok, NULL);
	char *water = journey_login("water");
	json_decref(act("jobs", jid, water, "{\"action\":\"return\",\"items\":[]}", 422));
	json_t *j = act("jobs", jid, water,
			"{\"action\":\"return\",\"items\":[{\"code\":\"MATERIAL_ILLEGIBLE\","
			"\"comment\":\"site plan scan unreadable\"},{\"code\":\"LOAD_UNCLEAR\"}]}",
			200);
	cr_assert_str_eq(jstr(j, "state"), "returned");
	json_t *clock = json_object_get(j, "clock");
	cr_assert(json_is_true(json_object_get(clock, "paused")), "%s", json_dumps(j, 0));
	cr_assert(json_is_integer(json_object_get(clock, "remaining_days")));
	json_decref(j);
	j = act("jobs", jid, tok, "{\"action\":\"supplement\"}", 200);
	cr_assert_str_eq(jstr(j, "state"), "submitted");
	cr_assert(json_is_false(json_object_get(json_object_get(j, "clock"), "paused")));
	cr_assert(json_is_string(json_object_get(json_object_get(j, "clock"), "due_date")));
	json_decref(j);
	free(tok);
	free(water);
}

Test(applications, quotes_use_only_published_prices)
{
	char *tok = journey_login("applicant");
	long long jid = water_only(tok, NULL);
	char *water = journey_login("water");
	json_decref(act("jobs", jid, water, "{\"action\":\"accept\"}", 200));
	json_decref(act("jobs", jid, water,
			"{\"action\":\"survey\",\"connection_point\":{\"lat\":1,\"lng\":2}}", 200));
	json_t *e = act("jobs", jid, water,
			"{\"action\":\"plan\",\"permits_needed\":[],\"quote\":["
			"{\"code\":\"NOT-A-FEE\",\"quantity\":1,\"unit_price_fen\":100},"
			"{\"code\":\"ALSO-NOT\",\"quantity\":2,\"unit_price_fen\":5}]}",
			422);
	char *text = json_dumps(e, 0);
	cr_assert(strstr(text, "quote[0]") && strstr(text, "quote[1]"), "each bad line: %s", text);
	free(text);
	json_decref(e);
	free(tok);
	free(water);
}

Test(applications, queues_list_only_own_work)
{
	char *tok = journey_login("applicant");
	char ref[32];
	water_only(tok, ref);
	char *water = journey_login("water");
	char *gas = journey_login("gas");
	json_t *q = journey_call("GET", "/v1/jobs?state=submitted&limit=200", water, NULL, 200);
	char *text = json_dumps(q, 0);
	cr_assert(strstr(text, ref), "the water queue has the new job");
	free(text);
	json_decref(q);
	q = journey_call("GET", "/v1/jobs?limit=200", gas, NULL, 200);
	text = json_dumps(q, 0);
	cr_assert(!strstr(text, ref), "the gas queue does not");
	free(text);
	json_decref(q);
	json_decref(journey_call("GET", "/v1/jobs", tok, NULL, 403));
	free(tok);
	free(water);
	free(gas);
}

/* A power-only application digging 400 m of primary road: a normal dig-road permit. */
static long long power_dig(const char *tok, long long *permit_id)
{
	long long site = make_site(tok, "medium");
	json_t *materials = journey_upload_required(tok);
	char *m = json_dumps(materials, JSON_COMPACT);
	char body[4096];
	snprintf(body, sizeof(body),
		 "{\"site_id\":%lld,\"utilities\":{\"power\":{\"kw\":80,\"voltage_level\":\"0.4kV\"}},"
		 "\"works\":{\"excavations\":[{\"utility\":\"power\"," JOURNEY_DIG_WUSI ","
		 "\"width_m\":1,\"start_date\":\"%s\",\"end_date\":\"%s\"}]},\"materials\":%s}",
		 site, journey_day(1), journey_day(20), m);
	json_t *a = journey_call("POST", "/v1/applications", tok, body, 201);
	long long jid = id_of(json_array_get(json_object_get(a, "jobs"), 0));
	*permit_id = id_of(json_array_get(json_object_get(a, "permits"), 0));
	cr_assert_str_eq(jstr(json_array_get(json_object_get(a, "permits"), 0), "state"), "submitted");
	json_decref(a);
	json_decref(materials);
	free(m);
	return jid;
}

/*
 * The queues are written straight from the rows (store/queues.c), not through Jansson: the text
 * must be what json_text writes for the same value, byte for byte, with every field of a
 * summary, and a walk by next_cursor must show each item once.
 */
Test(applications, queue_text_is_json_text_with_every_field_and_pages)
{
	char *tok = journey_login("applicant");
	long long pid;
	power_dig(tok, &pid);
	water_only(tok, NULL);
	water_only(tok, NULL);
	/* (who, queue, fields every item has) */
	static const struct { const char *who, *path; const char *fields[14]; } cases[] = {
		{ "water", "/v1/jobs",
		  { "id", "reference", "kind", "state", "application", "version", "paused",
		    "overdue", "stage", "due_date", NULL } },
		{ "road", "/v1/permits",
		  { "id", "reference", "kind", "state", "application", "version", "paused",
		    "overdue", "stage", "due_date", "fast_track", "work_window", NULL } },
	};
	for (size_t c = 0; c < sizeof(cases) / sizeof(cases[0]); c++) {
		char *who = journey_login(cases[c].who);
		char path[160], cursor[32] = "";
		long long seen[64];
		size_t nseen = 0;
		for (int page = 0; page < 64; page++) {
			snprintf(path, sizeof(path), "%s?limit=2%s%s", cases[c].path,
				 cursor[0] ? "&cursor=" : "", cursor);
			struct reply r;
			cr_assert_eq(http_call(&r, "GET", path, who, NULL, NULL), 200, "%s", r.body);
			cr_assert(r.json, "%s: JSON", path);
			char *again = json_text(r.json);
			cr_expect_str_eq(again, r.body, "%s: the text json_text writes", path);
			free(again);
			json_t *items = json_object_get(r.json, "items");
			cr_assert(json_is_array(items) && json_array_size(items) <= 2, "%s", path);
			for (size_t i = 0; i < json_array_size(items); i++) {
				json_t *it = json_array_get(items, i);
				for (int f = 0; cases[c].fields[f]; f++)
					cr_expect(json_object_get(it, cases[c].fields[f]), "%s: %s",
						  path, cases[c].fields[f]);
				cr_expect(json_is_integer(json_object_get(it, "id")));
				cr_expect(json_is_boolean(json_object_get(it, "paused")));
				long long id = json_integer_value(json_object_get(it, "id"));
				for (size_t k = 0; k < nseen; k++)
					cr_expect_neq(seen[k], id, "%s: item %lld twice", path, id);
				if (nseen < 64)
					seen[nseen++] = id;
			}
			json_t *next = json_object_get(r.json, "next_cursor");
			cr_assert(next, "next_cursor is always there");
			bool more = json_is_string(next);
			if (more)
				snprintf(cursor, sizeof(cursor), "%s", json_string_value(next));
			reply_release(&r);
			if (!more)
				break;
		}
		cr_expect_geq(nseen, c == 0 ? 2u : 1u, "%s: the new work is listed", cases[c].who);
		free(who);
	}
	free(tok);
}

Test(applications, silence_past_the_review_limit_is_deemed_approval)
{
	char *tok = journey_login("applicant");
	long long pid;
	power_dig(tok, &pid);
	char *road = journey_login("road");
	json_decref(act("permits", pid, road, "{\"action\":\"accept\"}", 200));
	/* nothing is due yet: the sweep changes nothing */
	int deemed = -1;
	struct error err = ERROR_INIT;
	cr_assert_eq(sweeper_run_once(harness_app(srv), &deemed, &err), 0, "%s", err.message);
	char path[64];
	snprintf(path, sizeof(path), "/v1/permits/%lld", pid);
	json_t *p = journey_call("GET", path, tok, NULL, 200);
	cr_assert_str_eq(jstr(p, "state"), "under_review");
	json_decref(p);
	/* the review limit passes without a decision */
	char sql[200];
	snprintf(sql, sizeof(sql),
		 "UPDATE permits SET due_day = UTC_DATE() - INTERVAL 3 DAY WHERE id = %lld", pid);
	harness_sql(harness_db_name(), sql);
	cr_assert_eq(sweeper_run_once(harness_app(srv), &deemed, &err), 0, "%s", err.message);
	cr_assert_geq(deemed, 1);
	p = journey_call("GET", path, tok, NULL, 200);
	cr_assert_str_eq(jstr(p, "state"), "approved");
	cr_assert_str_eq(jstr(p, "decision"), "deemed_approved");
	cr_assert(json_is_true(json_object_get(p, "is_deemed")));
	json_decref(p);
	/* idempotent: a second pass finds nothing more for this permit */
	cr_assert_eq(sweeper_run_once(harness_app(srv), &deemed, &err), 0);
	p = journey_call("GET", path, tok, NULL, 200);
	cr_assert_eq(json_integer_value(json_object_get(p, "version")), 3, "accept + deem only");
	json_decref(p);
	free(tok);
	free(road);
}

Test(applications, work_window_extensions_one_at_a_time)
{
	char *tok = journey_login("applicant");
	long long pid;
	long long jid = power_dig(tok, &pid);
	char *road = journey_login("road"), *power = journey_login("power");
	json_decref(act("permits", pid, road, "{\"action\":\"accept\"}", 200));
	json_decref(act("permits", pid, road, "{\"action\":\"approve\"}", 200));
	/* the power company's job needs the permit: it may ask for a longer window */
	(void)jid;
	char body[200];
	snprintf(body, sizeof(body), "{\"action\":\"request_extension\",\"extension_to\":\"%s\","
		 "\"comment\":\"rock under the road\"}", journey_day(40));
	json_t *p = act("permits", pid, power, body, 200);
	cr_assert(json_is_true(json_object_get(p, "extension_pending")));
	char before[11];
	snprintf(before, sizeof(before), "%s",
		 jstr(json_object_get(p, "work_window"), "to"));
	json_decref(p);
	/* one pending request at a time */
	json_decref(act("permits", pid, power, body, 409));
	/* a refusal leaves the permit as it was */
	p = act("permits", pid, road, "{\"action\":\"decide_extension\",\"decision\":\"refuse\"}", 200);
	cr_assert_str_eq(jstr(json_object_get(p, "work_window"), "to"), before);
	cr_assert(json_is_false(json_object_get(p, "extension_pending")));
	json_decref(p);
	json_decref(act("permits", pid, power, body, 200));
	p = act("permits", pid, road, "{\"action\":\"decide_extension\",\"decision\":\"grant\"}", 200);
	cr_assert_str_eq(jstr(json_object_get(p, "work_window"), "to"), journey_day(40));
	json_decref(p);
	/* a utility without a job on it cannot even see it */
	char *gas = journey_login("gas");
	json_decref(act("permits", pid, gas, body, 404));
	free(gas);
	free(tok);
	free(road);
	free(power);
}

Test(applications, overlapping_digs_of_two_applications_are_offered_as_a_joint_dig)
{
	char *tok = journey_login("applicant");
	long long p1, p2;
	power_dig(tok, &p1);
	power_dig(tok, &p2); /* the same segment and window: a trench to share */
	char *road = journey_login("road");
	json_t *list = journey_call("GET", "/v1/joint-digs?status=proposed", road, NULL, 200);
	long long proposal = 0;
	size_t i;
	json_t *it;
	json_array_foreach(json_object_get(list, "items"), i, it)
	{
		json_t *ps = json_object_get(it, "permits");
		long long a = id_of(json_array_get(ps, 0)), b = id_of(json_array_get(ps, 1));
		if ((a == p1 && b == p2) || (a == p2 && b == p1))
			proposal = id_of(it);
	}
	cr_assert(proposal, "the pair is proposed to the road authority");
	json_decref(list);
	char path[64];
	snprintf(path, sizeof(path), "/v1/joint-digs/%lld/accept", proposal);
	json_decref(journey_call("POST", path, tok, NULL, 404));
	json_t *r = journey_call("POST", path, road, NULL, 200);
	cr_assert_str_eq(jstr(r, "status"), "accepted");
	json_decref(r);
	json_decref(journey_call("POST", path, road, NULL, 409));
	snprintf(path, sizeof(path), "/v1/permits/%lld", p1);
	json_t *a = journey_call("GET", path, road, NULL, 200);
	snprintf(path, sizeof(path), "/v1/permits/%lld", p2);
	json_t *b = journey_call("GET", path, road, NULL, 200);
	cr_assert_str_eq(jstr(json_object_get(a, "work_window"), "to"),
			 jstr(json_object_get(b, "work_window"), "to"), "one merged window");
	json_decref(a);
	json_decref(b);
	free(tok);
	free(road);
}

/* An application's outbox events, in order: id, payload. The caller frees. */
static struct store_result *events_of(long long app_id)
{
	static const char SQL_EVENTS[] =
		"SELECT id, payload FROM outbox WHERE application_id = ? ORDER BY id";
	struct store_conn *c = store_acquire(harness_pool(), 5000, NULL);
	cr_assert_not_null(c);
	struct store_result *r = NULL;
	struct store_param p[] = { P_INT(app_id) };
	cr_assert_eq(store_exec(c, SQL_EVENTS, p, 1, &r, NULL), 0);
	store_release(c);
	return r;
}

Test(applications, every_party_event_maps_through_its_adapter)
{
	char *tok = journey_login("applicant");
	long long site = make_site(tok, "low");
	json_t *materials = journey_upload_required(tok);
	char *body = journey_submission(site, materials);
	json_t *a = journey_call("POST", "/v1/applications", tok, body, 201);
	long long app_id = id_of(a);
	/* a few transitions too, so job.* and permit.* events of later steps are covered */
	char *water = journey_login("water");
	long long jid = id_of(track(a, "jobs", "utility_kind", "water"));
	json_decref(act("jobs", jid, water, "{\"action\":\"accept\"}", 200));
	json_decref(act("jobs", jid, water,
			"{\"action\":\"survey\",\"connection_point\":{\"lat\":26.1,\"lng\":119.25}}", 200));
	struct store_result *r = events_of(app_id);
	int mapped = 0;
	json_t *kinds = json_object();
	for (size_t i = 0; i < r->nrows; i++) {
		json_t *ev = json_loads(store_cell(r, i, 1), 0, NULL);
		const char *adapter = json_string_value(json_object_get(ev, "adapter"));
		json_t *out = dispatcher_body(store_cell_ll(r, i, 0, 0), store_cell(r, i, 1));
		if (adapter) {
			json_t *data = json_object_get(out, "data");
			cr_expect(json_is_object(data), "%s event %s was not mapped: %s", adapter,
				  json_string_value(json_object_get(ev, "type")), json_dumps(out, 0));
			cr_expect(!json_object_get(out, "adapter"));
			cr_expect(json_is_string(json_object_get(out, "id")), "the id receivers dedupe by");
			mapped++;
			json_object_set_new(kinds, adapter, json_true());
		} else {
			cr_expect(json_is_object(json_object_get(out, "object")),
				  "applicant events keep the portal's shape");
		}
		json_decref(out);
		json_decref(ev);
	}
	static const char *const all[] = { "water", "power", "gas", "heat", "network", "road",
					   "greening", "planning" };
	for (size_t k = 0; k < 8; k++)
		cr_expect(json_object_get(kinds, all[k]), "no mapped %s event", all[k]);
	cr_assert_geq(mapped, 11);
	/* the water payload carries what the water company needs */
	json_decref(kinds);
	store_result_free(r);
	json_decref(a);
	json_decref(materials);
	free(body);
	free(tok);
	free(water);
}

/*
 * Coordinates come out as they were written: the site's 26.108 is "26.108" in its reply, in the
 * events stored for every party and in the bodies delivered, not the 36.659999999999997 of
 * a double printed to 17 digits.
 */
Test(applications, coordinates_come_out_as_written)
{
	char *tok = journey_login("applicant");
	long long site = make_site(tok, "low"); /* lat 26.108, lng 119.252 */
	char path[64];
	snprintf(path, sizeof(path), "/v1/sites/%lld", site);
	struct reply rs = { 0 };
	cr_assert_eq(http_call(&rs, "GET", path, tok, NULL, NULL), 200);
	cr_expect(strstr(rs.body, "\"lat\":26.108,") && strstr(rs.body, "\"lng\":119.252"),
		  "the site's reply: %s", rs.body);
	reply_release(&rs);
	json_t *materials = journey_upload_required(tok);
	char *body = journey_submission(site, materials);
	json_t *a = journey_call("POST", "/v1/applications", tok, body, 201);
	struct store_result *r = events_of(id_of(a));
	int with_site = 0;
	for (size_t i = 0; i < r->nrows; i++) {
		const char *stored = store_cell(r, i, 1);
		char *sent = dispatcher_body_text(store_cell_ll(r, i, 0, 0), stored);
		const char *texts[] = { stored, sent };
		for (int t = 0; t < 2; t++) {
			cr_expect(!strstr(texts[t], "26.107") && !strstr(texts[t], "119.251"),
				  "%s event %zu: %s", t ? "delivered" : "stored", i, texts[t]);
			with_site += strstr(texts[t], "26.108") != NULL;
		}
		free(sent);
	}
	cr_expect_geq(with_site, 2, "no event carried the site's coordinates");
	store_result_free(r);
	json_decref(a);
	json_decref(materials);
	free(body);
	free(tok);
}

/* A submission of one utility with the given works (JSON, may be empty) and its reply. */
static json_t *submit_one(const char *tok, const char *utility, const char *works, long want)
{
	long long site = make_site(tok, "medium");
	json_t *materials = journey_upload_required(tok);
	char *m = json_dumps(materials, JSON_COMPACT);
	char *body;
	if (asprintf(&body, "{\"site_id\":%lld,\"utilities\":{%s},%s%s\"materials\":%s}", site,
		     utility, works, works[0] ? "," : "", m) < 0)
		abort();
	json_t *a = journey_call("POST", "/v1/applications", tok, body, want);
	json_decref(materials);
	free(m);
	free(body);
	return a;
}

/* Accepts and surveys the application's job of kind, as the utility; returns its id. */
static long long surveyed(json_t *app, const char *kind, const char *utok)
{
	long long jid = id_of(track(app, "jobs", "utility_kind", kind));
	json_decref(act("jobs", jid, utok, "{\"action\":\"accept\"}", 200));
	json_decref(act("jobs", jid, utok,
			"{\"action\":\"survey\",\"connection_point\":{\"lat\":1,\"lng\":2}}", 200));
	return jid;
}

/* The details of an error reply as "field:code" joined with ',' (caller frees). */
static char *detail_list(json_t *e)
{
	json_t *d;
	size_t i;
	char *out = xstrdup("");
	json_array_foreach(json_object_get(json_object_get(e, "error"), "details"), i, d)
	{
		char *next = xasprintf("%s%s%s:%s", out, i ? "," : "", jstr(d, "field"),
				       jstr(d, "code"));
		free(out);
		out = next;
	}
	return out;
}

/* One quote line as a plan body. */
static char *plan_body(const char *code, long long qty, long long fen, const char *needs)
{
	return xasprintf("{\"action\":\"plan\",\"permits_needed\":%s,\"quote\":[{\"code\":\"%s\","
			 "\"quantity\":%lld,\"unit_price_fen\":%lld}]}",
			 needs, code, qty, fen);
}

/*
 * Rule 9 with bands: a quote line is priced at the band the job's own parameters fall in
 * (the demo's W-CONN DN 51-100 band is 800,000 fen, DN 15-25 80,000; P-HV 161-2000 kW is
 * 12,000 fen/kW, >= 2001 kW 10,000; P-LV is for up to 160 kW). Another band's price, or an
 * item whose band the job is not in, is refused naming the band and price that apply.
 */
Test(applications, a_quote_at_another_bands_price_is_refused)
{
	char *tok = journey_login("applicant"), *water = journey_login("water"), *power = journey_login("power");
	json_t *app = submit_one(tok, "\"water\":{\"dn\":100,\"use\":\"commercial\"},"
				      "\"power\":{\"kw\":250,\"voltage_level\":\"10kV\"}",
				 "", 201);
	long long wj = surveyed(app, "water", water), pj = surveyed(app, "power", power);
	struct {
		long long job;
		const char *tok, *code;
		long long qty, fen;
		const char *details, *says;
	} cases[] = {
		{ wj, water, "W-CONN", 1, 80000, "quote[0].unit_price_fen:price_mismatch",
		  "dn 51-100" },
		{ pj, power, "P-HV", 250, 10000, "quote[0].unit_price_fen:price_mismatch",
		  "at 12000 fen" },
		{ pj, power, "P-LV", 1, 0, "quote[0].code:not_applicable", "P-HV (kw 161-2000)" },
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char *body = plan_body(cases[i].code, cases[i].qty, cases[i].fen, "[]");
		json_t *e = act("jobs", cases[i].job, cases[i].tok, body, 422);
		char *got = detail_list(e), *text = json_dumps(e, 0);
		cr_expect_str_eq(got, cases[i].details, "%s", text);
		cr_expect(strstr(text, cases[i].says), "'%s' not named: %s", cases[i].says, text);
		free(got);
		free(text);
		free(body);
		json_decref(e);
	}
	/* nothing was written by the refusals: the jobs are still surveyed, then plan at the band */
	char path[64];
	snprintf(path, sizeof(path), "/v1/jobs/%lld", wj);
	json_t *j = journey_call("GET", path, water, NULL, 200);
	cr_expect_str_eq(jstr(j, "state"), "surveyed");
	json_decref(j);
	char *body = plan_body("W-CONN", 1, 800000, "[]");
	j = act("jobs", wj, water, body, 200);
	cr_expect_eq(json_integer_value(json_object_get(j, "quote_total_fen")), 800000);
	json_decref(j);
	free(body);
	body = plan_body("P-HV", 250, 12000, "[]");
	json_decref(act("jobs", pj, power, body, 200));
	free(body);
	json_decref(app);
	free(tok);
	free(water);
	free(power);
}

/* Each problem of a 422 is named once, under a field of the request as sent. */
Test(applications, a_line_doubling_back_is_named_once_under_its_own_field)
{
	char *tok = journey_login("applicant");
	char works[512];
	snprintf(works, sizeof(works),
		 "\"works\":{\"excavations\":[{\"utility\":\"water\",\"geometry\":{\"type\":"
		 "\"LineString\",\"coordinates\":[[119.2920,26.0830],[119.29202,26.0832],"
		 "[119.2920,26.0830]]},\"width_m\":1,\"start_date\":\"%s\",\"end_date\":\"%s\"}]}",
		 journey_day(0), journey_day(5));
	json_t *e = submit_one(tok, "\"water\":{\"dn\":50,\"use\":\"domestic\"}", works, 422);
	char *got = detail_list(e);
	cr_expect_str_eq(got, "works.excavations[0].geometry.coordinates:self_intersecting",
			 "one detail, once");
	free(got);
	json_decref(e);
	free(tok);
}

/*
 * The plan's permit list decides the construction gate: the job's own dig-road permit cannot
 * be left out, a permit of another application cannot be named, and a permit the plan leaves
 * out (greening here) no longer holds the job back.
 */
Test(applications, the_plans_permit_list_decides_the_gate)
{
	char *tok = journey_login("applicant"), *water = journey_login("water");
	char works[512];
	snprintf(works, sizeof(works),
		 "\"works\":{\"excavations\":[{\"utility\":\"water\"," JOURNEY_DIG_NANHOU ","
		 "\"width_m\":1,\"start_date\":\"%s\",\"end_date\":\"%s\"}],"
		 "\"green_space\":{\"area_m2\":30,\"trees_affected\":1}}",
		 journey_day(0), journey_day(5));
	json_t *app = submit_one(tok, "\"water\":{\"dn\":50,\"use\":\"domestic\"}", works, 201);
	json_t *other = submit_one(tok, "\"water\":{\"dn\":50,\"use\":\"domestic\"}", works, 201);
	char dr[48], gr[48], foreign[48];
	snprintf(dr, sizeof(dr), "%s-DR", jstr(app, "reference"));
	snprintf(gr, sizeof(gr), "%s-GR", jstr(app, "reference"));
	snprintf(foreign, sizeof(foreign), "%s-DR", jstr(other, "reference"));
	cr_assert(track(app, "permits", "reference", dr) && track(app, "permits", "reference", gr),
		  "a dig-road and a greening permit");
	long long jid = surveyed(app, "water", water);
	struct {
		char needs[160];
		const char *details;
	} refused[3];
	snprintf(refused[0].needs, sizeof(refused[0].needs), "[]");
	refused[0].details = "permits_needed:required";
	snprintf(refused[1].needs, sizeof(refused[1].needs), "[\"%s\",\"%s\"]", dr, foreign);
	refused[1].details = "permits_needed[1]:unknown";
	snprintf(refused[2].needs, sizeof(refused[2].needs), "[\"%s\",\"%s\",5]", gr, dr);
	refused[2].details = "permits_needed[2]:wrong_type";
	for (int i = 0; i < 3; i++) {
		char *body = plan_body("W-CONN", 1, 250000, refused[i].needs);
		json_t *e = act("jobs", jid, water, body, 422);
		char *got = detail_list(e);
		cr_expect_str_eq(got, refused[i].details, "%s", refused[i].needs);
		free(got);
		free(body);
		json_decref(e);
	}
	char needs[64];
	snprintf(needs, sizeof(needs), "[\"%s\"]", dr);
	char *body = plan_body("W-CONN", 1, 250000, needs);
	json_decref(act("jobs", jid, water, body, 200));
	free(body);
	json_decref(act("jobs", jid, tok, "{\"action\":\"confirm\"}", 200));
	/* the gate names the dig-road permit only: greening was left out by the plan */
	json_t *e = act("jobs", jid, water, "{\"action\":\"start_construction\"}", 409);
	char *text = json_dumps(e, 0);
	cr_expect(strstr(text, dr), "names %s: %s", dr, text);
	cr_expect_null(strstr(text, gr), "greening no longer gates: %s", text);
	free(text);
	json_decref(e);
	/* once the dig-road permit is approved, construction starts with greening undecided */
	char *road = journey_login("road");
	long long pid = id_of(track(app, "permits", "reference", dr));
	json_decref(act("permits", pid, road, "{\"action\":\"accept\"}", 200));
	json_decref(act("permits", pid, road, "{\"action\":\"approve\"}", 200));
	json_t *j = act("jobs", jid, water, "{\"action\":\"start_construction\"}", 200);
	cr_expect_str_eq(jstr(j, "state"), "constructing");
	json_decref(j);
	json_decref(app);
	json_decref(other);
	free(tok);
	free(water);
	free(road);
}
