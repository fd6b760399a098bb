/* Electronic licence lookup against the government endpoint, or an offline format check. */
#define _GNU_SOURCE
#include "elicence.h"

#include <curl/curl.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "workflows/calendar.h"
#include "lib/xalloc.h"

#define DEFAULT_TIMEOUT_MS 5000
#define MAX_REPLY (64 * 1024)

/* GB 32100-2015: the 31-character alphabet and the weights 3^(i) mod 31 of positions 1..17. */
static const char uscc_alphabet[] = "0123456789ABCDEFGHJKLMNPQRTUWXY";
static const int uscc_weights[17] = {1,	 3,  9,	 27, 19, 26, 16, 17, 20,
				     29, 25, 13, 8,  24, 10, 30, 28};

static int uscc_value(char c)
{
	const char *p = c ? strchr(uscc_alphabet, c) : NULL;
	return p ? (int)(p - uscc_alphabet) : -1;
}

char elicence_uscc_check_char(const char *first17)
{
	int sum = 0;
	for (int i = 0; i < 17; i++) {
		int v = uscc_value(first17[i]);
		if (v < 0)
			return 0;
		sum += v * uscc_weights[i];
	}
	int check = (31 - sum % 31) % 31;
	return uscc_alphabet[check];
}

bool elicence_uscc_valid(const char *code)
{
	if (!code || strlen(code) != 18)
		return false;
	char want = elicence_uscc_check_char(code);
	return want && code[17] == want;
}

void elicence_config_from_env(struct elicence_config *cfg)
{
	const char *url = getenv("PORTAL_ELICENCE_URL");
	cfg->url = url && *url ? url : NULL;
	cfg->timeout_ms = DEFAULT_TIMEOUT_MS;
}

static int unknown(struct error *err, const char *number, const char *why)
{
	error_add(err, "elicence_no", "unknown", "licence %s %s", number, why);
	return error_set(err, ERR_INVALID, "the electronic licence could not be found");
}

static int offline(const char *number, struct elicence_info *out, struct error *err)
{
	if (!elicence_uscc_valid(number))
		return unknown(err, number,
			       "is not a valid unified social credit code (18 characters, "
			       "check character per GB 32100-2015)");
	snprintf(out->number, sizeof(out->number), "%s", number);
	snprintf(out->holder, sizeof(out->holder), "%s", ELICENCE_OFFLINE_HOLDER);
	out->valid_to[0] = 0;
	snprintf(out->status, sizeof(out->status), "valid");
	out->verified = false;
	return 0;
}

struct sink {
	char *data;
	size_t len;
};

static size_t collect(char *p, size_t size, size_t n, void *ud)
{
	struct sink *s = ud;
	size_t add = size * n;
	if (s->len + add > MAX_REPLY)
		return 0; /* aborts the transfer: a licence record is never this large */
	s->data = xrealloc(s->data, s->len + add + 1);
	memcpy(s->data + s->len, p, add);
	s->len += add;
	s->data[s->len] = 0;
	return add;
}

/* Reads the 200 reply into out; ERR_UNAVAILABLE when it is not the documented shape. */
static int parse_reply(const char *body, size_t len, const char *number, struct elicence_info *out,
		       struct error *err)
{
	json_t *j = json_loadb(body ? body : "", len, 0, NULL);
	const char *holder = json_string_value(json_object_get(j, "holder"));
	const char *valid_to = json_string_value(json_object_get(j, "valid_to"));
	const char *status = json_string_value(json_object_get(j, "status"));
	const char *num = json_string_value(json_object_get(j, "number"));
	day_t day;
	int rc = 0;
	if (!holder || !valid_to || !status || cal_day_parse(valid_to, &day, NULL) != 0 ||
	    (strcmp(status, "valid") && strcmp(status, "revoked") && strcmp(status, "expired")) ||
	    (num && strcmp(num, number) != 0)) {
		rc = error_set(err, ERR_UNAVAILABLE,
			       "the electronic licence service answered in an unexpected form; "
			       "try again later");
	} else {
		snprintf(out->number, sizeof(out->number), "%s", number);
		snprintf(out->holder, sizeof(out->holder), "%s", holder);
		snprintf(out->valid_to, sizeof(out->valid_to), "%s", valid_to);
		snprintf(out->status, sizeof(out->status), "%s", status);
		out->verified = true;
	}
	json_decref(j);
	return rc;
}

static int online(const struct elicence_config *cfg, const char *number, struct elicence_info *out,
		  struct error *err)
{
	CURL *c = curl_easy_init();
	if (!c)
		return error_set(err, ERR_UNAVAILABLE,
				 "cannot reach the electronic licence service");
	char *escaped = curl_easy_escape(c, number, 0);
	size_t ulen = strlen(cfg->url);
	const char *sep = ulen && cfg->url[ulen - 1] == '/' ? "" : "/";
	char *url = xasprintf("%s%s%s", cfg->url, sep, escaped);
	struct sink body = {0};
	long timeout = cfg->timeout_ms > 0 ? cfg->timeout_ms : DEFAULT_TIMEOUT_MS;
	struct curl_slist *headers = curl_slist_append(NULL, "Accept: application/json");
	curl_easy_setopt(c, CURLOPT_URL, url);
	curl_easy_setopt(c, CURLOPT_HTTPHEADER, headers);
	curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 0L);
	curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, timeout);
	curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS, timeout);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, collect);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, &body);
	CURLcode cc = curl_easy_perform(c);
	long status = 0;
	curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
	int rc;
	if (cc != CURLE_OK)
		rc =
		    error_set(err, ERR_UNAVAILABLE,
			      "the electronic licence service is unreachable (%s); try again later",
			      curl_easy_strerror(cc));
	else if (status == 404)
		rc = unknown(err, number, "is not known to the electronic licence service");
	else if (status != 200)
		rc = error_set(err, ERR_UNAVAILABLE,
			       "the electronic licence service answered %ld; try again later",
			       status);
	else
		rc = parse_reply(body.data, body.len, number, out, err);
	free(body.data);
	free(url);
	curl_free(escaped);
	curl_slist_free_all(headers);
	curl_easy_cleanup(c);
	return rc;
}

int elicence_lookup(const struct elicence_config *cfg, const char *number,
		    struct elicence_info *out, struct error *err)
{
	memset(out, 0, sizeof(*out));
	if (!number || !*number || strlen(number) > ELICENCE_NUMBER_MAX) {
		error_add(err, "elicence_no", "invalid", "a licence number has 1 to %d characters",
			  ELICENCE_NUMBER_MAX);
		return error_set(err, ERR_INVALID, "bad licence number");
	}
	if (!cfg || !cfg->url || !*cfg->url)
		return offline(number, out, err);
	return online(cfg, number, out, err);
}
