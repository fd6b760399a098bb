/*
 * The public statistics page /stats: the cached figures as tables with inline SVG bar charts
 * drawn on the server. No scripts; the same security headers as the other public pages.
 */
#define _GNU_SOURCE
#include <jansson.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "portal/html.h"
#include "portal/public_api.h"
#include "portal/public_stats.h"
#include "portal/router.h"
#include "workflows/strbuf.h"
#include "workflows/xalloc.h"

struct page {
	struct strbuf out;
	enum snapshot_lang lang;
};

static void raw(struct page *pg, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void raw(struct page *pg, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	strbuf_vprintf(&pg->out, fmt, ap);
	va_end(ap);
}

static void text(struct page *pg, const char *s)
{
	char *e = html_escape(s ? s : "");
	raw(pg, "%s", e);
	free(e);
}

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

static const char style[] =
    "body{font-family:system-ui,'Noto Sans CJK SC','PingFang SC','Microsoft YaHei',sans-serif;"
    "margin:0;color:#1a1a1a;line-height:1.5}header{background:#8b1a1a;color:#fff;padding:1rem 2rem}"
    "header h1{margin:0;font-size:1.4rem}nav a{color:#fff;margin-right:1.2rem;text-decoration:none}"
    "nav a.on{font-weight:bold;text-decoration:underline}main{padding:1rem 2rem;max-width:72rem}"
    "h2{border-bottom:2px solid #8b1a1a;padding-bottom:.2rem;margin-top:2rem}"
    "table{border-collapse:collapse;width:100%;margin:.5rem 0 1rem;font-size:.92rem}"
    "th,td{border:1px solid #bbb;padding:.35rem .5rem;text-align:left}th{background:#f2eded}"
    "td.num{text-align:right}.meta{color:#555;font-size:.9rem}svg{max-width:100%}"
    "footer{color:#666;font-size:.85rem;padding:1rem 2rem;border-top:1px solid "
    "#ddd}a{color:#8b1a1a}"
    "@media print{header{background:none;color:#000}nav{display:none}}";

static void head(struct page *pg)
{
	raw(pg,
	    "<!DOCTYPE html>\n<html lang=\"%s\"><head><meta charset=\"utf-8\">"
	    "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"><title>%s"
	    "</title><style>%s</style></head><body><header><h1>%s</h1><nav>"
	    "<a href=\"/\">%s</a><a href=\"/fees\">%s</a><a href=\"/standards\">%s</a>"
	    "<a class=\"on\" href=\"/stats\">%s</a><a href=\"/stats?lang=%s\">%s</a></nav>"
	    "</header><main>",
	    pg->lang == SNAP_EN ? "en" : "zh-CN", L("办理时间统计", "Processing statistics"), style,
	    L("办理时间统计", "Processing statistics"), L("首页", "Home"), L("收费标准", "Fees"),
	    L("服务标准", "Service standards"), L("统计", "Statistics"),
	    pg->lang == SNAP_EN ? "zh" : "en", L("English", "中文"));
}

/* A horizontal bar chart of one numeric field of each row; max scales the bars. */
static void chart(struct page *pg, json_t *rows, const char *field, double max, bool percent,
		  const char *title)
{
	size_t n = json_array_size(rows);
	if (!n)
		return;
	if (max <= 0)
		max = 1;
	int h = 22 * (int)n + 28;
	raw(pg,
	    "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"640\" height=\"%d\" role=\"img\" "
	    "aria-label=\"",
	    h);
	text(pg, title);
	raw(pg, "\"><text x=\"0\" y=\"16\" font-size=\"13\" font-weight=\"bold\">");
	text(pg, title);
	raw(pg, "</text>");
	for (size_t i = 0; i < n; i++) {
		json_t *r = json_array_get(rows, i);
		double v = json_number_value(json_object_get(r, field));
		int y = 26 + 22 * (int)i, w = (int)(360.0 * v / max);
		raw(pg, "<text x=\"0\" y=\"%d\" font-size=\"12\">", y + 14);
		text(pg, json_string_value(json_object_get(r, "key")));
		raw(pg,
		    "</text><rect x=\"200\" y=\"%d\" width=\"%d\" height=\"16\" fill=\"#8b1a1a\"/>"
		    "<text x=\"%d\" y=\"%d\" font-size=\"12\">",
		    y + 2, w > 0 ? w : 1, 206 + (w > 0 ? w : 1), y + 14);
		if (percent)
			raw(pg, "%.0f%%", v * 100);
		else
			raw(pg, "%.1f", v);
		raw(pg, "</text>");
	}
	raw(pg, "</svg>");
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

static void table(struct page *pg, json_t *rows)
{
	raw(pg,
	    "<table><tr><th>%s</th><th>%s</th><th>%s</th><th>%s</th><th>%s</th><th>%s</th>"
	    "<th>%s</th><th>%s</th><th>%s</th><th>%s</th></tr>",
	    L("名称", "Name"), L("排名", "Rank"), L("办结数", "Count"),
	    L("中位数（工作日）", "Median (working days)"), L("90% 分位", "90th percentile"),
	    L("按时率", "On time"), L("平均材料数", "Materials"), L("快速通道", "Fast-tracked"),
	    L("视为同意", "Deemed"), L("评价得分", "Rating score"));
	size_t i;
	json_t *r;
	json_array_foreach(rows, i, r)
	{
		raw(pg, "<tr><td>");
		text(pg, json_string_value(json_object_get(r, "key")));
		json_t *score = json_object_get(r, "rating_score");
		raw(pg,
		    "</td><td class=\"num\">%lld</td><td class=\"num\">%lld</td>"
		    "<td class=\"num\">%.1f</td><td class=\"num\">%lld</td>"
		    "<td class=\"num\">%.0f%%</td><td class=\"num\">%.1f</td>"
		    "<td class=\"num\">%.0f%%</td><td class=\"num\">%.0f%%</td><td class=\"num\">",
		    (long long)json_integer_value(json_object_get(r, "rank")),
		    (long long)json_integer_value(json_object_get(r, "count")),
		    json_number_value(json_object_get(r, "median_days")),
		    (long long)json_integer_value(json_object_get(r, "p90_days")),
		    100 * json_number_value(json_object_get(r, "on_time_rate")),
		    json_number_value(json_object_get(r, "materials_avg")),
		    100 * json_number_value(json_object_get(r, "fast_track_share")),
		    100 * json_number_value(json_object_get(r, "deemed_share")));
		if (json_is_number(score))
			raw(pg, "%.0f", json_number_value(score));
		else
			raw(pg, "–");
		raw(pg, "</td></tr>");
	}
	raw(pg, "</table>");
}

/* Renders the page from the statistics document. New buffer (caller frees). */
static char *render(json_t *doc, enum snapshot_lang lang, size_t *len)
{
	struct page page = {.lang = lang};
	struct page *pg = &page;
	head(pg);
	json_t *sum = json_object_get(doc, "summary");
	raw(pg, "<p class=\"meta\">%s ",
	    L("数据来源：办理过程的状态记录（不含人工填报），时间以工作日计，补正期间不计时。更新"
	      "于",
	      "Computed from the status history (never hand-entered), in working days, "
	      "supplement pauses excluded. Updated"));
	text(pg, json_string_value(json_object_get(doc, "generated_at")));
	raw(pg,
	    "</p><p>%s: <strong>%lld</strong> · %s: <strong>%.1f</strong> · %s: "
	    "<strong>%.0f%%</strong></p>",
	    L("已办结", "Finished"), (long long)json_integer_value(json_object_get(sum, "count")),
	    L("中位数（工作日）", "Median working days"),
	    json_number_value(json_object_get(sum, "median_days")), L("按时率", "On time"),
	    100 * json_number_value(json_object_get(sum, "on_time_rate")));
	json_t *groups = json_object_get(doc, "groups");
	for (size_t s = 0; s < sizeof(sections) / sizeof(sections[0]); s++) {
		json_t *rows = json_object_get(groups, sections[s].dim);
		raw(pg, "<h2>%s</h2>", L(sections[s].zh, sections[s].en));
		if (!json_array_size(rows)) {
			raw(pg, "<p>%s</p>", L("暂无办结记录。", "Nothing finished yet."));
			continue;
		}
		chart(pg, rows, "median_days", max_of(rows, "median_days"), false,
		      L("办理时间中位数（工作日）", "Median working days"));
		if (!strcmp(sections[s].dim, "district"))
			chart(pg, rows, "on_time_rate", 1, true, L("按时率", "On-time rate"));
		table(pg, rows);
	}
	raw(pg,
	    "</main><footer>%s: <a href=\"/v1/public/stats\">/v1/public/stats</a> · "
	    "<a href=\"/v1/public/stats?format=csv\">CSV</a> · "
	    "<a href=\"/v1/public/open-data/applications.csv\">%s</a></footer></body></html>\n",
	    L("数据接口", "Data"), L("开放数据", "Open data"));
	*len = page.out.len;
	return page.out.p;
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
