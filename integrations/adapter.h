/* The adapter interface every utility and authority kind implements, and their registry. */
#ifndef INTEGRATIONS_ADAPTER_H
#define INTEGRATIONS_ADAPTER_H

#include <stdbool.h>
#include <stddef.h>

#include <jansson.h>

#include "lib/error.h"

/*
 * Outbound: the portal's outbox event is a small versioned envelope with a snapshot of the
 * job or permit:
 *   {"type": "job.created" | "job.<action>" | "permit.created" | "permit.<action>" ...,
 *    "version": 1, "sequence": N, "occurred_at": "RFC 3339",
 *    "object": {"reference": "HK-2026-000123-W", "kind": "water", "state": "submitted",
 *               "due_date": "YYYY-MM-DD" (optional), "fast_track": bool (permits),
 *               "application": {"reference": "...",
 *                               "site": {"address", "district", "lat", "lng"}},
 *               "params": {technical parameters of a utility job},
 *               "works": {what a permit covers}}}
 * build_payload maps it to what the party needs:
 *   {"type", "version", "sequence", "occurred_at",
 *    "data": {"reference", "kind", "state", "due_date"?, "application_reference",
 *             "site": {"address", "district", "lat", "lng"}, ...kind-specific fields}}
 * Kind-specific inputs (object.params.* for utilities, object.works.* for authorities):
 *   water     pipe_dn (int > 0), meter_count (int > 0), meter_use (string)
 *   power     capacity_kw (> 0), voltage_level (string)
 *   gas       flow_m3h (> 0), pressure_class (string)
 *   heat      heat_load_kw (> 0), heated_area_m2 (>= 0, optional)
 *   network   bandwidth_mbps (int > 0), ports (int > 0)
 *   road      works.segments [{road, from_chainage_m, to_chainage_m, width_m, road_class}]
 *             (non-empty; to > from), works.window_start / window_end (dates, start <= end),
 *             object.fast_track (bool); the payload adds length_m per segment
 *   greening  green_area_m2 (>= 0), trees_affected (int >= 0)
 *   planning  lines_outside_plot (description), lines_outside_plot_length_m (>= 0, optional)
 *
 * Planning stage (issue #20), the same envelope around other objects:
 *   guidance.requested (utilities) {"object": {"id": task id, "kind", "status", "due_date",
 *     "hookup_date", "limit_days", "preferred", "project": {"reference", "name", "district",
 *     "geometry" (GeoJSON)}, "loads": {the project's loads of the kind}}} becomes
 *   {"data": {"reference": project reference, "guidance_id", "kind", "state", "due_date",
 *     "hookup_date"?, "limit_days"?, "preferred"?, "project_name"?, "site": {"district",
 *     "geometry"}, ...loads}} with the loads named as the kind's job fields are:
 *     water     m3_per_day -> daily_demand_m3, dn -> pipe_diameter_dn
 *     power     kva -> capacity_kva
 *     gas       m3_per_hour -> flow_m3h
 *     heat      kw -> heat_load_kw
 *     network   lines -> ports
 *   coordination.conflict (road) {"object": {"road_id", "project", "months", "conflicts":
 *     [{"projects": [a, b], "digs": [a, b], "gap_days"}], "total", "part", "parts"}} becomes
 *   {"data": {"reference": the project, "road", "window_months", "conflicts": [{"references",
 *     "planned_dig_ids", "gap_days"}], "total", "part", "parts"}}.
 *
 * Inbound: a party's callback is {"action": ..., "reference": "<our job/permit reference>",
 * ...the action's fields}. Utilities may send the job actions accept, return, reject, survey,
 * plan, connect, complete, and guidance (the answer to a guidance task: "reference" is the
 * project's, the kind the adapter's; see adapter_guidance_answer); authorities the permit actions accept, return, approve, reject,
 * inspect, post_check, decide_extension. Unknown fields are refused, and every problem is
 * listed at once with its field path. Each kind may require more (see the kind's file).
 */

/* A validated inbound callback. */
struct adapter_callback {
	char action[32];       /* one of the party's actions */
	char external_ref[64]; /* the "reference" the party named; the caller looks it up */
	json_t *payload;       /* owned: the action's fields (the body minus action/reference) */
};

struct adapter {
	const char *kind;  /* "water", "power", ..., "road", "greening", "planning" */
	const char *party; /* "utility" | "authority" */
	/*
	 * Maps an outbox event to the party's payload. On success *out is a new object the
	 * caller owns. On failure *out is NULL and the result is ERR_INVALID with every missing
	 * or wrong field of the event in err's details.
	 */
	int (*build_payload)(const json_t *event, json_t **out, struct error *err);
	/*
	 * Validates a callback body and fills out (release with adapter_callback_release). On
	 * failure out is empty and the result is ERR_INVALID with every problem in err's details.
	 */
	int (*parse_callback)(const json_t *body, struct adapter_callback *out, struct error *err);
};

/* The adapter for a kind, or NULL if there is none. The result is static; never freed. */
const struct adapter *adapter_find(const char *kind);

/* All registered adapters, in registry order; *n receives the count. Static storage. */
const struct adapter *const *adapter_all(size_t *n);

/*
 * The transitions API body ({"action", ...}) a validated callback stands for: fields the API
 * shares are copied, quote_lines becomes quote, defects become items, decision granted/refused
 * becomes grant/refuse; fields only the party's own records use (meter serials, dates of
 * connection or inspection, kind extras) are left out. New reference; cannot fail.
 */
json_t *adapter_callback_transition(const struct adapter_callback *cb);

/*
 * The body of POST /v1/projects/{id}/guidance/{kind} a validated "guidance" callback stands for:
 * connection_point {lat, lng, description} becomes {geometry: a GeoJSON Point, description},
 * quote_lines becomes quote; capacity, conditions and length_m are copied. New reference.
 */
json_t *adapter_guidance_answer(const struct adapter_callback *cb);

/* Frees the payload and empties cb. Safe on a zeroed struct. */
void adapter_callback_release(struct adapter_callback *cb);

/*
 * For adapter files: a declarative schema checker and event mapper, so each kind is a few
 * tables. Tables of adapter_field end with an entry whose name is NULL.
 */
enum adapter_type {
	ADAPTER_STRING,	  /* non-empty string; one of `values` when given */
	ADAPTER_INT,	  /* integer >= 0 */
	ADAPTER_POSITIVE, /* integer > 0 */
	ADAPTER_AMOUNT,	  /* number (integer or decimal) > 0 */
	ADAPTER_MEASURE,  /* number (integer or decimal) >= 0 */
	ADAPTER_LAT,	  /* number in -90..90 */
	ADAPTER_LNG,	  /* number in -180..180 */
	ADAPTER_BOOL,
	ADAPTER_DATE,	/* "YYYY-MM-DD", a real date */
	ADAPTER_TIME,	/* RFC 3339 date-time */
	ADAPTER_OBJECT, /* object with `fields` */
	ADAPTER_ARRAY,	/* array of objects with `fields`, or of strings (in `values` if given) */
};

#define ADAPTER_REQUIRED 1u /* absent or null is an error */
#define ADAPTER_NONEMPTY 2u /* arrays: at least one item */

struct adapter_field {
	const char *name;
	enum adapter_type type;
	unsigned flags;
	const char *const *values;	    /* allowed strings, NULL-terminated; NULL = any */
	const struct adapter_field *fields; /* members of an object / of each array item */
};

/* One value copied from the event (dotted path `from`) into the payload (dotted path `to`). */
struct adapter_map {
	const char *from;
	const char *to;
	enum adapter_type type;
	unsigned flags;
	const struct adapter_field *fields; /* for objects and arrays of objects */
};

/* How one kind maps its events. maps ends with an entry whose from is NULL. */
struct adapter_payload_spec {
	const char *kind;
	const char *party;
	const struct adapter_map *maps;
	/* Cross-field rules over the event, adding details to err; may be NULL. */
	void (*check)(const json_t *event, struct error *err);
	/*
	 * A utility's guidance.requested (issue #20): the project's loads (object.loads.*) in the
	 * kind's own field names (data.*); NULL: the kind receives no guidance.
	 */
	const struct adapter_map *guidance_loads;
	/* The road authority's coordination.conflict (issue #20) is translated too. */
	bool coordination;
};

/* Extra fields (and rules) one kind adds to one action. Lists end with action == NULL. */
struct adapter_action_extra {
	const char *action;
	const struct adapter_field *fields;
	void (*check)(const json_t *body, struct error *err);
};

/*
 * Maps the common envelope plus spec's fields, checks the event's kind and that its type
 * belongs to the party ("job." for utilities, "permit." for authorities). See build_payload.
 */
int adapter_payload_build(const json_t *event, const struct adapter_payload_spec *spec,
			  json_t **out, struct error *err);

/*
 * Validates body against the party's actions plus the kind's extras (may be NULL). See
 * parse_callback.
 */
int adapter_callback_parse(const json_t *body, const char *party,
			   const struct adapter_action_extra *extras, struct adapter_callback *out,
			   struct error *err);

/*
 * Checks obj's members against fields (paths in details start with prefix, e.g. "object.works";
 * "" for the top level). With strict, members not in fields are refused. Adds a detail per
 * problem; returns the number added.
 */
size_t adapter_check_object(const json_t *obj, const struct adapter_field *fields,
			    const char *prefix, bool strict, struct error *err);

/* True if s is exactly a real date "YYYY-MM-DD" (2026-02-30 is not). */
bool adapter_date_ok(const char *s);

/* The value at a dotted path ("object.params.pipe_dn"), or NULL. Borrowed. */
const json_t *adapter_get_path(const json_t *root, const char *path);

#endif
