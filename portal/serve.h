/* `portal serve`: set up the application context, run the HTTP server until a signal. */
#ifndef PORTAL_SERVE_H
#define PORTAL_SERVE_H

#include "portal/app.h"

/* Entry point of the serve subcommand. Returns the process exit status. */
int serve_main(int argc, char **argv);

/*
 * Builds an application context from the environment (config, pool, latest migration number).
 * Used by serve and by tests. ERR_* with err set on bad configuration. Free with app_free.
 */
int app_new(struct app **out, struct error *err);
void app_free(struct app *app);

/* Limits for the HTTP server from the configuration. */
struct http_limits app_http_limits(const struct app *app);

#endif
