/* The public HTML pages, rendered from the snapshot; every published string is escaped. */
#define _GNU_SOURCE
#include "html.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/strbuf.h"
#include "lib/xalloc.h"

/* ---------------------------------------------------------------- labels */

static const struct label {
	const char *key, *zh, *en;
} kinds[] = {
	{ "water", "供水", "Water supply" },
	{ "power", "供电", "Electricity" },
	{ "gas", "供气", "Gas" },
	{ "heat", "供热", "Heating" },
	{ "network", "通信网络", "Telecom and cable network" },
	{ "road", "道路挖掘占用", "Road excavation and occupation" },
	{ "dig_road", "道路挖掘许可", "Road excavation permit" },
	{ "greening", "绿化许可", "Greening permit" },
	{ "planning", "建设工程规划许可", "Construction planning permit" },
	{ NULL, NULL, NULL },
};

static const struct label units[] = {
	{ "per_connection", "每户", "per connection" },
	{ "per_metre", "每米", "per metre" },
	{ "per_meter", "每块表", "per meter" },
	{ "per_kw", "每千瓦", "per kW" },
	{ "per_port", "每端口", "per port" },
	{ "per_dn_band", "按管径档", "per DN band" },
	{ NULL, NULL, NULL },
};

/* Fixed page text: T(key) in the page's language. */
static const struct label texts[] = {
	{ "title", "工程建设项目水电气暖网联合报装", "Joint utility connection portal" },
	{ "home", "首页", "Home" },
	{ "fees", "收费标准", "Fees" },
	{ "standards", "服务标准", "Service standards" },
	{ "stats", "统计", "Statistics" },
	{ "works", "施工地图", "Works map" },
	{ "other_lang", "English", "中文" },
	{ "sample", "示例数据：本页价格和时限为演示用样例，不是任何单位的真实收费或承诺。",
	  "Sample data: the prices and time limits shown are demo samples, not any company's "
	  "real tariff or commitment." },
	{ "intro",
	  "一次申请，同时办理供水、供电、供气、供热、通信网络接入及所需的道路挖掘、绿化和规划许可。"
	  "收费只能按公布的标准收取；各环节时限以工作日计。",
	  "Apply once for water, power, gas, heat and network connections and the road "
	  "excavation, greening and planning permits they need. Only published fees may be "
	  "charged; every stage has a published limit in working days." },
	{ "calendar", "工作日历", "Working-day calendar" },
	{ "cutoff", "每日受理截止时间", "Daily receiving cut-off" },
	{ "holidays", "法定节假日", "Public holidays" },
	{ "makeup", "调休上班日", "Make-up working days" },
	{ "working_days", "全年工作日", "Working days in the year" },
	{ "version", "版本", "Version" },
	{ "effective_from", "生效日期", "Effective from" },
	{ "effective", "有效期", "In force" },
	{ "published_by", "发布单位", "Published by" },
	{ "published_at", "发布时间", "Published" },
	{ "code", "编码", "Code" },
	{ "item", "项目", "Item" },
	{ "conditions", "适用条件", "Applies when" },
	{ "unit", "计费单位", "Unit" },
	{ "price", "单价", "Unit price" },
	{ "legal_basis", "收费依据", "Legal basis" },
	{ "any", "不限", "always" },
	{ "until", "至", "to" },
	{ "none_fees", "目前没有公布的收费标准。", "No fee schedule is published yet." },
	{ "none_standards", "目前没有公布的服务标准。", "No service standard is published yet." },
	{ "upcoming", "即将生效", "Coming into force" },
	{ "as_of", "所示为以下日期有效的标准：", "As in force on " },
	{ "stage", "环节", "Stage" },
	{ "limit", "时限（工作日）", "Limit (working days)" },
	{ "silence", "逾期未决视为同意", "Deemed approved if undecided" },
	{ "materials", "申请材料", "Materials" },
	{ "material", "材料", "Material" },
	{ "required", "必需", "Required" },
	{ "when", "何时需要", "When" },
	{ "elicence", "可用电子证照", "E-licence accepted" },
	{ "yes", "是", "yes" },
	{ "no", "否", "no" },
	{ "fast_track", "低风险快速通道", "Low-risk fast track" },
	{ "zone_risk", "区域风险等级", "Zone risk" },
	{ "road_classes", "道路等级", "Road classes" },
	{ "max_length", "最大挖掘长度（米）", "Max length (m)" },
	{ "max_area", "最大挖掘面积（平方米）", "Max area (m²)" },
	{ "max_duration", "最长工期（天）", "Max duration (days)" },
	{ "decision", "决定时限（工作日，0 为即时）", "Decision (working days, 0: immediate)" },
	{ "trigger", "触发条件（超过即需许可）", "Needed when above" },
	{ "min_length", "挖掘长度（米）", "excavation length (m)" },
	{ "min_area", "绿地面积（平方米）", "green area (m²)" },
	{ "min_trees", "树木（棵）", "trees" },
	{ "min_outside", "红线外管线（米）", "lines outside the plot (m)" },
	{ "cond_excavation", "涉及道路挖掘时", "when the road is dug" },
	{ "cond_green_space", "涉及绿地时", "when green space is affected" },
	{ "cond_outside_plot", "管线出红线时", "when lines leave the plot" },
	{ "always", "始终", "always" },
	{ "json", "数据接口（JSON）", "Data (JSON)" },
	{ "customer", "用户类别", "customer" },
	/* fee condition parameters, by their JSON names (workflows/fees.h) */
	{ "param_dn", "DN", "DN" },
	{ "param_kw", "kW", "kW" },
	{ "param_meters", "表数", "meters" },
	{ "param_length_m", "长度（米）", "length (m)" },
	{ "param_ports", "端口数", "ports" },
	{ "param_connections", "户数", "connections" },
	{ "param_flow_m3h", "流量（m³/h）", "flow (m³/h)" },
	{ "history", "历史版本", "All versions" },
	{ "days", "天", "days" },
	{ NULL, NULL, NULL },
};

static const char *lookup(const struct label *t, const char *key, enum snapshot_lang lang)
{
	for (size_t i = 0; key && t[i].key; i++)
		if (strcmp(t[i].key, key) == 0)
			return lang == SNAP_EN ? t[i].en : t[i].zh;
	return key ? key : "";
}

const char *html_kind_name(const char *kind, enum snapshot_lang lang)
{
	return lookup(kinds, kind, lang);
}

const char *html_unit_name(const char *unit, enum snapshot_lang lang)
{
	return lookup(units, unit, lang);
}

/* ---------------------------------------------------------------- the buffer */

static void raw(struct html_page *pg, const char *s)
{
	strbuf_puts(&pg->out, s);
}

void html_rawf(struct html_page *pg, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	strbuf_vprintf(&pg->out, fmt, ap);
	va_end(ap);
}

void html_text(struct html_page *pg, const char *s)
{
	char *e = html_escape(s ? s : "");
	raw(pg, e);
	free(e);
}

static void textf(struct html_page *pg, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
static void textf(struct html_page *pg, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	char *s = xvasprintf(fmt, ap);
	va_end(ap);
	html_text(pg, s);
	free(s);
}

#define T(key) lookup(texts, (key), pg->lang)

char *html_escape(const char *s)
{
	size_t n = 0;
	for (const char *p = s; *p; p++)
		n += strchr("&<>\"'", *p) ? 6 : 1;
	char *out = xmalloc(n + 1), *o = out;
	for (const char *p = s; *p; p++) {
		const char *rep = *p == '&'    ? "&amp;"
				  : *p == '<'  ? "&lt;"
				  : *p == '>'  ? "&gt;"
				  : *p == '"'  ? "&quot;"
				  : *p == '\'' ? "&#39;"
					       : NULL;
		if (rep) {
			strcpy(o, rep);
			o += strlen(rep);
		} else {
			*o++ = *p;
		}
	}
	*o = 0;
	return out;
}

void html_format_fen(int64_t fen, char *buf, size_t n)
{
	/* negative prices are refused at publication, but render them honestly anyway */
	unsigned long long v = fen < 0 ? 0ULL - (unsigned long long)fen : (unsigned long long)fen;
	char digits[32], grouped[48];
	snprintf(digits, sizeof(digits), "%llu", v / 100);
	size_t len = strlen(digits), g = 0;
	for (size_t i = 0; i < len; i++) {
		if (i && (len - i) % 3 == 0)
			grouped[g++] = ',';
		grouped[g++] = digits[i];
	}
	grouped[g] = 0;
	snprintf(buf, n, "%s¥%s.%02llu", fen < 0 ? "-" : "", grouped, v % 100);
}

/* ---------------------------------------------------------------- page frame */

/* The one stylesheet of every public page, the charts of /stats included. */
static const char style[] =
	"body{font-family:system-ui,-apple-system,'Segoe UI','Noto Sans CJK SC','PingFang SC',"
	"'Microsoft YaHei',sans-serif;margin:0;color:#1a1a1a;background:#fff;line-height:1.5}"
	"header{background:#8b1a1a;color:#fff;padding:1rem 2rem}"
	"header h1{margin:0;font-size:1.4rem}"
	"nav{margin-top:.4rem}nav a{color:#fff;margin-right:1.2rem;text-decoration:none}"
	"nav a.on{font-weight:bold;text-decoration:underline}nav a.lang{float:right;margin:0}"
	"main{padding:1rem 2rem;max-width:72rem}"
	".sample{background:#fff4d6;border:1px solid #e0b84c;padding:.6rem 1rem;margin:1rem 0}"
	"h2{border-bottom:2px solid #8b1a1a;padding-bottom:.2rem;margin-top:2rem}"
	".meta{color:#555;font-size:.9rem;margin:.2rem 0 .6rem}"
	"table{border-collapse:collapse;width:100%;margin:.5rem 0 1rem;font-size:.92rem}"
	"th,td{border:1px solid #bbb;padding:.35rem .5rem;text-align:left;vertical-align:top}"
	"th{background:#f2eded}td.num,td.code{text-align:right;white-space:nowrap}"
	"td.code{text-align:left}"
	".upcoming{background:#eef5ff;border-left:4px solid #3a6ea5;padding:.4rem .8rem}"
	"svg{max-width:100%;height:auto}"
	"footer{color:#666;font-size:.85rem;padding:1rem 2rem;border-top:1px solid #ddd}"
	"a{color:#8b1a1a}"
	"@media print{header{background:none;color:#000;border-bottom:2px solid #000}"
	"nav{display:none}main{max-width:none;padding:0 1rem}"
	"table{page-break-inside:auto}tr{page-break-inside:avoid}"
	"a{color:#000;text-decoration:none}footer{display:none}}";

/* The nav: each page's key (its name in texts[]) and address. */
static const char *const nav[][2] = {
	{ "home", "/" },
	{ "fees", "/fees" },
	{ "standards", "/standards" },
	{ "stats", "/stats" },
	{ "works", "/works" },
};

void html_page_begin(struct html_page *pg, const char *active)
{
	const char *path = "/";
	html_rawf(pg,
		  "<!DOCTYPE html>\n<html lang=\"%s\"><head><meta charset=\"utf-8\">"
		  "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
		  "<title>",
		  pg->lang == SNAP_EN ? "en" : "zh-CN");
	if (strcmp(active, "home") != 0) {
		html_text(pg, T(active));
		raw(pg, " · ");
	}
	html_text(pg, T("title"));
	html_rawf(pg, "</title><style>%s</style></head><body><header><h1>", style);
	html_text(pg, T("title"));
	raw(pg, "</h1><nav>");
	for (size_t i = 0; i < sizeof(nav) / sizeof(nav[0]); i++) {
		bool on = strcmp(active, nav[i][0]) == 0;
		html_rawf(pg, "<a href=\"%s\"%s>", nav[i][1], on ? " class=\"on\"" : "");
		html_text(pg, T(nav[i][0]));
		raw(pg, "</a>");
		if (on)
			path = nav[i][1];
	}
	html_rawf(pg, "<a class=\"lang\" href=\"%s?lang=%s\">", path,
		  pg->lang == SNAP_EN ? "zh" : "en");
	html_text(pg, T("other_lang"));
	raw(pg, "</a></nav></header><main>");
}

char *html_page_end(struct html_page *pg, const char *label, const struct html_link *links,
		    size_t nlinks, size_t *len)
{
	raw(pg, "</main><footer>");
	html_text(pg, label);
	raw(pg, ": ");
	for (size_t i = 0; i < nlinks; i++) {
		html_rawf(pg, "%s<a href=\"%s\">", i ? " · " : "", links[i].href);
		html_text(pg, links[i].label ? links[i].label : links[i].href);
		raw(pg, "</a>");
	}
	raw(pg, "</footer></body></html>\n");
	char *doc = pg->out.p;
	*len = pg->out.len;
	pg->out = (struct strbuf){ 0 };
	return doc;
}

/* The footer of the pages of published data: where the same data is as JSON. */
static char *finish(struct html_page *pg, size_t *len)
{
	static const struct html_link data[] = {
		{ "/v1/public/fees", NULL },
		{ "/v1/public/fees/history", NULL },
		{ "/v1/public/service-standards", NULL },
		{ "/v1/public/calendar", NULL },
	};
	return html_page_end(pg, T("json"), data, sizeof(data) / sizeof(data[0]), len);
}

static void sample_notice(struct html_page *pg, bool any_sample)
{
	if (!any_sample)
		return;
	raw(pg, "<p class=\"sample\"><strong>");
	html_text(pg, T("sample"));
	raw(pg, "</strong></p>");
}

/* Sample data is marked in a standard's "sample" field and in a fee item's legal basis. */
static bool has_sample(const struct published *p)
{
	for (size_t i = 0; i < p->nstandards; i++)
		if (p->standards[i]->sample)
			return true;
	for (size_t i = 0; i < p->nschedules; i++)
		for (size_t k = 0; k < p->schedules[i]->nitems; k++) {
			const char *lb = p->schedules[i]->items[k].legal_basis;
			if (lb && (strstr(lb, "示例") || strstr(lb, "ample")))
				return true;
		}
	return false;
}

/* ---------------------------------------------------------------- home */

static void calendar_summary(struct html_page *pg, const struct published *p, int year)
{
	html_rawf(pg, "<h2>");
	textf(pg, "%s %d", T("calendar"), year);
	html_rawf(pg, "</h2><p class=\"meta\">");
	textf(pg, "%s: %02d:%02d (Asia/Shanghai)", T("cutoff"), p->cal.cutoff_seconds / 3600,
	      p->cal.cutoff_seconds / 60 % 60);
	raw(pg, "</p><table><tr><th>");
	html_text(pg, T("holidays"));
	raw(pg, "</th><th>");
	html_text(pg, T("effective"));
	raw(pg, "</th></tr>");
	day_t first = cal_day_from_ymd(year, 1, 1), last = cal_day_from_ymd(year, 12, 31);
	char a[11], b[11];
	for (size_t i = 0; i < p->ndays; i++) {
		const struct calendar_day *d = &p->days[i];
		if (!d->holiday || d->day < first || d->day > last)
			continue;
		size_t j = i;
		while (j + 1 < p->ndays && p->days[j + 1].holiday &&
		       p->days[j + 1].day == p->days[j].day + 1 &&
		       strcmp(p->days[j + 1].name_zh, d->name_zh) == 0)
			j++;
		raw(pg, "<tr><td>");
		html_text(pg, pg->lang == SNAP_EN && d->name_en[0] ? d->name_en : d->name_zh);
		raw(pg, "</td><td>");
		textf(pg, "%s – %s (%d %s)", cal_day_format(d->day, a),
		      cal_day_format(p->days[j].day, b), (int)(p->days[j].day - d->day + 1),
		      T("days"));
		raw(pg, "</td></tr>");
		i = j;
	}
	raw(pg, "</table><p>");
	html_text(pg, T("makeup"));
	raw(pg, ": ");
	bool first_one = true;
	for (size_t i = 0; i < p->ndays; i++) {
		if (p->days[i].holiday || p->days[i].day < first || p->days[i].day > last)
			continue;
		textf(pg, "%s%s", first_one ? "" : ", ", cal_day_format(p->days[i].day, a));
		first_one = false;
	}
	int working = 0;
	for (day_t d = first; d <= last; d++)
		working += calendar_is_working_day(&p->cal, d);
	raw(pg, "</p><p>");
	textf(pg, "%s: %d", T("working_days"), working);
	raw(pg, "</p>");
}

char *html_home(const struct published *p, const struct public_query *q,
		enum snapshot_lang lang, size_t *len)
{
	struct html_page pg = {.lang = lang};
	html_page_begin(&pg, "home");
	sample_notice(&pg, has_sample(p));
	raw(&pg, "<p>");
	html_text(&pg, lookup(texts, "intro", lang));
	raw(&pg, "</p><ul><li><a href=\"/fees\">");
	html_text(&pg, lookup(texts, "fees", lang));
	raw(&pg, "</a></li><li><a href=\"/standards\">");
	html_text(&pg, lookup(texts, "standards", lang));
	raw(&pg, "</a></li><li><a href=\"/stats\">");
	html_text(&pg, lookup(texts, "stats", lang));
	raw(&pg, "</a></li></ul>");
	int year;
	cal_day_to_ymd(q->day, &year, NULL, NULL);
	calendar_summary(&pg, p, year);
	return finish(&pg, len);
}

/* ---------------------------------------------------------------- fees */

static void conditions_text(struct html_page *pg, const struct fee_conditions *c)
{
	bool any = false;
	for (int i = 0; i < FEE_PARAM_COUNT; i++) {
		const struct fee_range *r = &c->range[i];
		if (!r->has_min && !r->has_max)
			continue;
		/* a reader's name for the parameter; its JSON name when the page has none */
		char key[48];
		snprintf(key, sizeof(key), "param_%s", fees_param_name(i));
		const char *name = T(key);
		if (!strcmp(name, key))
			name = fees_param_name(i);
		raw(pg, any ? "<br>" : "");
		if (r->has_min && r->has_max)
			textf(pg, "%s %lld–%lld", name, (long long)r->min, (long long)r->max);
		else if (r->has_min)
			textf(pg, "%s ≥ %lld", name, (long long)r->min);
		else
			textf(pg, "%s ≤ %lld", name, (long long)r->max);
		any = true;
	}
	if (c->customer_class && *c->customer_class) {
		raw(pg, any ? "<br>" : "");
		textf(pg, "%s: %s", T("customer"), c->customer_class);
		any = true;
	}
	if (!any)
		html_text(pg, T("any"));
}

static void fee_table(struct html_page *pg, const struct fee_schedule *s, day_t day)
{
	static const char *const heads[] = { "code",  "item",	  "conditions", "unit",
					     "price", "effective", "legal_basis" };
	raw(pg, "<table><tr>");
	for (size_t i = 0; i < sizeof(heads) / sizeof(heads[0]); i++) {
		raw(pg, "<th>");
		html_text(pg, T(heads[i]));
		raw(pg, "</th>");
	}
	raw(pg, "</tr>");
	for (size_t i = 0; i < s->nitems; i++) {
		const struct fee_item *it = &s->items[i];
		if (it->effective_from > day || it->effective_to < day)
			continue;
		char price[48], from[11], to[11];
		html_format_fen(it->unit_price_fen, price, sizeof(price));
		raw(pg, "<tr><td class=\"code\">");
		html_text(pg, it->code);
		raw(pg, "</td><td>");
		html_text(pg, pg->lang == SNAP_EN && it->name_en && *it->name_en ? it->name_en
										 : it->name_zh);
		raw(pg, "</td><td>");
		conditions_text(pg, &it->conditions);
		raw(pg, "</td><td>");
		html_text(pg, html_unit_name(it->unit, pg->lang));
		raw(pg, "</td><td class=\"num\">");
		html_text(pg, price);
		raw(pg, "</td><td>");
		cal_day_format(it->effective_from, from);
		if (it->effective_to == FEES_OPEN_END)
			textf(pg, pg->lang == SNAP_EN ? "from %s, no end date" : "%s 起长期有效", from);
		else
			textf(pg, "%s %s %s", from, T("until"), cal_day_format(it->effective_to, to));
		raw(pg, "</td><td>");
		html_text(pg, it->legal_basis);
		raw(pg, "</td></tr>");
	}
	raw(pg, "</table>");
}

static void schedule_meta(struct html_page *pg, const struct published *p, size_t i)
{
	const struct fee_schedule *s = p->schedules[i];
	char from[11];
	raw(pg, "<p class=\"meta\">");
	textf(pg, "%s %d · %s %s · %s %s · %s %.10s", T("version"), s->version,
	      T("effective_from"), cal_day_format(s->effective_from, from), T("published_by"),
	      p->schedule_info[i].org_name, T("published_at"), p->schedule_info[i].published_at);
	raw(pg, "</p>");
}

/*
 * The organisation's later versions already published: the public sees what is coming and
 * from when. Returns how many there are.
 */
static int upcoming(struct html_page *pg, const struct published *p, long long org,
		    const char *kind, day_t day)
{
	int n = 0;
	for (size_t i = 0; i < p->nschedules; i++) {
		const struct fee_schedule *s = p->schedules[i];
		if (p->schedule_info[i].org_id != org || strcmp(s->utility_kind, kind) != 0 ||
		    s->effective_from <= day)
			continue;
		n++;
		if (!pg)
			continue; /* only counting */
		char from[11];
		cal_day_format(s->effective_from, from);
		raw(pg, "<p class=\"upcoming\">");
		textf(pg, "%s: %s %d, %s %s — ", T("upcoming"), T("version"), s->version,
		      T("effective_from"), from);
		html_rawf(pg, "<a href=\"/fees?utility=%s&amp;org=%lld&amp;date=%s\">", kind, org,
			  from);
		html_text(pg, T("fees"));
		raw(pg, "</a></p>");
	}
	return n;
}

/*
 * One kind's section: per organisation (ascending id) what it has in force on the day and
 * what it has coming. Fee schedules are per organisation: one does not supersede another.
 * Returns how many organisations it showed (nothing is written when none).
 */
static int kind_section(struct html_page *pg, const struct published *p,
			const struct public_query *q, const char *kind)
{
	long long *orgs = xcalloc(p->nschedules + 1, sizeof(*orgs));
	size_t norgs = snapshot_fee_orgs(p, kind, orgs, p->nschedules);
	int shown = 0;
	for (size_t o = 0; o < norgs; o++) {
		if (q->org_id && orgs[o] != q->org_id)
			continue;
		size_t i = 0;
		const struct fee_schedule *s = snapshot_schedule_in_force(p, orgs[o], kind, q->day, &i);
		if (!s && !upcoming(NULL, p, orgs[o], kind, q->day))
			continue;
		if (!shown++) {
			html_rawf(pg, "<h2 id=\"%s\">", kind);
			html_text(pg, html_kind_name(kind, pg->lang));
			raw(pg, "</h2>");
		}
		html_rawf(pg, "<section id=\"%s-org-%lld\"><h3>", kind, orgs[o]);
		for (size_t k = 0; k < p->nschedules; k++)
			if (p->schedule_info[k].org_id == orgs[o]) {
				html_text(pg, p->schedule_info[k].org_name);
				break;
			}
		raw(pg, "</h3>");
		if (s) {
			schedule_meta(pg, p, i);
			fee_table(pg, s, q->day);
		}
		upcoming(pg, p, orgs[o], kind, q->day);
		raw(pg, "</section>");
	}
	free(orgs);
	return shown;
}

char *html_fees(const struct published *p, const struct public_query *q,
		enum snapshot_lang lang, size_t *len)
{
	static const char *const order[] = { "water", "power",	  "gas",      "heat",
					     "network", "road", "greening", "planning" };
	struct html_page pg = {.lang = lang};
	html_page_begin(&pg, "fees");
	sample_notice(&pg, has_sample(p));
	if (q->day_given) {
		char d[11];
		raw(&pg, "<p class=\"meta\">");
		textf(&pg, "%s%s", lookup(texts, "as_of", lang), cal_day_format(q->day, d));
		raw(&pg, "</p>");
	}
	int shown = 0;
	for (size_t k = 0; k < sizeof(order) / sizeof(order[0]); k++)
		if (!q->kind || strcmp(q->kind, order[k]) == 0)
			shown += kind_section(&pg, p, q, order[k]);
	if (!shown) {
		raw(&pg, "<p>");
		html_text(&pg, lookup(texts, "none_fees", lang));
		raw(&pg, "</p>");
	}
	raw(&pg, "<p><a href=\"/v1/public/fees/history\">");
	html_text(&pg, lookup(texts, "history", lang));
	raw(&pg, "</a></p>");
	return finish(&pg, len);
}

/* ---------------------------------------------------------------- standards */

static void stage_table(struct html_page *pg, const struct service_standard *s)
{
	raw(pg, "<table><tr><th>");
	html_text(pg, T("stage"));
	raw(pg, "</th><th>");
	html_text(pg, T("limit"));
	raw(pg, "</th><th>");
	html_text(pg, T("silence"));
	raw(pg, "</th></tr>");
	for (size_t i = 0; i < s->nstages; i++) {
		const struct stage_standard *st = &s->stages[i];
		raw(pg, "<tr><td>");
		html_text(pg, pg->lang == SNAP_EN && st->name_en && *st->name_en ? st->name_en
										 : st->name_zh);
		html_rawf(pg, "</td><td class=\"num\">%d</td><td>", st->limit_days);
		html_text(pg, T(st->silence_approves ? "yes" : "no"));
		raw(pg, "</td></tr>");
	}
	raw(pg, "</table>");
}

static void material_table(struct html_page *pg, const struct service_standard *s)
{
	if (!s->nmaterials)
		return;
	raw(pg, "<h3>");
	html_text(pg, T("materials"));
	raw(pg, "</h3><table><tr>");
	static const char *const heads[] = { "material", "required", "when", "elicence" };
	for (size_t i = 0; i < 4; i++) {
		raw(pg, "<th>");
		html_text(pg, T(heads[i]));
		raw(pg, "</th>");
	}
	raw(pg, "</tr>");
	for (size_t i = 0; i < s->nmaterials; i++) {
		const struct material_standard *m = &s->materials[i];
		char key[40];
		snprintf(key, sizeof(key), "cond_%s", m->condition ? m->condition : "");
		raw(pg, "<tr><td>");
		html_text(pg, pg->lang == SNAP_EN && m->name_en && *m->name_en ? m->name_en
									       : m->name_zh);
		raw(pg, "</td><td>");
		html_text(pg, T(m->required ? "yes" : "no"));
		raw(pg, "</td><td>");
		html_text(pg, m->condition ? T(key) : T("always"));
		raw(pg, "</td><td>");
		html_text(pg, T(m->elicence ? "yes" : "no"));
		raw(pg, "</td></tr>");
	}
	raw(pg, "</table>");
}

static void join(struct html_page *pg, char **list, size_t n)
{
	for (size_t i = 0; i < n; i++)
		textf(pg, "%s%s", i ? ", " : "", list[i]);
}

static void fast_track(struct html_page *pg, const struct service_standard *s)
{
	const struct fast_track_standard *ft = &s->fast_track;
	if (!s->has_fast_track || !ft->enabled)
		return;
	raw(pg, "<h3>");
	html_text(pg, T("fast_track"));
	raw(pg, "</h3><table><tr><th>");
	html_text(pg, T("zone_risk"));
	raw(pg, "</th><td>");
	join(pg, ft->zone_risk, ft->nzone_risk);
	raw(pg, "</td></tr><tr><th>");
	html_text(pg, T("road_classes"));
	raw(pg, "</th><td>");
	join(pg, ft->road_classes, ft->nroad_classes);
	raw(pg, "</td></tr>");
	const struct {
		const char *key;
		int v;
	} rows[] = { { "max_length", ft->max_length_m },
		     { "max_area", ft->max_area_m2 },
		     { "max_duration", ft->max_duration_days },
		     { "decision", ft->decision_days } };
	for (size_t i = 0; i < 4; i++) {
		raw(pg, "<tr><th>");
		html_text(pg, T(rows[i].key));
		html_rawf(pg, "</th><td>%d</td></tr>", rows[i].v);
	}
	raw(pg, "</table>");
}

static void trigger(struct html_page *pg, const struct service_standard *s)
{
	if (!s->has_trigger)
		return;
	raw(pg, "<p class=\"meta\">");
	textf(pg, "%s: %s %d · %s %d · %s %d · %s %d", T("trigger"), T("min_length"),
	      s->trigger.min_length_m, T("min_area"), s->trigger.min_area_m2, T("min_trees"),
	      s->trigger.min_trees, T("min_outside"), s->trigger.min_outside_m);
	raw(pg, "</p>");
}

char *html_standards(const struct published *p, const struct public_query *q,
		     enum snapshot_lang lang, size_t *len)
{
	static const char *const order[] = { "water",	 "power",    "gas",	 "heat",
					     "network", "dig_road", "greening", "planning" };
	struct html_page pg = {.lang = lang};
	html_page_begin(&pg, "standards");
	sample_notice(&pg, has_sample(p));
	const struct service_standard *const *all =
		(const struct service_standard *const *)p->standards;
	int shown = 0;
	for (size_t k = 0; k < sizeof(order) / sizeof(order[0]); k++) {
		if (q->kind && strcmp(q->kind, order[k]) != 0)
			continue;
		const struct service_standard *s =
			standards_in_force(all, p->nstandards, order[k], q->day);
		if (!s)
			continue;
		size_t i = 0;
		while (p->standards[i] != s)
			i++;
		char from[11];
		html_rawf(&pg, "<h2 id=\"%s\">", order[k]);
		html_text(&pg,
			  lang == SNAP_EN && s->name_en && *s->name_en ? s->name_en : s->name_zh);
		raw(&pg, "</h2><p class=\"meta\">");
		textf(&pg, "%s %d · %s %s · %s %s", lookup(texts, "version", lang), s->version,
		      lookup(texts, "effective_from", lang), cal_day_format(s->effective_from, from),
		      lookup(texts, "published_by", lang), p->standard_info[i].org_name);
		raw(&pg, "</p>");
		stage_table(&pg, s);
		material_table(&pg, s);
		fast_track(&pg, s);
		trigger(&pg, s);
		shown++;
	}
	if (!shown) {
		raw(&pg, "<p>");
		html_text(&pg, lookup(texts, "none_standards", lang));
		raw(&pg, "</p>");
	}
	return finish(&pg, len);
}
