/* Planning authority adapter: lines outside the plot out; an approval carries the licence no. */
#include "adapter.h"

static const struct adapter_map maps[] = {
    {"object.works.lines_outside_plot", "data.lines_outside_plot", ADAPTER_STRING, ADAPTER_REQUIRED,
     NULL},
    {"object.works.lines_outside_plot_length_m", "data.lines_outside_plot_length_m",
     ADAPTER_MEASURE, 0, NULL},
    {NULL, NULL, 0, 0, NULL},
};

static const struct adapter_payload_spec spec = {"planning", "authority", maps, NULL, NULL,
						 false};

/* The number of the construction planning permit the bureau issues. */
static const struct adapter_field approve_fields[] = {
    {"licence_number", ADAPTER_STRING, ADAPTER_REQUIRED, NULL, NULL},
    {NULL, 0, 0, NULL, NULL},
};

static const struct adapter_action_extra extras[] = {
    {"approve", approve_fields, NULL},
    {NULL, NULL, NULL},
};

static int build_payload(const json_t *event, json_t **out, struct error *err)
{
	return adapter_payload_build(event, &spec, out, err);
}

static int parse_callback(const json_t *body, struct adapter_callback *out, struct error *err)
{
	return adapter_callback_parse(body, "authority", extras, out, err);
}

const struct adapter adapter_planning = {"planning", "authority", build_payload, parse_callback};
