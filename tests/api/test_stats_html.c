/*
 * The statistics page /stats in both languages: districts and stages read as names from the
 * database and the published standards (the JSON keeps its codes and adds the names), no chart
 * label runs into its bar or value, and no sample-data notice when there is no sample data.
 * The geometry is checked on what the page emits, with the width rule the page draws by: at
 * 12 px a CJK character is at most 12 px wide and a Latin one is taken as 7.5 px.
 */
#define _GNU_SOURCE
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "support/harness.h"
#include "support/journey.h"

static struct harness_server *srv;
static void setup(void)
{
	srv = harness_server_start();
}
static void teardown(void)
{
	harness_server_stop(srv);
}
TestSuite(stats_html, .init = setup, .fini = teardown, .timeout = 60);

static char *page(const char *lang)
{
	char path[64];
	snprintf(path, sizeof(path), "/stats?lang=%s", lang);
	struct reply r;
	http_call(&r, "GET", path, NULL, NULL, NULL);
	cr_assert_eq(r.status, 200, "%s", r.body);
	char *body = strdup(r.body);
	reply_release(&r);
	return body;
}

/* The width of escaped SVG text (tags dropped, entities as one character), by the rule above. */
static double width(const char *s, const char *end)
{
	double w = 0;
	for (const char *p = s; p < end; p++) {
		unsigned char c = (unsigned char)*p;
		if (c == '<') {
			const char *q = memchr(p, '>', (size_t)(end - p));
			p = q ? q : end;
		} else if (c == '&') {
			const char *q = memchr(p, ';', (size_t)(end - p));
			p = q ? q : end;
			w += 7.5;
		} else if (c < 0x80) {
			w += 7.5;
		} else if (c >= 0xC0) {
			w += 12;
		}
	}
	return w;
}

static int attr(const char *tag, const char *name)
{
	char key[32];
	snprintf(key, sizeof(key), " %s=\"", name);
	const char *p = strstr(tag, key);
	const char *gt = strchr(tag, '>');
	cr_assert(p && p < gt, "%s in %.80s", name, tag);
	return atoi(p + strlen(key));
}

/*
 * Every bar of every chart: its label (the <text> before it, each line of it) ends before the
 * bar starts, and its value (the <text> after it) ends inside the chart. Returns the bars seen.
 */
static int check_charts(const char *body, bool *long_label_seen)
{
	int bars = 0;
	for (const char *svg = strstr(body, "<svg"); svg; svg = strstr(svg + 1, "<svg")) {
		int chart_w = attr(svg, "width");
		const char *end = strstr(svg, "</svg>");
		cr_assert(end);
		const char *rect = svg;
		while ((rect = strstr(rect + 1, "<rect")) && rect < end) {
			if (!strstr(rect, "fill=\"#8b1a1a\"") ||
			    strstr(rect, "fill=\"#8b1a1a\"") > strchr(rect, '>'))
				continue;
			bars++;
			int bar_x = attr(rect, "x"), bar_w = attr(rect, "width");
			/* the label: the last <text ...> opened before the bar */
			const char *label = NULL;
			for (const char *t = strstr(svg, "<text"); t && t < rect;
			     t = strstr(t + 1, "<text"))
				label = t;
			cr_assert(label && attr(label, "x") == 0, "a label at the left");
			const char *close = strstr(label, "</text>");
			const char *from = strchr(label, '>') + 1;
			const char *title = strstr(from, "<title>");
			if (title && title < close)
				from = strstr(title, "</title>") + strlen("</title>");
			/* one line per <tspan>, or the whole text */
			const char *line = from;
			while (line < close) {
				const char *next = strstr(line, "</tspan>");
				if (!next || next > close)
					next = close;
				double w = width(line, next);
				cr_expect_leq(w, bar_x - 4,
					      "label '%.*s' (%.0f px) runs into its bar at %d",
					      (int)(next - line), line, w, bar_x);
				if (w > 200)
					*long_label_seen = true;
				line = next == close ? close : next + strlen("</tspan>");
			}
			/* the value after the bar stays inside the chart */
			const char *value = strstr(rect, "<text");
			cr_assert(value && value < end);
			int vx = attr(value, "x");
			const char *vend = strstr(value, "</text>");
			double vw = width(strchr(value, '>') + 1, vend);
			cr_expect_geq(vx, bar_x + bar_w, "the value follows its bar");
			cr_expect_leq(vx + vw, chart_w, "the value fits in the chart");
		}
	}
	return bars;
}

Test(stats_html, chart_labels_never_run_into_bars_or_values)
{
	/* the demo's long names: the road authority, and the city's water company */
	for (int l = 0; l < 2; l++) {
		char *body = page(l ? "zh" : "en");
		bool long_label = false;
		int bars = check_charts(body, &long_label);
		cr_expect_gt(bars, 5, "charts were drawn");
		cr_expect(long_label, "a label long enough to matter was checked");
		cr_expect(strstr(body, "Urban Management Bureau, Roads (demo)"),
			  "the full name is kept");
		free(body);
	}
}

Test(stats_html, districts_and_stages_read_as_names_in_both_languages)
{
	char *en = page("en"), *zh = page("zh");
	/* names, not codes, where a reader looks; the code stays only as the row's anchor */
	cr_expect(strstr(en, ">Gulou District<"), "the district's English name");
	cr_expect(strstr(zh, ">鼓楼区<"), "the district's Chinese name");
	for (int l = 0; l < 2; l++) {
		const char *b = l ? zh : en;
		cr_expect_null(strstr(b, ">350102<"), "no district shown as its code");
		cr_expect_null(strstr(b, ">acceptance<"), "no stage shown as its code");
		cr_expect(strstr(b, "id=\"district-350102\""),
			  "the row keeps its key as an anchor");
		cr_expect_null(strstr(b, "class=\"sample\""),
			       "no sample notice without sample data");
	}
	cr_expect(strstr(en, ">Acceptance<"), "the stage's published English name");
	cr_expect(strstr(zh, ">受理<"), "the stage's published Chinese name");
	free(en);
	free(zh);
}

Test(stats_html, the_json_keeps_its_keys_and_adds_the_names)
{
	json_t *s = journey_call("GET", "/v1/public/stats", NULL, NULL, 200);
	json_t *groups = json_object_get(s, "groups");
	bool district = false, stage = false;
	size_t i;
	json_t *row;
	json_array_foreach(json_object_get(groups, "district"), i, row)
	{
		if (strcmp(json_string_value(json_object_get(row, "key")), "350102"))
			continue;
		district = true;
		cr_expect_str_eq(json_string_value(json_object_get(row, "name_en")),
				 "Gulou District");
		cr_expect_str_eq(json_string_value(json_object_get(row, "name_zh")), "鼓楼区");
	}
	json_array_foreach(json_object_get(groups, "stage"), i, row)
	{
		if (strcmp(json_string_value(json_object_get(row, "key")), "acceptance"))
			continue;
		stage = true;
		cr_expect_str_eq(json_string_value(json_object_get(row, "name_en")), "Acceptance");
		cr_expect_str_eq(json_string_value(json_object_get(row, "name_zh")), "受理");
	}
	cr_expect(district && stage, "%s", json_dumps(s, 0));
	json_array_foreach(json_object_get(json_object_get(s, "rankings"), "district"), i, row)
	    cr_expect(json_string_value(json_object_get(row, "name_en")), "ranked with names");
	cr_expect_eq(json_integer_value(json_object_get(s, "sample_tracks")), 0);
	cr_expect_null(json_object_get(s, "sample_data"));
	json_decref(s);
}

Test(stats_html, every_public_page_links_it_and_fees_name_their_parameters)
{
	static const char *const pages[] = {"/?lang=en", "/fees?lang=en", "/standards?lang=zh"};
	for (size_t i = 0; i < sizeof(pages) / sizeof(pages[0]); i++) {
		struct reply r;
		http_call(&r, "GET", pages[i], NULL, NULL, NULL);
		cr_assert_eq(r.status, 200);
		cr_expect(strstr(r.body, "<a href=\"/stats\""), "%s links the statistics",
			  pages[i]);
		reply_release(&r);
	}
	/* a fee condition names its parameter for a reader, not by its JSON name */
	struct reply r;
	http_call(&r, "GET", "/fees?utility=gas&lang=zh", NULL, NULL, NULL);
	cr_assert_eq(r.status, 200);
	cr_expect(strstr(r.body, "流量（m³/h）"), "the gas bands by flow");
	cr_expect_null(strstr(r.body, "flow_m3h"));
	reply_release(&r);
}
