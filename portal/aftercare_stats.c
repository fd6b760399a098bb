/* The aftercare figures of the statistics: counted per district and organisation. */
#define _GNU_SOURCE
#include "portal/aftercare_stats.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/defects.h"
#include "workflows/permit.h"
#include "workflows/standards.h"
#include "lib/xalloc.h"

#define L(zh, en) (pg->lang == SNAP_EN ? (en) : (zh))

/* One row of figures. */
struct figures {
	char key[201];
	long long org_id;
	int post_checks, on_time, overruns, closures, defects, ratings, complaints;
};

struct table {
	struct figures *rows;
	size_t n, cap;
};

static struct figures *row_of(struct table *t, const char *key, long long org_id)
{
	for (size_t i = 0; i < t->n; i++)
		if (!strcmp(t->rows[i].key, key))
			return &t->rows[i];
	if (t->n == t->cap) {
		t->cap = t->cap ? 2 * t->cap : 32;
		t->rows = xrealloc(t->rows, t->cap * sizeof(*t->rows));
	}
	struct figures *f = &t->rows[t->n++];
	memset(f, 0, sizeof(*f));
	snprintf(f->key, sizeof(f->key), "%s", key);
	f->org_id = org_id;
	return f;
}

/* Whether a done post-check was done by the end of its published limit (none: on time). */
static bool post_check_on_time(const struct published *pub, const struct aftercare_event *e)
{
	if (!pub || e->opened_on < 0 || e->done_on < 0)
		return true;
	const struct service_standard *std = standards_in_force(
		(const struct service_standard *const *)pub->standards, pub->nstandards, e->kind,
		e->submitted_day);
	int limit = std && std->has_fast_track ? std->fast_track.post_check_days : 0;
	day_t due;
	if (!permit_post_check_due(&pub->cal, limit, e->opened_on, e->done_on, &due, NULL))
		return true;
	return e->done_on <= due;
}

/* Adds one event to a row of figure f. */
static void count(struct figures *r, enum aftercare_figure f, const struct aftercare_event *e,
		  bool on_time)
{
	switch (f) {
	case AFTERCARE_POST_CHECKS:
		r->post_checks++;
		r->on_time += on_time;
		break;
	case AFTERCARE_OVERRUNS:
		r->overruns++;
		break;
	case AFTERCARE_CLOSURES:
		r->closures++;
		break;
	case AFTERCARE_DEFECTS:
		r->defects++;
		break;
	case AFTERCARE_FEEDBACK:
		if (!strcmp(e->kind, "complaint"))
			r->complaints++;
		else
			r->ratings++;
		break;
	case AFTERCARE_NFIGURES:
		break;
	}
}

static json_t *figures_json(const struct figures *f, bool keyed)
{
	json_t *j = json_pack("{s:i, s:i, s:i, s:i, s:i, s:i, s:i}", "post_checks", f->post_checks,
			      "post_checks_on_time", f->on_time, "overruns", f->overruns,
			      "closures", f->closures, "defects", f->defects, "ratings", f->ratings,
			      "complaints", f->complaints);
	json_object_set_new(j, "post_check_on_time_rate",
			    f->post_checks ? json_real((double)f->on_time / f->post_checks)
					   : json_null());
	json_object_set_new(j, "defects_per_100_closures",
			    f->closures ? json_real(100.0 * f->defects / f->closures) : json_null());
	if (keyed)
		json_object_set_new(j, "key", json_string(f->key));
	if (keyed && f->org_id)
		json_object_set_new(j, "org_id", json_integer(f->org_id));
	return j;
}

static int by_key(const void *a, const void *b)
{
	return strcmp(((const struct figures *)a)->key, ((const struct figures *)b)->key);
}

static json_t *table_json(struct table *t)
{
	if (t->n > 1) /* never qsort(NULL, 0, ...): undefined, and UBSan says so */
		qsort(t->rows, t->n, sizeof(*t->rows), by_key);
	json_t *a = json_array();
	for (size_t i = 0; i < t->n; i++)
		json_array_append_new(a, figures_json(&t->rows[i], true));
	return a;
}

int aftercare_stats_build(struct store_conn *c, const struct published *pub, json_t **out,
			  struct error *err)
{
	struct table districts = { 0 }, orgs = { 0 };
	struct figures all = { .key = "all" };
	int rc = 0;
	*out = NULL;
	for (int f = 0; !rc && f < AFTERCARE_NFIGURES; f++) {
		struct aftercare_event *ev = NULL;
		size_t n = 0;
		rc = store_aftercare_events(c, (enum aftercare_figure)f, &ev, &n, err);
		for (size_t i = 0; !rc && i < n; i++) {
			const struct aftercare_event *e = &ev[i];
			bool on_time = f == AFTERCARE_POST_CHECKS && post_check_on_time(pub, e);
			/* an event joined to several organisations counts once for the city and
			 * its district (rows of one event are adjacent) */
			if (i == 0 || ev[i - 1].id != e->id) {
				count(&all, (enum aftercare_figure)f, e, on_time);
				count(row_of(&districts, e->district[0] ? e->district : "unknown", 0),
				      (enum aftercare_figure)f, e, on_time);
			}
			if (e->org_id)
				count(row_of(&orgs, e->org_name, e->org_id), (enum aftercare_figure)f,
				      e, on_time);
		}
		free(ev);
	}
	json_t *by_district = rc ? NULL : table_json(&districts);
	struct district_names *names = NULL;
	size_t nnames = 0;
	if (!rc)
		rc = store_district_names(c, &names, &nnames, err);
	size_t i;
	json_t *row;
	json_array_foreach(by_district, i, row)
	{
		for (size_t k = 0; k < nnames; k++) {
			if (strcmp(names[k].code, json_string_value(json_object_get(row, "key"))))
				continue;
			json_object_set_new(row, "name_zh", json_string(names[k].zh));
			json_object_set_new(row, "name_en", json_string(names[k].en));
		}
	}
	free(names);
	if (rc)
		json_decref(by_district);
	else
		*out = json_pack("{s:s, s:o, s:o, s:o}", "note",
				 "post-checks done (on time: by the end of the published post-check "
				 "limit), overruns recorded, dig-road permits closed, defects "
				 "reported (per 100 closures), public ratings and complaints; an "
				 "organisation counts what concerns it: the authority its post-checks, "
				 "each utility digging its overruns and closures, the organisation a "
				 "defect or feedback went to",
				 "summary", figures_json(&all, false), "district", by_district,
				 "organisation", table_json(&orgs));
	free(districts.rows);
	free(orgs.rows);
	return rc;
}

static void csv_key(struct strbuf *b, const char *s)
{
	strbuf_puts(b, s && s[0] && strchr("=+-@", s[0]) ? "\"'" : "\"");
	for (const char *p = s ? s : ""; *p; p++) {
		strbuf_add(b, p, 1);
		if (*p == '"')
			strbuf_add(b, p, 1);
	}
	strbuf_puts(b, "\"");
}

static void csv_line(struct strbuf *b, const char *dim, const char *key, const json_t *f,
		     int skip)
{
	strbuf_printf(b, "%s,", dim);
	csv_key(b, key);
	for (int i = 0; i < skip; i++)
		strbuf_puts(b, ",");
	strbuf_printf(b, ",%lld,%lld,%lld,%lld,%lld,",
		      (long long)json_integer_value(json_object_get(f, "post_checks")),
		      (long long)json_integer_value(json_object_get(f, "post_checks_on_time")),
		      (long long)json_integer_value(json_object_get(f, "overruns")),
		      (long long)json_integer_value(json_object_get(f, "closures")),
		      (long long)json_integer_value(json_object_get(f, "defects")));
	json_t *per = json_object_get(f, "defects_per_100_closures");
	if (json_is_number(per))
		strbuf_printf(b, "%.1f", json_number_value(per));
	strbuf_printf(b, ",%lld,%lld\n",
		      (long long)json_integer_value(json_object_get(f, "ratings")),
		      (long long)json_integer_value(json_object_get(f, "complaints")));
}

void aftercare_stats_csv(const json_t *a, int skip, struct strbuf *b)
{
	if (!a)
		return;
	csv_line(b, "aftercare_all", "all", json_object_get(a, "summary"), skip);
	static const char *const dims[] = { "district", "organisation" };
	for (size_t d = 0; d < 2; d++) {
		char dim[32];
		snprintf(dim, sizeof(dim), "aftercare_%s", dims[d]);
		size_t i;
		json_t *r;
		json_array_foreach(json_object_get(a, dims[d]), i, r)
			csv_line(b, dim, json_string_value(json_object_get(r, "key")), r, skip);
	}
}

static void html_rows(struct html_page *pg, const json_t *rows)
{
	size_t i;
	json_t *r;
	json_array_foreach(rows, i, r)
	{
		/* a district by its name, in the page's language; the code only when none is known */
		const char *name = json_string_value(
			json_object_get(r, pg->lang == SNAP_EN ? "name_en" : "name_zh"));
		html_rawf(pg, "<tr><td>");
		html_text(pg, name && *name ? name : json_string_value(json_object_get(r, "key")));
		json_t *rate = json_object_get(r, "post_check_on_time_rate");
		json_t *per = json_object_get(r, "defects_per_100_closures");
		html_rawf(pg, "</td><td class=\"num\">%lld</td><td class=\"num\">",
			  (long long)json_integer_value(json_object_get(r, "post_checks")));
		if (json_is_number(rate))
			html_rawf(pg, "%.0f%%", 100 * json_number_value(rate));
		else
			html_rawf(pg, "–");
		html_rawf(pg,
			  "</td><td class=\"num\">%lld</td><td class=\"num\">%lld</td>"
			  "<td class=\"num\">%lld</td><td class=\"num\">",
			  (long long)json_integer_value(json_object_get(r, "overruns")),
			  (long long)json_integer_value(json_object_get(r, "closures")),
			  (long long)json_integer_value(json_object_get(r, "defects")));
		if (json_is_number(per))
			html_rawf(pg, "%.1f", json_number_value(per));
		else
			html_rawf(pg, "–");
		html_rawf(pg, "</td><td class=\"num\">%lld</td><td class=\"num\">%lld</td></tr>",
			  (long long)json_integer_value(json_object_get(r, "ratings")),
			  (long long)json_integer_value(json_object_get(r, "complaints")));
	}
}

void aftercare_stats_html(struct html_page *pg, const json_t *doc)
{
	const json_t *a = json_object_get(doc, "aftercare");
	if (!a)
		return;
	static const struct {
		const char *dim, *zh, *en;
	} parts[] = { { "district", "事后监管：各区县", "After the works: by district" },
		      { "organisation", "事后监管：各单位", "After the works: by organisation" } };
	json_t *sum = json_object_get(a, "summary");
	json_t *rate = json_object_get(sum, "post_check_on_time_rate");
	json_t *per = json_object_get(sum, "defects_per_100_closures");
	html_rawf(pg, "<h2>%s</h2><p>%s: <strong>%lld</strong> (%s %.0f%%) · %s: <strong>%lld"
		  "</strong> · %s: <strong>%lld</strong> · %s: <strong>%.1f</strong></p>",
		  L("事后监管", "After the works"), L("事后核查", "Post-checks"),
		  (long long)json_integer_value(json_object_get(sum, "post_checks")),
		  L("按时", "on time"), json_is_number(rate) ? 100 * json_number_value(rate) : 100.0,
		  L("超期施工", "Overruns"),
		  (long long)json_integer_value(json_object_get(sum, "overruns")),
		  L("路面缺陷报告", "Defects reported"),
		  (long long)json_integer_value(json_object_get(sum, "defects")),
		  L("每百次闭合缺陷数", "Defects per 100 closures"),
		  json_is_number(per) ? json_number_value(per) : 0.0);
	for (size_t p = 0; p < 2; p++) {
		json_t *rows = json_object_get(a, parts[p].dim);
		html_rawf(pg, "<h3>%s</h3>", L(parts[p].zh, parts[p].en));
		if (!json_array_size(rows)) {
			html_rawf(pg, "<p>%s</p>", L("暂无记录。", "Nothing recorded yet."));
			continue;
		}
		html_rawf(pg,
			  "<table><tr><th>%s</th><th>%s</th><th>%s</th><th>%s</th><th>%s</th>"
			  "<th>%s</th><th>%s</th><th>%s</th><th>%s</th></tr>",
			  L("名称", "Name"), L("事后核查", "Post-checks"), L("按时率", "On time"),
			  L("超期施工", "Overruns"), L("闭合", "Closures"),
			  L("缺陷报告", "Defects"), L("每百次闭合缺陷", "Defects per 100"),
			  L("公众评价", "Public ratings"), L("投诉", "Complaints"));
		html_rows(pg, rows);
		html_rawf(pg, "</table>");
	}
}
