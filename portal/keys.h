/*
 * The portal's Ed25519 certificate-signing key. The private key lives in one file (mode 0600)
 * at PORTAL_SIGNING_KEY, else $PORTAL_DATA_DIR/signing.key, else var/signing.key; it is created
 * on first use. Public halves are recorded in the signing_keys table, which keeps retired keys
 * so old certificates still verify. File format: one line "ed25519 <base64 of the 64-byte
 * libsodium secret key (seed || public key)>".
 */
#ifndef PORTAL_KEYS_H
#define PORTAL_KEYS_H

#include "store/db.h"

struct signing_key {
	char key_id[25]; /* certificate_key_id */
	unsigned char pk[32];
	unsigned char sk[64];
	char public_b64[45]; /* standard base64 of pk */
};

/* Where the key file is (see above). The string is static. */
const char *keys_path(void);

/*
 * Reads the key at path; when there is no file, creates one atomically with mode 0600 (if
 * another process wins the race, its key is read). ERR_IO with a message on failure.
 */
int keys_load_file(const char *path, struct signing_key *out, struct error *err);

/*
 * The current key of this process (loaded once from keys_path, thread-safe), with its public
 * half recorded through c (may be NULL to skip that).
 */
int keys_current(struct store_conn *c, struct signing_key *out, struct error *err);

/*
 * Replaces the key file at path with a new key (the old one's public half recorded and marked
 * retired, the new one recorded, an audit entry written), in one transaction through pool.
 * The old private key is discarded. new_id receives the new key's id.
 */
int keys_rotate(struct store_pool *pool, const char *path, char new_id[25], struct error *err);

/* Forgets the cached key so the next keys_current reads the file again (after a rotation). */
void keys_forget(void);

#endif
