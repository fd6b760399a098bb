/*
 * The aftercare lists (issue #21 review) over real HTTP against MariaDB: rectifications,
 * credit records, defects, tasks and feedback come a page at a time with ?limit= and an opaque
 * ?cursor= like every list of the API, each row exactly once, 422 naming a bad limit or
 * cursor; overdue remedial and defect tasks are listed in supervision; and the public's photos
 * have a day's cap after which a public report is refused with nothing written.
 */
#define _GNU_SOURCE
#include <criterion/criterion.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/db.h"
#include "support/harness.h"
#include "support/journey.h"

#define DEMO "demo-password-1"
/* A JPEG's first bytes (SOI, JFIF APP0) and end: enough to be recognised as one. */
#define JPEG_B64 "/9j/4AAQSkZJRgABAQAAAQABAAD/2Q=="

static struct harness_server *srv;
static void setup(void) { srv = harness_server_start(); }
static void teardown(void) { harness_server_stop(srv); }
TestSuite(aftercare_lists, .init = setup, .fini = teardown, .timeout = 180);

static json_t *call_at(int line, const char *method, const char *path, const char *tok,
		       const char *body, long status)
{
	struct reply r;
	http_call(&r, method, path, tok, body, NULL);
	cr_assert_eq(r.status, status, "line %d: %s %s: %ld %s", line, method, path, r.status,
		     r.body);
	json_t *j = json_incref(r.json);
	reply_release(&r);
	return j;
}

#define call(...) call_at(__LINE__, __VA_ARGS__)

static void sql(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void sql(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	char *s = NULL;
	cr_assert(vasprintf(&s, fmt, ap) > 0);
	va_end(ap);
	harness_sql(harness_db_name(), s);
	free(s);
}

/* A fresh organisation of kind with a signed-in user: its id, and its token in *tok. */
static long long fresh_org(const char *kind, const char *subkind, char **tok)
{
	char email[128];
	long long org = harness_make_user(kind, subkind, false, email);
	*tok = harness_login(email, HARNESS_PASSWORD);
	return org;
}

/*
 * Walks path (which has a '?') page by page with ?limit=, following next_cursor until it is
 * null. Every page but the last is full; no row (its `field`) comes twice; each of want[] is
 * seen exactly once. Returns the pages walked; *first the first page (a new reference).
 */
static int walk(const char *path, const char *tok, int limit, const char *field,
		const long long *want, size_t nwant, json_t **first)
{
	long long *seen = NULL;
	size_t nseen = 0;
	char cursor[64] = "";
	int pages = 0;
	*first = NULL;
	for (;;) {
		char url[512];
		snprintf(url, sizeof(url), "%s&limit=%d%s%s", path, limit, cursor[0] ? "&cursor=" : "",
			 cursor);
		json_t *page = call("GET", url, tok, NULL, 200);
		pages++;
		json_t *items = json_object_get(page, "items");
		json_t *next = json_object_get(page, "next_cursor");
		cr_assert(next, "%s: no next_cursor member", url);
		cr_assert_leq(json_array_size(items), (size_t)limit, "%s", url);
		if (!json_is_null(next))
			cr_assert_eq(json_array_size(items), (size_t)limit,
				     "%s: a page before the last is full", url);
		size_t i;
		json_t *it;
		json_array_foreach(items, i, it)
		{
			long long id = json_integer_value(json_object_get(it, field));
			for (size_t k = 0; k < nseen; k++)
				cr_assert_neq(seen[k], id, "%s: %s %lld came twice", url, field, id);
			seen = realloc(seen, (nseen + 1) * sizeof(*seen));
			seen[nseen++] = id;
		}
		if (json_is_null(next)) {
			if (!*first)
				*first = page;
			else
				json_decref(page);
			break;
		}
		cr_assert(json_is_string(next), "%s", url);
		snprintf(cursor, sizeof(cursor), "%s", json_string_value(next));
		if (!*first)
			*first = page;
		else
			json_decref(page);
		cr_assert_lt(pages, 2000, "the walk does not end");
	}
	for (size_t w = 0; w < nwant; w++) {
		int n = 0;
		for (size_t k = 0; k < nseen; k++)
			n += seen[k] == want[w];
		cr_expect_eq(n, 1, "%s: %s %lld seen %d times", path, field, want[w], n);
	}
	free(seen);
	return pages;
}

/*
 * The first column of query's rows, at most max, into ids; returns how many. query is a static
 * string (the store caches statements by its address) with one parameter, p.
 */
static size_t ids_of(const char *query, struct store_param p, long long *ids, size_t max)
{
	struct store_conn *c = store_acquire(harness_pool(), 5000, NULL);
	cr_assert(c);
	struct store_result *r = NULL;
	struct error e = ERROR_INIT;
	cr_assert_eq(store_exec(c, query, &p, 1, &r, &e), 0, "%s", e.message);
	size_t n = 0;
	for (; n < r->nrows && n < max; n++)
		ids[n] = store_cell_ll(r, n, 0, 0);
	store_result_free(r);
	store_release(c);
	error_release(&e);
	return n;
}

/* A bad limit and a bad cursor are 422 with both named at once; a limit above 200 too. */
static void bad_paging(const char *path, const char *tok)
{
	char url[512];
	snprintf(url, sizeof(url), "%s&limit=0&cursor=not-one", path);
	json_t *r = call("GET", url, tok, NULL, 422);
	char *text = json_dumps(r, 0);
	cr_expect(strstr(text, "\"field\": \"limit\"") || strstr(text, "\"field\":\"limit\""),
		  "%s: %s", url, text);
	cr_expect(strstr(text, "\"field\": \"cursor\"") || strstr(text, "\"field\":\"cursor\""),
		  "%s: %s", url, text);
	free(text);
	json_decref(r);
	snprintf(url, sizeof(url), "%s&limit=201", path);
	json_decref(call("GET", url, tok, NULL, 422));
	snprintf(url, sizeof(url), "%s&cursor=-5", path);
	json_decref(call("GET", url, tok, NULL, 422));
}

Test(aftercare_lists, defects_and_tasks_come_a_page_at_a_time)
{
	char *utok;
	long long org = fresh_org("utility", "water", &utok);
	int u = harness_unique();
	for (int i = 0; i < 7; i++)
		sql("INSERT INTO defects (reference, location, lng, lat, description, reported_by, "
		    "routed_to, route_reason, org_id, due_day) VALUES ('DF-PG%d-%d', "
		    "ST_GeomFromText('POINT(119.3 26.09)'), 119.3, 26.09, 'paging', 'office', "
		    "'utility', 'paging test', %lld, CURDATE() + INTERVAL 9 DAY)",
		    u, i, org);
	for (int i = 0; i < 5; i++)
		sql("INSERT INTO tasks (kind, org_id, due_day) VALUES ('remedial', %lld, "
		    "CURDATE() + INTERVAL 9 DAY)",
		    org);
	long long defects[7], tasks[5];
	cr_assert_eq(ids_of("SELECT id FROM defects WHERE org_id = ? ORDER BY id", P_INT(org),
			    defects, 7),
		     7);
	cr_assert_eq(ids_of("SELECT id FROM tasks WHERE org_id = ? ORDER BY id", P_INT(org), tasks,
			    5),
		     5);

	/* the organisation's own lists, and the office's of that organisation */
	json_t *first;
	cr_expect_eq(walk("/v1/defects?status=open", utok, 3, "id", defects, 7, &first), 3,
		     "7 defects in pages of 3");
	cr_expect_eq(json_integer_value(json_object_get(
			 json_array_get(json_object_get(first, "items"), 0), "id")),
		     defects[6], "newest first");
	json_decref(first);
	cr_expect_eq(walk("/v1/defects?status=open", utok, 7, "id", defects, 7, &first), 1,
		     "exactly one full page: no empty page after it");
	json_decref(first);
	cr_expect_eq(walk("/v1/tasks?kind=remedial", utok, 2, "id", tasks, 5, &first), 3);
	cr_expect_eq(json_integer_value(json_object_get(
			 json_array_get(json_object_get(first, "items"), 0), "id")),
		     tasks[0], "tasks oldest first");
	json_decref(first);
	char *office = harness_login("office@demo.test", DEMO);
	char path[128];
	snprintf(path, sizeof(path), "/v1/defects?org=%lld", org);
	cr_expect_eq(walk(path, office, 4, "id", defects, 7, &first), 2);
	json_decref(first);
	/* a default page is 50: all seven, and no next page */
	json_t *all = call("GET", "/v1/defects?status=open", utok, NULL, 200);
	cr_expect_eq(json_array_size(json_object_get(all, "items")), 7);
	cr_expect(json_is_null(json_object_get(all, "next_cursor")));
	json_decref(all);

	bad_paging("/v1/defects?status=open", utok);
	bad_paging("/v1/tasks?kind=remedial", utok);
	free(office);
	free(utok);
}

Test(aftercare_lists, feedback_comes_a_page_at_a_time)
{
	int u = harness_unique();
	for (int i = 0; i < 5; i++)
		sql("INSERT INTO public_feedback (reference, kind, body) VALUES ('FB-PG%d-%d', "
		    "'complaint', 'paging')",
		    u, i);
	char like[32];
	long long ids[5];
	snprintf(like, sizeof(like), "FB-PG%d-%%", u);
	cr_assert_eq(ids_of("SELECT id FROM public_feedback WHERE reference LIKE ?", P_STR(like),
			    ids, 5),
		     5);
	char *office = harness_login("office@demo.test", DEMO);
	json_t *first;
	cr_expect_geq(walk("/v1/feedback?status=open", office, 2, "id", ids, 5, &first), 3);
	json_decref(first);
	bad_paging("/v1/feedback?status=open", office);
	free(office);
}

Test(aftercare_lists, a_credit_record_comes_a_page_at_a_time_with_the_whole_records_standing)
{
	char *utok;
	long long org = fresh_org("utility", "gas", &utok);
	/* six entries, one withdrawn and one expired: four in standing */
	for (int i = 0; i < 6; i++)
		sql("INSERT INTO credit_entries (org_id, rule, rules_version, severity, evidence, "
		    "occurred_on, expires_on, status) SELECT %lld, 'overrun', MAX(version), 'minor', "
		    "'{}', CURDATE() - INTERVAL %d DAY, CURDATE() + INTERVAL %d DAY, '%s' "
		    "FROM oversight_rule_versions",
		    org, 10 + i, i == 1 ? -1 : 300, i == 2 ? "withdrawn" : "active");
	long long ids[6];
	cr_assert_eq(ids_of("SELECT id FROM credit_entries WHERE org_id = ?", P_INT(org), ids, 6),
		     6);
	char path[128];
	snprintf(path, sizeof(path), "/v1/organisations/%lld/credit?x=1", org);
	json_t *first;
	cr_expect_eq(walk(path, utok, 4, "id", ids, 6, &first), 2);
	cr_expect_eq(json_integer_value(json_object_get(first, "count")), 6,
		     "the count is the whole record's, not the page's");
	cr_expect_eq(json_integer_value(json_object_get(first, "standing")), 4);
	json_decref(first);
	char *office = harness_login("office@demo.test", DEMO);
	cr_expect_eq(walk(path, office, 1, "id", ids, 6, &first), 6);
	json_decref(first);
	bad_paging(path, utok);
	free(office);
	free(utok);
}

Test(aftercare_lists, rectifications_come_a_page_at_a_time)
{
	char *atok;
	long long org = fresh_org("applicant", NULL, &atok);
	int u = harness_unique();
	/* one closed permit of this applicant with a failed post-check and five rectifications,
	 * the oldest overdue (closed: the sweep has nothing to revoke) */
	sql("INSERT INTO sites (org_id, name, address, district_code) VALUES (%lld, 'PG %d', "
	    "'1 Paging Road', '350102');"
	    "INSERT INTO applications (reference, org_id, site_id, submitted_at, submitted_day, "
	    "request, estimate, estimate_total_fen, request_hash) SELECT 'PG-%d', %lld, MAX(id), "
	    "UTC_TIMESTAMP(6), CURDATE(), '{}', '{}', 0, REPEAT('0', 64) FROM sites "
	    "WHERE org_id = %lld;"
	    "INSERT INTO permits (application_id, reference, kind, authority_org_id, state, "
	    "trigger_reason) SELECT id, 'PG-%d-DR', 'dig_road', (SELECT MIN(id) FROM organisations "
	    "WHERE kind = 'authority'), 'closed', 'paging test' FROM applications "
	    "WHERE reference = 'PG-%d';"
	    "INSERT INTO post_check_results (permit_id, result, codes, photos, comment, "
	    "code_list_version, at) SELECT id, 'fail', '[]', '[]', 'paging', 1, UTC_TIMESTAMP(6) "
	    "FROM permits WHERE reference = 'PG-%d-DR'",
	    org, u, u, org, org, u, u, u);
	for (int i = 0; i < 5; i++)
		sql("INSERT INTO tasks (permit_id, kind, org_id) SELECT id, 'rectification', %lld "
		    "FROM permits WHERE reference = 'PG-%d-DR'",
		    org, u);
	sql("INSERT INTO rectifications (task_id, permit_id, result_id, org_id, opened_on, due_day, "
	    "limit_days) SELECT t.id, t.permit_id, (SELECT MAX(r.id) FROM post_check_results r "
	    "WHERE r.permit_id = t.permit_id), %lld, CURDATE() - INTERVAL 20 DAY, "
	    "IF(t.id = (SELECT MIN(id) FROM tasks WHERE org_id = %lld), CURDATE() - INTERVAL 3 DAY, "
	    "CURDATE() + INTERVAL 9 DAY), 5 FROM tasks t WHERE t.org_id = %lld",
	    org, org, org);
	long long ids[5];
	cr_assert_eq(ids_of("SELECT task_id FROM rectifications WHERE org_id = ?", P_INT(org), ids,
			    5),
		     5);
	json_t *first;
	cr_expect_eq(walk("/v1/rectifications?status=open", atok, 2, "task_id", ids, 5, &first), 3);
	cr_expect_eq(json_integer_value(json_object_get(first, "count")), 5, "the whole list's");
	cr_expect_eq(json_integer_value(json_object_get(first, "overdue")), 1,
		     "overdue counts the whole list, not the page (the overdue one is last)");
	json_decref(first);
	bad_paging("/v1/rectifications?status=open", atok);
	json_t *r = call("GET", "/v1/rectifications?status=nope&limit=x", atok, NULL, 422);
	char *text = json_dumps(r, 0);
	cr_expect(strstr(text, "status") && strstr(text, "limit"), "every problem at once: %s",
		  text);
	free(text);
	json_decref(r);
	free(atok);
}

/* Overdue remedial work and defect repairs are in supervision's list; those on time are not. */
Test(aftercare_lists, overdue_remedial_and_defect_tasks_are_supervised)
{
	char *utok;
	long long org = fresh_org("utility", "heat", &utok);
	int u = harness_unique();
	char late[11], early[11];
	snprintf(late, sizeof(late), "%s", journey_day(-6)); /* the city's days, as the portal's */
	snprintf(early, sizeof(early), "%s", journey_day(6));
	sql("INSERT INTO tasks (kind, org_id, due_day) VALUES ('remedial', %lld, '%s'), "
	    "('remedial', %lld, '%s');"
	    "INSERT INTO defects (reference, location, lng, lat, description, reported_by, "
	    "routed_to, route_reason, org_id, due_day, district_code) VALUES ('DF-OD%d-1', "
	    "ST_GeomFromText('POINT(119.3 26.09)'), 119.3, 26.09, 'late', 'office', 'utility', "
	    "'test', %lld, '%s', '350103'), ('DF-OD%d-2', "
	    "ST_GeomFromText('POINT(119.3 26.09)'), 119.3, 26.09, 'on time', 'office', 'utility', "
	    "'test', %lld, '%s', '350103');"
	    "INSERT INTO tasks (kind, org_id, due_day, defect_id) SELECT 'defect', org_id, due_day, "
	    "id FROM defects WHERE reference IN ('DF-OD%d-1', 'DF-OD%d-2')",
	    org, late, org, early, u, org, late, u, org, early, u, u);
	char *office = harness_login("office@demo.test", DEMO);
	json_decref(call("GET", "/v1/supervision/overdue", utok, NULL, 403));
	json_t *o = call("GET", "/v1/supervision/overdue", office, NULL, 200);
	size_t i;
	json_t *it;
	int remedial = 0, defect = 0;
	char late_ref[32];
	snprintf(late_ref, sizeof(late_ref), "DF-OD%d-1", u);
	json_array_foreach(json_object_get(o, "items"), i, it)
	{
		json_t *who = json_object_get(it, "organisation");
		if (json_integer_value(json_object_get(who, "id")) != org)
			continue;
		const char *kind = json_string_value(json_object_get(it, "kind"));
		cr_expect_str_eq(json_string_value(json_object_get(it, "object")), "task");
		cr_expect(json_string_value(json_object_get(who, "name")));
		cr_expect_gt(json_integer_value(json_object_get(it, "days_overdue")), 0, "%s",
			     json_dumps(it, 0));
		cr_expect_str_eq(json_string_value(json_object_get(it, "due_date")), late);
		if (!strcmp(kind, "remedial")) {
			remedial++;
		} else {
			cr_expect_str_eq(kind, "defect");
			cr_expect_str_eq(json_string_value(json_object_get(it, "reference")),
					 late_ref, "the late one, not the one on time");
			cr_expect_str_eq(json_string_value(json_object_get(it, "district")),
					 "350103");
			defect++;
		}
	}
	cr_expect_eq(remedial, 1, "the overdue remedial task alone: %s", json_dumps(o, 0));
	cr_expect_eq(defect, 1, "the overdue defect task alone");
	json_decref(o);
	/* done is not overdue */
	sql("UPDATE tasks SET status = 'done' WHERE org_id = %lld", org);
	o = call("GET", "/v1/supervision/overdue", office, NULL, 200);
	json_array_foreach(json_object_get(o, "items"), i, it)
	{
		cr_expect_neq(json_integer_value(
				  json_object_get(json_object_get(it, "organisation"), "id")),
			      org, "done tasks are off the list");
	}
	json_decref(o);
	free(office);
	free(utok);
}

/* Past the day's cap on the public's photos a public report is refused, nothing written. */
Test(aftercare_lists, public_photos_stop_at_the_days_cap)
{
	const char *body = "{\"location\":{\"type\":\"Point\",\"coordinates\":[119.52,26.45]},"
			   "\"description\":\"capped %d\",\"photo\":{\"content_type\":"
			   "\"image/jpeg\",\"data_base64\":\"" JPEG_B64 "\"}}";
	int u = harness_unique();
	char b[512], desc[32];
	snprintf(b, sizeof(b), body, u);
	snprintf(desc, sizeof(desc), "capped %d", u);
	/* events naming this report (others' suites write events meanwhile) */
	static const char count_outbox[] =
		"SELECT COUNT(*) FROM outbox WHERE payload LIKE CONCAT('%\"', ?, '\"%')";
	static const char count_mine[] = "SELECT COUNT(*) FROM defects WHERE description = ?";
	/* a cap no photo fits in */
	harness_server_stop(srv);
	setenv("PORTAL_PUBLIC_PHOTO_BYTES", "1", 1);
	srv = harness_server_start();
	unsetenv("PORTAL_PUBLIC_PHOTO_BYTES");
	struct reply r;
	http_call(&r, "POST", "/v1/public/defects", NULL, b, NULL);
	cr_expect_eq(r.status, 429, "%s", r.body);
	char ra[16];
	cr_expect(reply_header(&r, "Retry-After", ra, sizeof(ra)) && atoi(ra) >= 1 &&
		      atoi(ra) <= 86400,
		  "until the next day");
	json_t *d = json_array_get(json_object_get(json_object_get(r.json, "error"), "details"), 0);
	cr_expect_str_eq(json_string_value(json_object_get(d, "field")), "photo", "%s", r.body);
	cr_expect_str_eq(json_string_value(json_object_get(d, "code")), "daily_cap_reached");
	reply_release(&r);
	long long n[1], after[1];
	ids_of(count_mine, P_STR(desc), n, 1);
	cr_expect_eq(n[0], 0, "nothing written");
	ids_of(count_outbox, P_STR(desc), after, 1);
	cr_expect_eq(after[0], 0, "no event either");
	/* the cap is the public's: a road authority's report with a photo goes in */
	char *road = harness_login("road@demo.test", DEMO);
	json_decref(call("POST", "/v1/defects", road, b, 201));
	free(road);
	ids_of(count_outbox, P_STR(desc), after, 1);
	cr_expect_geq(after[0], 1, "its event names the report: the count above could see one");

	/* room for one photo (22 bytes) beyond today's: the first goes in, the next is refused */
	long long today[1];
	ids_of("SELECT COALESCE(SUM(LENGTH(photo)), 0) FROM defects WHERE reported_by = 'public' "
	       "AND created_at >= ? - INTERVAL 8 HOUR",
	       P_STR(journey_day(0)), today, 1);
	harness_server_stop(srv);
	char cap[32];
	snprintf(cap, sizeof(cap), "%lld", today[0] + 30);
	setenv("PORTAL_PUBLIC_PHOTO_BYTES", cap, 1);
	srv = harness_server_start();
	unsetenv("PORTAL_PUBLIC_PHOTO_BYTES");
	/* (a suite running beside this one may send a public photo meanwhile and take the room:
	 * then the first is refused already) */
	http_call(&r, "POST", "/v1/public/defects", NULL, b, NULL);
	long first = r.status;
	reply_release(&r);
	cr_expect(first == 201 || first == 429, "%ld", first);
	http_call(&r, "POST", "/v1/public/defects", NULL, b, NULL);
	cr_expect_eq(r.status, 429, "past the cap: %s", r.body);
	reply_release(&r);
	ids_of(count_mine, P_STR(desc), n, 1);
	cr_expect_eq(n[0], first == 201 ? 2 : 1, "the authority's, and the public's first if any");
}
