/* SQL for materials, and the content-addressed blob store their uploads live in. */
#define _GNU_SOURCE
#include "materials.h"

#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lib/xalloc.h"
#include "lib/json_text.h"

static const char SQL_CHUNK_ANY[] =
	"SELECT COUNT(*) FROM material_chunks WHERE content_hash = ? AND chunk = 0";
static const char SQL_CHUNK_PUT[] =
	"INSERT IGNORE INTO material_chunks (content_hash, chunk, bytes) VALUES (?, ?, ?)";
static const char SQL_CHUNK_GET[] =
	"SELECT bytes FROM material_chunks WHERE content_hash = ? ORDER BY chunk";
/* Under any max_allowed_packet, and one row's worth of a Galera write set. */
#define CHUNK_BYTES (512u * 1024u)

static const char SQL_MAT_INSERT[] =
    "INSERT INTO materials (org_id, material_type, filename, content_type, size_bytes, "
    "content_hash, elicence_no, elicence_holder, elicence_valid_to, created_by) "
    "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)";
#define MAT_COLS                                                                                   \
	"SELECT id, org_id, material_type, filename, content_type, size_bytes, "                   \
	"COALESCE(content_hash, ''), COALESCE(elicence_no, ''), COALESCE(elicence_holder, ''), "   \
	"COALESCE(DATE_FORMAT(elicence_valid_to, '%Y-%m-%d'), ''), COALESCE(created_by, 0), "      \
	"DATE_FORMAT(created_at, '%Y-%m-%dT%H:%i:%sZ') FROM materials "
static const char SQL_MAT_GET[] = MAT_COLS "WHERE id = ?";
/* Several by id in one round trip: the ids travel as one JSON array parameter. */
static const char SQL_MAT_MANY[] =
    "SELECT j.n, m.id, m.org_id, m.material_type FROM JSON_TABLE(?, '$[*]' COLUMNS ("
    "n FOR ORDINALITY, id BIGINT PATH '$')) j JOIN materials m ON m.id = j.id ORDER BY j.n";
static const char SQL_MAT_BY_CONTENT[] =
    MAT_COLS "WHERE org_id = ? AND material_type = ? AND content_hash = ?";
static const char SQL_MAT_BY_ELICENCE[] =
    MAT_COLS "WHERE org_id = ? AND material_type = ? AND elicence_no = ?";
static const char SQL_MAT_LIST[] = MAT_COLS "WHERE org_id = ? AND id > ? ORDER BY id LIMIT ?";
static const char SQL_MAT_PARTIES[] =
    "SELECT j.utility_org_id FROM jobs j JOIN application_materials am "
    "ON am.application_id = j.application_id WHERE am.material_id = ? "
    "UNION SELECT p.authority_org_id FROM permits p JOIN application_materials am "
    "ON am.application_id = p.application_id WHERE am.material_id = ?";

const char *const store_material_types[] = {
    "business_licence",
    "land_use_certificate",
    "site_plan",
    "excavation_plan",
    "traffic_plan",
    "tree_survey",
    "load_calculation",
    "pipeline_drawing",
    "planning_drawing",
    "commitment_letter",
    "post_check_photo", /* the road authority's, for a post-check result (issue #21) */
    "other",
    NULL,
};

bool store_material_type_known(const char *s)
{
	for (const char *const *t = store_material_types; s && *t; t++)
		if (!strcmp(*t, s))
			return true;
	return false;
}

#define COPY(dst, src) snprintf((dst), sizeof(dst), "%s", (src) ? (src) : "")

static void material_from(const struct store_result *r, size_t i, struct material_row *m)
{
	memset(m, 0, sizeof(*m));
	m->id = store_cell_ll(r, i, 0, 0);
	m->org_id = store_cell_ll(r, i, 1, 0);
	COPY(m->type, store_cell(r, i, 2));
	COPY(m->filename, store_cell(r, i, 3));
	COPY(m->content_type, store_cell(r, i, 4));
	m->size_bytes = store_cell_ll(r, i, 5, 0);
	COPY(m->content_hash, store_cell(r, i, 6));
	COPY(m->elicence_no, store_cell(r, i, 7));
	COPY(m->elicence_holder, store_cell(r, i, 8));
	COPY(m->elicence_valid_to, store_cell(r, i, 9));
	m->created_by = store_cell_ll(r, i, 10, 0);
	COPY(m->created_at, store_cell(r, i, 11));
}

static const char *nullable(const char *s)
{
	return s && *s ? s : NULL;
}

int store_material_insert(struct store_conn *c, const struct material_row *in, long long *id,
			  struct error *err)
{
	struct store_param p[] = {
	    P_INT(in->org_id),
	    P_STR(in->type),
	    P_STR(in->filename),
	    P_STR(in->content_type),
	    P_INT(in->size_bytes),
	    P_STR(nullable(in->content_hash)),
	    P_STR(nullable(in->elicence_no)),
	    P_STR(nullable(in->elicence_holder)),
	    P_STR(nullable(in->elicence_valid_to)),
	    in->created_by ? P_INT(in->created_by) : P_NULL,
	};
	unsigned long long insert_id = 0;
	int rc = store_run(c, SQL_MAT_INSERT, p, 10, NULL, &insert_id, err);
	if (rc == ERR_CONFLICT)
		return error_set(err, ERR_CONFLICT, "this material is already in the library");
	if (!rc)
		*id = (long long)insert_id;
	return rc;
}

static int get_one(struct store_conn *c, const char *sql, const struct store_param *p, size_t np,
		   struct material_row *out, struct error *err)
{
	struct store_result *r = NULL;
	int rc = store_exec(c, sql, p, np, &r, err);
	if (rc == 0 && r->nrows == 0)
		rc = error_set(err, ERR_NOT_FOUND, "no such material");
	if (rc == 0)
		material_from(r, 0, out);
	store_result_free(r);
	return rc;
}

int store_material_find_content(struct store_conn *c, long long org_id, const char *type,
				const char *hash, struct material_row *out, struct error *err)
{
	struct store_param p[] = {P_INT(org_id), P_STR(type), P_STR(hash)};
	return get_one(c, SQL_MAT_BY_CONTENT, p, 3, out, err);
}

int store_material_find_elicence(struct store_conn *c, long long org_id, const char *type,
				 const char *number, struct material_row *out, struct error *err)
{
	struct store_param p[] = {P_INT(org_id), P_STR(type), P_STR(number)};
	return get_one(c, SQL_MAT_BY_ELICENCE, p, 3, out, err);
}

int store_material_get(struct store_conn *c, long long id, struct material_row *out,
		       struct error *err)
{
	struct store_param p[] = {P_INT(id)};
	return get_one(c, SQL_MAT_GET, p, 1, out, err);
}

int store_material_list(struct store_conn *c, long long org_id, long long after, int limit,
			struct material_row **rows, int *n, struct error *err)
{
	struct store_result *r = NULL;
	struct store_param p[] = {P_INT(org_id), P_INT(after), P_INT(limit)};
	int rc = store_exec(c, SQL_MAT_LIST, p, 3, &r, err);
	*rows = NULL;
	*n = 0;
	if (rc == 0) {
		*rows = xcalloc(r->nrows + 1, sizeof(**rows));
		for (size_t i = 0; i < r->nrows; i++)
			material_from(r, i, &(*rows)[i]);
		*n = (int)r->nrows;
	}
	store_result_free(r);
	return rc;
}

int store_material_parties(struct store_conn *c, long long material_id, long long **ids, int *n,
			   struct error *err)
{
	struct store_result *r = NULL;
	struct store_param p[] = {P_INT(material_id), P_INT(material_id)};
	int rc = store_exec(c, SQL_MAT_PARTIES, p, 2, &r, err);
	*ids = NULL;
	*n = 0;
	if (rc == 0) {
		*ids = xcalloc(r->nrows + 1, sizeof(**ids));
		for (size_t i = 0; i < r->nrows; i++)
			(*ids)[i] = store_cell_ll(r, i, 0, 0);
		*n = (int)r->nrows;
	}
	store_result_free(r);
	return rc;
}

/* ---- blobs ---- */

void store_blob_hash(const void *data, size_t len, char out[65])
{
	unsigned char h[32];
	crypto_generichash(h, sizeof(h), data, len, NULL, 0);
	sodium_bin2hex(out, 65, h, sizeof(h));
}

char *store_blob_path(const char *data_dir, const char *hash)
{
	return xasprintf("%s/materials/%.2s/%.2s/%s", data_dir, hash, hash + 2, hash);
}

/*
 * A message for people about a failed file operation. The client is told the reason only; the
 * operator's log line names the operation and the server path (a client has no use for where
 * the server keeps its files, and should not learn it).
 */
static int io_fail(struct error *err, int e, const char *what, const char *path)
{
	const char *why =
	    e == ENOSPC || e == EDQUOT ? "the disk is full"
	    : e == EFBIG	       ? "the file is larger than the file system allows"
	    : e == EACCES || e == EPERM || e == EROFS ? "the directory is not writable"
	    : e == ENOTDIR || e == ENOENT ? "the data directory is missing or not a directory"
					  : strerror(e);
	json_t *line = json_pack("{s:s, s:s, s:s, s:s, s:s}", "level", "error", "source",
				 "materials", "message", why, "operation", what, "path", path);
	char *text = json_text(line);
	fprintf(stderr, "%s\n", text ? text : "{\"level\":\"error\",\"source\":\"materials\"}");
	free(text);
	json_decref(line);
	return error_set(err, ERR_IO, "cannot store the document: %s; the operators have the details",
			 why);
}

/* mkdir -p for the blob's directory: each missing component is created. */
static int make_dirs(const char *dir, struct error *err)
{
	char *p = xstrdup(dir);
	int rc = 0;
	for (char *s = p + 1;; s++) {
		if (*s != '/' && *s != 0)
			continue;
		char saved = *s;
		*s = 0;
		if (mkdir(p, 0750) != 0 && errno != EEXIST) {
			rc = io_fail(err, errno, "mkdir", p);
			break;
		}
		*s = saved;
		if (!saved)
			break;
	}
	struct stat st;
	if (!rc && stat(dir, &st) != 0)
		rc = io_fail(err, errno, "stat", dir);
	else if (!rc && !S_ISDIR(st.st_mode))
		rc = io_fail(err, ENOTDIR, "mkdir", dir);
	free(p);
	return rc;
}

static int write_all(int fd, const char *data, size_t len)
{
	while (len) {
		ssize_t w = write(fd, data, len);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return w < 0 ? errno : EIO;
		data += w;
		len -= (size_t)w;
	}
	return 0;
}

/* Writes to a temporary file beside `path`, fsyncs, renames; unlinks the temporary on failure. */
static int write_atomically(const char *dir, const char *path, const void *data, size_t len,
			    struct error *err)
{
	char *tmp = xasprintf("%s.tmp.XXXXXX", path);
	int rc = 0, e = 0;
	int fd = mkstemp(tmp);
	if (fd < 0) {
		rc = io_fail(err, errno, "create", dir);
		goto out;
	}
	if ((e = write_all(fd, data, len)) != 0 || (fchmod(fd, 0640) != 0 && (e = errno)) ||
	    (fsync(fd) != 0 && (e = errno))) {
		rc = io_fail(err, e, "write", tmp);
		close(fd);
		unlink(tmp);
		goto out;
	}
	if (close(fd) != 0) {
		rc = io_fail(err, errno, "close", tmp);
		unlink(tmp);
		goto out;
	}
	if (rename(tmp, path) != 0) {
		rc = io_fail(err, errno, "rename", path);
		unlink(tmp);
		goto out;
	}
	/* Make the new directory entry durable too. */
	int dfd = open(dir, O_RDONLY | O_DIRECTORY);
	if (dfd >= 0) {
		fsync(dfd);
		close(dfd);
	}
out:
	free(tmp);
	return rc;
}

int store_blob_put(const char *data_dir, const void *data, size_t len, char out[65], bool *created,
		   struct error *err)
{
	store_blob_hash(data, len, out);
	*created = false;
	char *path = store_blob_path(data_dir, out);
	char *dir = xstrndup(path, strrchr(path, '/') - path);
	int rc = 0;
	struct stat st;
	if (stat(path, &st) == 0 && S_ISREG(st.st_mode) && (size_t)st.st_size == len)
		goto out; /* the same content is already stored: deduplicated */
	rc = make_dirs(dir, err);
	if (!rc)
		rc = write_atomically(dir, path, data, len, err);
	if (!rc)
		*created = true;
out:
	free(dir);
	free(path);
	return rc;
}

int store_blob_read(const char *data_dir, const char *hash, char **data, size_t *len,
		    struct error *err)
{
	*data = NULL;
	*len = 0;
	char *path = store_blob_path(data_dir, hash);
	int rc = 0;
	char *buf = NULL;
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	struct stat st;
	if (fd < 0) {
		rc = errno == ENOENT
			 ? error_set(err, ERR_NOT_FOUND, "the document's content is missing")
			 : error_set(err, ERR_IO, "cannot read the document: %s", strerror(errno));
		goto out;
	}
	if (fstat(fd, &st) != 0) {
		rc = error_set(err, ERR_IO, "cannot read the document: %s", strerror(errno));
		goto out;
	}
	size_t size = (size_t)st.st_size, got = 0;
	buf = xmalloc(size + 1);
	while (got < size) {
		ssize_t r = read(fd, buf + got, size - got);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0) {
			rc = error_set(err, ERR_IO, "cannot read the document: %s",
				       r < 0 ? strerror(errno) : "file shrank");
			goto out;
		}
		got += (size_t)r;
	}
	buf[size] = 0;
	char check[65];
	store_blob_hash(buf, size, check);
	if (strcmp(check, hash) != 0) {
		rc = error_set(err, ERR_INTERNAL, "the stored document is damaged (hash mismatch)");
		goto out;
	}
	*data = buf;
	*len = size;
	buf = NULL;
out:
	if (fd >= 0)
		close(fd);
	free(buf);
	free(path);
	return rc;
}

int store_materials_owners(struct store_conn *c, const long long *ids, size_t n,
			   long long *org_ids, char (*types)[65], struct error *err)
{
	for (size_t i = 0; i < n; i++) {
		org_ids[i] = 0;
		types[i][0] = 0;
	}
	if (!n)
		return 0;
	char *text = store_ids_json(ids, n);
	struct store_result *r = NULL;
	struct store_param p[] = { P_STR(text) };
	int rc = store_exec(c, SQL_MAT_MANY, p, 1, &r, err);
	free(text);
	for (size_t row = 0; !rc && row < r->nrows; row++) {
		long long k = store_cell_ll(r, row, 0, 0) - 1; /* ordinality counts from 1 */
		if (k < 0 || (size_t)k >= n)
			continue;
		org_ids[k] = store_cell_ll(r, row, 2, 0);
		snprintf(types[k], 65, "%s", store_cell(r, row, 3) ? store_cell(r, row, 3) : "");
	}
	store_result_free(r);
	return rc;
}

int store_blob_db_put(struct store_conn *c, const char *hash, const void *data, size_t len,
		      struct error *err)
{
	struct store_param key[] = { P_STR(hash) };
	struct store_result *r = NULL;
	int rc = store_exec(c, SQL_CHUNK_ANY, key, 1, &r, err);
	if (rc)
		return rc;
	bool there = store_cell_ll(r, 0, 0, 0) > 0;
	store_result_free(r);
	if (there) /* the same bytes, uploaded before by anyone: stored once */
		return 0;
	const char *p = data;
	size_t chunk = 0, off = 0;
	do {
		size_t n = len - off < CHUNK_BYTES ? len - off : CHUNK_BYTES;
		struct store_param q[] = { P_STR(hash), P_INT(chunk), P_BLOB(p + off, n) };
		rc = store_run(c, SQL_CHUNK_PUT, q, 3, NULL, NULL, err);
		off += n;
		chunk++;
	} while (!rc && off < len);
	return rc;
}

int store_blob_db_read(struct store_conn *c, const char *hash, char **data, size_t *len,
		       struct error *err)
{
	*data = NULL;
	*len = 0;
	struct store_param key[] = { P_STR(hash) };
	struct store_result *r = NULL;
	int rc = store_exec(c, SQL_CHUNK_GET, key, 1, &r, err);
	if (rc)
		return rc;
	if (r->nrows == 0) {
		store_result_free(r);
		return error_set(err, ERR_NOT_FOUND, "the document's content is missing");
	}
	size_t size = 0;
	for (size_t i = 0; i < r->nrows; i++)
		size += r->lens[i];
	char *buf = xmalloc(size + 1);
	size_t off = 0;
	for (size_t i = 0; i < r->nrows; i++) {
		memcpy(buf + off, store_cell(r, i, 0), r->lens[i]);
		off += r->lens[i];
	}
	buf[size] = 0;
	store_result_free(r);
	char check[65];
	store_blob_hash(buf, size, check);
	if (strcmp(check, hash) != 0) {
		free(buf);
		return error_set(err, ERR_INTERNAL, "the stored document is damaged (hash mismatch)");
	}
	*data = buf;
	*len = size;
	return 0;
}
