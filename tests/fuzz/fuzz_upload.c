/*
 * Uploads (POST /v1/materials): the first line is the request's Content-Type, the rest the
 * body, through upload_parse, then the file through upload_sniff, upload_declared_fits,
 * upload_clean_filename and upload_content_disposition as the handler does.
 */
#include "fuzz_common.h"
#include "portal/upload.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const uint8_t *nl = memchr(data, '\n', size);
	size_t ctlen = nl ? (size_t)(nl - data) : 0;
	char *ct = nl ? strndup((const char *)data, ctlen) : NULL;
	size_t blen = nl ? size - ctlen - 1 : size;
	/* A heap copy of exactly the body, so ASan sees any read past its end. */
	char *body = malloc(blen ? blen : 1);
	memcpy(body, nl ? nl + 1 : data, blen);
	struct upload u;
	struct error err = ERROR_INIT;
	int rc = upload_parse(ct, body, blen, "site_plan", "plan.pdf", &u, &err);
	fuzz_error_sane(&err, rc);
	if (rc == 0) {
		if (u.len && (u.data < body || u.data + u.len > body + blen))
			abort();
		const struct upload_kind *k = upload_sniff(u.data, u.len);
		if (k)
			(void)upload_declared_fits(u.declared, k);
		if (u.filename) {
			char *clean = upload_clean_filename(u.filename, "filename", &err);
			if (clean) {
				free(upload_content_disposition(clean));
				free(clean);
			}
		}
		upload_release(&u);
	}
	error_release(&err);
	free(body);
	free(ct);
	return 0;
}
