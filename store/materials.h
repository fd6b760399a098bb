/*
 * Materials: the applicant's document library. Metadata lives in the materials table; uploaded
 * content lives in the database (material_chunks, so every node of a cluster and every portal
 * has it) and in a content-addressed cache of files under each portal's data directory.
 */
#ifndef STORE_MATERIALS_H
#define STORE_MATERIALS_H

#include <stdbool.h>
#include <stddef.h>

#include "store/db.h"

/* The material types, NULL-terminated; applications name required materials by these. */
extern const char *const store_material_types[];

/* Whether s is one of store_material_types. */
bool store_material_type_known(const char *s);

/*
 * One material: either an upload (content_hash set, elicence_no "") or a reference to a
 * government-issued electronic licence (elicence_no set, content_hash "").
 */
struct material_row {
	long long id;
	long long org_id;
	char type[65];
	char filename[256];
	char content_type[101];
	long long size_bytes;
	char content_hash[65];
	char elicence_no[65];
	char elicence_holder[201];
	char elicence_valid_to[11]; /* "" when unknown */
	long long created_by;	    /* user id, 0 for an API key */
	char created_at[32];
};

/*
 * Inserts in (id and created_at ignored) and sets *id. ERR_CONFLICT when the organisation
 * already has this content, or this licence, under the same type.
 */
int store_material_insert(struct store_conn *c, const struct material_row *in, long long *id,
			  struct error *err);

/* The organisation's material of this type with this content hash; ERR_NOT_FOUND if none. */
int store_material_find_content(struct store_conn *c, long long org_id, const char *type,
				const char *hash, struct material_row *out, struct error *err);

/* The organisation's material of this type referencing this licence; ERR_NOT_FOUND if none. */
int store_material_find_elicence(struct store_conn *c, long long org_id, const char *type,
				 const char *number, struct material_row *out, struct error *err);

/*
 * The owner and type of n materials by id, in one query: org_ids[i] is 0 (and types[i] empty)
 * when ids[i] does not exist. types has n entries of 65 bytes.
 */
int store_materials_owners(struct store_conn *c, const long long *ids, size_t n,
			   long long *org_ids, char (*types)[65], struct error *err);

/* Any material by id; ERR_NOT_FOUND when absent. */
int store_material_get(struct store_conn *c, long long id, struct material_row *out,
		       struct error *err);

/* Up to `limit` materials of org_id with id > after, by id. *rows allocated, caller frees. */
int store_material_list(struct store_conn *c, long long org_id, long long after, int limit,
			struct material_row **rows, int *n, struct error *err);

/*
 * The organisations, other than the owner, that work on an application using this material
 * (its utilities and authorities): they may read it. *ids allocated (caller frees), *n set.
 */
int store_material_parties(struct store_conn *c, long long material_id, long long **ids, int *n,
			   struct error *err);

/* ---- content-addressed blobs ---- */

/* Hex BLAKE2b-256 of data, NUL-terminated. */
void store_blob_hash(const void *data, size_t len, char out[65]);

/* "<data_dir>/materials/<h0h1>/<h2h3>/<hash>". Caller frees. */
char *store_blob_path(const char *data_dir, const char *hash);

/*
 * Stores data under its hash (written to out). A file already there with the same size is reused
 * (*created false); otherwise the bytes go to a temporary file in the same directory, are
 * fsynced and renamed into place (*created true), so a reader never sees a partial file.
 * ERR_IO with a message for people (full disk, unwritable directory) on failure; no temporary
 * file is left behind.
 */
int store_blob_put(const char *data_dir, const void *data, size_t len, char out[65], bool *created,
		   struct error *err);

/*
 * Reads a blob whole into *data (caller frees; NUL-terminated for convenience) and *len.
 * ERR_NOT_FOUND when missing, ERR_IO on other failures, ERR_INTERNAL when the bytes no longer
 * match their hash.
 */
int store_blob_read(const char *data_dir, const char *hash, char **data, size_t *len,
		    struct error *err);

/*
 * Stores data under its hash in the database, in chunks, inside the caller's transaction;
 * content already there (the same bytes uploaded before) is not stored again. Errors from
 * store_exec.
 */
int store_blob_db_put(struct store_conn *c, const char *hash, const void *data, size_t len,
		      struct error *err);

/*
 * Reads the content with this hash from the database whole into *data (caller frees;
 * NUL-terminated) and *len. ERR_NOT_FOUND when it is not there (an upload from before migration
 * 0010 lives only in its portal's files), ERR_INTERNAL when the bytes do not match the hash.
 */
int store_blob_db_read(struct store_conn *c, const char *hash, char **data, size_t *len,
		       struct error *err);

#endif
