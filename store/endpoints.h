/* Webhook endpoints of organisations, inbound callback ids seen, and callback target lookups. */
#ifndef STORE_ENDPOINTS_H
#define STORE_ENDPOINTS_H

#include <jansson.h>
#include <stdbool.h>

#include "store/db.h"

/*
 * One organisation's endpoint. `secret` (whsec_) signs v1 deliveries and verifies inbound
 * callbacks; v1a endpoints sign with `signing_key` (whsk_) and publish `public_key` (whpk_).
 * The previous_* keys still sign while previous_active (a rotation's overlap). Every string is
 * owned by the struct (NULL when absent); release with store_endpoint_release.
 */
struct endpoint_row {
	long long org_id;
	char *url;
	char mode[4]; /* "v1" | "v1a" */
	char *secret;
	char *signing_key;
	char *public_key;
	char *previous_secret;
	char *previous_signing_key;
	bool previous_active;	  /* previous_until is still ahead */
	char previous_until[32]; /* RFC 3339, "" when none */
	bool disabled;
	char *disabled_reason;
	char created_at[32], updated_at[32], rotated_at[32]; /* RFC 3339, "" when none */
};

void store_endpoint_release(struct endpoint_row *e);

/* Loads org's endpoint (locked with for_update). ERR_NOT_FOUND when it has none. */
int store_endpoint_get(struct store_conn *c, long long org_id, bool for_update,
		       struct endpoint_row *out, struct error *err);

/*
 * Creates or replaces org's endpoint with these keys (borrowed; signing_key and public_key NULL
 * in v1 mode). Clears any rotation overlap and re-enables a disabled endpoint.
 */
int store_endpoint_put(struct store_conn *c, long long org_id, const char *url, const char *mode,
		       const char *secret, const char *signing_key, const char *public_key,
		       struct error *err);

/*
 * Rotates: the current keys become the previous ones, signing until overlap_seconds from now;
 * the new ones (borrowed) take their place. ERR_NOT_FOUND without an endpoint.
 */
int store_endpoint_rotate(struct store_conn *c, long long org_id, const char *secret,
			  const char *signing_key, const char *public_key, long long overlap_seconds,
			  struct error *err);

/*
 * Appends to `keys` (a JSON array) the public key of every enabled v1a endpoint, so receivers
 * can fetch the key that signs their deliveries from /v1/public/keys.
 */
int store_endpoint_public_keys(struct store_conn *c, json_t *keys, struct error *err);

/* Disables the endpoint (a receiver answered 410 Gone), keeping why. */
int store_endpoint_disable(struct store_conn *c, long long org_id, const char *reason,
			   struct error *err);

/*
 * Inbound callback ids. store_callback_begin records (org, webhook_id) as being processed and
 * sets *fresh; when it was seen before, *fresh is false and *status / *response (caller frees)
 * hold the first reply (status 0 while the first is still being processed).
 */
int store_callback_begin(struct store_conn *c, long long org_id, const char *webhook_id,
			 const char *kind, const char *body, bool *fresh, int *status,
			 char **response, struct error *err);
/* Keeps the reply given to a processed callback, for its duplicates. */
int store_callback_finish(struct store_conn *c, long long org_id, const char *webhook_id,
			  int status, const char *response, struct error *err);
/* Forgets a callback whose processing failed for a passing reason, so a retry is applied. */
int store_callback_forget(struct store_conn *c, long long org_id, const char *webhook_id,
			  struct error *err);

/*
 * The job (utility) or permit (authority) with this reference assigned to org: *id, or
 * ERR_NOT_FOUND.
 */
int store_callback_target(struct store_conn *c, long long org_id, bool permit,
			  const char *reference, long long *id, struct error *err);

#endif
