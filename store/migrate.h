/* Applies numbered SQL migrations in order and records each with its checksum. */
#ifndef STORE_MIGRATE_H
#define STORE_MIGRATE_H

#include <stdio.h>

#include "store/db.h"

/*
 * Applies every migrations/NNNN_name.sql in `dir` not yet recorded in schema_migrations, in
 * order, each inside a transaction where MariaDB allows (DDL commits implicitly), serialised
 * across processes by a named lock. Refuses (ERR_CONFLICT, naming the file) when an applied
 * file's checksum changed or an applied version is missing from dir. Progress lines go to
 * `progress` when not NULL. *applied (may be NULL) receives how many were applied now.
 */
int store_migrate(const struct store_config *cfg, const char *dir, FILE *progress, int *applied,
		  struct error *err);

/* The highest version number among the files in dir (0 when none); ERR_IO on a bad dir. */
int store_migrations_latest(const char *dir, int *version, struct error *err);

/* The highest applied version (0 when none or the table is absent). */
int store_migrations_applied(struct store_pool *pool, int *version, struct error *err);

#endif
