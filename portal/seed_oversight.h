/* The demo history seed step (see seed_oversight.c). */
#ifndef PORTAL_SEED_OVERSIGHT_H
#define PORTAL_SEED_OVERSIGHT_H

#include <stdio.h>

struct store_pool;
struct seed_options;

/*
 * Drives one demo application to completion through the real API on a loopback port, unless the
 * demo applicant already has a completed one. 0, or a negative code (reasons on stderr).
 */
int seed_oversight(struct store_pool *pool, FILE *progress, const struct seed_options *o);

#endif
