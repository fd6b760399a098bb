/* Sites: the places an applicant registers before applying for connections to them. */
#ifndef STORE_SITES_H
#define STORE_SITES_H

#include <stdbool.h>

#include "store/db.h"

/* One site. Coordinates are in millionths of a degree (the column is DECIMAL(9,6)). */
struct site_row {
	long long id;
	long long org_id;
	char name[201];
	char address[401];
	char district[33];
	bool has_coords;
	long long lat_e6;
	long long lng_e6;
	char plot_ref[101];
	char zone_risk[8]; /* as the applicant claimed it ("" none): history only, never decides */
	char created_at[32];
	const char *geometry_wkt; /* create only: the site's point or plot, or NULL (borrowed) */
};

/* The zone risk classes, NULL-terminated, in rising order. */
extern const char *const site_zone_risks[];

/*
 * Inserts in (its id and created_at are ignored) and sets *id. ERR_INVALID with a detail on
 * "district" when the district does not exist; other errors from store_exec.
 */
int store_site_create(struct store_conn *c, const struct site_row *in, long long *id,
		      struct error *err);

/* The site's geometry as well-known text into *wkt (the caller frees; NULL when it has none). */
int store_site_geometry(struct store_conn *c, long long id, char **wkt, struct error *err);

/* Any organisation's site by id. ERR_NOT_FOUND when absent. */
int store_site_get(struct store_conn *c, long long id, struct site_row *out, struct error *err);

/*
 * The site if it belongs to org_id: what the applications code uses to check that an applicant
 * applies for its own site. ERR_NOT_FOUND (same message) when absent or another's.
 */
int store_site_load_for(struct store_conn *c, long long site_id, long long org_id,
			struct site_row *out, struct error *err);

/*
 * Up to `limit` sites of org_id with id > after, by id. *rows allocated (caller frees), *n set.
 */
int store_site_list(struct store_conn *c, long long org_id, long long after, int limit,
		    struct site_row **rows, int *n, struct error *err);

#endif
