/*
 * Works on the map (issue #19): GET /v1/public/works.geojson (open data) and the /works page
 * (routes in works_routes, portal/router.h), and the ?bbox= parameter the queues share.
 */
#ifndef PORTAL_WORKS_API_H
#define PORTAL_WORKS_API_H

#include "lib/error.h"
#include "workflows/geo.h"

/*
 * Parses "minlng,minlat,maxlng,maxlat" in degrees (RFC 7946 bbox order) into *out. On a bad
 * box adds one detail under `field` (code "invalid", saying what is wrong) and returns
 * ERR_INVALID without setting err's code, so the caller can list other problems with it.
 * Boxes across the antimeridian (minlng > maxlng) are refused.
 */
int works_bbox_parse(const char *text, const char *field, struct geo_bbox *out, struct error *err);

#endif
