/*
 * Tests for integrations/elicence.c: the GB 32100-2015 check character, the offline mode, and
 * the client against a local stand-in for the government licence system (libmicrohttpd).
 */
#include <criterion/criterion.h>
#include <criterion/parameterized.h>

#include <arpa/inet.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "integrations/elicence.h"

/* Parameters are row numbers into static tables: pointers would dangle in the test process. */
#define ROW_PARAMS(table)                                                                          \
	do {                                                                                       \
		static size_t rows[sizeof(table) / sizeof(table[0])];                              \
		for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++)                        \
			rows[i] = i;                                                               \
		return cr_make_param_array(size_t, rows, sizeof(rows) / sizeof(rows[0]));          \
	} while (0)

/* ---- the check character ---- */

/* Published codes of real enterprises (their business licences show them). */
static const char *const valid_codes[] = {
    "91350100M000100Y43", "914403001922038216", "9144030071526726XG",
    "91330100799655058B", "91110108551385082Q",
};

ParameterizedTestParameters(elicence, valid_codes)
{
	ROW_PARAMS(valid_codes);
}
ParameterizedTest(size_t *row, elicence, valid_codes)
{
	const char *code = valid_codes[*row];
	cr_expect(elicence_uscc_valid(code), "%s should be valid", code);
	cr_expect_eq(elicence_uscc_check_char(code), code[17], "%s", code);
}

static const struct {
	const char *code;
	const char *why;
} invalid_codes[] = {
    {"91350100M000100Y44", "wrong check character"},
    {"91350100M000100Y4", "17 characters"},
    {"91350100M000100Y433", "19 characters"},
    {"91350100m000100Y43", "lower-case letter"},
    {"91350100I000100Y43", "I is not in the alphabet"},
    {"91350100O000100Y43", "O is not in the alphabet"},
    {"91350100S000100Y43", "S is not in the alphabet"},
    {"91350100V000100Y43", "V is not in the alphabet"},
    {"91350100Z000100Y43", "Z is not in the alphabet"},
    {"91350100M000100Y4Z", "Z as check character"},
    {"914403001922038215", "a real code with its last digit changed"},
    {"", "empty"},
    {"91350100-000100Y43", "punctuation"},
};

ParameterizedTestParameters(elicence, invalid_codes)
{
	ROW_PARAMS(invalid_codes);
}
ParameterizedTest(size_t *row, elicence, invalid_codes)
{
	cr_expect(!elicence_uscc_valid(invalid_codes[*row].code), "%s (%s) must be refused",
		  invalid_codes[*row].code, invalid_codes[*row].why);
}

Test(elicence, check_char_is_zero_outside_the_alphabet)
{
	cr_expect_eq(elicence_uscc_check_char("9135010OM000100Y4"), 0);
	/* a sum divisible by 31 gives '0', not the 32nd character */
	cr_expect_eq(elicence_uscc_check_char("00000000000000000"), '0');
}

/* ---- offline mode ---- */

Test(elicence, offline_accepts_a_well_formed_code_as_unverified)
{
	struct elicence_config cfg = {NULL, 0};
	struct elicence_info info;
	struct error err = ERROR_INIT;
	cr_assert_eq(elicence_lookup(&cfg, "91350100M000100Y43", &info, &err), 0, "%s",
		     err.message);
	cr_expect_str_eq(info.holder, ELICENCE_OFFLINE_HOLDER);
	cr_expect_str_eq(info.status, "valid");
	cr_expect_str_eq(info.valid_to, "");
	cr_expect(!info.verified);
	error_release(&err);
}

Test(elicence, offline_refuses_a_bad_check_character_with_a_detail)
{
	struct elicence_config cfg = {"", 0};
	struct elicence_info info;
	struct error err = ERROR_INIT;
	cr_assert_eq(elicence_lookup(&cfg, "91350100M000100Y44", &info, &err), ERR_INVALID);
	cr_assert_eq(err.ndetails, 1);
	cr_expect_str_eq(err.details[0].field, "elicence_no");
	cr_expect_str_eq(err.details[0].code, "unknown");
	error_release(&err);
}

Test(elicence, overlong_and_empty_numbers_are_refused_before_any_lookup)
{
	struct elicence_config cfg = {"http://127.0.0.1:1", 100};
	struct elicence_info info;
	char longno[ELICENCE_NUMBER_MAX + 2];
	memset(longno, '1', sizeof(longno) - 1);
	longno[sizeof(longno) - 1] = 0;
	const char *numbers[] = {"", longno, NULL};
	for (int i = 0; i < 3; i++) {
		struct error err = ERROR_INIT;
		cr_expect_eq(elicence_lookup(&cfg, numbers[i], &info, &err), ERR_INVALID, "row %d",
			     i);
		cr_expect_eq(err.ndetails, 1, "row %d", i);
		error_release(&err);
	}
}

Test(elicence, config_comes_from_the_environment)
{
	struct elicence_config cfg;
	unsetenv("PORTAL_ELICENCE_URL");
	elicence_config_from_env(&cfg);
	cr_expect_null(cfg.url);
	cr_expect_eq(cfg.timeout_ms, 5000);
	setenv("PORTAL_ELICENCE_URL", "http://gov.example/licences", 1);
	elicence_config_from_env(&cfg);
	cr_expect_str_eq(cfg.url, "http://gov.example/licences");
}

/* ---- against a local stand-in for the government system ---- */

static struct MHD_Daemon *gov;
static unsigned gov_port;
static char last_path[256];

static enum MHD_Result answer(struct MHD_Connection *c, unsigned status, const char *body)
{
	struct MHD_Response *r =
	    MHD_create_response_from_buffer(strlen(body), (void *)body, MHD_RESPMEM_MUST_COPY);
	MHD_add_response_header(r, "Content-Type", "application/json");
	if (status == 302)
		MHD_add_response_header(r, "Location", "/lic/91350100M000100Y43");
	enum MHD_Result ok = MHD_queue_response(c, status, r);
	MHD_destroy_response(r);
	return ok;
}

/* GET /lic/<number>: a few numbers with scripted answers; anything else is unknown (404). */
static enum MHD_Result gov_handler(void *cls, struct MHD_Connection *c, const char *url,
				   const char *method, const char *version, const char *data,
				   size_t *data_size, void **state)
{
	(void)cls, (void)version, (void)data, (void)data_size, (void)state;
	snprintf(last_path, sizeof(last_path), "%s", url);
	if (strcmp(method, "GET") != 0 || strncmp(url, "/lic/", 5) != 0)
		return answer(c, 405, "{}");
	const char *no = url + 5;
	if (!strcmp(no, "91350100M000100Y43"))
		return answer(c, 200,
			      "{\"number\":\"91350100M000100Y43\",\"holder\":\"Fuzhou "
			      "Example Construction Co., Ltd.\",\"valid_to\":\"2031-06-30\","
			      "\"status\":\"valid\"}");
	if (!strcmp(no, "914403001922038216"))
		return answer(c, 200,
			      "{\"number\":\"914403001922038216\",\"holder\":\"Revoked "
			      "Co.\",\"valid_to\":\"2030-01-01\",\"status\":\"revoked\"}");
	if (!strcmp(no, "BADJSON"))
		return answer(c, 200, "<html>maintenance</html>");
	if (!strcmp(no, "BADDATE"))
		return answer(c, 200,
			      "{\"holder\":\"X\",\"valid_to\":\"2031-02-30\","
			      "\"status\":\"valid\"}");
	if (!strcmp(no, "BADSTATUS"))
		return answer(c, 200,
			      "{\"holder\":\"X\",\"valid_to\":\"2031-01-30\","
			      "\"status\":\"fine\"}");
	if (!strcmp(no, "OTHERNUMBER"))
		return answer(c, 200,
			      "{\"number\":\"SOMETHINGELSE\",\"holder\":\"X\","
			      "\"valid_to\":\"2031-01-30\",\"status\":\"valid\"}");
	if (!strcmp(no, "FAIL500"))
		return answer(c, 500, "{}");
	if (!strcmp(no, "MOVED"))
		return answer(c, 302, "{}");
	if (!strcmp(no, "SLOW")) {
		usleep(1500 * 1000);
		return answer(c, 200, "{}");
	}
	return answer(c, 404, "{\"error\":\"no such licence\"}");
}

static void gov_start(void)
{
	struct sockaddr_in addr = {.sin_family = AF_INET, .sin_port = 0};
	addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	gov = MHD_start_daemon(MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_THREAD_PER_CONNECTION, 0,
			       NULL, NULL, gov_handler, NULL, MHD_OPTION_SOCK_ADDR, &addr,
			       MHD_OPTION_END);
	cr_assert(gov, "cannot start the stand-in government server");
	const union MHD_DaemonInfo *info = MHD_get_daemon_info(gov, MHD_DAEMON_INFO_BIND_PORT);
	gov_port = info->port;
	cr_assert_gt(gov_port, 0);
}

static void gov_stop(void)
{
	if (gov)
		MHD_stop_daemon(gov);
	gov = NULL;
}

TestSuite(elicence_http, .init = gov_start, .fini = gov_stop);

static int lookup(const char *number, long timeout_ms, struct elicence_info *info,
		  struct error *err)
{
	char url[64];
	snprintf(url, sizeof(url), "http://127.0.0.1:%u/lic", gov_port);
	struct elicence_config cfg = {url, timeout_ms};
	return elicence_lookup(&cfg, number, info, err);
}

Test(elicence_http, a_known_licence_resolves_to_its_holder)
{
	struct elicence_info info;
	struct error err = ERROR_INIT;
	cr_assert_eq(lookup("91350100M000100Y43", 0, &info, &err), 0, "%s", err.message);
	cr_expect_str_eq(info.holder, "Fuzhou Example Construction Co., Ltd.");
	cr_expect_str_eq(info.valid_to, "2031-06-30");
	cr_expect_str_eq(info.status, "valid");
	cr_expect(info.verified);
	cr_expect_str_eq(last_path, "/lic/91350100M000100Y43");
}

Test(elicence_http, a_revoked_licence_is_reported_not_refused)
{
	struct elicence_info info;
	struct error err = ERROR_INIT;
	cr_assert_eq(lookup("914403001922038216", 0, &info, &err), 0, "%s", err.message);
	cr_expect_str_eq(info.status, "revoked");
}

Test(elicence_http, an_unknown_number_is_a_validation_detail)
{
	struct elicence_info info;
	struct error err = ERROR_INIT;
	/* online, the format check is the government's business: any number is asked about */
	static const char number[] = "鲁(2023)济南市 不动产权第0001号";
	cr_assert_eq(lookup(number, 0, &info, &err), ERR_INVALID);
	cr_assert_eq(err.ndetails, 1);
	cr_expect_str_eq(err.details[0].field, "elicence_no");
	cr_expect_str_eq(err.details[0].code, "unknown");
	/* percent-encoded on the way (a raw space would break the request line), intact on arrival
	 */
	cr_expect_str_eq(last_path, "/lic/鲁(2023)济南市 不动产权第0001号");
	error_release(&err);
}

static const struct {
	const char *number;
	const char *why;
} unavailable[] = {
    {"FAIL500", "server error"},
    {"MOVED", "redirects are not followed"},
    {"BADJSON", "a reply that is not JSON"},
    {"BADDATE", "an impossible valid_to"},
    {"BADSTATUS", "an unknown status"},
    {"OTHERNUMBER", "a reply about another licence"},
    {"SLOW", "slower than the timeout"},
};

ParameterizedTestParameters(elicence_http, unavailable)
{
	ROW_PARAMS(unavailable);
}
ParameterizedTest(size_t *row, elicence_http, unavailable, .init = gov_start, .fini = gov_stop)
{
	struct elicence_info info;
	struct error err = ERROR_INIT;
	cr_expect_eq(lookup(unavailable[*row].number, 300, &info, &err), ERR_UNAVAILABLE, "%s: %s",
		     unavailable[*row].why, err.message);
	cr_expect(strstr(err.message, "licence service"), "a clear message: %s", err.message);
	error_release(&err);
}

Test(elicence_http, an_endpoint_that_is_down_is_unavailable)
{
	unsigned port = gov_port;
	gov_stop(); /* nothing listens on the port any more */
	char url[64];
	snprintf(url, sizeof(url), "http://127.0.0.1:%u/lic", port);
	struct elicence_config cfg = {url, 1000};
	struct elicence_info info;
	struct error err = ERROR_INIT;
	cr_assert_eq(elicence_lookup(&cfg, "91350100M000100Y43", &info, &err), ERR_UNAVAILABLE);
	cr_expect(strstr(err.message, "unreachable"), "%s", err.message);
	error_release(&err);
}
