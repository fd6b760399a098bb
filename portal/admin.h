/* Command-line administration: the first office account and the demo data. */
#ifndef PORTAL_ADMIN_H
#define PORTAL_ADMIN_H

#include <stdbool.h>
#include <stdio.h>

/* `portal admin <subcommand>`; returns the exit status. */
int admin_main(int argc, char **argv);

/* `portal seed-demo`: demo organisations and accounts (and the sample published data). */
int seed_demo_main(int argc, char **argv);

#include "workflows/calendar.h"
#include "lib/error.h"

/* What seed-demo loads besides the accounts. */
struct seed_options {
	day_t published_from; /* the sample fees and standards are in force from this day */
	bool history;	      /* the sample history (portal/seed_history.h), from published_from */
};

/* Optional extra seeding steps run by seed-demo after the accounts, in order. */
struct store_pool;
typedef int (*seed_step)(struct store_pool *pool, FILE *progress, const struct seed_options *o);

/*
 * Publishes the SAMPLE fee schedules and service standards (portal/seed_published.c), in
 * force from o->published_from (checked as if published on that day).
 */
int seed_published(struct store_pool *pool, FILE *progress, const struct seed_options *o);

/*
 * Loads the demo data through pool (idempotent): accounts, the sample published data in force
 * from today and one completed application, without the sample history. Tests use it.
 */
int seed_demo_run(struct store_pool *pool, FILE *progress, struct error *err);

/*
 * The same as o says: `portal seed-demo` publishes the sample data from the first day of the
 * sample history and then generates the history, unless --no-history.
 */
int seed_demo_run_with(struct store_pool *pool, FILE *progress, const struct seed_options *o,
		       struct error *err);

#endif
