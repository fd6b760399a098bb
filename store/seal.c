/* Sealing secrets at rest, and the small key files the portal keeps beside its data. */
#define _GNU_SOURCE
#include "seal.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lib/xalloc.h"

static pthread_rwlock_t lock = PTHREAD_RWLOCK_INITIALIZER;
static unsigned char seal_key[crypto_secretbox_KEYBYTES];
static bool have_key;

char *store_keyfile_write(const char *path, const char *kind, const unsigned char *bytes, size_t n,
		       struct error *err)
{
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
	size_t blen = sodium_base64_ENCODED_LEN(n, sodium_base64_VARIANT_ORIGINAL);
	char *b64 = xmalloc(blen);
	sodium_bin2base64(b64, blen, bytes, n, sodium_base64_VARIANT_ORIGINAL);
	char *line = xasprintf("%s %s\n", kind, b64);
	ssize_t w = write(fd, line, strlen(line));
	sodium_memzero(b64, blen);
	sodium_memzero(line, strlen(line));
	free(b64);
	free(line);
	if (w < 0 || fsync(fd) != 0 || close(fd) != 0) {
		error_set(err, ERR_IO, "cannot write %s: %s", tmp, strerror(errno));
		unlink(tmp);
		free(tmp);
		return NULL;
	}
	return tmp;
}

static int read_file(const char *path, const char *kind, unsigned char *bytes, size_t n,
		     struct error *err)
{
	FILE *f = fopen(path, "r");
	if (!f)
		return error_set(err, errno == ENOENT ? ERR_NOT_FOUND : ERR_IO,
				 "cannot read %s: %s", path, strerror(errno));
	char line[512] = "";
	bool ok = fgets(line, sizeof(line), f) != NULL;
	fclose(f);
	size_t klen = strlen(kind), got = 0;
	ok = ok && !strncmp(line, kind, klen) && line[klen] == ' ';
	if (ok) {
		char *b64 = line + klen + 1;
		b64[strcspn(b64, "\r\n")] = 0;
		ok = sodium_base642bin(bytes, n, b64, strlen(b64), NULL, &got, NULL,
				       sodium_base64_VARIANT_ORIGINAL) == 0 &&
		     got == n;
	}
	sodium_memzero(line, sizeof(line));
	if (!ok)
		return error_set(err, ERR_IO, "%s is not a %s key file", path, kind);
	return 0;
}

int store_keyfile_load(const char *path, const char *kind, unsigned char *bytes, size_t n,
		       void (*fresh)(unsigned char *bytes, size_t n), struct error *err)
{
	int rc = read_file(path, kind, bytes, n, err);
	if (rc != ERR_NOT_FOUND)
		return rc;
	error_release(err);
	fresh(bytes, n);
	char *tmp = store_keyfile_write(path, kind, bytes, n, err);
	if (!tmp)
		return ERR_IO;
	/* link() fails when the file appeared meanwhile: then the other process's key wins. */
	rc = link(tmp, path) == 0 ? 0 : errno == EEXIST ? 1 : -1;
	int e = errno;
	unlink(tmp);
	free(tmp);
	if (rc < 0)
		return error_set(err, ERR_IO, "cannot create %s: %s", path, strerror(e));
	return rc == 1 ? read_file(path, kind, bytes, n, err) : 0;
}

static void random_key(unsigned char *bytes, size_t n)
{
	randombytes_buf(bytes, n);
}

int store_seal_load(const char *path, struct error *err)
{
	unsigned char k[crypto_secretbox_KEYBYTES];
	int rc = store_keyfile_load(path, "secretbox", k, sizeof(k), random_key, err);
	if (!rc)
		store_seal_key_set(k);
	sodium_memzero(k, sizeof(k));
	return rc;
}

char *store_seal_default_path(void)
{
	const char *k = getenv("PORTAL_SECRETS_KEY"), *d = getenv("PORTAL_DATA_DIR");
	if (k && *k)
		return xstrdup(k);
	return xasprintf("%s/secrets.key", d && *d ? d : "var");
}

void store_seal_key_set(const unsigned char key[32])
{
	pthread_rwlock_wrlock(&lock);
	memcpy(seal_key, key, sizeof(seal_key));
	have_key = true;
	pthread_rwlock_unlock(&lock);
}

bool store_seal_ready(void)
{
	pthread_rwlock_rdlock(&lock);
	bool ok = have_key;
	pthread_rwlock_unlock(&lock);
	return ok;
}

static int no_key(struct error *err)
{
	return error_set(err, ERR_INTERNAL,
			 "the secrets key is not loaded (PORTAL_SECRETS_KEY or "
			 "$PORTAL_DATA_DIR/secrets.key)");
}

/* A process that never called store_seal_load (a tool, a test) loads the default file. */
static void ensure_key(void)
{
	if (store_seal_ready())
		return;
	struct error err = ERROR_INIT;
	char *path = store_seal_default_path();
	if (store_seal_load(path, &err) != 0)
		fprintf(stderr, "{\"level\":\"error\",\"source\":\"seal\",\"message\":\"%s\"}\n",
			err.message);
	free(path);
	error_release(&err);
}

int store_seal(const char *plain, char **out, struct error *err)
{
	*out = NULL;
	if (!plain)
		return 0;
	size_t n = strlen(plain);
	size_t boxlen = crypto_secretbox_NONCEBYTES + crypto_secretbox_MACBYTES + n;
	unsigned char *box = xmalloc(boxlen);
	randombytes_buf(box, crypto_secretbox_NONCEBYTES);
	ensure_key();
	pthread_rwlock_rdlock(&lock);
	bool ok = have_key;
	if (ok)
		crypto_secretbox_easy(box + crypto_secretbox_NONCEBYTES, (const unsigned char *)plain,
				      n, box, seal_key);
	pthread_rwlock_unlock(&lock);
	if (!ok) {
		free(box);
		return no_key(err);
	}
	size_t plen = strlen(SEAL_PREFIX);
	size_t blen = sodium_base64_ENCODED_LEN(boxlen, sodium_base64_VARIANT_URLSAFE_NO_PADDING);
	*out = xmalloc(plen + blen);
	memcpy(*out, SEAL_PREFIX, plen);
	sodium_bin2base64(*out + plen, blen, box, boxlen, sodium_base64_VARIANT_URLSAFE_NO_PADDING);
	free(box);
	return 0;
}

int store_unseal(const char *stored, char **out, struct error *err)
{
	*out = NULL;
	if (!stored)
		return 0;
	size_t plen = strlen(SEAL_PREFIX);
	if (strncmp(stored, SEAL_PREFIX, plen) != 0) {
		*out = xstrdup(stored); /* written before sealing existed */
		return 0;
	}
	const char *b64 = stored + plen;
	size_t cap = strlen(b64), boxlen = 0;
	unsigned char *box = xmalloc(cap + 1);
	int rc = 0;
	if (sodium_base642bin(box, cap, b64, strlen(b64), NULL, &boxlen, NULL,
			      sodium_base64_VARIANT_URLSAFE_NO_PADDING) != 0 ||
	    boxlen < crypto_secretbox_NONCEBYTES + crypto_secretbox_MACBYTES) {
		free(box);
		return error_set(err, ERR_INTERNAL, "a sealed secret in the database is damaged");
	}
	size_t n = boxlen - crypto_secretbox_NONCEBYTES - crypto_secretbox_MACBYTES;
	char *plain = xmalloc(n + 1);
	ensure_key();
	pthread_rwlock_rdlock(&lock);
	bool ok = have_key;
	int opened = ok ? crypto_secretbox_open_easy((unsigned char *)plain,
						     box + crypto_secretbox_NONCEBYTES,
						     boxlen - crypto_secretbox_NONCEBYTES, box,
						     seal_key)
			: -1;
	pthread_rwlock_unlock(&lock);
	free(box);
	if (!ok)
		rc = no_key(err);
	else if (opened != 0)
		rc = error_set(err, ERR_INTERNAL,
			       "a sealed secret does not open with this secrets key; every portal "
			       "and dispatcher must use the same key file");
	if (rc) {
		free(plain);
		return rc;
	}
	plain[n] = 0;
	*out = plain;
	return 0;
}
