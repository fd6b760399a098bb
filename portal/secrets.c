/* Credentials: Argon2id passwords with bounded concurrency, and hashed random tokens. */
#include "secrets.h"

#include <pthread.h>
#include <semaphore.h>
#include <sodium.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "lib/xalloc.h"

#define MAX_CONCURRENT_HASHES 2

static sem_t hash_slots;
static pthread_once_t once = PTHREAD_ONCE_INIT;
static char dummy_hash[crypto_pwhash_STRBYTES];
static unsigned long long opslimit = crypto_pwhash_OPSLIMIT_INTERACTIVE;
static size_t memlimit = crypto_pwhash_MEMLIMIT_INTERACTIVE;

static void set_cost(const char *cost)
{
	if (cost && strcmp(cost, "minimum") == 0) {
		opslimit = crypto_pwhash_OPSLIMIT_MIN;
		memlimit = crypto_pwhash_MEMLIMIT_MIN;
	} else if (cost && strcmp(cost, "moderate") == 0) {
		opslimit = crypto_pwhash_OPSLIMIT_MODERATE;
		memlimit = crypto_pwhash_MEMLIMIT_MODERATE;
	} else {
		opslimit = crypto_pwhash_OPSLIMIT_INTERACTIVE;
		memlimit = crypto_pwhash_MEMLIMIT_INTERACTIVE;
	}
}

static void init_slots(void)
{
	sem_init(&hash_slots, 0, MAX_CONCURRENT_HASHES);
	/*
	 * PORTAL_PASSWORD_COST=minimum exists only so test suites that create hundreds of
	 * accounts run in seconds; it is the same Argon2id code with the smallest limits.
	 * Production keeps libsodium's interactive limits.
	 */
	set_cost(getenv("PORTAL_PASSWORD_COST"));
	/* A real hash of a random password, to spend the same time on unknown accounts. */
	unsigned char pw[16];
	randombytes_buf(pw, sizeof(pw));
	if (crypto_pwhash_str(dummy_hash, (const char *)pw, sizeof(pw), opslimit, memlimit) != 0)
		abort();
}

char *secret_token_new(const char *prefix)
{
	unsigned char raw[32];
	randombytes_buf(raw, sizeof(raw));
	size_t plen = strlen(prefix);
	size_t blen = sodium_base64_ENCODED_LEN(sizeof(raw), sodium_base64_VARIANT_URLSAFE_NO_PADDING);
	char *out = xmalloc(plen + blen);
	memcpy(out, prefix, plen);
	sodium_bin2base64(out + plen, blen, raw, sizeof(raw), sodium_base64_VARIANT_URLSAFE_NO_PADDING);
	sodium_memzero(raw, sizeof(raw));
	return out;
}

void secret_token_hash(const char *token, unsigned char out[32])
{
	crypto_generichash(out, 32, (const unsigned char *)token, strlen(token), NULL, 0);
}

/* The commonest passwords of at least twelve characters, checked case-insensitively. */
static const char *const common[] = {
	"123456789012", "1234567890123", "12345678901234", "qwertyuiopas", "password1234",
	"password12345", "passwordpassword", "qwerty123456", "111111111111", "000000000000",
	"123123123123", "abc123456789", "iloveyou1234", "admin1234567", "administrator",
	"welcome12345", "letmein12345", "1q2w3e4r5t6y", "qwertyuiop12", "aaaaaaaaaaaa",
	"woaini1314520", "5201314520131", "88888888888888", "zxcvbnm12345", "changeme1234",
	NULL,
};

int secret_password_policy(const char *pw, const char *email, const char *field,
			   struct error *err)
{
	int n = 0;
	if (!pw)
		return 0;
	size_t len = strlen(pw);
	if (len < 12) {
		error_add(err, field, "too_short", "the password must have at least 12 characters");
		n++;
	}
	if (len > 256) {
		error_add(err, field, "too_long", "the password must have at most 256 characters");
		n++;
	}
	for (const char *const *c = common; *c; c++)
		if (strcasecmp(*c, pw) == 0) {
			error_add(err, field, "too_common", "this password is among the commonest");
			n++;
			break;
		}
	if (email && *email && strcasecmp(email, pw) == 0) {
		error_add(err, field, "same_as_email", "the password must not be the email");
		n++;
	}
	return n;
}

char *secret_password_hash(const char *password)
{
	pthread_once(&once, init_slots);
	char *out = xmalloc(crypto_pwhash_STRBYTES);
	sem_wait(&hash_slots);
	int rc = crypto_pwhash_str(out, password, strlen(password), opslimit, memlimit);
	sem_post(&hash_slots);
	if (rc != 0) {
		free(out);
		return NULL;
	}
	return out;
}

bool secret_password_verify(const char *stored, const char *password, bool *rehash)
{
	pthread_once(&once, init_slots);
	bool real = stored && strncmp(stored, "$argon2id$", 10) == 0;
	sem_wait(&hash_slots);
	int rc = crypto_pwhash_str_verify(real ? stored : dummy_hash, password, strlen(password));
	sem_post(&hash_slots);
	if (rehash)
		*rehash = real && rc == 0 &&
			  crypto_pwhash_str_needs_rehash(stored, opslimit, memlimit) != 0;
	return real && rc == 0;
}

void secret_password_cost_set(const char *cost)
{
	pthread_once(&once, init_slots);
	set_cost(cost);
}
