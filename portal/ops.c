/* Operations endpoints: liveness, readiness and Prometheus metrics. */
#include <stdlib.h>

#include "portal/app.h"
#include "portal/http.h"
#include "portal/metrics.h"
#include "portal/router.h"
#include "store/migrate.h"

static int healthz(struct http_request *req, struct http_response *res)
{
	http_reply_json(res, 200, json_pack("{s:s}", "status", "ok"));
	return 0;
}

/* Ready when the database answers and every migration file has been applied. */
static int readyz(struct http_request *req, struct http_response *res)
{
	struct error err = ERROR_INIT;
	int applied = 0;
	http_add_header(res, "Cache-Control", "no-store");
	if (store_ping(req->app->pool, &err) != 0 ||
	    store_migrations_applied(req->app->pool, &applied, &err) != 0) {
		http_reply_json(res, 503, json_pack("{s:s, s:s}", "status", "unavailable",
						    "reason", "database unreachable"));
		error_release(&err);
		return 0;
	}
	if (applied < req->app->migrations_latest) {
		http_reply_json(res, 503,
				json_pack("{s:s, s:s, s:i, s:i}", "status", "unavailable", "reason",
					  "migrations pending", "applied", applied, "latest",
					  req->app->migrations_latest));
		return 0;
	}
	http_reply_json(res, 200, json_pack("{s:s, s:i}", "status", "ready", "migration", applied));
	return 0;
}

static int metrics(struct http_request *req, struct http_response *res)
{
	size_t len;
	struct metrics_queues q = { 0 };
	http_server_queued(req->server, &q.work, &q.slow);
	char *text = metrics_render(req->app->pool, &q, &len);
	http_reply_text(res, 200, "text/plain; version=0.0.4; charset=utf-8", text, len);
	free(text);
	return 0;
}

const struct route ops_routes[] = {
	{ "GET", "/healthz", healthz, ROUTE_PUBLIC, 0, RUNS_FROM_MEMORY },
	{ "GET", "/readyz", readyz, ROUTE_PUBLIC, 0, RUNS_ON_WORK },
	{ "GET", "/metrics", metrics, ROUTE_PUBLIC, 0, RUNS_FROM_MEMORY },
	{ 0 },
};
