/* The certificate-signing key file: create on first use, load, rotate. */
#define _GNU_SOURCE
#include "keys.h"

#include <errno.h>
#include <pthread.h>
#include <sodium.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "store/audit.h"
#include "store/oversight.h"
#include "store/seal.h"
#include "workflows/certificate.h"
#include "lib/xalloc.h"

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static struct signing_key cached;
static bool loaded;
static ino_t loaded_ino; /* a rotation by another process replaces the file: reload then */
static char path_buf[1024];

const char *keys_path(void)
{
	pthread_mutex_lock(&lock);
	if (!path_buf[0]) {
		const char *k = getenv("PORTAL_SIGNING_KEY"), *d = getenv("PORTAL_DATA_DIR");
		if (k && *k)
			snprintf(path_buf, sizeof(path_buf), "%s", k);
		else
			snprintf(path_buf, sizeof(path_buf), "%s/signing.key", d && *d ? d : "var");
	}
	pthread_mutex_unlock(&lock);
	return path_buf;
}

static void fill_public(struct signing_key *k)
{
	crypto_sign_ed25519_sk_to_pk(k->pk, k->sk);
	certificate_key_id(k->pk, k->key_id);
	sodium_bin2base64(k->public_b64, sizeof(k->public_b64), k->pk, 32,
			  sodium_base64_VARIANT_ORIGINAL);
}

/* A fresh key pair: its 64-byte secret key (seed || public key) is what the file holds. */
static void fresh_pair(unsigned char *sk, size_t n)
{
	unsigned char pk[32];
	(void)n;
	crypto_sign_keypair(pk, sk);
}

int keys_load_file(const char *path, struct signing_key *out, struct error *err)
{
	int rc = store_keyfile_load(path, "ed25519", out->sk, sizeof(out->sk), fresh_pair, err);
	if (!rc)
		fill_public(out);
	return rc;
}

int keys_current(struct store_conn *c, struct signing_key *out, struct error *err)
{
	const char *path = keys_path();
	pthread_mutex_lock(&lock);
	int rc = 0;
	struct stat st;
	if (loaded && (stat(path, &st) != 0 || st.st_ino != loaded_ino))
		loaded = false;
	if (!loaded && (rc = keys_load_file(path, &cached, err)) == 0) {
		loaded = true;
		loaded_ino = stat(path, &st) == 0 ? st.st_ino : 0;
	}
	if (!rc)
		*out = cached;
	pthread_mutex_unlock(&lock);
	if (!rc && c)
		rc = store_key_register(c, out->key_id, out->public_b64, err);
	return rc;
}

void keys_forget(void)
{
	pthread_mutex_lock(&lock);
	sodium_memzero(&cached, sizeof(cached));
	loaded = false;
	pthread_mutex_unlock(&lock);
}

struct rotation {
	const char *path;
	struct signing_key old, fresh;
};

static int rotate_tx(struct store_conn *c, void *ctx, struct error *err)
{
	struct rotation *r = ctx;
	int rc = store_key_register(c, r->old.key_id, r->old.public_b64, err);
	if (!rc)
		rc = store_key_retire(c, r->old.key_id, err);
	if (!rc)
		rc = store_key_register(c, r->fresh.key_id, r->fresh.public_b64, err);
	char *detail = xasprintf("{\"old\":\"%s\",\"new\":\"%s\"}", r->old.key_id, r->fresh.key_id);
	struct audit_entry e = {0, 0, "signing_key.rotate", "signing_key", r->fresh.key_id, detail};
	if (!rc)
		rc = store_audit_append(c, &e, err);
	free(detail);
	return rc;
}

int keys_rotate(struct store_pool *pool, const char *path, char new_id[25], struct error *err)
{
	struct rotation r = {.path = path};
	int rc = keys_load_file(path, &r.old, err);
	if (rc)
		return rc;
	fresh_pair(r.fresh.sk, sizeof(r.fresh.sk));
	fill_public(&r.fresh);
	char *tmp = store_keyfile_write(path, "ed25519", r.fresh.sk, sizeof(r.fresh.sk), err);
	if (!tmp)
		return ERR_IO;
	/* Record first: a key that signs must already be published. Then swap the file. */
	rc = store_tx(pool, rotate_tx, &r, err);
	if (!rc && rename(tmp, path) != 0)
		rc = error_set(err, ERR_IO, "cannot replace %s: %s", path, strerror(errno));
	if (rc)
		unlink(tmp);
	free(tmp);
	if (!rc)
		snprintf(new_id, 25, "%s", r.fresh.key_id);
	sodium_memzero(&r, sizeof(r));
	keys_forget();
	return rc;
}
