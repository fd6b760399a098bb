/*
 * `portal --help` and `portal <command> --help` of the real binary (PORTAL_PORTAL_BIN): each
 * answers 0 without touching the database, names its options and the variables it reads, and
 * every PORTAL_* variable the code reads is documented by some command's help.
 */
#define _GNU_SOURCE
#include <criterion/criterion.h>
#include <criterion/parameterized.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "lib/xalloc.h"

/* Runs the binary with args (a shell-safe string); its stdout and exit status. */
static char *run(const char *args, int *status)
{
	const char *bin = getenv("PORTAL_PORTAL_BIN");
	cr_assert(bin && access(bin, X_OK) == 0,
		  "PORTAL_PORTAL_BIN must name the built portal binary (scripts/test sets it)");
	/* an unreachable database: help must not need one */
	char *cmd = xasprintf("PORTAL_DB=mariadb://nobody@127.0.0.1:1/none '%s' %s 2>/dev/null",
			      bin, args);
	FILE *p = popen(cmd, "r");
	cr_assert(p);
	char *out = NULL;
	size_t len = 0;
	FILE *m = open_memstream(&out, &len);
	char buf[4096];
	size_t n;
	while ((n = fread(buf, 1, sizeof(buf), p)) > 0)
		fwrite(buf, 1, n, m);
	fclose(m);
	int rc = pclose(p);
	*status = WIFEXITED(rc) ? WEXITSTATUS(rc) : -1;
	free(cmd);
	return out;
}

struct help_case {
	char args[48];
	char must[6][32]; /* each must appear in the output */
};

ParameterizedTestParameters(cli, help)
{
	static struct help_case cases[] = {
		{ "--help", { "serve", "migrate", "dispatch", "seed-demo", "admin", "PORTAL_DB" } },
		{ "help", { "usage: portal", "version", "audit" } },
		{ "serve --help", { "SIGTERM", "PORTAL_LISTEN", "PORTAL_DB_READ", "PORTAL_THREADS",
				    "PORTAL_OPENAPI", "PORTAL_DISPATCH_THREADS" } },
		{ "help serve", { "usage: portal serve", "PORTAL_MAX_UPLOAD" } },
		{ "migrate --help", { "usage: portal migrate", "PORTAL_MIGRATIONS", "PORTAL_DB" } },
		{ "dispatch --help", { "--once", "PORTAL_RETRY_SCHEDULE", "PORTAL_WEBHOOK_TIMEOUT",
				       "PORTAL_DISPATCH_LEASE", "PORTAL_DISPATCH_BATCH" } },
		{ "seed-demo --help", { "demo-password-1", "PORTAL_DB", "terminal" } },
		{ "admin --help", { "create-office-user", "audit-verify", "rotate-signing-key",
				    "PORTAL_ADMIN_PASSWORD" } },
		{ "admin create-office-user --help", { "--email", "PORTAL_ADMIN_PASSWORD" } },
		{ "admin audit-verify --help", { "hash chain", "PORTAL_DB" } },
		{ "audit verify --help", { "hash chain" } },
		{ "help admin rotate-signing-key", { "Ed25519", "PORTAL_SIGNING_KEY" } },
		{ "version --help", { "usage: portal version" } },
	};
	return cr_make_param_array(struct help_case, cases, sizeof(cases) / sizeof(cases[0]));
}

ParameterizedTest(struct help_case *c, cli, help, .timeout = 20)
{
	int status;
	char *out = run(c->args, &status);
	cr_assert_eq(status, 0, "portal %s exited %d", c->args, status);
	for (int i = 0; i < 6 && c->must[i][0]; i++)
		cr_assert(strstr(out, c->must[i]), "portal %s does not mention %s:\n%s", c->args,
			  c->must[i], out);
	free(out);
}

Test(cli, unknown_command_fails_with_usage)
{
	int status;
	char *out = run("frobnicate", &status);
	cr_assert_eq(status, 2);
	free(out);
	out = run("help frobnicate", &status);
	cr_assert_eq(status, 2);
	free(out);
}

/* Adds every "PORTAL_NAME" string literal of the .c files in dir to names (newline-joined). */
static void scan_dir(const char *dir, FILE *names)
{
	DIR *d = opendir(dir);
	cr_assert(d, "%s", dir);
	struct dirent *e;
	while ((e = readdir(d))) {
		size_t n = strlen(e->d_name);
		if (n < 3 || strcmp(e->d_name + n - 2, ".c") != 0)
			continue;
		char *path = xasprintf("%s/%s", dir, e->d_name);
		FILE *f = fopen(path, "r");
		char line[1024];
		while (f && fgets(line, sizeof(line), f))
			for (char *p = line; (p = strstr(p, "\"PORTAL_"));) {
				size_t len = strspn(p + 1, "ABCDEFGHIJKLMNOPQRSTUVWXYZ_");
				if (p[1 + len] == '"' || p[1 + len] == ' ')
					fprintf(names, "%.*s\n", (int)len, p + 1);
				p += 1 + len;
			}
		if (f)
			fclose(f);
		free(path);
	}
	closedir(d);
}

Test(cli, every_variable_the_code_reads_is_documented, .timeout = 30)
{
	char *list = NULL;
	size_t len = 0;
	FILE *names = open_memstream(&list, &len);
	static const char *const dirs[] = { "portal", "integrations", "store", "workflows" };
	for (size_t i = 0; i < sizeof(dirs) / sizeof(dirs[0]); i++) {
		char *d = xasprintf("%s/%s", PORTAL_SOURCE_DIR, dirs[i]);
		scan_dir(d, names);
		free(d);
	}
	fclose(names);
	static const char *const commands[] = { "--help", "serve --help", "dispatch --help",
						"seed-demo --help", "admin --help",
						"admin create-office-user --help" };
	char *all = xstrdup("");
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++) {
		int status;
		char *out = run(commands[i], &status);
		char *joined = xasprintf("%s%s", all, out);
		free(all);
		free(out);
		all = joined;
	}
	int checked = 0;
	for (char *save = NULL, *name = strtok_r(list, "\n", &save); name;
	     name = strtok_r(NULL, "\n", &save)) {
		checked++;
		cr_assert(strstr(all, name), "%s is read by the code but no --help mentions it", name);
	}
	cr_assert_gt(checked, 10, "the scan found too few variables");
	free(all);
	free(list);
}

/*
 * The README's configuration table: the rows' first cells, one or more `PORTAL_*` names each
 * ("`A` / `B`"), as one newline-separated list. The table is the one under "## Configuration".
 */
static char *readme_table_names(void)
{
	char *path = xasprintf("%s/README.md", PORTAL_SOURCE_DIR);
	FILE *f = fopen(path, "r");
	cr_assert(f, "%s", path);
	free(path);
	char *out = NULL;
	size_t len = 0;
	FILE *names = open_memstream(&out, &len);
	char line[2048];
	bool in_section = false;
	while (fgets(line, sizeof(line), f)) {
		if (!strncmp(line, "## ", 3))
			in_section = !strncmp(line, "## Configuration", 16);
		if (!in_section || line[0] != '|')
			continue;
		char *end = strchr(line + 1, '|'); /* the first cell only */
		if (end)
			*end = '\0';
		for (char *p = line; (p = strstr(p, "`PORTAL_"));) {
			size_t n = strspn(p + 1, "ABCDEFGHIJKLMNOPQRSTUVWXYZ_");
			fprintf(names, "%.*s\n", (int)n, p + 1);
			p += 1 + n;
		}
	}
	fclose(f);
	fclose(names);
	return out;
}

/* Whether name is a whole line of list. */
static bool listed_line(const char *list, const char *name)
{
	size_t n = strlen(name);
	for (const char *p = list; (p = strstr(p, name)); p += n)
		if ((p == list || p[-1] == '\n') && p[n] == '\n')
			return true;
	return false;
}

Test(cli, every_variable_of_the_help_is_in_the_readme_table, .timeout = 30)
{
	char *table = readme_table_names();
	cr_assert(listed_line(table, "PORTAL_DB"), "the README's table was not found");
	static const char *const commands[] = { "--help", "serve --help", "dispatch --help",
						"seed-demo --help", "admin --help",
						"admin create-office-user --help" };
	int checked = 0;
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++) {
		int status;
		char *out = run(commands[i], &status);
		for (char *p = out; (p = strstr(p, "PORTAL_"));) {
			size_t n = strspn(p, "ABCDEFGHIJKLMNOPQRSTUVWXYZ_");
			char *name = xstrndup(p, n);
			bool variable = n > 7 && name[n - 1] != '_';
			if (variable) {
				checked++;
				cr_expect(listed_line(table, name),
					  "%s is in `portal %s` but not in the README's configuration "
					  "table",
					  name, commands[i]);
			}
			free(name);
			p += n;
		}
		free(out);
	}
	cr_assert_gt(checked, 20, "the help named too few variables");
	free(table);
}

/* A setting the HTTP server refuses is named when `portal serve` stops at start. */
Test(cli, serve_names_a_bad_setting, .timeout = 30)
{
	const char *bin = getenv("PORTAL_PORTAL_BIN");
	cr_assert(bin, "PORTAL_PORTAL_BIN must name the built portal binary");
	char *cmd = xasprintf("PORTAL_RATE_PUBLIC=bogus PORTAL_DB=mariadb://nobody@127.0.0.1:1/none "
			      "PORTAL_LISTEN=127.0.0.1:0 PORTAL_DATA_DIR=%s/cli-bad-setting "
			      "timeout 20 '%s' serve 2>&1",
			      getenv("PORTAL_TEST_TMP") ? getenv("PORTAL_TEST_TMP") : "/tmp", bin);
	FILE *p = popen(cmd, "r");
	cr_assert(p);
	char buf[8192];
	size_t n = fread(buf, 1, sizeof(buf) - 1, p);
	buf[n] = '\0';
	int rc = pclose(p);
	cr_expect(WIFEXITED(rc) && WEXITSTATUS(rc) == 1, "serve exits 1: %d", rc);
	cr_expect(strstr(buf, "PORTAL_RATE_PUBLIC"), "the setting is named: %s", buf);
	free(cmd);
}
