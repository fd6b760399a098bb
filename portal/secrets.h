/* Passwords (Argon2id), random bearer tokens and their hashes. */
#ifndef PORTAL_SECRETS_H
#define PORTAL_SECRETS_H

#include <stdbool.h>

#include "lib/error.h"

/* A new token: prefix + base64url(32 random bytes), no padding. Caller frees. */
char *secret_token_new(const char *prefix);

/* BLAKE2b-256 of a token: what is stored and looked up. Cannot fail. */
void secret_token_hash(const char *token, unsigned char out[32]);

/*
 * Checks a new password: at least 12 characters, not one of the commonest, not the email.
 * Adds a detail per problem under `field`; returns the number of problems.
 */
int secret_password_policy(const char *password, const char *email, const char *field,
			   struct error *err);

/*
 * Argon2id hash (crypto_pwhash_str, interactive limits; PORTAL_PASSWORD_COST=minimum for test
 * suites only) into a new string the caller frees.
 * At most two hashes run at once in the process, so logins cannot exhaust memory (64 MiB
 * each). The HTTP server runs the routes that hash on its slow-work threads (portal/offload.h).
 * NULL only when memory is exhausted.
 */
char *secret_password_hash(const char *password);

/*
 * Verifies password against a stored hash in constant time; an empty stored hash (unknown user,
 * or no password yet) is verified against a dummy so the time taken does not tell. Sets
 * *rehash when the stored hash used older limits.
 */
bool secret_password_verify(const char *stored, const char *password, bool *rehash);

/*
 * Sets the cost of new hashes at run time ("minimum", "moderate", anything else interactive),
 * as PORTAL_PASSWORD_COST does at start. For tests that need a hash to take real time.
 */
void secret_password_cost_set(const char *cost);

#endif
