/*
 * Road authority adapter (dig-road permit): the road segments to excavate, the work window and
 * the fast-track flag out; an approval must grant a work window.
 */
#include "adapter.h"

#include <stdlib.h>
#include <string.h>

#include "lib/xalloc.h"

static const struct adapter_field segment[] = {
    {"road", ADAPTER_STRING, ADAPTER_REQUIRED, NULL, NULL},
    {"from_chainage_m", ADAPTER_MEASURE, ADAPTER_REQUIRED, NULL, NULL},
    {"to_chainage_m", ADAPTER_MEASURE, ADAPTER_REQUIRED, NULL, NULL},
    {"width_m", ADAPTER_AMOUNT, ADAPTER_REQUIRED, NULL, NULL},
    {"road_class", ADAPTER_STRING, ADAPTER_REQUIRED, NULL, NULL},
    {NULL, 0, 0, NULL, NULL},
};

static const struct adapter_map maps[] = {
    {"object.works.segments", "data.segments", ADAPTER_ARRAY, ADAPTER_REQUIRED | ADAPTER_NONEMPTY,
     segment},
    {"object.works.window_start", "data.work_window.start_date", ADAPTER_DATE, ADAPTER_REQUIRED,
     NULL},
    {"object.works.window_end", "data.work_window.end_date", ADAPTER_DATE, ADAPTER_REQUIRED, NULL},
    {"object.fast_track", "data.fast_track", ADAPTER_BOOL, ADAPTER_REQUIRED, NULL},
    {NULL, NULL, 0, 0, NULL},
};

/* Valid "YYYY-MM-DD" dates sort as strings; invalid ones are reported by the schema check. */
static void check_window(const json_t *start, const json_t *end, const char *field,
			 struct error *err)
{
	const char *s = json_string_value(start), *e = json_string_value(end);

	if (adapter_date_ok(s) && adapter_date_ok(e) && strcmp(s, e) > 0)
		error_add(err, field, "out_of_range", "the work window ends before it starts");
}

/* A segment runs forward along the road: to-chainage beyond from-chainage. */
static void check_event(const json_t *event, struct error *err)
{
	const json_t *segments = adapter_get_path(event, "object.works.segments");
	const json_t *seg;
	size_t i;

	json_array_foreach(segments, i, seg)
	{
		const json_t *from = json_object_get(seg, "from_chainage_m");
		const json_t *to = json_object_get(seg, "to_chainage_m");

		char *path;

		if (!json_is_number(from) || !json_is_number(to) ||
		    json_number_value(to) > json_number_value(from))
			continue;
		path = xasprintf("object.works.segments[%zu].to_chainage_m", i);
		error_add(err, path, "out_of_range", "must be greater than from_chainage_m");
		free(path);
	}
	check_window(adapter_get_path(event, "object.works.window_start"),
		     adapter_get_path(event, "object.works.window_end"), "object.works.window_end",
		     err);
}

/* coordination.conflict events are translated too (adapter.h) */
static const struct adapter_payload_spec spec = {"road", "authority", maps, check_event, NULL,
						 true};

static const struct adapter_field window[] = {
    {"start_date", ADAPTER_DATE, ADAPTER_REQUIRED, NULL, NULL},
    {"end_date", ADAPTER_DATE, ADAPTER_REQUIRED, NULL, NULL},
    {NULL, 0, 0, NULL, NULL},
};

static const struct adapter_field approve_fields[] = {
    {"work_window", ADAPTER_OBJECT, ADAPTER_REQUIRED, NULL, window},
    {NULL, 0, 0, NULL, NULL},
};

static void check_approve(const json_t *body, struct error *err)
{
	const json_t *w = json_object_get(body, "work_window");

	check_window(json_object_get(w, "start_date"), json_object_get(w, "end_date"),
		     "work_window.end_date", err);
}

static const struct adapter_action_extra extras[] = {
    {"approve", approve_fields, check_approve},
    {NULL, NULL, NULL},
};

/* The authority reads the excavation length directly; it is derived, never sent by the portal. */
static void add_lengths(json_t *payload)
{
	json_t *segments = json_object_get(json_object_get(payload, "data"), "segments");
	json_t *seg;
	size_t i;

	json_array_foreach(segments, i, seg)
	{
		json_t *from = json_object_get(seg, "from_chainage_m");
		json_t *to = json_object_get(seg, "to_chainage_m");

		if (json_is_integer(from) && json_is_integer(to))
			json_object_set_new(
			    seg, "length_m",
			    json_integer(json_integer_value(to) - json_integer_value(from)));
		else
			json_object_set_new(
			    seg, "length_m",
			    json_real(json_number_value(to) - json_number_value(from)));
	}
}

static int build_payload(const json_t *event, json_t **out, struct error *err)
{
	int rc = adapter_payload_build(event, &spec, out, err);

	if (rc == 0)
		add_lengths(*out);
	return rc;
}

static int parse_callback(const json_t *body, struct adapter_callback *out, struct error *err)
{
	return adapter_callback_parse(body, "authority", extras, out, err);
}

const struct adapter adapter_road = {"road", "authority", build_payload, parse_callback};
