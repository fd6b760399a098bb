/* Greening authority adapter: green area and trees out; an approval says if replanting is due. */
#include "adapter.h"

static const struct adapter_map maps[] = {
    {"object.works.green_area_m2", "data.green_area_m2", ADAPTER_MEASURE, ADAPTER_REQUIRED, NULL},
    {"object.works.trees_affected", "data.trees_affected", ADAPTER_INT, ADAPTER_REQUIRED, NULL},
    {NULL, NULL, 0, 0, NULL},
};

static const struct adapter_payload_spec spec = {"greening", "authority", maps, NULL, NULL,
						 false};

static const struct adapter_field approve_fields[] = {
    {"replanting_required", ADAPTER_BOOL, ADAPTER_REQUIRED, NULL, NULL},
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

const struct adapter adapter_greening = {"greening", "authority", build_payload, parse_callback};
