/*
 * The access matrix: every route in the router x every caller x own and foreign objects, each
 * with the status it must get. A route without a row here fails the test, so nobody adds an
 * endpoint without saying who may use it.
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "portal/router.h"
#include "support/harness.h"

enum caller { ANON, APPLICANT, UTILITY, UTILITY_KEY, AUTHORITY, MEMBER, OFFICE, NCALLERS };
static const char *const caller_names[NCALLERS] = { "anonymous", "applicant admin",
						    "utility admin", "utility API key",
						    "authority admin", "applicant member",
						    "office" };

/* What each caller gets; index by enum caller. 0 means "same as the row's default". */
struct expect {
	const char *method;
	const char *pattern;
	const char *body;	   /* %d in it is replaced by a unique number */
	int own[NCALLERS];	   /* the object belongs to the caller's organisation */
	int foreign[NCALLERS];	   /* it belongs to another organisation of the same kind */
};

#define ALL(s) { s, s, s, s, s, s, s }

static const struct expect table[] = {
	{ "GET", "/healthz", NULL, ALL(200), ALL(200) },
	{ "GET", "/readyz", NULL, ALL(200), ALL(200) },
	{ "GET", "/metrics", NULL, ALL(200), ALL(200) },
	{ "POST", "/v1/sessions", "{\"email\":\"x%d@y.test\",\"password\":\"not-the-right-one\"}",
	  ALL(401), ALL(401) },
	{ "DELETE", "/v1/sessions/current", NULL,
	  /* an API key is not a session: it is revoked by an admin, not signed out */
	  { 401, 204, 204, 409, 204, 204, 204 }, { 401, 204, 204, 409, 204, 204, 204 } },
	{ "GET", "/v1/me", NULL, { 401, 200, 200, 200, 200, 200, 200 },
	  { 401, 200, 200, 200, 200, 200, 200 } },
	{ "POST", "/v1/organisations",
	  "{\"name\":\"Org %d\",\"kind\":\"applicant\",\"district\":\"lixia\"}",
	  { 401, 403, 403, 403, 403, 403, 201 }, { 401, 403, 403, 403, 403, 403, 201 } },
	{ "GET", "/v1/organisations", NULL, { 401, 403, 403, 403, 403, 403, 200 },
	  { 401, 403, 403, 403, 403, 403, 200 } },
	{ "GET", "/v1/organisations/{id}", NULL, { 401, 200, 200, 200, 200, 200, 200 },
	  { 401, 404, 404, 404, 404, 404, 200 } },
	{ "POST", "/v1/organisations/{id}/users", "{\"email\":\"new%d@x.test\"}",
	  { 401, 201, 201, 403, 201, 403, 201 }, { 401, 404, 404, 404, 404, 404, 201 } },
	{ "GET", "/v1/organisations/{id}/users", NULL, { 401, 200, 200, 403, 200, 403, 200 },
	  { 401, 404, 404, 404, 404, 404, 200 } },
	{ "PATCH", "/v1/users/{id}", "{\"role\":\"member\"}",
	  { 401, 200, 200, 403, 200, 403, 200 }, { 401, 404, 404, 404, 404, 404, 200 } },
	{ "POST", "/v1/invitations/accept", "{\"token\":\"inv_bogus\",\"password\":\"long-enough-pass\"}",
	  ALL(404), ALL(404) },
	{ "POST", "/v1/organisations/{id}/api-keys", "{\"label\":\"k%d\"}",
	  { 401, 201, 201, 403, 201, 403, 201 }, { 401, 404, 404, 404, 404, 404, 201 } },
	{ "GET", "/v1/organisations/{id}/api-keys", NULL, { 401, 200, 200, 403, 200, 403, 200 },
	  { 401, 404, 404, 404, 404, 404, 200 } },
	{ "DELETE", "/v1/organisations/{id}/api-keys/{key_id}", NULL,
	  { 401, 204, 204, 403, 204, 403, 204 }, { 401, 404, 404, 404, 404, 404, 204 } },
};

/* The organisations and objects each caller acts on. */
struct world {
	char *token[NCALLERS];
	long long org[NCALLERS];      /* the caller's own organisation */
	long long other[NCALLERS];    /* another organisation of the same kind */
	long long other_user[NCALLERS];
};

static long long make_key(const char *admin_token, long long org, char **key_out)
{
	char path[128];
	snprintf(path, sizeof(path), "/v1/organisations/%lld/api-keys", org);
	struct reply r;
	cr_assert_eq(http_call(&r, "POST", path, admin_token, "{}", NULL), 201, "%s", r.body);
	long long id = json_integer_value(json_object_get(r.json, "id"));
	if (key_out)
		*key_out = strdup(json_string_value(json_object_get(r.json, "key")));
	reply_release(&r);
	return id;
}

static long long invite(const char *token, long long org)
{
	char path[128], body[128];
	snprintf(path, sizeof(path), "/v1/organisations/%lld/users", org);
	snprintf(body, sizeof(body), "{\"email\":\"m%d@x.test\"}", harness_unique());
	struct reply r;
	cr_assert_eq(http_call(&r, "POST", path, token, body, NULL), 201, "%s", r.body);
	long long id = json_integer_value(json_object_get(r.json, "id"));
	reply_release(&r);
	return id;
}

static void build_world(struct world *w)
{
	static const char *kinds[NCALLERS][2] = {
		{ NULL, NULL },		   { "applicant", NULL }, { "utility", "water" },
		{ "utility", "water" },	   { "authority", "road" }, { "applicant", NULL },
		{ "office", NULL },
	};
	char email[128], other_email[128];
	char *office_token = NULL;
	for (int c = NCALLERS - 1; c > ANON; c--) {
		w->org[c] = harness_make_user(kinds[c][0], kinds[c][1], c != MEMBER, email);
		w->token[c] = harness_login(email, HARNESS_PASSWORD);
		if (c == OFFICE)
			office_token = w->token[c];
		long long other = harness_make_user(kinds[c][0], kinds[c][1], true, other_email);
		w->other[c] = other;
		w->other_user[c] = invite(office_token, other);
	}
	/* the API key belongs to the utility's own organisation */
	char *key;
	w->org[UTILITY_KEY] = w->org[UTILITY];
	w->other[UTILITY_KEY] = w->other[UTILITY];
	w->other_user[UTILITY_KEY] = w->other_user[UTILITY];
	make_key(w->token[UTILITY], w->org[UTILITY], &key);
	w->token[UTILITY_KEY] = key;
}

/* Fills the path's {params} for caller c acting on its own (or a foreign) object. */
static void fill_path(const struct world *w, const struct expect *e, int c, bool own,
		      char *out, size_t len)
{
	long long org = own ? w->org[c] : w->other[c];
	if (c == ANON)
		org = w->org[APPLICANT];
	char tmp[512];
	snprintf(tmp, sizeof(tmp), "%s", e->pattern);
	out[0] = 0;
	for (char *p = tmp; *p;) {
		char *open = strchr(p, '{');
		if (!open) {
			strncat(out, p, len - strlen(out) - 1);
			break;
		}
		*open = 0;
		strncat(out, p, len - strlen(out) - 1);
		char *close = strchr(open + 1, '}');
		*close = 0;
		const char *name = open + 1;
		char val[32];
		long long v = 0;
		if (!strcmp(name, "id") && strstr(e->pattern, "/v1/users/")) {
			/* a user of that organisation other than the caller */
			v = own ? invite(w->token[OFFICE], org) : w->other_user[c == ANON ? APPLICANT : c];
		} else if (!strcmp(name, "id")) {
			v = org;
		} else if (!strcmp(name, "key_id")) {
			v = make_key(w->token[OFFICE], org, NULL);
		}
		snprintf(val, sizeof(val), "%lld", v);
		strncat(out, val, len - strlen(out) - 1);
		p = close + 1;
	}
}

Test(access, every_route_has_a_row)
{
	router_init();
	for (int i = 0; i < router_count(); i++) {
		const struct route *r = router_at(i);
		bool found = false;
		for (size_t t = 0; t < sizeof(table) / sizeof(table[0]) && !found; t++)
			found = !strcmp(table[t].method, r->method) && !strcmp(table[t].pattern, r->pattern);
		cr_expect(found, "route %s %s has no row in the access matrix", r->method, r->pattern);
	}
	for (size_t t = 0; t < sizeof(table) / sizeof(table[0]); t++) {
		bool found = false;
		for (int i = 0; i < router_count() && !found; i++)
			found = !strcmp(table[t].method, router_at(i)->method) &&
				!strcmp(table[t].pattern, router_at(i)->pattern);
		cr_expect(found, "the matrix names %s %s, which the router lacks", table[t].method,
			  table[t].pattern);
	}
}

Test(access, matrix, .timeout = 240)
{
	struct harness_server *srv = harness_server_start();
	struct world w = { 0 };
	build_world(&w);
	int failures = 0;
	for (size_t t = 0; t < sizeof(table) / sizeof(table[0]); t++) {
		const struct expect *e = &table[t];
		for (int own = 1; own >= 0; own--) {
			for (int c = 0; c < NCALLERS; c++) {
				/* sign-out ends the session: use a fresh one */
				char *token = w.token[c];
				char *fresh = NULL;
				if (!strcmp(e->pattern, "/v1/sessions/current") && c != ANON &&
				    c != UTILITY_KEY) {
					/* re-login is not possible without the email: mint a key-free session */
					char email[128];
					harness_make_user(c == OFFICE ? "office" : "applicant", NULL,
							  true, email);
					fresh = harness_login(email, HARNESS_PASSWORD);
					token = fresh;
				}
				char path[512], body[512];
				fill_path(&w, e, c, own, path, sizeof(path));
				if (e->body)
					snprintf(body, sizeof(body), e->body, harness_unique());
				struct reply r;
				http_call(&r, e->method, path, c == ANON ? NULL : token,
					  e->body ? body : NULL, NULL);
				int want = own ? e->own[c] : e->foreign[c];
				if (r.status != want) {
					failures++;
					cr_log_error("%s %s as %s on %s object: got %ld, want %d: %.200s",
						     e->method, path, caller_names[c],
						     own ? "own" : "foreign", r.status, want, r.body);
				}
				reply_release(&r);
				free(fresh);
			}
		}
	}
	cr_assert_eq(failures, 0, "%d access matrix cells differ (see the log)", failures);
	harness_server_stop(srv);
}
