/*
 * The public statistics page /stats: the cached figures as tables with inline SVG bar charts
 * drawn on the server, in the frame of the other public pages (portal/html.h). No scripts; the
 * same security headers as the other public pages.
 */
#define _GNU_SOURCE
#include <jansson.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "portal/aftercare_stats.h"
#include "portal/html.h"
#include "portal/public_api.h"
#include "portal/public_stats.h"
#include "portal/router.h"
#include "lib/strbuf.h"
#include "lib/xalloc.h"

#define L(zh, en) (pg->lang == SNAP_EN ? (en) : (zh))

static const struct {
	const char *dim, *zh, *en;
} sections[] = {
    {"district", "各区县（开发区）", "By district"},
    {"utility", "各公用事业单位", "By utility"},
    {"authority", "各审批部门", "By authority"},
    {"stage", "各环节", "By stage"},
    {"month", "各月份", "By month"},
};

/*
 * Chart geometry. The names of utilities and authorities are long ("State Grid City Power
 * Supply Co. (demo)", 39 characters), so labels get a column of their own, as wide as the
 * widest label of the chart up to LABEL_W; a longer one wraps onto a second line and is cut
 * with "…" only beyond that (the full name stays in the row's <title> and in the table below).
 * Bars start after the column; each value follows its bar, inside the chart.
 */
#define LABEL_W 300	/* the widest label column, x from 0 */
#define LABEL_GAP 12	/* between the column and the bars */
#define BAR_MAX 400	/* the longest bar */
#define VALUE_ROOM 60 /* after the longest bar, for its value ("100%", "120.5") */
#define LINE_H 14
#define LABEL_LINES 2

/*
 * The width of UTF-8 text at the charts' 12 px, on the safe side: a CJK character is a full em
 * (12 px); a Latin character is taken as 7.5 px, more than the average of a sans-serif's
 * letters and spaces. Browsers draw it narrower, never wider in practice.
 */
static double text_width(const char *s, size_t len)
{
	double w = 0;
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c < 0x80)
			w += 7.5;
		else if (c >= 0xC0)
			w += 12; /* a multi-byte character's first byte */
	}
	return w;
}

/* The length of s's first UTF-8 character. */
static size_t char_len(const char *s)
{
	unsigned char c = (unsigned char)*s;
	size_t n = c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : c >= 0xC0 ? 2 : 1;
	for (size_t i = 1; i < n; i++)
		if (!s[i])
			return i;
	return n;
}

/*
 * How many bytes of s fit on one line of width w, breaking after a space when a word would
 * be cut (Chinese breaks between any two characters). At least one character.
 */
static size_t fit_line(const char *s, double w)
{
	size_t n = 0, last_space = 0;
	while (s[n]) {
		size_t c = char_len(s + n);
		if (n && text_width(s, n + c) > w)
			return last_space && s[n] != ' ' ? last_space : n;
		n += c;
		if (s[n - 1] == ' ')
			last_space = n;
	}
	return n;
}

/* Splits a label into at most LABEL_LINES lines of LABEL_W, the last cut with "…" if needed. */
static size_t label_lines(const char *s, char lines[LABEL_LINES][256])
{
	size_t k = 0;
	while (*s == ' ')
		s++;
	for (; *s && k < LABEL_LINES; k++) {
		size_t n = fit_line(s, LABEL_W);
		if (k == LABEL_LINES - 1 && s[n]) {
			n = fit_line(s, LABEL_W - text_width("…", strlen("…")));
			while (n > 1 && s[n - 1] == ' ')
				n--;
			snprintf(lines[k], 256, "%.*s…", (int)n, s);
			return k + 1;
		}
		snprintf(lines[k], 256, "%.*s", (int)n, s);
		for (s += n; *s == ' '; s++)
			;
	}
	return k;
}

/* The row's label: its name in the page's language, else its key. */
static const char *row_name(struct html_page *pg, json_t *r)
{
	const char *n = json_string_value(
	    json_object_get(r, pg->lang == SNAP_EN ? "name_en" : "name_zh"));
	return n && *n ? n : json_string_value(json_object_get(r, "key"));
}

/* What a chart shows: which field of the rows, scaled to what, how, and where bars start. */
struct chart {
	const char *field;
	double max;
	bool percent;
	int bar_x;
};

/*
 * Each row's label split into lines (into lines and nlines). Returns the chart's height and
 * sets *widest to the widest line's width.
 */
static int layout_labels(struct html_page *pg, json_t *rows, char (*lines)[LABEL_LINES][256],
			 size_t *nlines, double *widest)
{
	int h = 28;
	*widest = 0;
	for (size_t i = 0; i < json_array_size(rows); i++) {
		nlines[i] = label_lines(row_name(pg, json_array_get(rows, i)), lines[i]);
		h += 8 + LINE_H * (int)(nlines[i] ? nlines[i] : 1);
		for (size_t k = 0; k < nlines[i]; k++) {
			double w = text_width(lines[i][k], strlen(lines[i][k]));
			*widest = w > *widest ? w : *widest;
		}
	}
	return h;
}

/* One row at y: the full name as its title, its label's lines, its bar, its value. */
static int draw_row(struct html_page *pg, const struct chart *c, json_t *r,
		    char lines[LABEL_LINES][256], size_t nlines, int y)
{
	double v = json_number_value(json_object_get(r, c->field));
	int w = (int)(BAR_MAX * v / c->max);
	int rows_h = 8 + LINE_H * (int)(nlines ? nlines : 1);
	char value[16];
	if (c->percent)
		snprintf(value, sizeof(value), "%.0f%%", v * 100);
	else
		snprintf(value, sizeof(value), "%.1f", v);
	html_rawf(pg, "<g><title>");
	html_text(pg, row_name(pg, r));
	html_rawf(pg, ": %s</title><text class=\"label\" x=\"0\" font-size=\"12\">", value);
	for (size_t k = 0; k < nlines; k++) {
		html_rawf(pg, "<tspan x=\"0\" y=\"%d\">", y + 4 + LINE_H * (int)(k + 1) - 3);
		html_text(pg, lines[k]);
		html_rawf(pg, "</tspan>");
	}
	int bar_y = y + (rows_h - 16) / 2;
	html_rawf(pg,
		  "</text><rect class=\"bar\" x=\"%d\" y=\"%d\" width=\"%d\" height=\"16\" "
		  "fill=\"#8b1a1a\"/><text class=\"value\" x=\"%d\" y=\"%d\" font-size=\"12\">%s"
		  "</text></g>",
		  c->bar_x, bar_y, w > 0 ? w : 1, c->bar_x + (w > 0 ? w : 1) + 6, bar_y + 13,
		  value);
	return rows_h;
}

/* A horizontal bar chart of one numeric field of each row; max scales the bars. */
static void chart(struct html_page *pg, json_t *rows, const char *field, double max, bool percent,
		  const char *title)
{
	size_t n = json_array_size(rows);
	if (!n)
		return;
	struct chart c = {field, max > 0 ? max : 1, percent, 0};
	char (*lines)[LABEL_LINES][256] = xcalloc(n, sizeof(*lines));
	size_t *nlines = xcalloc(n, sizeof(*nlines));
	double widest;
	int h = layout_labels(pg, rows, lines, nlines, &widest);
	c.bar_x = (int)widest + 1 + LABEL_GAP;
	int chart_w = c.bar_x + BAR_MAX + VALUE_ROOM;
	html_rawf(pg,
		  "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" "
		  "viewBox=\"0 0 %d %d\" role=\"img\" aria-label=\"",
		  chart_w, h, chart_w, h);
	html_text(pg, title);
	html_rawf(pg, "\"><text x=\"0\" y=\"16\" font-size=\"13\" font-weight=\"bold\">");
	html_text(pg, title);
	html_rawf(pg, "</text>");
	int y = 28;
	for (size_t i = 0; i < n; i++)
		y += draw_row(pg, &c, json_array_get(rows, i), lines[i], nlines[i], y);
	html_rawf(pg, "</svg>");
	free(lines);
	free(nlines);
}

/* Where a stage comes in the workflows (DESIGN.md §5), for listing stages in that order. */
static int stage_order(const char *key)
{
	static const char *const order[] = {"acceptance", "survey", "plan",     "construction",
					    "completion", "review", "extension"};
	for (size_t i = 0; key && i < sizeof(order) / sizeof(order[0]); i++)
		if (!strcmp(order[i], key))
			return (int)i;
	return 100;
}

static int by_rank(const void *a, const void *b)
{
	json_int_t x = json_integer_value(json_object_get(*(json_t *const *)a, "rank"));
	json_int_t y = json_integer_value(json_object_get(*(json_t *const *)b, "rank"));
	return (x > y) - (x < y);
}

static int by_stage(const void *a, const void *b)
{
	return stage_order(json_string_value(json_object_get(*(json_t *const *)a, "key"))) -
	       stage_order(json_string_value(json_object_get(*(json_t *const *)b, "key")));
}

/*
 * The rows as a reader wants them: districts, utilities and authorities ranked (list item 39),
 * stages in workflow order, months as they came. A new array (caller releases).
 */
static json_t *ordered(const char *dim, json_t *rows)
{
	size_t n = json_array_size(rows);
	json_t **v = xcalloc(n + 1, sizeof(*v));
	for (size_t i = 0; i < n; i++)
		v[i] = json_array_get(rows, i);
	if (!strcmp(dim, "stage"))
		qsort(v, n, sizeof(*v), by_stage);
	else if (strcmp(dim, "month") != 0)
		qsort(v, n, sizeof(*v), by_rank);
	json_t *out = json_array();
	for (size_t i = 0; i < n; i++)
		json_array_append(out, v[i]);
	free(v);
	return out;
}

static double max_of(json_t *rows, const char *field)
{
	double m = 0;
	size_t i;
	json_t *r;
	json_array_foreach(rows, i, r)
	{
		double v = json_number_value(json_object_get(r, field));
		if (v > m)
			m = v;
	}
	return m;
}

static void table(struct html_page *pg, const char *dim, json_t *rows)
{
	/* a stage run has no materials, fast track, decision or rating of its own: left out */
	bool whole = strcmp(dim, "stage") != 0;
	html_rawf(pg,
		  "<table><tr><th>%s</th><th>%s</th><th>%s</th><th>%s</th><th>%s</th><th>%s</th>",
		  L("名称", "Name"), L("排名", "Rank"), L("办结数", "Count"),
		  L("中位数（工作日）", "Median (working days)"), L("90% 分位", "90th percentile"),
		  L("按时率", "On time"));
	if (whole)
		html_rawf(pg, "<th>%s</th><th>%s</th><th>%s</th><th>%s</th>",
			  L("平均材料数", "Materials"), L("快速通道", "Fast-tracked"),
			  L("视为同意", "Deemed"), L("评价得分", "Rating score"));
	html_rawf(pg, "</tr>");
	size_t i;
	json_t *r;
	json_array_foreach(rows, i, r)
	{
		/* the row keeps its stable key as an anchor: /stats#district-hitech */
		char *key = html_escape(json_string_value(json_object_get(r, "key")));
		html_rawf(pg, "<tr id=\"%s-%s\"><td>", dim, key);
		free(key);
		html_text(pg, row_name(pg, r));
		html_rawf(pg,
			  "</td><td class=\"num\">%lld</td><td class=\"num\">%lld</td>"
			  "<td class=\"num\">%.1f</td><td class=\"num\">%lld</td>"
			  "<td class=\"num\">%.0f%%</td>",
			  (long long)json_integer_value(json_object_get(r, "rank")),
			  (long long)json_integer_value(json_object_get(r, "count")),
			  json_number_value(json_object_get(r, "median_days")),
			  (long long)json_integer_value(json_object_get(r, "p90_days")),
			  100 * json_number_value(json_object_get(r, "on_time_rate")));
		if (whole) {
			json_t *score = json_object_get(r, "rating_score");
			html_rawf(pg,
				  "<td class=\"num\">%.1f</td><td class=\"num\">%.0f%%</td>"
				  "<td class=\"num\">%.0f%%</td><td class=\"num\">",
				  json_number_value(json_object_get(r, "materials_avg")),
				  100 * json_number_value(json_object_get(r, "fast_track_share")),
				  100 * json_number_value(json_object_get(r, "deemed_share")));
			if (json_is_number(score))
				html_rawf(pg, "%.0f", json_number_value(score));
			else
				html_rawf(pg, "–");
			html_rawf(pg, "</td>");
		}
		html_rawf(pg, "</tr>");
	}
	html_rawf(pg, "</table>");
}

/* Says how many of the figures' tracks are generated demo data, when any are. */
static void sample_notice(struct html_page *pg, json_t *doc)
{
	long long sample = json_integer_value(json_object_get(doc, "sample_tracks"));
	if (sample <= 0)
		return;
	html_rawf(pg, "<p class=\"sample\"><strong>");
	if (pg->lang == SNAP_EN)
		html_rawf(pg,
			  "Sample data: these figures include %lld generated sample jobs "
			  "and permits (references beginning SAMPLE-), made for the demo. "
			  "They are not real cases.",
			  sample);
	else
		html_rawf(
		    pg,
		    "示例数据：以下统计包含 %lld 件系统生成的示例办件（编号以 SAMPLE- 开头），"
		    "仅供演示，不是真实办件。",
		    sample);
	html_rawf(pg, "</strong></p>");
}

/* Where the figures come from, and the whole city's in one line. */
static void summary(struct html_page *pg, json_t *doc)
{
	json_t *sum = json_object_get(doc, "summary");
	html_rawf(
	    pg, "<p class=\"meta\">%s ",
	    L("数据来源：办理过程的状态记录（不含人工填报），时间以工作日计，补正期间不计时。更新"
	      "于",
	      "Computed from the status history (never hand-entered), in working days, "
	      "supplement pauses excluded. Updated"));
	html_text(pg, json_string_value(json_object_get(doc, "generated_at")));
	html_rawf(pg,
		  "</p><p>%s: <strong>%lld</strong> · %s: <strong>%.1f</strong> · %s: "
		  "<strong>%.0f%%</strong></p>",
		  L("已办结", "Finished"),
		  (long long)json_integer_value(json_object_get(sum, "count")),
		  L("中位数（工作日）", "Median working days"),
		  json_number_value(json_object_get(sum, "median_days")), L("按时率", "On time"),
		  100 * json_number_value(json_object_get(sum, "on_time_rate")));
}

/* Renders the page from the statistics document. New buffer (caller frees). */
static char *render(json_t *doc, enum snapshot_lang lang, size_t *len)
{
	struct html_page page = {.lang = lang};
	struct html_page *pg = &page;
	html_page_begin(pg, "stats");
	sample_notice(pg, doc);
	summary(pg, doc);
	json_t *groups = json_object_get(doc, "groups");
	for (size_t s = 0; s < sizeof(sections) / sizeof(sections[0]); s++) {
		json_t *rows = ordered(sections[s].dim, json_object_get(groups, sections[s].dim));
		html_rawf(pg, "<h2>%s</h2>", L(sections[s].zh, sections[s].en));
		if (!json_array_size(rows)) {
			json_decref(rows);
			html_rawf(pg, "<p>%s</p>", L("暂无办结记录。", "Nothing finished yet."));
			continue;
		}
		chart(pg, rows, "median_days", max_of(rows, "median_days"), false,
		      L("办理时间中位数（工作日）", "Median working days"));
		if (strcmp(sections[s].dim, "stage") != 0 && strcmp(sections[s].dim, "month") != 0)
			chart(pg, rows, "on_time_rate", 1, true, L("按时率", "On-time rate"));
		table(pg, sections[s].dim, rows);
		json_decref(rows);
	}
	aftercare_stats_html(pg, doc);
	const struct html_link data[] = {
	    {"/v1/public/stats", NULL},
	    {"/v1/public/stats?format=csv", "CSV"},
	    {"/v1/public/open-data/applications.csv", L("开放数据", "Open data")},
	};
	return html_page_end(pg, L("数据接口", "Data"), data, sizeof(data) / sizeof(data[0]), len);
}

static int stats_page(struct http_request *req, struct http_response *res)
{
	struct error err = ERROR_INIT;
	const struct stats_view *v = public_stats_get(req->app, &err);
	if (!v) {
		int rc = http_reply_error(res, &err);
		error_release(&err);
		return rc;
	}
	enum snapshot_lang lang = public_lang(req);
	size_t len = 0;
	char *body = render(v->json, lang, &len);
	public_stats_put(v);
	http_reply_text(res, 200, "text/html; charset=utf-8", body, len);
	free(body);
	http_add_header(res, "Cache-Control", "public, max-age=60");
	http_add_header(res, "Vary", "Accept-Language");
	http_add_header(res, "Content-Language", lang == SNAP_EN ? "en" : "zh-CN");
	http_add_header(res, "Content-Security-Policy", HTML_CSP);
	http_add_header(res, "Referrer-Policy", "no-referrer");
	return 0;
}

const struct route stats_html_routes[] = {
    {"GET", "/stats", stats_page, ROUTE_PUBLIC, 0, RUNS_ON_WORK},
    {0},
};
