/*
 * Materials: the applicant's library of documents, uploaded once (multipart or raw body, sniffed,
 * stored by content hash, deduplicated) or referenced by electronic licence number (rule 1).
 */
#define _GNU_SOURCE
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "integrations/elicence.h"
#include "portal/app.h"
#include "portal/audit.h"
#include "portal/auth.h"
#include "portal/input.h"
#include "portal/reply.h"
#include "portal/router.h"
#include "portal/upload.h"
#include "store/materials.h"
#include "workflows/authz.h"
#include "workflows/calendar.h"
#include "lib/xalloc.h"

static json_t *material_json(const struct material_row *m)
{
	bool upload = m->content_hash[0] != 0;
	json_t *j = json_pack("{s:I, s:I, s:s, s:s, s:s}", "id", (json_int_t)m->id,
			      "organisation_id", (json_int_t)m->org_id, "type", m->type, "source",
			      upload ? "upload" : "elicence", "created_at", m->created_at);
	json_t *lic = json_null();
	if (upload) {
		json_object_set_new(j, "filename", json_string(m->filename));
		json_object_set_new(j, "content_type", json_string(m->content_type));
		json_object_set_new(j, "size_bytes", json_integer(m->size_bytes));
		json_object_set_new(j, "content_hash", json_string(m->content_hash));
		char *url = xasprintf("/v1/materials/%lld/content", m->id);
		json_object_set_new(j, "content_url", json_string(url));
		free(url);
	} else {
		lic = json_pack(
		    "{s:s, s:s, s:o, s:b}", "number", m->elicence_no, "holder", m->elicence_holder,
		    "valid_to",
		    m->elicence_valid_to[0] ? json_string(m->elicence_valid_to) : json_null(),
		    "verified", strcmp(m->elicence_holder, ELICENCE_OFFLINE_HOLDER) != 0);
	}
	json_object_set_new(j, "elicence", lic);
	return j;
}

static json_t *material_json_item(const void *row)
{
	return material_json(row);
}

/* What a handler hands to its transaction. */
struct op {
	const struct authz_caller *caller;
	struct material_row m; /* to create, or as read */
	long long id;
	long long org_id;
	int limit;
	long long after;
	bool verified;
	const char *data; /* an upload's bytes (borrowed) */
	size_t len;
	struct reply_out reply; /* 201 created, 200 existing */
};

/* Replies with every detail at once (code from err, else 422); returns non-zero then. */
static int finish_validation(struct http_response *res, struct error *err)
{
	if (!err->ndetails && !err->code)
		return 0;
	if (!err->code)
		error_set(err, ERR_INVALID, "the request has %zu problem(s); see details",
			  err->ndetails);
	http_reply_error(res, err);
	error_release(err);
	return 1;
}

static void set_reply(struct op *op, const struct material_row *m, int status)
{
	json_decref(op->reply.json); /* a retried transaction may have set it */
	op->reply.json = material_json(m);
	op->reply.status = status;
}

static int audit(struct store_conn *c, const struct op *op, const char *action, long long id,
		 json_t *detail, struct error *err)
{
	return audit_record_id(c, op->caller, action, "material", id, detail, err);
}

/*
 * Creates op->m unless the organisation already has it under the same type (by content hash or
 * licence number), in which case the existing material is the answer (200, not 201).
 */
static int create_tx(struct store_conn *c, void *ctx, struct error *err)
{
	struct op *op = ctx;
	struct material_row found;
	bool upload = op->m.content_hash[0] != 0;
	/* the bytes in the database too: every portal of a cluster reads them from there */
	if (upload) {
		int rc = store_blob_db_put(c, op->m.content_hash, op->data, op->len, err);
		if (rc)
			return rc;
	}
	for (int attempt = 0; attempt < 2; attempt++) {
		int rc = upload ? store_material_find_content(c, op->m.org_id, op->m.type,
							      op->m.content_hash, &found, NULL)
				: store_material_find_elicence(c, op->m.org_id, op->m.type,
							       op->m.elicence_no, &found, NULL);
		if (rc == 0) {
			set_reply(op, &found, 200);
			return 0;
		}
		if (rc != ERR_NOT_FOUND)
			return error_set(err, rc, "cannot read the material library");
		rc = store_material_insert(c, &op->m, &op->id, err);
		if (rc == ERR_CONFLICT) /* a concurrent upload of the same thing won: return it */
			continue;
		if (!rc)
			rc = store_material_get(c, op->id, &found, err);
		if (!rc)
			rc = upload ? audit(c, op, "material.upload", op->id,
					    json_pack("{s:s, s:s, s:I}", "type", found.type,
						      "content_hash", found.content_hash,
						      "size_bytes", (json_int_t)found.size_bytes),
					    err)
				    : audit(c, op, "material.reference", op->id,
					    json_pack("{s:s, s:s, s:b}", "type", found.type,
						      "elicence_no", found.elicence_no, "verified",
						      op->verified),
					    err);
		if (!rc)
			set_reply(op, &found, 201);
		return rc;
	}
	return error_set(err, ERR_CONFLICT, "the material changed while it was being stored");
}

/* Checks the parsed upload; every problem becomes a detail. Sets *kind when the content fits. */
static void check_upload(const struct upload *u, char **filename, const struct upload_kind **kind,
			 struct error *err)
{
	*kind = NULL;
	*filename = NULL;
	if (!u->type || !*u->type)
		error_add(err, "type", "required", "type is required (the material type)");
	else if (!store_material_type_known(u->type)) {
		char list[512] = "";
		for (const char *const *t = store_material_types; *t; t++)
			snprintf(list + strlen(list), sizeof(list) - strlen(list), "%s%s",
				 list[0] ? ", " : "", *t);
		error_add(err, "type", "not_allowed", "type must be one of: %s", list);
	}
	if (u->filename)
		*filename = upload_clean_filename(u->filename, "filename", err);
	if (u->len == 0) {
		error_add(err, "file", "required", "the document is empty");
		return;
	}
	const struct upload_kind *k = upload_sniff(u->data, u->len);
	if (!k)
		error_add(err, "file", "unsupported_type",
			  "this kind of file is not accepted; send one of: %s",
			  upload_accepted_kinds);
	else if (!upload_declared_fits(u->declared, k))
		error_add(err, "content_type", "mismatch",
			  "the file was declared as %.100s but its content is %s", u->declared,
			  k->mime);
	else
		*kind = k;
	if (!*kind) /* the media type problem decides the status: 415 */
		error_set(err, ERR_UNSUPPORTED, "unsupported media type; accepted: %s",
			  upload_accepted_kinds);
}

static int material_upload(struct http_request *req, struct http_response *res)
{
	struct error err = ERROR_INIT;
	struct op op = {.caller = auth_caller(req)};
	/* a road authority uploads the photos of its post-checks (issue #21), nothing else */
	const char *qtype = http_query(req, "type");
	bool photo = qtype && strcmp(qtype, "post_check_photo") == 0;
	if (auth_require(req, res, photo ? AZ_POST_CHECK_RECORD : AZ_MATERIAL_UPLOAD, NULL))
		return 1;
	struct upload u;
	if (upload_parse(http_header(req, "Content-Type"), req->body, req->body_len,
			 http_query(req, "type"), http_query(req, "filename"), &u, &err))
		return finish_validation(res, &err);
	char *filename = NULL;
	const struct upload_kind *kind = NULL;
	check_upload(&u, &filename, &kind, &err);
	int rc = 1;
	if (finish_validation(res, &err))
		goto out;
	struct material_row *m = &op.m;
	m->org_id = op.caller->org_id;
	m->created_by = op.caller->user_id;
	snprintf(m->type, sizeof(m->type), "%s", u.type);
	if (filename)
		snprintf(m->filename, sizeof(m->filename), "%s", filename);
	else
		snprintf(m->filename, sizeof(m->filename), "%s.%s", u.type, kind->ext);
	snprintf(m->content_type, sizeof(m->content_type), "%s", kind->mime);
	m->size_bytes = (long long)u.len;
	bool created;
	/* The file first: a row must never point at content that is not on disk. */
	if (store_blob_put(req->app->cfg.data_dir, u.data, u.len, m->content_hash, &created,
			   &err)) {
		http_reply_error(res, &err);
		error_release(&err);
		goto out;
	}
	op.data = u.data;
	op.len = u.len;
	rc = reply_tx(req, res, 200, create_tx, &op, &op.reply);
out:
	free(filename);
	upload_release(&u);
	return rc;
}

/* Refuses a licence that the government system does not report as currently valid. */
static void check_licence(const struct elicence_info *info, struct error *err)
{
	day_t to, today = cal_day_of_instant((int64_t)time(NULL));
	if (strcmp(info->status, "valid") != 0)
		error_add(err, "elicence_no", info->status, "licence %s is %s", info->number,
			  info->status);
	else if (info->valid_to[0] && cal_day_parse(info->valid_to, &to, NULL) == 0 && to < today)
		error_add(err, "elicence_no", "expired", "licence %s expired on %s", info->number,
			  info->valid_to);
}

static int material_elicence(struct http_request *req, struct http_response *res)
{
	struct error err = ERROR_INIT;
	struct op op = {.caller = auth_caller(req)};
	if (auth_require(req, res, AZ_MATERIAL_UPLOAD, NULL))
		return 1;
	static const char *const allowed[] = {"type", "elicence_no", NULL};
	json_t *body = NULL;
	const char *type = NULL, *number = NULL;
	if (http_parse_json(req, &body, &err) == 0) {
		http_reject_unknown(body, allowed, "", &err);
		type = input_enum(body, "type", true, store_material_types, &err);
		number = input_str(body, "elicence_no", true, ELICENCE_NUMBER_MAX, &err);
	}
	struct elicence_info info;
	if (!err.ndetails && !err.code) {
		struct elicence_config cfg;
		elicence_config_from_env(&cfg);
		if (elicence_lookup(&cfg, number, &info, &err) == 0)
			check_licence(&info, &err);
	}
	if (finish_validation(res, &err)) {
		json_decref(body);
		return 1;
	}
	struct material_row *m = &op.m;
	m->org_id = op.caller->org_id;
	m->created_by = op.caller->user_id;
	snprintf(m->type, sizeof(m->type), "%s", type);
	snprintf(m->elicence_no, sizeof(m->elicence_no), "%s", info.number);
	snprintf(m->elicence_holder, sizeof(m->elicence_holder), "%s", info.holder);
	snprintf(m->elicence_valid_to, sizeof(m->elicence_valid_to), "%s", info.valid_to);
	op.verified = info.verified;
	json_decref(body);
	return reply_tx(req, res, 200, create_tx, &op, &op.reply);
}

static int list_tx(struct store_conn *c, void *ctx, struct error *err)
{
	struct op *op = ctx;
	struct material_row *rows;
	int n;
	int rc = store_material_list(c, op->org_id, op->after, op->limit + 1, &rows, &n, err);
	if (rc)
		return rc;
	json_decref(op->reply.json);
	op->reply.json = input_page_reply(rows, sizeof(*rows), n, op->limit, material_json_item);
	free(rows);
	return 0;
}

static int material_list(struct http_request *req, struct http_response *res)
{
	struct error err = ERROR_INIT;
	struct op op = {.caller = auth_caller(req)};
	op.org_id = op.caller->org_id;
	const char *q = http_query(req, "organisation_id");
	if (q) { /* the office may read any organisation's library */
		char *end;
		op.org_id = strtoll(q, &end, 10);
		if (!*q || *end || op.org_id <= 0)
			return http_fail(res, ERR_INVALID, "organisation_id must be a positive id");
	}
	struct authz_object obj = {.owner_org_id = op.org_id};
	if (auth_require(req, res, AZ_MATERIAL_READ, q ? &obj : NULL))
		return 1;
	if (input_page(req, &op.limit, &op.after, &err))
		return finish_validation(res, &err);
	return reply_tx(req, res, 200, list_tx, &op, &op.reply);
}

/* Loads op->id into op->m if the caller may read it: its owner, a party to an application
 * that uses it, or the office. Anyone else is told it does not exist. */
static int get_tx(struct store_conn *c, void *ctx, struct error *err)
{
	struct op *op = ctx;
	int rc = store_material_get(c, op->id, &op->m, err);
	if (rc)
		return rc;
	long long *parties = NULL;
	int n = 0;
	rc = store_material_parties(c, op->id, &parties, &n, err);
	struct authz_object obj = {op->m.org_id, parties, n};
	if (!rc)
		rc = authz_check(op->caller, AZ_MATERIAL_READ, &obj, err);
	free(parties);
	if (rc == ERR_NOT_FOUND)
		return error_set(err, ERR_NOT_FOUND, "no material %lld", op->id);
	if (!rc)
		set_reply(op, &op->m, 200);
	return rc;
}

static int material_get(struct http_request *req, struct http_response *res)
{
	struct op op = {.caller = auth_caller(req)};
	if (input_path_id(req, 0, &op.id))
		return http_fail(res, ERR_NOT_FOUND, "no such material");
	return reply_tx(req, res, 200, get_tx, &op, &op.reply);
}

struct blob_read {
	const char *hash;
	char *data;
	size_t len;
};

static int blob_from_db(struct store_conn *c, void *ctx, struct error *err)
{
	struct blob_read *b = ctx;
	return store_blob_db_read(c, b->hash, &b->data, &b->len, err);
}

static int material_content(struct http_request *req, struct http_response *res)
{
	struct op op = {.caller = auth_caller(req)};
	struct error err = ERROR_INIT;
	if (input_path_id(req, 0, &op.id))
		return http_fail(res, ERR_NOT_FOUND, "no such material");
	int rc = store_tx(req->app->pool, get_tx, &op, &err);
	json_decref(op.reply.json);
	if (!rc && !op.m.content_hash[0])
		rc = error_set(&err, ERR_NOT_FOUND,
			       "material %lld references electronic licence %s and has no file",
			       op.id, op.m.elicence_no);
	char *data = NULL;
	size_t len = 0;
	bool read_file = !rc; /* authorised, and the material has content */
	if (read_file)
		rc = store_blob_read(req->app->cfg.data_dir, op.m.content_hash, &data, &len, &err);
	if (read_file && rc == ERR_NOT_FOUND) {
		/* uploaded through another portal: from the database, then kept here too */
		error_release(&err);
		struct blob_read b = { op.m.content_hash, NULL, 0 };
		rc = store_with(req->app->pool, blob_from_db, &b, &err);
		data = b.data;
		len = b.len;
		char again[65];
		bool created;
		struct error cache = ERROR_INIT;
		if (!rc && store_blob_put(req->app->cfg.data_dir, data, len, again, &created, &cache))
			fprintf(stderr,
				"{\"level\":\"warn\",\"source\":\"materials\",\"message\":"
				"\"cannot keep a copy: %s\"}\n",
				cache.message);
		error_release(&cache);
	}
	if (rc) {
		http_reply_error(res, &err);
		error_release(&err);
		return rc;
	}
	const struct upload_kind *kind = upload_sniff(data, len);
	/* The body is handed over as is: no copy of a file that may be many megabytes. */
	res->status = 200;
	res->body = data;
	res->len = len;
	res->content_type = kind ? kind->mime : "application/octet-stream";
	char *disp = upload_content_disposition(op.m.filename);
	char etag[70];
	snprintf(etag, sizeof(etag), "\"%s\"", op.m.content_hash);
	http_add_header(res, "Content-Disposition", disp);
	http_add_header(res, "ETag", etag);
	http_add_header(res, "Cache-Control", "private, no-store");
	free(disp);
	return 0;
}

const struct route materials_routes[] = {
    /* (size_t)-1: the upload cap (PORTAL_MAX_UPLOAD) instead of the JSON body cap */
    {"POST", "/v1/materials", material_upload, ROUTE_AUTHENTICATED, (size_t)-1, RUNS_ON_WORK},
    {"POST", "/v1/materials/elicence", material_elicence, ROUTE_AUTHENTICATED, 0, RUNS_ON_WORK},
    {"GET", "/v1/materials", material_list, ROUTE_AUTHENTICATED, 0, RUNS_ON_WORK},
    {"GET", "/v1/materials/{id}", material_get, ROUTE_AUTHENTICATED, 0, RUNS_ON_WORK},
    {"GET", "/v1/materials/{id}/content", material_content, ROUTE_AUTHENTICATED, 0, RUNS_ON_WORK},
    {0},
};
