/* Organisations, users, sessions, API keys and login throttling. */
#ifndef STORE_ACCOUNTS_H
#define STORE_ACCOUNTS_H

#include <stdbool.h>

#include "store/db.h"
#include "workflows/authz.h"

struct org_row {
	long long id;
	char name[201];
	char kind[16];
	char subkind[16];
	char district[33];
	char created_at[32];
};

struct user_row {
	long long id;
	long long org_id;
	char email[255];
	char name[201];
	char password_hash[256];
	bool admin;
	bool active;
	char org_kind[16];
	char org_subkind[16];
	char district[33];
};

/* Creates an organisation; ERR_CONFLICT when the name is taken, ERR_INVALID on bad kind/district. */
int store_org_create(struct store_conn *c, const char *name, const char *kind,
		     const char *subkind, const char *district, long long *id, struct error *err);
/* ERR_NOT_FOUND when absent. */
int store_org_get(struct store_conn *c, long long id, struct org_row *out, struct error *err);
/* Up to `limit` organisations with id > after, by id. *rows allocated, caller frees. */
int store_org_list(struct store_conn *c, long long after, int limit, struct org_row **rows,
		   int *n, struct error *err);
/* The first organisation of a kind/subkind (e.g. the water utility), ERR_NOT_FOUND if none. */
/*
 * The organisation of each of n kinds of service (subkinds: "water" ... "planning"): the first
 * registered of that kind, as store_org_find, for all of them in one query. ids[i] is 0 when no
 * organisation offers subkinds[i]. (Service areas, to choose between two water companies by
 * the site's district, are not modelled yet.)
 */
int store_providers(struct store_conn *c, const char *const *subkinds, size_t n, long long *ids,
		    struct error *err);

/* The organisations of a kind and subkind (NULL: none), by id, at most cap, into ids; *n of them. */
int store_orgs_of(struct store_conn *c, const char *kind, const char *subkind, long long *ids,
		  size_t cap, size_t *n, struct error *err);

int store_org_find(struct store_conn *c, const char *kind, const char *subkind, long long *id,
		   struct error *err);
/* The organisation with exactly this name; ERR_NOT_FOUND if none. */
int store_org_by_name(struct store_conn *c, const char *name, long long *id, struct error *err);
/* Whether a district code exists. */
int store_district_exists(struct store_conn *c, const char *code, bool *exists,
			  struct error *err);

int store_user_create(struct store_conn *c, long long org_id, const char *email,
		      const char *name, const char *password_hash, bool admin, long long *id,
		      struct error *err);
/* By email (case-insensitive), with the organisation's kind. ERR_NOT_FOUND when absent. */
int store_user_by_email(struct store_conn *c, const char *email, struct user_row *out,
			struct error *err);
int store_user_get(struct store_conn *c, long long id, struct user_row *out, struct error *err);
int store_user_set_hash(struct store_conn *c, long long id, const char *hash, struct error *err);
int store_user_update(struct store_conn *c, long long id, int admin, int active,
		      struct error *err);
int store_user_list(struct store_conn *c, long long org_id, long long after, int limit,
		    struct user_row **rows, int *n, struct error *err);

/* Stores a session by the hash of its token, valid for ttl_seconds. */
int store_session_create(struct store_conn *c, const unsigned char hash[32], long long user_id,
			 int ttl_seconds, struct error *err);
/*
 * Finds a live session (not revoked, not expired, used within idle_seconds) and its caller;
 * touches last_seen at most once a minute. ERR_UNAUTHORIZED when none.
 */
int store_session_caller(struct store_conn *c, const unsigned char hash[32], int idle_seconds,
			 struct authz_caller *out, struct error *err);
int store_session_revoke(struct store_conn *c, const unsigned char hash[32], struct error *err);

int store_apikey_create(struct store_conn *c, long long org_id, const char *prefix,
			const unsigned char hash[32], const char *label, long long created_by,
			long long *id, struct error *err);
/* A live key's caller; records last use. ERR_UNAUTHORIZED when unknown or revoked. */
int store_apikey_caller(struct store_conn *c, const unsigned char hash[32],
			struct authz_caller *out, struct error *err);
/* Revokes a key of org_id; ERR_NOT_FOUND when no such live key in that organisation. */
int store_apikey_revoke(struct store_conn *c, long long org_id, long long id, struct error *err);
/* JSON array of the organisation's keys (never the secret). */
int store_apikey_list(struct store_conn *c, long long org_id, char **json, struct error *err);

/*
 * Login throttling by scope ("acct:<email>", "ip:<addr>"). store_throttle_blocked gives the
 * seconds still blocked (0 when free). store_throttle_fail counts a failure and blocks the scope
 * for block_seconds once `limit` failures fall within window_seconds.
 */
int store_throttle_blocked(struct store_conn *c, const char *scope, int *retry_after,
			   struct error *err);
int store_throttle_fail(struct store_conn *c, const char *scope, int limit, int window_seconds,
			int block_seconds, struct error *err);
int store_throttle_clear(struct store_conn *c, const char *scope, struct error *err);

/* Invitations: created with a token hash; accepting sets the password once. */
int store_invitation_create(struct store_conn *c, const unsigned char hash[32], long long user_id,
			    int ttl_seconds, struct error *err);
/* Marks the invitation used and returns its user; ERR_NOT_FOUND when unknown, used or expired. */
int store_invitation_use(struct store_conn *c, const unsigned char hash[32], long long *user_id,
			 struct error *err);

#endif
