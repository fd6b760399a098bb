/* Command-line administration: the first office account and the demo data. */
#ifndef PORTAL_ADMIN_H
#define PORTAL_ADMIN_H

#include <stdio.h>

/* `portal admin <subcommand>`; returns the exit status. */
int admin_main(int argc, char **argv);

/* `portal seed-demo`: demo organisations and accounts (and the sample published data). */
int seed_demo_main(int argc, char **argv);

/* Optional extra seeding steps run by seed-demo after the accounts, in order. */
struct store_pool;
typedef int (*seed_step)(struct store_pool *pool, FILE *progress);

/* Publishes the SAMPLE fee schedules and service standards (portal/seed_published.c). */
int seed_published(struct store_pool *pool, FILE *progress);

/* Loads the demo data through pool (idempotent). The seed-demo command and tests use it. */
#include "workflows/error.h"
int seed_demo_run(struct store_pool *pool, FILE *progress, struct error *err);

#endif
