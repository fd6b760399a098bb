/*
 * The webhook signature headers on inbound callbacks: id, timestamp and signature lines plus a
 * body through webhook_verify with fixed keys. A signature made with the same key must pass.
 */
#include <sodium.h>
#include <stdio.h>

#include "fuzz_common.h"
#include "integrations/webhook.h"

#define NOW 1700000000

static char *secret, *sk, *pk;

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	if (sodium_init() < 0)
		abort();
	secret = strdup("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw");
	webhook_keypair_new(&sk, &pk);
	return 0;
}

/* The next '\n'-terminated piece of *p (NUL-terminated in place), or NULL at the end. */
static char *piece(char **p, char *end)
{
	if (*p >= end)
		return NULL;
	char *s = *p, *nl = memchr(s, '\n', (size_t)(end - s));
	if (!nl)
		nl = end;
	*nl = 0;
	*p = nl + 1;
	return s;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *buf = malloc(size + 1);
	memcpy(buf, data, size);
	buf[size] = 0;
	char *p = buf, *end = buf + size;
	char *id = piece(&p, end), *ts = piece(&p, end), *sig = piece(&p, end);
	const char *body = p < end ? p : "";
	size_t bodylen = p < end ? (size_t)(end - p) : 0;
	const char *keys[] = { secret, pk };
	struct error err = ERROR_INIT;
	int rc = webhook_verify(id, ts, sig, body, bodylen, keys, 2, NOW, &err);
	fuzz_error_sane(&err, rc);
	error_release(&err);
	/* The same id and body, signed properly, must verify (when the id is a usable one). */
	if (id && *id && strlen(id) < 200 && !strpbrk(id, " ,\r")) {
		char stamp[24];
		snprintf(stamp, sizeof(stamp), "%d", NOW);
		struct webhook_headers h = { 0 };
		const char *signers[] = { secret, sk };
		if (webhook_headers_build(&h, id, NOW, body, bodylen, signers, 2, &err) == 0) {
			if (webhook_verify(h.id, h.timestamp, h.signature, body, bodylen, keys, 2, NOW,
					   &err) != 0)
				abort();
		}
		webhook_headers_release(&h);
		error_release(&err);
	}
	free(buf);
	return 0;
}
