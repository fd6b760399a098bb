/* The demo place seed step (see seed_place.c). */
#ifndef PORTAL_SEED_PLACE_H
#define PORTAL_SEED_PLACE_H

#include <stdio.h>

struct store_pool;
struct seed_options;

/*
 * Publishes Fuzhou's demo road register, risk zones and the demo utilities' service areas
 * (demo/fuzhou.c), in force from o->published_from, unless published already. 0, or a negative
 * code (reasons on stderr).
 */
int seed_place(struct store_pool *pool, FILE *progress, const struct seed_options *o);

#endif
