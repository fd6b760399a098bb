/*
 * The published decision code lists (DESIGN.md §5, UK lesson: coded reasons and conditions): what
 * a return item, a refusal or revocation reason and an approval condition may say. Versioned data
 * the office publishes; the version in force is the highest. Checks run from memory.
 */
#ifndef WORKFLOWS_CODES_H
#define WORKFLOWS_CODES_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#include "lib/error.h"

/* The lists a transition's codes come from. */
enum code_list_kind {
	CODES_RETURN_ITEM,
	CODES_REJECT_REASON,
	CODES_CONDITION,
	CODES_POST_CHECK_RESULT, /* what a failed post-check found (issue #21) */
	CODES_POINT_CHANGE,	 /* why a connection point agreed at guidance changed (issue #20) */
	CODES_NLISTS
};

#define CODES_MAX_CODE 64
#define CODES_MAX_NAME 200
#define CODES_MAX_ENTRIES 500

/* One code of one list. */
struct code_entry {
	enum code_list_kind list;
	char *code, *name_zh, *name_en;
};

/* One version of the code lists. Owns its entries (codes_release). */
struct code_lists {
	int version; /* 0: none loaded */
	char published_at[21];
	struct code_entry *entries; /* in list order, then as published */
	size_t n;
};

/* The list's published name ("return_item", "reject_reason", "condition",
 * "post_check_result", "point_change"). Static. */
const char *codes_list_name(enum code_list_kind list);

/* Parses a list name; 0 or ERR_INVALID. */
int codes_list_parse(const char *s, enum code_list_kind *out);

/* Appends one entry (strings copied). Cannot fail (aborts on OOM). */
void codes_add(struct code_lists *cl, enum code_list_kind list, const char *code,
	       const char *name_zh, const char *name_en);

/* Frees the entries; cl is empty and reusable. Safe on NULL. */
void codes_release(struct code_lists *cl);

/* Whether code is in list. */
bool codes_has(const struct code_lists *cl, enum code_list_kind list, const char *code);

/*
 * Adds one detail to err (field, "unknown_code", naming the code and every allowed one) when a
 * non-empty code is not in list; an empty or NULL code is left to the caller's "required" check.
 * Returns whether the code was accepted. cl NULL accepts everything (no list to check against).
 */
bool codes_check(const struct code_lists *cl, enum code_list_kind list, const char *field,
		 const char *code, struct error *err);

/*
 * Reads a new version from {"return_item": [{code, name_zh, name_en}], "reject_reason": [...],
 * "condition": [...], "point_change"?: [...]} into *out (version 0). Every list but point_change
 * must be present and non-empty (point_change, when absent, is carried over from the version in
 * force by codes_carry_over), codes are
 * A-Z, 0-9 and _ (at most 64), unique per list, names non-empty text of at most 200 characters.
 * Returns 0, or ERR_INVALID with every problem listed (out is then empty).
 */
int codes_from_json(const json_t *j, struct code_lists *out, struct error *err);

/*
 * Copies into next every entry of `from`'s list that next lacks altogether (a version that did
 * not name a list keeps the one in force). Cannot fail.
 */
void codes_carry_over(struct code_lists *next, const struct code_lists *from,
		      enum code_list_kind list);

/* The lists as {"version", "published_at", "return_item": [...], ...}. New reference. */
json_t *codes_to_json(const struct code_lists *cl);

#endif
