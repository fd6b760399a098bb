/* Migration runner: numbered SQL files applied once, in order, checksummed. */
#define _GNU_SOURCE
#include "migrate.h"

#include <dirent.h>
#include <errno.h>
#include <mysql.h>
#include <mysqld_error.h>
#include <sodium.h>
#include <stdlib.h>
#include <string.h>

#include "lib/xalloc.h"

struct mfile {
	int version;
	char *name;
	char *path;
};

static const char SQL_CREATE[] =
	"CREATE TABLE IF NOT EXISTS schema_migrations ("
	" version INT NOT NULL PRIMARY KEY,"
	" name VARCHAR(200) NOT NULL,"
	" checksum CHAR(64) NOT NULL,"
	" applied_at DATETIME(6) NOT NULL DEFAULT UTC_TIMESTAMP(6)"
	") ENGINE=InnoDB DEFAULT CHARSET=utf8mb4";
static const char SQL_APPLIED[] = "SELECT version, name, checksum FROM schema_migrations";
static const char SQL_RECORD[] =
	"INSERT INTO schema_migrations (version, name, checksum) VALUES (?, ?, ?)";
static const char SQL_MAX[] = "SELECT COALESCE(MAX(version), 0) FROM schema_migrations";

static int cmp_mfile(const void *a, const void *b)
{
	return ((const struct mfile *)a)->version - ((const struct mfile *)b)->version;
}

static void free_files(struct mfile *files, int n)
{
	for (int i = 0; i < n; i++) {
		free(files[i].name);
		free(files[i].path);
	}
	free(files);
}

/* Files named NNNN_something.sql, sorted by number; duplicates refused. */
static int list_files(const char *dir, struct mfile **out, int *count, struct error *err)
{
	DIR *d = opendir(dir);
	if (!d)
		return error_set(err, ERR_IO, "cannot open migrations directory %s: %s", dir,
				 strerror(errno));
	struct mfile *files = NULL;
	int n = 0, cap = 0;
	struct dirent *e;
	while ((e = readdir(d))) {
		const char *nm = e->d_name;
		size_t len = strlen(nm);
		if (len < 10 || strcmp(nm + len - 4, ".sql") != 0 || nm[4] != '_')
			continue;
		int ok = 1;
		for (int i = 0; i < 4; i++)
			ok &= nm[i] >= '0' && nm[i] <= '9';
		if (!ok)
			continue;
		if (n == cap) {
			cap = cap ? cap * 2 : 16;
			files = xrealloc(files, sizeof(*files) * (size_t)cap);
		}
		files[n].version = atoi(nm);
		files[n].name = xstrdup(nm);
		files[n].path = xasprintf("%s/%s", dir, nm);
		n++;
	}
	closedir(d);
	if (n)
		qsort(files, (size_t)n, sizeof(*files), cmp_mfile);
	for (int i = 1; i < n; i++)
		if (files[i].version == files[i - 1].version) {
			error_set(err, ERR_CONFLICT, "two migrations share number %04d: %s and %s",
				  files[i].version, files[i - 1].name, files[i].name);
			free_files(files, n);
			return ERR_CONFLICT;
		}
	*out = files;
	*count = n;
	return 0;
}

static char *read_file(const char *path, size_t *len, struct error *err)
{
	FILE *f = fopen(path, "rb");
	if (!f) {
		error_set(err, ERR_IO, "cannot read %s: %s", path, strerror(errno));
		return NULL;
	}
	size_t cap = 8192, n = 0;
	char *buf = xmalloc(cap);
	size_t got;
	while ((got = fread(buf + n, 1, cap - n - 1, f)) > 0) {
		n += got;
		if (cap - n - 1 == 0)
			buf = xrealloc(buf, cap *= 2);
	}
	fclose(f);
	buf[n] = 0;
	*len = n;
	return buf;
}

static void checksum_hex(const char *data, size_t len, char hex[65])
{
	unsigned char h[32];
	crypto_generichash(h, sizeof(h), (const unsigned char *)data, len, NULL, 0);
	sodium_bin2hex(hex, 65, h, sizeof(h));
}

static int run_script(MYSQL *m, const char *sql, size_t len, const char *name, struct error *err)
{
	if (mysql_real_query(m, sql, (unsigned long)len) != 0)
		return error_set(err, ERR_INTERNAL, "%s: %s", name, mysql_error(m));
	/* Drain every result of the multi-statement script, stopping at the first error. */
	for (;;) {
		MYSQL_RES *r = mysql_store_result(m);
		if (r)
			mysql_free_result(r);
		int next = mysql_next_result(m);
		if (next == -1)
			break;
		if (next > 0)
			return error_set(err, ERR_INTERNAL, "%s: %s", name, mysql_error(m));
	}
	return 0;
}

static MYSQL *open_admin(const struct store_config *cfg, struct error *err)
{
	MYSQL *m = mysql_init(NULL);
	unsigned int timeout = 5;
	mysql_optionsv(m, MYSQL_OPT_CONNECT_TIMEOUT, &timeout);
	mysql_optionsv(m, MYSQL_SET_CHARSET_NAME, "utf8mb4");
	mysql_optionsv(m, MYSQL_INIT_COMMAND, "SET time_zone='+00:00'");
	if (!mysql_real_connect(m, cfg->socket ? NULL : cfg->host, cfg->user, cfg->password,
				cfg->database, cfg->port, cfg->socket, CLIENT_MULTI_STATEMENTS)) {
		error_set(err, ERR_UNAVAILABLE, "database unreachable: %s", mysql_error(m));
		mysql_close(m);
		return NULL;
	}
	return m;
}

/* Applied versions with checksums, read with a plain query (no input in the text). */
static int load_applied(MYSQL *m, char ***sums, int **versions, int *n, struct error *err)
{
	if (mysql_query(m, SQL_APPLIED) != 0)
		return error_set(err, ERR_INTERNAL, "reading schema_migrations: %s",
				 mysql_error(m));
	MYSQL_RES *r = mysql_store_result(m);
	int rows = r ? (int)mysql_num_rows(r) : 0;
	*sums = xcalloc((size_t)rows + 1, sizeof(char *));
	*versions = xcalloc((size_t)rows + 1, sizeof(int));
	MYSQL_ROW row;
	int i = 0;
	while (r && (row = mysql_fetch_row(r))) {
		(*versions)[i] = atoi(row[0]);
		(*sums)[i] = xstrdup(row[2]);
		i++;
	}
	*n = i;
	if (r)
		mysql_free_result(r);
	return 0;
}

int store_migrate(const struct store_config *cfg, const char *dir, FILE *progress, int *applied,
		  struct error *err)
{
	struct mfile *files = NULL;
	int nfiles = 0, napplied = 0, done = 0, rc;
	char **sums = NULL;
	int *versions = NULL;
	char *text = NULL;
	MYSQL *m = NULL;

	if (applied)
		*applied = 0;
	rc = list_files(dir, &files, &nfiles, err);
	if (rc)
		return rc;
	m = open_admin(cfg, err);
	if (!m) {
		rc = ERR_UNAVAILABLE;
		goto out;
	}
	/* One migrator at a time across every process sharing the database. */
	if (mysql_query(m, "SELECT GET_LOCK('portal_migrate', 60)") != 0) {
		rc = error_set(err, ERR_INTERNAL, "migration lock: %s", mysql_error(m));
		goto out;
	}
	mysql_free_result(mysql_store_result(m));
	if (mysql_query(m, SQL_CREATE) != 0) {
		rc = error_set(err, ERR_INTERNAL, "creating schema_migrations: %s", mysql_error(m));
		goto out;
	}
	rc = load_applied(m, &sums, &versions, &napplied, err);
	if (rc)
		goto out;

	for (int a = 0; a < napplied; a++) {
		int found = 0;
		for (int i = 0; i < nfiles; i++)
			found |= files[i].version == versions[a];
		if (!found) {
			rc = error_set(err, ERR_CONFLICT,
				       "migration %04d is applied but its file is missing from %s",
				       versions[a], dir);
			goto out;
		}
	}
	for (int i = 0; i < nfiles; i++) {
		size_t len;
		char hex[65];
		free(text);
		text = read_file(files[i].path, &len, err);
		if (!text) {
			rc = ERR_IO;
			goto out;
		}
		checksum_hex(text, len, hex);
		const char *have = NULL;
		for (int a = 0; a < napplied; a++)
			if (versions[a] == files[i].version)
				have = sums[a];
		if (have) {
			if (strcmp(have, hex) != 0) {
				rc = error_set(err, ERR_CONFLICT,
					       "migration %s was changed after it was applied "
					       "(checksum %.12s…, recorded %.12s…); add a new "
					       "migration instead",
					       files[i].name, hex, have);
				goto out;
			}
			continue;
		}
		if (progress)
			fprintf(progress, "migrate: applying %s\n", files[i].name);
		if (mysql_query(m, "START TRANSACTION") != 0 ||
		    (rc = run_script(m, text, len, files[i].name, err)) != 0) {
			if (!rc)
				rc = error_set(err, ERR_INTERNAL, "%s", mysql_error(m));
			mysql_rollback(m);
			goto out;
		}
		MYSQL_STMT *st = mysql_stmt_init(m);
		MYSQL_BIND b[3];
		memset(b, 0, sizeof(b));
		unsigned long nlen = (unsigned long)strlen(files[i].name), hlen = 64;
		b[0].buffer_type = MYSQL_TYPE_LONG;
		b[0].buffer = &files[i].version;
		b[1].buffer_type = MYSQL_TYPE_STRING;
		b[1].buffer = files[i].name;
		b[1].buffer_length = nlen;
		b[1].length = &nlen;
		b[2].buffer_type = MYSQL_TYPE_STRING;
		b[2].buffer = hex;
		b[2].buffer_length = hlen;
		b[2].length = &hlen;
		if (mysql_stmt_prepare(st, SQL_RECORD, sizeof(SQL_RECORD) - 1) != 0 ||
		    mysql_stmt_bind_param(st, b) != 0 || mysql_stmt_execute(st) != 0 ||
		    mysql_commit(m) != 0) {
			rc = error_set(err, ERR_INTERNAL, "recording %s: %s", files[i].name,
				       mysql_stmt_error(st));
			mysql_stmt_close(st);
			goto out;
		}
		mysql_stmt_close(st);
		done++;
	}
	if (progress)
		fprintf(progress, "migrate: %d applied now, %d files in all\n", done, nfiles);
	if (applied)
		*applied = done;
	rc = 0;
out:
	if (m) {
		if (mysql_query(m, "SELECT RELEASE_LOCK('portal_migrate')") == 0)
			mysql_free_result(mysql_store_result(m));
		mysql_close(m);
	}
	for (int a = 0; a < napplied; a++)
		free(sums[a]);
	free(sums);
	free(versions);
	free(text);
	free_files(files, nfiles);
	return rc;
}

int store_migrations_latest(const char *dir, int *version, struct error *err)
{
	struct mfile *files = NULL;
	int n = 0;
	int rc = list_files(dir, &files, &n, err);
	if (rc)
		return rc;
	*version = n ? files[n - 1].version : 0;
	free_files(files, n);
	return 0;
}

int store_migrations_applied(struct store_pool *pool, int *version, struct error *err)
{
	struct store_conn *c = store_acquire(pool, 1000, err);
	if (!c)
		return ERR_UNAVAILABLE;
	struct store_result *r = NULL;
	int rc = store_exec(c, SQL_MAX, NULL, 0, &r, err);
	if (rc == 0)
		*version = (int)store_cell_ll(r, 0, 0, 0);
	else if (rc == ERR_INTERNAL) /* table absent: nothing applied */
		*version = 0, rc = 0;
	store_result_free(r);
	store_release(c);
	return rc;
}
