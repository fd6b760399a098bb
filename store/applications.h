/*
 * Applications: the rows an applicant's submission makes, their reference numbers, materials,
 * lists and status, and where their works are.
 */
#ifndef STORE_APPLICATIONS_H
#define STORE_APPLICATIONS_H

#include <jansson.h>
#include <stdbool.h>

#include "store/db.h"
#include "workflows/calendar.h"

struct application_row {
	long long id;
	char reference[25];
	long long org_id;
	long long site_id;
	char status[16];
	char submitted_at[32];
	day_t submitted_day;
	long long estimate_total_fen;
	int version;
	char *request;	/* JSON text, owned */
	char *estimate; /* JSON text, owned */
	long long project_id; /* the project it cites (issue #20), 0 for none */
};

/* Frees the row's owned strings and zeroes it. */
void store_application_row_release(struct application_row *r);

/*
 * The next number of the year's reference counter (HK-YYYY-NNNNNN), inside the transaction (the
 * counter's row stays locked until it ends). Errors as store_exec's; *n is then 0.
 */
int store_next_reference(struct store_conn *c, int year, long long *n, struct error *err);

/* An application to insert. Strings borrowed. */
struct application_new {
	const char *reference;
	long long org_id, site_id, created_by;
	const char *submitted_at; /* "YYYY-MM-DD HH:MM:SS.ffffff" UTC */
	day_t submitted_day;
	const char *request, *estimate, *idempotency_key, *request_hash;
	long long estimate_total_fen;
};
/*
 * Inserts it; *id receives the new id (0 on failure). Errors as store_exec's: ERR_CONFLICT for a
 * reference or (org, idempotency key) already taken.
 */
int store_application_insert(struct store_conn *c, const struct application_new *a, long long *id,
			     struct error *err);
/* Attaches one material (store_application_materials with one id). */
int store_application_material(struct store_conn *c, long long app_id, long long material_id,
			       struct error *err);
/*
 * Attaches n materials (n may be 0) with multi-row INSERTs, in the order given (store/multirow.h:
 * use it inside a transaction, a failure may leave earlier chunks written). ERR_CONFLICT when a
 * material is attached twice.
 */
int store_application_materials(struct store_conn *c, long long app_id,
				const long long *material_ids, size_t n, struct error *err);
/* By id into *out (its strings the caller's: store_application_row_release). ERR_NOT_FOUND. */
int store_application_get(struct store_conn *c, long long id, struct application_row *out,
			  struct error *err);
/*
 * What the application's read shows, in one statement: the row into *out as
 * store_application_get reads it but without its request (NULL; the rest the caller's:
 * store_application_row_release), and of its site the id, name, district and zone risk into
 * *site (the other fields zeroed). ERR_NOT_FOUND when there is no such application.
 */
struct site_row;
int store_application_view(struct store_conn *c, long long id, struct application_row *out,
			   struct site_row *site, struct error *err);
/*
 * The application created with this idempotency key by org, if any (*id 0 when none), and the
 * hash of the request that created it. Errors as store_exec's.
 */
int store_application_by_key(struct store_conn *c, long long org_id, const char *key, long long *id,
			     char request_hash[65], struct error *err);
/*
 * Own organisation's applications (status NULL: any) after `after`, newest first (after == 0:
 * from the newest), at most limit. *items is a new JSON array (the caller's), *last the last id,
 * *more whether there are more. On error nothing is returned.
 */
int store_application_list(struct store_conn *c, long long org_id, const char *status,
			   long long after, int limit, json_t **items, long long *last,
			   bool *more, struct error *err);
/* Sets the status, bumping the version. Errors as store_exec's; no row is no error. */
int store_application_set_status(struct store_conn *c, long long id, const char *status,
				 struct error *err);
/* The customer class the application declared, into out ("" when none). 0, ERR_NOT_FOUND. */
int store_application_customer_class(struct store_conn *c, long long app_id, char out[32],
				     struct error *err);
/*
 * Marks an application completed when none of its jobs is still open (withdrawn when every
 * job was withdrawn). Cannot make an open application of one that still has work; an
 * application that is not open, or still has work, is left as it is. Errors as store_exec's.
 */
int store_application_refresh_status(struct store_conn *c, long long app_id, struct error *err);

/* Where an application's works are, for the parties' event payloads. Strings owned. */
struct application_place {
	char reference[25];
	char address[401];
	char district[33];
	char *lat, *lng; /* decimal text or NULL */
	char *request;	 /* the submitted JSON */
};
/*
 * Reads it into *out (zeroed first; the caller releases it with store_application_place_release,
 * also after a failure). ERR_NOT_FOUND when there is no such application.
 */
int store_application_place(struct store_conn *c, long long app_id, struct application_place *out,
			    struct error *err);
void store_application_place_release(struct application_place *p);

#endif
