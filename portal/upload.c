/* Upload parsing and content sniffing; pure functions over bytes, so they can be fuzzed. */
#define _GNU_SOURCE
#include "upload.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "lib/xalloc.h"

/* Longest header block of one multipart part; real ones are a few hundred bytes. */
#define MAX_PART_HEADERS 8192
#define MAX_BOUNDARY 70 /* RFC 2046 */

static const struct upload_kind kinds[] = {
    {"application/pdf", "pdf"},
    {"image/png", "png"},
    {"image/jpeg", "jpg"},
    {"application/zip", "zip"},
};

/* Signatures: the leading bytes that identify each kind (same order as kinds[]). */
static const struct {
	const char *magic;
	size_t len;
} magics[] = {
    {"%PDF-", 5},
    {"\x89PNG\r\n\x1a\n", 8},
    {"\xff\xd8\xff", 3},
    {"PK\x03\x04", 4}, /* ZIP local file header: docx, xlsx and other OOXML files */
};

const char upload_accepted_kinds[] =
    "PDF (application/pdf), PNG (image/png), JPEG (image/jpeg), "
    "ZIP-based office documents such as docx and xlsx (application/zip)";

const struct upload_kind *upload_sniff(const void *data, size_t len)
{
	for (size_t i = 0; i < sizeof(magics) / sizeof(magics[0]); i++)
		if (len >= magics[i].len && memcmp(data, magics[i].magic, magics[i].len) == 0)
			return &kinds[i];
	return NULL;
}

/* Copies the media type of a Content-Type value, without parameters, trimmed and lower-case. */
static void media_type(const char *ct, char *out, size_t outlen)
{
	size_t n = 0;
	while (ct && (*ct == ' ' || *ct == '\t'))
		ct++;
	for (; ct && *ct && *ct != ';' && n + 1 < outlen; ct++)
		out[n++] = (char)tolower((unsigned char)*ct);
	while (n && (out[n - 1] == ' ' || out[n - 1] == '\t'))
		n--;
	out[n] = 0;
}

bool upload_declared_fits(const char *declared, const struct upload_kind *kind)
{
	static const struct {
		const char *alias;
		const char *mime;
	} aliases[] = {
	    {"application/x-pdf", "application/pdf"},
	    {"image/jpg", "image/jpeg"},
	    {"image/pjpeg", "image/jpeg"},
	    {"application/x-zip-compressed", "application/zip"},
	    {"application/x-zip", "application/zip"},
	};
	char mt[128];
	media_type(declared, mt, sizeof(mt));
	if (!mt[0] || !strcmp(mt, "application/octet-stream") || !strcmp(mt, kind->mime))
		return true;
	for (size_t i = 0; i < sizeof(aliases) / sizeof(aliases[0]); i++)
		if (!strcmp(mt, aliases[i].alias))
			return !strcmp(kind->mime, aliases[i].mime);
	return !strcmp(kind->mime, "application/zip") &&
	       !strncmp(mt, "application/vnd.openxmlformats-officedocument.", 46);
}

void upload_release(struct upload *u)
{
	if (!u)
		return;
	free(u->type);
	free(u->filename);
	free(u->declared);
	memset(u, 0, sizeof(*u));
}

/*
 * The value of parameter `name` in a header value such as
 * `form-data; name="file"; filename="a.pdf"`, unquoted (backslash escapes honoured). Quoted
 * values may contain ';' and '='. Caller frees; NULL when absent.
 */
static char *header_param(const char *value, const char *name)
{
	size_t nlen = strlen(name);
	const char *p = strchr(value, ';');
	char *out = xmalloc(strlen(value) + 1);
	while (p && *p == ';') {
		p++;
		while (*p == ' ' || *p == '\t')
			p++;
		const char *key = p;
		while (*p && *p != '=' && *p != ';')
			p++;
		size_t klen = (size_t)(p - key);
		while (klen && (key[klen - 1] == ' ' || key[klen - 1] == '\t'))
			klen--;
		size_t n = 0;
		if (*p == '=') {
			p++;
			while (*p == ' ' || *p == '\t')
				p++;
			if (*p == '"') {
				for (p++; *p && *p != '"'; p++) {
					if (*p == '\\' && p[1])
						p++;
					out[n++] = *p;
				}
				if (*p == '"')
					p++;
			} else {
				for (; *p && *p != ';' && *p != ' ' && *p != '\t'; p++)
					out[n++] = *p;
			}
		}
		out[n] = 0;
		if (klen == nlen && strncasecmp(key, name, nlen) == 0)
			return out;
		p = strchr(p, ';');
	}
	free(out);
	return NULL;
}

/* The boundary of a multipart Content-Type, or NULL when absent or too long. Caller frees. */
static char *boundary_of(const char *content_type)
{
	char *b = header_param(content_type, "boundary");
	if (b && (!*b || strlen(b) > MAX_BOUNDARY)) {
		free(b);
		b = NULL;
	}
	return b;
}

/* One part's headers that matter to us. */
struct part {
	char *name;
	char *filename;
	char *content_type;
};

static void part_release(struct part *p)
{
	free(p->name);
	free(p->filename);
	free(p->content_type);
}

/* Parses a part's header block (len bytes, CRLF-separated lines). */
static void part_headers(const char *block, size_t len, struct part *p)
{
	char *copy = xstrndup(block, len);
	char *save = NULL;
	for (char *line = strtok_r(copy, "\r\n", &save); line;
	     line = strtok_r(NULL, "\r\n", &save)) {
		char *colon = strchr(line, ':');
		if (!colon)
			continue;
		*colon = 0;
		char *v = colon + 1;
		while (*v == ' ' || *v == '\t')
			v++;
		/* the first disposition that names anything counts; a later one must not leak it */
		if (!strcasecmp(line, "Content-Disposition") && !p->name && !p->filename) {
			p->name = header_param(v, "name");
			p->filename = header_param(v, "filename");
		} else if (!strcasecmp(line, "Content-Type") && !p->content_type) {
			p->content_type = xstrdup(v);
		}
	}
	free(copy);
}

/* Stores one parsed part into u; ERR_MALFORMED on a repeated field. */
static int take_part(struct part *p, const char *content, size_t clen, struct upload *u,
		     bool *have_file, struct error *err)
{
	if (!p->name) {
		error_add(err, "multipart", "malformed", "a part has no form-data name");
		return error_set(err, ERR_MALFORMED, "a multipart part has no name");
	}
	if (!strcmp(p->name, "type")) {
		if (u->type)
			return error_set(err, ERR_MALFORMED, "the field 'type' was sent twice");
		u->type = xstrndup(content, clen);
		if (strlen(u->type) != clen) { /* an embedded NUL: keep it visible as invalid */
			free(u->type);
			u->type = xstrdup("\x01");
		}
	} else if (!strcmp(p->name, "file")) {
		if (*have_file)
			return error_set(err, ERR_MALFORMED, "the field 'file' was sent twice");
		*have_file = true;
		u->data = content;
		u->len = clen;
		u->filename = p->filename;
		u->declared = p->content_type;
		p->filename = p->content_type = NULL;
	} else {
		error_add(err, p->name, "unknown_field",
			  "unknown field %.64s; send 'type' and 'file'", p->name);
	}
	return 0;
}

/*
 * Where the header block of a part starting at p ends (at its blank line's CRLF, so the
 * content follows 2 bytes later), its length in *hlen; NULL when it has no end within the body
 * or is longer than MAX_PART_HEADERS.
 */
static const char *headers_end(const char *p, const char *end, size_t *hlen)
{
	if (end - p >= 2 && p[0] == '\r' && p[1] == '\n') {
		*hlen = 0; /* a part without headers */
		return p;
	}
	const char *hend = memmem(p, (size_t)(end - p), "\r\n\r\n", 4);
	*hlen = hend ? (size_t)(hend - p) : 0;
	if (!hend || *hlen > MAX_PART_HEADERS)
		return NULL;
	return hend + 2;
}

/*
 * One part, from just after its delimiter to the next delimiter: its headers read, its content
 * stored into u. *next is where that next delimiter ends. ERR_MALFORMED when it is cut short.
 */
static int read_part(const char *p, const char *end, const char *delim, size_t dlen,
		     struct upload *u, bool *have_file, const char **next, struct error *err)
{
	while (p < end && (*p == ' ' || *p == '\t'))
		p++;
	if (end - p < 2 || p[0] != '\r' || p[1] != '\n')
		return error_set(err, ERR_MALFORMED, "the multipart body is cut short");
	p += 2;
	size_t hlen;
	const char *hend = headers_end(p, end, &hlen);
	if (!hend)
		return error_set(err, ERR_MALFORMED, "a multipart part's headers are unreadable");
	const char *content = hend + 2;
	const char *cend = memmem(content, (size_t)(end - content), delim, dlen);
	if (!cend)
		return error_set(err, ERR_MALFORMED, "a multipart part is not terminated");
	struct part part = {0};
	part_headers(p, hlen, &part);
	int rc = take_part(&part, content, (size_t)(cend - content), u, have_file, err);
	part_release(&part);
	*next = cend + dlen;
	return rc;
}

static int multipart(const char *content_type, const char *body, size_t len, struct upload *u,
		     struct error *err)
{
	char *boundary = boundary_of(content_type);
	if (!boundary)
		return error_set(err, ERR_MALFORMED,
				 "multipart/form-data needs a boundary parameter");
	char *delim = xasprintf("\r\n--%s", boundary); /* between parts */
	size_t dlen = strlen(delim);
	const char *end = body + len;
	int rc = 0;
	bool have_file = false;
	/* The first delimiter may open the body without the leading CRLF. */
	const char *p;
	if (len >= dlen - 2 && !memcmp(body, delim + 2, dlen - 2))
		p = body + dlen - 2;
	else if ((p = memmem(body, len, delim, dlen)))
		p += dlen;
	else {
		rc = error_set(err, ERR_MALFORMED, "the multipart body has no boundary line");
		goto out;
	}
	/* up to the closing delimiter */
	while (!(end - p >= 2 && p[0] == '-' && p[1] == '-')) {
		rc = read_part(p, end, delim, dlen, u, &have_file, &p, err);
		if (rc)
			goto out;
	}
	if (!have_file)
		error_add(err, "file", "required", "send the document in a part named 'file'");
out:
	free(delim);
	free(boundary);
	return rc;
}

int upload_parse(const char *content_type, const char *body, size_t len, const char *query_type,
		 const char *query_filename, struct upload *u, struct error *err)
{
	memset(u, 0, sizeof(*u));
	char mt[128];
	media_type(content_type, mt, sizeof(mt));
	int rc;
	if (!strcmp(mt, "multipart/form-data")) {
		rc = multipart(content_type, body ? body : "", body ? len : 0, u, err);
		if (!rc && query_type && !u->type)
			u->type = xstrdup(query_type);
	} else {
		u->type = query_type ? xstrdup(query_type) : NULL;
		u->filename = query_filename ? xstrdup(query_filename) : NULL;
		u->declared = mt[0] ? xstrdup(mt) : NULL;
		u->data = body ? body : "";
		u->len = body ? len : 0;
		rc = 0;
	}
	if (rc)
		upload_release(u);
	return rc;
}

/* Length of the valid UTF-8 sequence at s (at most n bytes), or 0 when invalid. */
static size_t utf8_seq(const unsigned char *s, size_t n)
{
	if (s[0] < 0x80)
		return 1;
	size_t len = s[0] >= 0xf0 && s[0] <= 0xf4 ? 4 : s[0] >= 0xe0 ? 3 : s[0] >= 0xc2 ? 2 : 0;
	if (s[0] >= 0xf8 || !len || len > n)
		return 0;
	for (size_t i = 1; i < len; i++)
		if ((s[i] & 0xc0) != 0x80)
			return 0;
	/* overlong 3- and 4-byte forms, surrogates and code points above U+10FFFF */
	if ((s[0] == 0xe0 && s[1] < 0xa0) || (s[0] == 0xed && s[1] >= 0xa0) ||
	    (s[0] == 0xf0 && s[1] < 0x90) || (s[0] == 0xf4 && s[1] >= 0x90))
		return 0;
	return len;
}

char *upload_clean_filename(const char *name, const char *field, struct error *err)
{
	const char *base = name;
	for (const char *p = name; *p; p++)
		if (*p == '/' || *p == '\\')
			base = p + 1;
	size_t n = strlen(base);
	if (n == 0 || n > 255 || !strcmp(base, ".") || !strcmp(base, "..")) {
		error_add(err, field, "invalid", "a file name has 1 to 255 bytes");
		return NULL;
	}
	const unsigned char *s = (const unsigned char *)base;
	for (size_t i = 0; i < n;) {
		size_t k = utf8_seq(s + i, n - i);
		if (!k || s[i] < 0x20 || s[i] == 0x7f) {
			error_add(err, field, "invalid_characters",
				  "the file name must be UTF-8 without control characters");
			return NULL;
		}
		i += k;
	}
	return xstrdup(base);
}

char *upload_content_disposition(const char *filename)
{
	static const char attr[] = "!#$&+-.^_`|~"; /* RFC 5987 attr-char besides ALPHA / DIGIT */
	size_t n = strlen(filename);
	char *ascii = xmalloc(n + 1);
	char *pct = xmalloc(n * 3 + 1);
	size_t a = 0, q = 0;
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)filename[i];
		ascii[a++] = c >= 0x20 && c < 0x7f && c != '"' && c != '\\' ? (char)c : '_';
		if (isalnum(c) || (c && strchr(attr, c)))
			pct[q++] = (char)c;
		else
			q += (size_t)sprintf(pct + q, "%%%02X", c);
	}
	ascii[a] = 0;
	pct[q] = 0;
	char *out = xasprintf("attachment; filename=\"%s\"; filename*=UTF-8''%s", ascii, pct);
	free(ascii);
	free(pct);
	return out;
}
