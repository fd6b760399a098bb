/* The published decision code lists: membership checks and the JSON both ways. */
#include "codes.h"

#include <stdio.h>
#include <string.h>

#include "lib/strbuf.h"
#include "lib/xalloc.h"

static const char *const list_names[CODES_NLISTS] = {
	[CODES_RETURN_ITEM] = "return_item",
	[CODES_REJECT_REASON] = "reject_reason",
	[CODES_CONDITION] = "condition",
	[CODES_POST_CHECK_RESULT] = "post_check_result",
	[CODES_POINT_CHANGE] = "point_change",
};

const char *codes_list_name(enum code_list_kind list)
{
	return list >= 0 && list < CODES_NLISTS ? list_names[list] : "unknown";
}

int codes_list_parse(const char *s, enum code_list_kind *out)
{
	for (int i = 0; s && i < CODES_NLISTS; i++)
		if (!strcmp(s, list_names[i])) {
			*out = (enum code_list_kind)i;
			return 0;
		}
	return ERR_INVALID;
}

void codes_add(struct code_lists *cl, enum code_list_kind list, const char *code,
	       const char *name_zh, const char *name_en)
{
	cl->entries = xrealloc(cl->entries, (cl->n + 1) * sizeof(*cl->entries));
	cl->entries[cl->n++] = (struct code_entry){ list, xstrdup(code), xstrdup(name_zh),
						     xstrdup(name_en) };
}

void codes_release(struct code_lists *cl)
{
	if (!cl)
		return;
	for (size_t i = 0; i < cl->n; i++) {
		free(cl->entries[i].code);
		free(cl->entries[i].name_zh);
		free(cl->entries[i].name_en);
	}
	free(cl->entries);
	*cl = (struct code_lists){ 0 };
}

bool codes_has(const struct code_lists *cl, enum code_list_kind list, const char *code)
{
	for (size_t i = 0; cl && code && i < cl->n; i++)
		if (cl->entries[i].list == list && !strcmp(cl->entries[i].code, code))
			return true;
	return false;
}

bool codes_check(const struct code_lists *cl, enum code_list_kind list, const char *field,
		 const char *code, struct error *err)
{
	if (!cl || !code || !*code || codes_has(cl, list, code))
		return true;
	struct strbuf allowed = { 0 };
	for (size_t i = 0; i < cl->n; i++) {
		if (cl->entries[i].list != list)
			continue;
		strbuf_printf(&allowed, "%s%s", allowed.len ? ", " : "", cl->entries[i].code);
	}
	error_add(err, field, "unknown_code",
		  "unknown %s code '%.64s' (code list version %d); allowed: %s",
		  codes_list_name(list), code, cl->version, allowed.p ? allowed.p : "(none)");
	free(allowed.p);
	return false;
}

static bool code_ok(const char *s)
{
	size_t n = strlen(s);
	if (n == 0 || n > CODES_MAX_CODE)
		return false;
	for (size_t i = 0; i < n; i++)
		if (!((s[i] >= 'A' && s[i] <= 'Z') || (s[i] >= '0' && s[i] <= '9') || s[i] == '_'))
			return false;
	return true;
}

static void check_name(const json_t *e, const char *key, const char *at, struct error *err)
{
	const json_t *v = json_object_get(e, key);
	if (!json_is_string(v) || json_string_length(v) == 0 ||
	    json_string_length(v) > CODES_MAX_NAME)
		error_add(err, at, "invalid", "%s is text of 1 to %d characters", key,
			  CODES_MAX_NAME);
}

static void read_list(const json_t *arr, enum code_list_kind list, struct code_lists *out,
		      struct error *err)
{
	const char *name = list_names[list];
	if (!json_is_array(arr) || json_array_size(arr) == 0 ||
	    json_array_size(arr) > CODES_MAX_ENTRIES) {
		error_add(err, name, "required", "%s is a list of 1 to %d {code, name_zh, name_en}",
			  name, CODES_MAX_ENTRIES);
		return;
	}
	for (size_t i = 0; i < json_array_size(arr); i++) {
		const json_t *e = json_array_get(arr, i);
		char at[96];
		size_t before = err->ndetails;
		const char *code = json_string_value(json_object_get(e, "code"));
		snprintf(at, sizeof(at), "%s[%zu].code", name, i);
		if (!json_is_object(e) || json_object_size(e) != 3) {
			snprintf(at, sizeof(at), "%s[%zu]", name, i);
			error_add(err, at, "invalid", "each entry is exactly {code, name_zh, name_en}");
			continue;
		}
		if (!code || !code_ok(code))
			error_add(err, at, "invalid", "a code is 1 to %d of A-Z, 0-9 and _",
				  CODES_MAX_CODE);
		else if (codes_has(out, list, code))
			error_add(err, at, "duplicate", "%s appears twice in %s", code, name);
		snprintf(at, sizeof(at), "%s[%zu].name_zh", name, i);
		check_name(e, "name_zh", at, err);
		snprintf(at, sizeof(at), "%s[%zu].name_en", name, i);
		check_name(e, "name_en", at, err);
		if (err->ndetails == before)
			codes_add(out, list, code, json_string_value(json_object_get(e, "name_zh")),
				  json_string_value(json_object_get(e, "name_en")));
	}
}

int codes_from_json(const json_t *j, struct code_lists *out, struct error *err)
{
	struct error local = ERROR_INIT;
	struct error *e = err ? err : &local;
	size_t before = e->ndetails;
	*out = (struct code_lists){ 0 };
	if (!json_is_object(j)) {
		error_add(e, "", "wrong_type", "the code lists are an object of lists");
	} else {
		const char *key;
		const json_t *v;
		json_object_foreach((json_t *)j, key, v)
		{
			enum code_list_kind k;
			if (codes_list_parse(key, &k) != 0)
				error_add(e, key, "unknown_field",
					  "unknown list '%.60s' (return_item, reject_reason, "
					  "condition, post_check_result, point_change)", key);
		}
		for (int l = 0; l < CODES_NLISTS; l++)
			if (l != CODES_POINT_CHANGE || json_object_get(j, list_names[l]))
				read_list(json_object_get(j, list_names[l]), (enum code_list_kind)l, out, e);
	}
	size_t n = e->ndetails - before;
	error_release(&local);
	if (!n)
		return 0;
	codes_release(out);
	return error_set(err, ERR_INVALID, "the code lists have %zu problem(s); all are listed", n);
}

json_t *codes_to_json(const struct code_lists *cl)
{
	json_t *j = json_pack("{s:i}", "version", cl->version);
	if (cl->published_at[0])
		json_object_set_new(j, "published_at", json_string(cl->published_at));
	for (int l = 0; l < CODES_NLISTS; l++)
		json_object_set_new(j, list_names[l], json_array());
	for (size_t i = 0; i < cl->n; i++) {
		const struct code_entry *c = &cl->entries[i];
		json_array_append_new(json_object_get(j, list_names[c->list]),
				      json_pack("{s:s, s:s, s:s}", "code", c->code, "name_zh",
						c->name_zh, "name_en", c->name_en));
	}
	return j;
}

void codes_carry_over(struct code_lists *next, const struct code_lists *from,
		      enum code_list_kind list)
{
	for (size_t i = 0; next && i < next->n; i++)
		if (next->entries[i].list == list)
			return;
	for (size_t i = 0; from && i < from->n; i++)
		if (from->entries[i].list == list)
			codes_add(next, list, from->entries[i].code, from->entries[i].name_zh,
				  from->entries[i].name_en);
}
