/* GET /v1/public/codes: what every reason and condition code on a decision means. */
#define _GNU_SOURCE
#include <jansson.h>
#include <pthread.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "portal/http.h"
#include "portal/router.h"
#include "lib/json_text.h"

struct code {
	const char *list, *code, *zh, *en;
};

/* Return items and refusal reasons name what is wrong; conditions bind an approval. */
static const struct code codes[] = {
	{ "return_item", "MATERIAL_MISSING", "缺少申请材料", "a required material is missing" },
	{ "return_item", "MATERIAL_ILLEGIBLE", "材料不清晰", "a material cannot be read" },
	{ "return_item", "MATERIAL_EXPIRED", "材料已过有效期", "a material has expired" },
	{ "return_item", "DRAWING_INCOMPLETE", "图纸内容不完整", "a drawing lacks required content" },
	{ "return_item", "LOAD_UNCLEAR", "用水用电用气负荷不明确", "the requested load is not clear" },
	{ "return_item", "ROUTE_UNCLEAR", "管线路由不明确", "the route of the lines is not clear" },
	{ "return_item", "TRAFFIC_PLAN_MISSING", "缺少交通组织方案", "no traffic management plan" },
	{ "return_item", "TREE_SURVEY_MISSING", "缺少树木调查", "no tree survey" },
	{ "return_item", "SIGNATURE_MISSING", "缺少签章", "a signature or seal is missing" },
	{ "reject_reason", "OUTSIDE_SERVICE_AREA", "不在供应范围内", "outside the service area" },
	{ "reject_reason", "CAPACITY_UNAVAILABLE", "管网容量不足", "the network has no capacity" },
	{ "reject_reason", "ROAD_PROTECTED", "道路处于保护期", "the road is in its protection period" },
	{ "reject_reason", "PLAN_CONFLICT", "与规划不符", "conflicts with the published plan" },
	{ "reject_reason", "PROTECTED_TREES", "涉及古树名木", "affects protected old trees" },
	{ "reject_reason", "COMMITMENT_FALSE", "承诺内容不实", "the commitment proved untrue" },
	{ "reject_reason", "DUPLICATE", "重复申请", "a duplicate application" },
	{ "condition", "NIGHT_WORK_ONLY", "仅限夜间施工", "works at night only" },
	{ "condition", "KEEP_ONE_LANE", "保留一条车道通行", "keep one lane open" },
	{ "condition", "REINSTATE_48H", "48小时内恢复路面", "reinstate the surface within 48 hours" },
	{ "condition", "TREE_PROTECTION", "落实树木保护措施", "protect the trees on site" },
	{ "condition", "REPLANT", "异地补植", "replant elsewhere" },
	{ "condition", "SHARED_TRENCH", "同沟敷设", "lay the lines in a shared trench" },
	{ "condition", "NOTIFY_RESIDENTS", "提前告知周边居民", "notify residents beforehand" },
};

static char *body;
static size_t body_len;
static char etag[70];
static pthread_once_t once = PTHREAD_ONCE_INIT;

static void render(void)
{
	json_t *lists = json_object();
	for (size_t i = 0; i < sizeof(codes) / sizeof(codes[0]); i++) {
		json_t *l = json_object_get(lists, codes[i].list);
		if (!l) {
			l = json_array();
			json_object_set_new(lists, codes[i].list, l);
		}
		json_array_append_new(l, json_pack("{s:s, s:s, s:s}", "code", codes[i].code,
						   "name_zh", codes[i].zh, "name_en", codes[i].en));
	}
	body = json_text_sorted(lists);
	body_len = strlen(body);
	json_decref(lists);
	unsigned char h[16];
	crypto_generichash(h, sizeof(h), (const unsigned char *)body, body_len, NULL, 0);
	char hex[33];
	sodium_bin2hex(hex, sizeof(hex), h, sizeof(h));
	snprintf(etag, sizeof(etag), "\"%s\"", hex);
}

static int public_codes(struct http_request *req, struct http_response *res)
{
	pthread_once(&once, render);
	http_add_header(res, "ETag", etag);
	http_add_header(res, "Cache-Control", "public, max-age=3600");
	const char *inm = http_header(req, "If-None-Match");
	if (inm && strstr(inm, etag)) {
		res->status = 304;
		return 0;
	}
	http_reply_static(res, 200, "application/json; charset=utf-8", body, body_len);
	return 0;
}

const struct route codes_routes[] = {
	{ "GET", "/v1/public/codes", public_codes, ROUTE_PUBLIC, 0, RUNS_FROM_MEMORY },
	{ 0 },
};
