/*
 * Joint digs: an authority's proposals that two permits of different applications, digging the
 * same road at overlapping times, share one trench, and what was decided.
 */
#ifndef STORE_JOINTDIGS_H
#define STORE_JOINTDIGS_H

#include <jansson.h>
#include <stdbool.h>

#include "store/db.h"

/*
 * Records a proposed joint dig between two permits with the extent they share (WKT in lon/lat,
 * or NULL) and its length in metres; a pair already proposed is left as it is (no error).
 * Errors as store_exec's.
 */
int store_joint_dig_propose(struct store_conn *c, long long permit_a, long long permit_b,
			    long long authority_org_id, const char *shared_wkt, int shared_m,
			    struct error *err);
struct joint_dig_new {
	long long permit_a, permit_b, authority_org_id;
	const char *shared_wkt; /* NULL: no extent (and no length) */
	int shared_m;
};
/*
 * The n proposals in that order, in multi-row statements (store/multirow.h): what one
 * store_joint_dig_propose per row would write, in a round trip per 16 rows instead of per row.
 */
int store_joint_digs_propose(struct store_conn *c, const struct joint_dig_new *rows, size_t n,
			     struct error *err);
/*
 * The proposals for an authority (status NULL: all), in id order, at most 500, as JSON with
 * both permits' windows: *items is a new array (the caller's); on error nothing is returned.
 */
int store_joint_dig_list(struct store_conn *c, long long org_id, const char *status,
			 json_t **items, struct error *err);

struct joint_dig_row {
	long long id, permit_a, permit_b, authority_org_id;
	char status[16];
};
/*
 * One proposal into *out, locked until the transaction ends. ERR_NOT_FOUND when there is none;
 * *out is untouched on any failure.
 */
int store_joint_dig_get(struct store_conn *c, long long id, struct joint_dig_row *out,
			struct error *err);
/*
 * Accepts or declines a proposal still proposed. ERR_CONFLICT when it was already decided (or
 * does not exist), and nothing is changed.
 */
int store_joint_dig_decide(struct store_conn *c, long long id, bool accepted, struct error *err);

#endif
