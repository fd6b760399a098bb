/* The certificate-signing key file: create on first use, load, rotate. */
#define _GNU_SOURCE
#include "keys.h"

#include <errno.h>
#include <fcntl.h>
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
#include "workflows/certificate.h"
#include "workflows/xalloc.h"

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

/* Writes a fresh key into a new file next to path (mode 0600); returns its name. */
static char *write_new(const char *path, struct signing_key *k, struct error *err)
{
	crypto_sign_keypair(k->pk, k->sk);
	fill_public(k);
	char *dir = xstrdup(path), *slash = strrchr(dir, '/');
	if (slash && slash != dir) {
		*slash = 0;
		mkdir(dir, 0700); /* the data directory on a first start; EEXIST is fine */
	}
	free(dir);
	char *tmp = xasprintf("%s.new.%d.%u", path, (int)getpid(), randombytes_random());
	int fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL, 0600);
	if (fd < 0) {
		error_set(err, ERR_IO, "cannot create %s: %s", tmp, strerror(errno));
		free(tmp);
		return NULL;
	}
	char b64[sodium_base64_ENCODED_LEN(64, sodium_base64_VARIANT_ORIGINAL)];
	sodium_bin2base64(b64, sizeof(b64), k->sk, 64, sodium_base64_VARIANT_ORIGINAL);
	char *line = xasprintf("ed25519 %s\n", b64);
	ssize_t w = write(fd, line, strlen(line));
	sodium_memzero(line, strlen(line));
	free(line);
	if (w < 0 || fsync(fd) != 0 || close(fd) != 0) {
		error_set(err, ERR_IO, "cannot write %s: %s", tmp, strerror(errno));
		unlink(tmp);
		free(tmp);
		return NULL;
	}
	return tmp;
}

static int read_key(const char *path, struct signing_key *out, struct error *err)
{
	FILE *f = fopen(path, "r");
	if (!f)
		return error_set(err, errno == ENOENT ? ERR_NOT_FOUND : ERR_IO,
				 "cannot read %s: %s", path, strerror(errno));
	char line[256] = "", b64[200] = "";
	bool ok = fgets(line, sizeof(line), f) && sscanf(line, "ed25519 %199s", b64) == 1;
	fclose(f);
	size_t n = 0;
	if (ok)
		ok = sodium_base642bin(out->sk, 64, b64, strlen(b64), NULL, &n, NULL,
				       sodium_base64_VARIANT_ORIGINAL) == 0 &&
		     n == 64;
	sodium_memzero(line, sizeof(line));
	sodium_memzero(b64, sizeof(b64));
	if (!ok)
		return error_set(err, ERR_IO, "%s is not an ed25519 key file", path);
	fill_public(out);
	return 0;
}

int keys_load_file(const char *path, struct signing_key *out, struct error *err)
{
	int rc = read_key(path, out, err);
	if (rc != ERR_NOT_FOUND)
		return rc;
	error_release(err);
	char *tmp = write_new(path, out, err);
	if (!tmp)
		return ERR_IO;
	/* link() fails when the file appeared meanwhile: then the other process's key wins. */
	rc = link(tmp, path) == 0 ? 0 : errno == EEXIST ? 1 : -1;
	int e = errno;
	unlink(tmp);
	free(tmp);
	if (rc < 0)
		return error_set(err, ERR_IO, "cannot create %s: %s", path, strerror(e));
	return rc == 1 ? read_key(path, out, err) : 0;
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
	char *tmp = write_new(path, &r.fresh, err);
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
