/*
 * Secrets at rest. Webhook endpoint secrets must be readable by the dispatcher (it signs with
 * them), so they cannot be hashed like passwords; they are sealed instead with a 32-byte key
 * that lives in a file beside the signing key, not in the database: a copy of the database
 * (a backup, a replica, an SQL injection elsewhere) does not give away anyone's secrets.
 *
 * Sealed text: "sealed1:" + base64url(24-byte nonce || XSalsa20-Poly1305 box), no padding.
 * Text without the prefix is read as it is (rows written before sealing existed).
 * Key file: one line "secretbox <standard base64 of the 32 bytes>", mode 0600, created on first
 * use at PORTAL_SECRETS_KEY (default $PORTAL_DATA_DIR/secrets.key). Every process that reads or
 * writes endpoints (portals, dispatchers) must use the same file.
 */
#ifndef STORE_SEAL_H
#define STORE_SEAL_H

#include <stdbool.h>
#include <stddef.h>

#include "lib/error.h"

#define SEAL_PREFIX "sealed1:"

/*
 * Loads the key file at path into the process (creating it, atomically and mode 0600, when
 * absent; if another process creates it first, that key is read). ERR_IO with a message naming
 * the file on failure. Thread-safe; a later call replaces the key.
 */
int store_seal_load(const char *path, struct error *err);

/*
 * A key file: one line "<kind> <standard base64 of n bytes>". Reads it into bytes; when there
 * is no file, fills bytes with fresh() and creates it atomically with mode 0600 (if another
 * process creates it first, that one is read). ERR_IO naming the file on failure.
 */
int store_keyfile_load(const char *path, const char *kind, unsigned char *bytes, size_t n,
		       void (*fresh)(unsigned char *bytes, size_t n), struct error *err);

/*
 * Writes a new key file beside path (mode 0600, synced) and returns its name (caller renames or
 * unlinks it, and frees the name); NULL with ERR_IO on failure. For rotations.
 */
char *store_keyfile_write(const char *path, const char *kind, const unsigned char *bytes,
			  size_t n, struct error *err);

/* Where the key file is by default: PORTAL_SECRETS_KEY, else $PORTAL_DATA_DIR/secrets.key,
 * else var/secrets.key. Caller frees. */
char *store_seal_default_path(void);

/* Uses this key (tests). */
void store_seal_key_set(const unsigned char key[32]);

/* Whether a key is loaded. */
bool store_seal_ready(void);

/*
 * Seals plain (NULL gives NULL) into a new string the caller frees. Without a loaded key the
 * default file is loaded first; ERR_INTERNAL with a clear message when that fails: nothing is
 * ever written in clear by mistake.
 */
int store_seal(const char *plain, char **out, struct error *err);

/*
 * Opens stored text into a new string (NULL gives NULL; unsealed text is copied as it is).
 * ERR_INTERNAL when it is sealed and no key is loaded, or the key does not open it (a different
 * key file than the one that sealed it).
 */
int store_unseal(const char *stored, char **out, struct error *err);

#endif
