/* What the sites handlers share with others that take a site's place (projects, issue #20). */
#ifndef PORTAL_SITES_API_H
#define PORTAL_SITES_API_H

#include <jansson.h>

#include "lib/error.h"
#include "portal/http.h"
#include "workflows/geo.h"

/*
 * The site's geometry: a GeoJSON Point or Polygon under "geometry", or "lat" and "lng"; in
 * CGCS2000, or converted from the "crs" named. NULL (with the problems listed in err) when
 * absent or bad; otherwise the caller's, to free with geo_free.
 */
struct geo *sites_read_geometry(const json_t *body, struct error *err);

/*
 * Adds every problem of the place g (may be NULL) and the district stated (may be NULL) to err,
 * so it is listed with every other problem: outside the city, an unknown or a different district.
 * found receives the district's code ("" when none). A database failure sets err's code.
 */
void sites_check_place(struct http_request *req, const struct geo *g, const char *stated,
		       char found[33], struct error *err);

#endif
