/*
 * Public reads under /v1/public and the HTML pages, all from the in-memory snapshot: the
 * parameterless ones straight from its pre-rendered bytes, the others rendered per request.
 * Every read has a strong ETag, answers 304 to If-None-Match, and is cacheable for a minute.
 */
#define _GNU_SOURCE
#include "public_api.h"

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "portal/app.h"
#include "portal/html.h"
#include "portal/http.h"
#include "portal/input.h"
#include "portal/router.h"
#include "lib/xalloc.h"
#include "lib/json_text.h"

static const char *const fee_kinds[] = { "water", "power",    "gas",	  "heat",
					 "network", "road", "greening", "planning", NULL };
static const char *const standard_kinds[] = { "water",    "power",    "gas",	  "heat",
					      "network",  "dig_road", "greening", "planning",
					      NULL };
static const char *const lang_tags[SNAP_NLANGS] = { "zh-CN", "en" };

static const char *pick(const char *zh, const char *en, enum snapshot_lang lang)
{
	return lang == SNAP_EN && en && *en ? en : zh;
}

static bool known(const char *s, const char *const *list)
{
	for (size_t i = 0; s && list[i]; i++)
		if (strcmp(s, list[i]) == 0)
			return true;
	return false;
}

/* ---------------------------------------------------------------- JSON bodies */

static bool item_in_force(const struct fee_item *it, day_t day)
{
	return it->effective_from <= day && day <= it->effective_to;
}

/* Adds "name" (and "unit_name") in lang to every item object of a schedule's JSON. */
static void name_items(json_t *items, enum snapshot_lang lang)
{
	size_t i;
	json_t *it;
	json_array_foreach(items, i, it)
	{
		const char *zh = json_string_value(json_object_get(it, "name_zh"));
		const char *en = json_string_value(json_object_get(it, "name_en"));
		const char *unit = json_string_value(json_object_get(it, "unit"));
		json_object_set_new(it, "name", json_string(pick(zh, en, lang)));
		json_object_set_new(it, "unit_name", json_string(html_unit_name(unit, lang)));
	}
}

/* One schedule with its provenance; only the items in force on `day` when only_day. */
static json_t *schedule_json(const struct published *p, size_t i, bool only_day, day_t day,
			     enum snapshot_lang lang)
{
	const struct fee_schedule *s = p->schedules[i];
	json_t *o = fees_schedule_to_json(s);
	json_t *items = json_object_get(o, "items");
	if (only_day) {
		json_t *kept = json_array();
		for (size_t k = 0; k < s->nitems; k++)
			if (item_in_force(&s->items[k], day))
				json_array_append(kept, json_array_get(items, k));
		json_object_set_new(o, "items", kept);
		items = kept;
	}
	name_items(items, lang);
	json_object_set_new(o, "utility_name", json_string(html_kind_name(s->utility_kind, lang)));
	json_object_set_new(o, "organisation_id", json_integer(p->schedule_info[i].org_id));
	json_object_set_new(o, "organisation", json_string(p->schedule_info[i].org_name));
	json_object_set_new(o, "published_at", json_string(p->schedule_info[i].published_at));
	return o;
}

/* The organisations publishing kind that q selects, ascending ids; *orgs is the caller's. */
static size_t fee_orgs(const struct published *p, const struct public_query *q, const char *kind,
		       long long **orgs)
{
	*orgs = xcalloc(p->nschedules + 1, sizeof(**orgs));
	size_t n = snapshot_fee_orgs(p, kind, *orgs, p->nschedules);
	if (!q->org_id)
		return n;
	for (size_t i = 0; i < n; i++)
		if ((*orgs)[i] == q->org_id) {
			(*orgs)[0] = q->org_id;
			return 1;
		}
	return 0;
}

static void echo_date(json_t *o, const struct public_query *q)
{
	char buf[11];
	if (q->day_given)
		json_object_set_new(o, "date", json_string(cal_day_format(q->day, buf)));
}

json_t *public_fees_json(const struct published *p, const struct public_query *q,
			 enum snapshot_lang lang)
{
	json_t *list = json_array();
	/* per kind, what each organisation has in force: one utility does not supersede another */
	for (size_t k = 0; fee_kinds[k]; k++) {
		if (q->kind && strcmp(q->kind, fee_kinds[k]) != 0)
			continue;
		long long *orgs;
		size_t norgs = fee_orgs(p, q, fee_kinds[k], &orgs);
		for (size_t o = 0; o < norgs; o++) {
			size_t i;
			if (snapshot_schedule_in_force(p, orgs[o], fee_kinds[k], q->day, &i))
				json_array_append_new(list, schedule_json(p, i, true, q->day, lang));
		}
		free(orgs);
	}
	json_t *o = json_pack("{s:o}", "schedules", list);
	echo_date(o, q);
	return o;
}

/* "in_force", "upcoming" or "superseded" on day, among its organisation's own versions. */
static const char *schedule_status(const struct published *p, size_t i, day_t day)
{
	const struct fee_schedule *s = p->schedules[i];
	if (s->effective_from > day)
		return "upcoming";
	return snapshot_schedule_in_force(p, p->schedule_info[i].org_id, s->utility_kind, day,
					  NULL) == s
		       ? "in_force"
		       : "superseded";
}

json_t *public_history_json(const struct published *p, const struct public_query *q,
			    enum snapshot_lang lang)
{
	json_t *list = json_array();
	/*
	 * Kinds in the usual order, organisations by id within a kind, newest version first
	 * within an organisation (the snapshot holds each one's versions ascending).
	 */
	for (size_t k = 0; fee_kinds[k]; k++) {
		if (q->kind && strcmp(q->kind, fee_kinds[k]) != 0)
			continue;
		long long *orgs;
		size_t norgs = fee_orgs(p, q, fee_kinds[k], &orgs);
		for (size_t o = 0; o < norgs; o++)
			for (size_t i = p->nschedules; i-- > 0;) {
				if (strcmp(p->schedules[i]->utility_kind, fee_kinds[k]) != 0 ||
				    p->schedule_info[i].org_id != orgs[o])
					continue;
				json_t *s = schedule_json(p, i, false, q->day, lang);
				json_object_set_new(s, "status",
						    json_string(schedule_status(p, i, q->day)));
				json_array_append_new(list, s);
			}
		free(orgs);
	}
	return json_pack("{s:o}", "schedules", list);
}

static void name_list(json_t *list, enum snapshot_lang lang)
{
	size_t i;
	json_t *o;
	json_array_foreach(list, i, o)
	{
		const char *zh = json_string_value(json_object_get(o, "name_zh"));
		const char *en = json_string_value(json_object_get(o, "name_en"));
		json_object_set_new(o, "name", json_string(pick(zh, en, lang)));
	}
}

json_t *public_standards_json(const struct published *p, const struct public_query *q,
			      enum snapshot_lang lang)
{
	json_t *list = json_array();
	const struct service_standard *const *all =
		(const struct service_standard *const *)p->standards;
	for (size_t k = 0; standard_kinds[k]; k++) {
		if (q->kind && strcmp(q->kind, standard_kinds[k]) != 0)
			continue;
		const struct service_standard *s =
			standards_in_force(all, p->nstandards, standard_kinds[k], q->day);
		if (!s)
			continue;
		size_t i = 0;
		while (p->standards[i] != s)
			i++;
		json_t *o = standards_to_json(s);
		json_object_set_new(o, "name", json_string(pick(s->name_zh, s->name_en, lang)));
		json_object_set_new(o, "kind_name", json_string(html_kind_name(s->kind, lang)));
		name_list(json_object_get(o, "stages"), lang);
		name_list(json_object_get(o, "materials"), lang);
		json_object_set_new(o, "organisation", json_string(p->standard_info[i].org_name));
		json_object_set_new(o, "published_at", json_string(p->standard_info[i].published_at));
		json_array_append_new(list, o);
	}
	json_t *o = json_pack("{s:o}", "standards", list);
	echo_date(o, q);
	return o;
}

json_t *public_standards_material_types(const json_t *reply)
{
	json_t *types = json_array(), *seen = json_object();
	size_t i, k;
	json_t *s, *m;
	json_array_foreach(json_object_get(reply, "standards"), i, s)
	{
		json_array_foreach(json_object_get(s, "materials"), k, m)
		{
			const char *type = json_string_value(json_object_get(m, "type"));
			if (!type || json_object_get(seen, type))
				continue;
			json_object_set_new(seen, type, json_true());
			json_array_append_new(types, json_string(type));
		}
	}
	json_decref(seen);
	return types;
}

static json_t *day_name_json(const struct calendar_day *d, enum snapshot_lang lang)
{
	char buf[11];
	return json_pack("{s:s, s:s, s:s, s:s}", "date", cal_day_format(d->day, buf), "name_zh",
			 d->name_zh, "name_en", d->name_en, "name",
			 pick(d->name_zh, d->name_en, lang));
}

json_t *public_calendar_json(const struct published *p, const struct public_query *q,
			     enum snapshot_lang lang)
{
	json_t *holidays = json_array(), *makeup = json_array();
	day_t first = cal_day_from_ymd(q->year, 1, 1), last = cal_day_from_ymd(q->year, 12, 31);
	char from[11], to[11];
	for (size_t i = 0; i < p->ndays; i++) {
		const struct calendar_day *d = &p->days[i];
		if (d->day < first || d->day > last)
			continue;
		if (!d->holiday) {
			json_array_append_new(makeup, day_name_json(d, lang));
			continue;
		}
		/* consecutive days of the same holiday form one range */
		size_t j = i;
		while (j + 1 < p->ndays && p->days[j + 1].holiday &&
		       p->days[j + 1].day == p->days[j].day + 1 &&
		       strcmp(p->days[j + 1].name_zh, d->name_zh) == 0 && p->days[j + 1].day <= last)
			j++;
		json_array_append_new(
			holidays, json_pack("{s:s, s:s, s:i, s:s, s:s, s:s}", "from",
					    cal_day_format(d->day, from), "to",
					    cal_day_format(p->days[j].day, to), "days",
					    (int)(p->days[j].day - d->day + 1), "name_zh", d->name_zh,
					    "name_en", d->name_en, "name",
					    pick(d->name_zh, d->name_en, lang)));
		i = j;
	}
	int working = 0;
	for (day_t d = first; d <= last; d++)
		working += calendar_is_working_day(&p->cal, d);
	char cutoff[32];
	snprintf(cutoff, sizeof(cutoff), "%02d:%02d", p->cal.cutoff_seconds / 3600,
		 p->cal.cutoff_seconds / 60 % 60);
	return json_pack("{s:i, s:s, s:s, s:o, s:o, s:i, s:s}", "year", q->year, "time_zone",
			 "Asia/Shanghai", "cutoff", cutoff, "holidays", holidays,
			 "makeup_working_days", makeup, "working_days", working, "rule",
			 "a day is a working day if it is a make-up working day, or a Monday to "
			 "Friday that is not a holiday");
}

static char *dump(json_t *j, size_t *len)
{
	char *s = json_text(j);
	json_decref(j);
	*len = strlen(s);
	return s;
}

char *public_render(const struct published *p, enum snapshot_doc doc, enum snapshot_lang lang,
		    size_t *len)
{
	int y;
	cal_day_to_ymd(p->today, &y, NULL, NULL);
	struct public_query q = { .day = p->today, .year = y };
	switch (doc) {
	case SNAP_FEES_JSON: return dump(public_fees_json(p, &q, lang), len);
	case SNAP_HISTORY_JSON: return dump(public_history_json(p, &q, lang), len);
	case SNAP_STANDARDS_JSON: return dump(public_standards_json(p, &q, lang), len);
	case SNAP_CALENDAR_JSON: return dump(public_calendar_json(p, &q, lang), len);
	case SNAP_HOME_HTML: return html_home(p, &q, lang, len);
	case SNAP_FEES_HTML: return html_fees(p, &q, lang, len);
	case SNAP_STANDARDS_HTML: return html_standards(p, &q, lang, len);
	case SNAP_NDOCS: break;
	}
	*len = 0;
	return xstrdup("");
}

/* ---------------------------------------------------------------- request helpers */

enum snapshot_lang public_lang(struct http_request *req)
{
	const char *l = http_query(req, "lang");
	if (l && strncasecmp(l, "en", 2) == 0)
		return SNAP_EN;
	if (l && strncasecmp(l, "zh", 2) == 0)
		return SNAP_ZH;
	const char *h = http_header(req, "Accept-Language");
	/* The highest q among zh* and en*; the first listed wins a tie; Chinese by default. */
	enum snapshot_lang best = SNAP_ZH;
	double best_q = -1;
	for (const char *s = h; s && *s;) {
		while (*s == ' ' || *s == ',')
			s++;
		size_t n = strcspn(s, ",");
		char tag[64];
		snprintf(tag, sizeof(tag), "%.*s", (int)(n < 63 ? n : 63), s);
		double qv = 1;
		char *semi = strchr(tag, ';');
		if (semi) {
			char *qp = strstr(semi, "q=");
			qv = qp ? strtod(qp + 2, NULL) : 1;
			*semi = 0;
		}
		int which = strncasecmp(tag, "zh", 2) == 0   ? SNAP_ZH
			    : strncasecmp(tag, "en", 2) == 0 ? SNAP_EN
							     : -1;
		if (which >= 0 && qv > best_q && qv > 0) {
			best = (enum snapshot_lang)which;
			best_q = qv;
		}
		s += n;
	}
	return best;
}

/*
 * Answers a read: 304 when the client has it, else the body (static: borrowed from the
 * snapshot, which keeps it alive; else copied), with the caching and language headers.
 */
static void answer(struct http_request *req, struct http_response *res, bool html,
		   const char *data, size_t len, const char *etag, bool is_static,
		   enum snapshot_lang lang)
{
	const char *ctype = html ? "text/html; charset=utf-8" : "application/json; charset=utf-8";
	if (http_not_modified(req, etag))
		res->status = 304;
	else if (is_static)
		http_reply_static(res, 200, ctype, data, len);
	else
		http_reply_text(res, 200, ctype, data, len);
	http_add_header(res, "ETag", etag);
	http_add_header(res, "Cache-Control", "public, max-age=60");
	http_add_header(res, "Vary", "Accept-Language");
	http_add_header(res, "Content-Language", lang_tags[lang]);
	if (html) {
		http_add_header(res, "Content-Security-Policy", HTML_CSP);
		http_add_header(res, "Referrer-Policy", "no-referrer");
	}
}

static void answer_body(struct http_request *req, struct http_response *res, bool html,
			char *data, size_t len, enum snapshot_lang lang)
{
	char etag[40];
	http_etag(data, len, etag);
	answer(req, res, html, data, len, etag, false, lang);
	free(data);
}

static int unavailable(struct http_response *res)
{
	http_fail(res, ERR_UNAVAILABLE, "the published data is not loaded yet; try again shortly");
	http_add_header(res, "Retry-After", "2");
	return ERR_UNAVAILABLE;
}

/* Reads ?kind-like and ?date= into q; lists every bad one in err. */
static void read_query(struct http_request *req, const char *kind_param,
		       const char *const *kinds, const struct published *p,
		       struct public_query *q, struct error *err)
{
	q->day = snapshot_today();
	cal_day_to_ymd(q->day, &q->year, NULL, NULL);
	q->kind = kind_param ? http_query(req, kind_param) : NULL;
	if (q->kind && !*q->kind)
		q->kind = NULL;
	if (q->kind && !known(q->kind, kinds))
		error_add(err, kind_param, "not_allowed", "%s is not a known kind", kind_param);
	const char *date = http_query(req, "date");
	if (date && *date) {
		if (cal_day_parse(date, &q->day, NULL))
			error_add(err, "date", "invalid_date", "date must be a real YYYY-MM-DD date");
		else
			q->day_given = true;
	}
	/* ?org= selects one organisation's fee schedules (service standards are the office's) */
	const char *org = kinds == fee_kinds ? http_query(req, "org") : NULL;
	if (org && *org) {
		size_t len = strlen(org);
		long long v = strspn(org, "0123456789") == len && len <= 18 ? atoll(org) : 0;
		if (v < 1)
			error_add(err, "org", "invalid", "org must be an organisation id");
		else
			q->org_id = v;
	}
	(void)p;
}

/* Fails with 422 when err has details. */
static int query_failed(struct http_response *res, struct error *err)
{
	if (!err->ndetails)
		return 0;
	error_set(err, ERR_INVALID, "the query has %zu problem(s); see details", err->ndetails);
	http_reply_error(res, err);
	error_release(err);
	return ERR_INVALID;
}

typedef json_t *(*json_builder)(const struct published *, const struct public_query *,
				enum snapshot_lang);
typedef char *(*html_builder)(const struct published *, const struct public_query *,
			      enum snapshot_lang, size_t *);

/* A read: pre-rendered when it has no parameters and the snapshot is today's, else rendered. */
static int read_doc(struct http_request *req, struct http_response *res, enum snapshot_doc doc,
		    const char *kind_param, const char *const *kinds, json_builder jb,
		    html_builder hb)
{
	const struct published *p = snapshot_get(req->app);
	if (!p)
		return unavailable(res);
	struct error err = ERROR_INIT;
	struct public_query q = { 0 };
	read_query(req, kind_param, kinds, p, &q, &err);
	int rc = query_failed(res, &err);
	enum snapshot_lang lang = public_lang(req);
	if (rc) {
		/* error replied */
	} else if (!q.kind && !q.org_id && !q.day_given && p->today == q.day) {
		const struct snapshot_body *b = &p->bodies[doc][lang];
		answer(req, res, hb != NULL, b->data, b->len, b->etag, true, lang);
	} else if (hb) {
		size_t len;
		char *body = hb(p, &q, lang, &len);
		answer_body(req, res, true, body, len, lang);
	} else {
		size_t len;
		char *body = dump(jb(p, &q, lang), &len);
		answer_body(req, res, false, body, len, lang);
	}
	snapshot_put(p);
	return rc;
}

static int get_fees(struct http_request *req, struct http_response *res)
{
	return read_doc(req, res, SNAP_FEES_JSON, "utility", fee_kinds, public_fees_json, NULL);
}

static int get_history(struct http_request *req, struct http_response *res)
{
	return read_doc(req, res, SNAP_HISTORY_JSON, "utility", fee_kinds, public_history_json,
			NULL);
}

static int get_standards(struct http_request *req, struct http_response *res)
{
	return read_doc(req, res, SNAP_STANDARDS_JSON, "kind", standard_kinds,
			public_standards_json, NULL);
}

static int page_home(struct http_request *req, struct http_response *res)
{
	return read_doc(req, res, SNAP_HOME_HTML, NULL, NULL, NULL, html_home);
}

static int page_fees(struct http_request *req, struct http_response *res)
{
	return read_doc(req, res, SNAP_FEES_HTML, "utility", fee_kinds, NULL, html_fees);
}

static int page_standards(struct http_request *req, struct http_response *res)
{
	return read_doc(req, res, SNAP_STANDARDS_HTML, "kind", standard_kinds, NULL,
			html_standards);
}

static int get_calendar(struct http_request *req, struct http_response *res)
{
	const struct published *p = snapshot_get(req->app);
	if (!p)
		return unavailable(res);
	int this_year;
	cal_day_to_ymd(snapshot_today(), &this_year, NULL, NULL);
	struct public_query q = { .year = this_year };
	const char *y = http_query(req, "year");
	int rc = 0;
	if (y && *y) {
		char *end;
		long v = strtol(y, &end, 10);
		if (*end || v < 2000 || v > 2100)
			rc = http_fail(res, ERR_INVALID, "year must be a year from 2000 to 2100");
		else
			q.year = (int)v;
	}
	enum snapshot_lang lang = public_lang(req);
	int rendered_year;
	cal_day_to_ymd(p->today, &rendered_year, NULL, NULL);
	if (rc) {
		/* error replied */
	} else if (q.year == rendered_year) {
		const struct snapshot_body *b = &p->bodies[SNAP_CALENDAR_JSON][lang];
		answer(req, res, false, b->data, b->len, b->etag, true, lang);
	} else {
		size_t len;
		char *body = dump(public_calendar_json(p, &q, lang), &len);
		answer_body(req, res, false, body, len, lang);
	}
	snapshot_put(p);
	return rc;
}

/* ---------------------------------------------------------------- the estimate */

/* One kind asked for, and the organisation whose fees price it (0: not named). */
struct est_kind {
	const char *kind;
	long long org_id;
};

/*
 * The organisation that prices kind when the request names none: the lowest id among those
 * with a schedule of kind in force on day (0 when none has).
 */
static long long default_org(const struct published *p, const char *kind, day_t day)
{
	long long *orgs = xcalloc(p->nschedules + 1, sizeof(*orgs)), org = 0;
	size_t n = snapshot_fee_orgs(p, kind, orgs, p->nschedules);
	for (size_t i = 0; i < n && !org; i++)
		if (snapshot_schedule_in_force(p, orgs[i], kind, day, NULL))
			org = orgs[i];
	free(orgs);
	return org;
}

/*
 * Reads utility_kinds[i] (at): "water", or {"kind": "water", "org_id": 12} to be priced by that
 * organisation's schedules, which must have published one of that kind. Returns the kind
 * (unchecked) and sets *org_id when named and good; lists problems in err.
 */
static const char *read_kind_item(const struct published *p, const json_t *v, const char *at,
				  long long *org_id, struct error *err)
{
	static const char *const allowed[] = { "kind", "org_id", NULL };
	if (!json_is_object(v))
		return json_string_value(v);
	char prefix[64], field[64];
	snprintf(prefix, sizeof(prefix), "%s.", at);
	http_reject_unknown(v, allowed, prefix, err);
	const char *kind = json_string_value(json_object_get(v, "kind"));
	json_t *org = json_object_get(v, "org_id");
	snprintf(field, sizeof(field), "%s.org_id", at);
	const struct fee_schedule *one;
	if (!org)
		return kind;
	if (!json_is_integer(org) || json_integer_value(org) < 1)
		error_add(err, field, json_is_integer(org) ? "out_of_range" : "wrong_type",
			  "org_id is an organisation id");
	else if (known(kind, fee_kinds) &&
		 !snapshot_schedules_of_kind(p, json_integer_value(org), kind, &one, 1))
		error_add(err, field, "not_published",
			  "organisation %lld has published no %s fee schedule",
			  (long long)json_integer_value(org), kind);
	else
		*org_id = json_integer_value(org);
	return kind;
}

/* Reads utility_kinds: known, no repeats. Returns how many were good (into kinds). */
static size_t read_kinds(const struct published *p, const json_t *body,
			 struct est_kind kinds[8], struct error *err)
{
	json_t *a = json_object_get(body, "utility_kinds");
	size_t n = 0;
	if (!json_is_array(a) || json_array_size(a) == 0) {
		error_add(err, "utility_kinds", a ? "wrong_type" : "required",
			  "utility_kinds is a non-empty array of kinds");
		return 0;
	}
	for (size_t i = 0; i < json_array_size(a); i++) {
		char field[48];
		snprintf(field, sizeof(field), "utility_kinds[%zu]", i);
		json_t *v = json_array_get(a, i);
		long long org = 0;
		const char *k = read_kind_item(p, v, field, &org, err);
		bool repeat = false;
		for (size_t j = 0; k && j < n; j++)
			repeat = repeat || strcmp(kinds[j].kind, k) == 0;
		if (json_is_object(v))
			strcat(field, ".kind");
		if (!known(k, fee_kinds))
			error_add(err, field, "not_allowed", "not a kind with published fees");
		else if (repeat)
			error_add(err, field, "duplicate", "%s is listed twice", k);
		else if (n < 8)
			kinds[n++] = (struct est_kind){ k, org };
	}
	return n;
}

/*
 * The estimate request: the kinds (into kinds, *nk of them), the day (today unless "date"),
 * the parameters. ERR_INVALID listing every problem.
 */
static int read_estimate(const struct published *p, const json_t *body, struct est_kind kinds[8],
			 size_t *nk, day_t *day, struct fee_params *fp, struct error *err)
{
	static const char *const allowed[] = { "utility_kinds", "date", "params", NULL };
	http_reject_unknown(body, allowed, "", err);
	*nk = read_kinds(p, body, kinds, err);
	*day = snapshot_today();
	const char *date = input_str(body, "date", false, 10, err);
	if (date && cal_day_parse(date, day, NULL))
		error_add(err, "date", "invalid_date", "date must be a real YYYY-MM-DD date");
	fees_params_init(fp);
	json_t *params = json_object_get(body, "params");
	if (params && !json_is_object(params))
		error_add(err, "params", "wrong_type", "params must be an object");
	else if (params)
		fees_params_from_json(params, fp, err);
	if (err->ndetails)
		return error_set(err, ERR_INVALID, "the request has %zu problem(s); see details",
				 err->ndetails);
	return 0;
}

/*
 * Per kind, every published version of ONE organisation's schedules (the one named, else
 * default_org): fees_estimate then picks the version in force, unambiguously. The kinds with
 * nothing in force on day go to missing, the others' organisations to orgs. New array.
 */
static const struct fee_schedule **choose(const struct published *p, const struct est_kind *kinds,
					  size_t nk, day_t day, size_t *nc, json_t *missing,
					  json_t *orgs)
{
	const struct fee_schedule **chosen = xcalloc(p->nschedules + 1, sizeof(*chosen));
	*nc = 0;
	for (size_t k = 0; k < nk; k++) {
		const char *kind = kinds[k].kind;
		long long org = kinds[k].org_id ? kinds[k].org_id : default_org(p, kind, day);
		size_t i;
		*nc += snapshot_schedules_of_kind(p, org, kind, chosen + *nc, p->nschedules - *nc);
		if (!org || !snapshot_schedule_in_force(p, org, kind, day, &i))
			json_array_append_new(missing, json_string(kind));
		else
			json_array_append_new(orgs, json_pack("{s:s, s:I, s:s}", "utility_kind", kind,
							      "organisation_id", (json_int_t)org,
							      "organisation",
							      p->schedule_info[i].org_name));
	}
	return chosen;
}

static int estimate(const struct published *p, const json_t *body, struct http_response *res,
		    enum snapshot_lang lang, struct error *err)
{
	struct est_kind kinds[8];
	size_t nk, nc;
	day_t day;
	struct fee_params fp;
	int rc = read_estimate(p, body, kinds, &nk, &day, &fp, err);
	if (rc)
		return rc;
	json_t *missing = json_array(), *orgs = json_array();
	const struct fee_schedule **chosen = choose(p, kinds, nk, day, &nc, missing, orgs);
	struct fee_estimate e;
	rc = fees_estimate(chosen, nc, day, &fp, &e, err);
	free(chosen);
	if (rc) {
		json_decref(missing);
		json_decref(orgs);
		return rc;
	}
	json_t *o = fees_estimate_to_json(&e);
	fees_estimate_release(&e);
	name_items(json_object_get(o, "lines"), lang);
	char buf[11];
	json_object_set_new(o, "date", json_string(cal_day_format(day, buf)));
	json_object_set_new(o, "organisations", orgs);
	json_object_set_new(o, "no_schedule_in_force", missing);
	http_reply_json(res, 200, o);
	http_add_header(res, "Cache-Control", "no-store");
	http_add_header(res, "Content-Language", lang_tags[lang]);
	return 0;
}

static int post_estimate(struct http_request *req, struct http_response *res)
{
	const struct published *p = snapshot_get(req->app);
	if (!p)
		return unavailable(res);
	struct error err = ERROR_INIT;
	json_t *body = NULL;
	int rc = http_parse_json(req, &body, &err);
	if (!rc)
		rc = estimate(p, body, res, public_lang(req), &err);
	if (rc)
		http_reply_error(res, &err);
	json_decref(body);
	error_release(&err);
	snapshot_put(p);
	return rc;
}

const struct route public_routes[] = {
	{ "GET", "/v1/public/fees", get_fees, ROUTE_PUBLIC, 0, RUNS_FROM_MEMORY },
	{ "GET", "/v1/public/fees/history", get_history, ROUTE_PUBLIC, 0, RUNS_FROM_MEMORY },
	{ "GET", "/v1/public/service-standards", get_standards, ROUTE_PUBLIC, 0, RUNS_FROM_MEMORY },
	{ "GET", "/v1/public/calendar", get_calendar, ROUTE_PUBLIC, 0, RUNS_FROM_MEMORY },
	{ "POST", "/v1/public/fee-estimate", post_estimate, ROUTE_PUBLIC, 16 * 1024, RUNS_FROM_MEMORY },
	{ "GET", "/", page_home, ROUTE_PUBLIC, 0, RUNS_FROM_MEMORY },
	{ "GET", "/fees", page_fees, ROUTE_PUBLIC, 0, RUNS_FROM_MEMORY },
	{ "GET", "/standards", page_standards, ROUTE_PUBLIC, 0, RUNS_FROM_MEMORY },
	{ 0 },
};
