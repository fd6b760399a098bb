/* SQL for sites. */
#define _GNU_SOURCE
#include "sites.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/accounts.h"
#include "store/rows.h"
#include "lib/xalloc.h"

static const char SQL_SITE_INSERT[] =
    "INSERT INTO sites (org_id, name, address, district_code, lat, lng, geometry, plot_ref, "
    "zone_risk) VALUES (?, ?, ?, ?, ?, ?, ST_GeomFromText(?), ?, ?)";
static const char SQL_SITE_GEOMETRY[] = "SELECT ST_AsText(geometry) FROM sites WHERE id = ?";
#define SITE_COLS                                                                                  \
	"SELECT id, org_id, name, address, district_code, lat, lng, plot_ref, zone_risk, "         \
	"DATE_FORMAT(created_at, '%Y-%m-%dT%H:%i:%sZ') FROM sites "
static const char SQL_SITE_GET[] = SITE_COLS "WHERE id = ?";
static const char SQL_SITE_GET_FOR[] = SITE_COLS "WHERE id = ? AND org_id = ?";
static const char SQL_SITE_LIST[] = SITE_COLS "WHERE org_id = ? AND id > ? ORDER BY id LIMIT ?";

const char *const site_zone_risks[] = {"low", "medium", "high", NULL};

#define COPY(dst, src) ROWS_COPY(dst, src)

/* DECIMAL text for millionths of a degree, exactly (no floating point on the way in). */
static void format_e6(long long v, char buf[32])
{
	unsigned long long a = v < 0 ? (unsigned long long)-v : (unsigned long long)v;
	snprintf(buf, 32, "%s%llu.%06llu", v < 0 ? "-" : "", a / 1000000, a % 1000000);
}

/* DECIMAL(9,6) text back to millionths, exactly. */
static long long parse_e6(const char *s)
{
	bool neg = *s == '-';
	if (*s == '-' || *s == '+')
		s++;
	long long v = 0;
	for (; *s >= '0' && *s <= '9'; s++)
		v = v * 10 + (*s - '0');
	int digits = 0;
	if (*s == '.')
		for (s++; *s >= '0' && *s <= '9' && digits < 6; s++, digits++)
			v = v * 10 + (*s - '0');
	for (; digits < 6; digits++)
		v *= 10;
	return neg ? -v : v;
}

static void site_from(const struct store_result *r, size_t i, struct site_row *s)
{
	memset(s, 0, sizeof(*s));
	s->id = store_cell_ll(r, i, 0, 0);
	s->org_id = store_cell_ll(r, i, 1, 0);
	COPY(s->name, store_cell(r, i, 2));
	COPY(s->address, store_cell(r, i, 3));
	COPY(s->district, store_cell(r, i, 4));
	const char *lat = store_cell(r, i, 5), *lng = store_cell(r, i, 6);
	s->has_coords = lat && lng;
	if (s->has_coords) {
		s->lat_e6 = parse_e6(lat);
		s->lng_e6 = parse_e6(lng);
	}
	COPY(s->plot_ref, store_cell(r, i, 7));
	COPY(s->zone_risk, store_cell(r, i, 8));
	COPY(s->created_at, store_cell(r, i, 9));
}

int store_site_create(struct store_conn *c, const struct site_row *in, long long *id,
		      struct error *err)
{
	bool exists = false;
	int rc = store_district_exists(c, in->district, &exists, err);
	if (rc)
		return rc;
	if (!exists) {
		error_add(err, "district", "unknown", "no district '%s'", in->district);
		return error_set(err, ERR_INVALID, "unknown district");
	}
	char lat[32], lng[32];
	format_e6(in->lat_e6, lat);
	format_e6(in->lng_e6, lng);
	struct store_param p[] = {
	    P_INT(in->org_id),
	    P_STR(in->name),
	    P_STR(in->address),
	    P_STR(in->district),
	    in->has_coords ? P_STR(lat) : P_NULL,
	    in->has_coords ? P_STR(lng) : P_NULL,
	    in->geometry_wkt ? P_STR(in->geometry_wkt) : P_NULL,
	    P_STR(in->plot_ref),
	    in->zone_risk[0] ? P_STR(in->zone_risk) : P_NULL,
	};
	unsigned long long insert_id = 0;
	rc = store_run(c, SQL_SITE_INSERT, p, 9, NULL, &insert_id, err);
	if (!rc)
		*id = (long long)insert_id;
	return rc;
}

int store_site_geometry(struct store_conn *c, long long id, char **wkt, struct error *err)
{
	struct store_param p[] = {P_INT(id)};
	struct store_result *r = NULL;
	*wkt = NULL;
	int rc = store_exec(c, SQL_SITE_GEOMETRY, p, 1, &r, err);
	if (rc == 0 && r->nrows && store_cell(r, 0, 0))
		*wkt = xstrdup(store_cell(r, 0, 0));
	store_result_free(r);
	return rc;
}

static int get_one(struct store_conn *c, const char *sql, const struct store_param *p, size_t np,
		   long long id, struct site_row *out, struct error *err)
{
	struct store_result *r = NULL;
	int rc = store_exec(c, sql, p, np, &r, err);
	if (rc == 0 && r->nrows == 0)
		rc = error_set(err, ERR_NOT_FOUND, "no site %lld", id);
	if (rc == 0)
		site_from(r, 0, out);
	store_result_free(r);
	return rc;
}

int store_site_get(struct store_conn *c, long long id, struct site_row *out, struct error *err)
{
	struct store_param p[] = {P_INT(id)};
	return get_one(c, SQL_SITE_GET, p, 1, id, out, err);
}

int store_site_load_for(struct store_conn *c, long long site_id, long long org_id,
			struct site_row *out, struct error *err)
{
	struct store_param p[] = {P_INT(site_id), P_INT(org_id)};
	return get_one(c, SQL_SITE_GET_FOR, p, 2, site_id, out, err);
}

int store_site_list(struct store_conn *c, long long org_id, long long after, int limit,
		    struct site_row **rows, int *n, struct error *err)
{
	struct store_result *r = NULL;
	struct store_param p[] = {P_INT(org_id), P_INT(after), P_INT(limit)};
	int rc = store_exec(c, SQL_SITE_LIST, p, 3, &r, err);
	*rows = NULL;
	*n = 0;
	if (rc == 0) {
		*rows = xcalloc(r->nrows + 1, sizeof(**rows));
		for (size_t i = 0; i < r->nrows; i++)
			site_from(r, i, &(*rows)[i]);
		*n = (int)r->nrows;
	}
	store_result_free(r);
	return rc;
}
