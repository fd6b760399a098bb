/* Network (telecom/cable) adapter: bandwidth and ports out; a plan states what is provisioned. */
#include "adapter.h"

static const struct adapter_map maps[] = {
    {"object.params.bandwidth_mbps", "data.bandwidth_mbps", ADAPTER_POSITIVE, ADAPTER_REQUIRED,
     NULL},
    {"object.params.ports", "data.ports", ADAPTER_POSITIVE, ADAPTER_REQUIRED, NULL},
    {NULL, NULL, 0, 0, NULL},
};

/* The project's loads of a guidance.requested, named as this kind's job fields are. */
static const struct adapter_map guidance_loads[] = {
    {"object.loads.lines", "data.ports", ADAPTER_POSITIVE, ADAPTER_REQUIRED, NULL},
    {NULL, NULL, 0, 0, NULL},
};

static const struct adapter_payload_spec spec = {"network", "utility", maps, NULL,
						 guidance_loads, false};

static const struct adapter_field plan_fields[] = {
    {"bandwidth_mbps", ADAPTER_POSITIVE, ADAPTER_REQUIRED, NULL, NULL},
    {"ports", ADAPTER_POSITIVE, ADAPTER_REQUIRED, NULL, NULL},
    {NULL, 0, 0, NULL, NULL},
};

static const struct adapter_action_extra extras[] = {
    {"plan", plan_fields, NULL},
    {NULL, NULL, NULL},
};

static int build_payload(const json_t *event, json_t **out, struct error *err)
{
	return adapter_payload_build(event, &spec, out, err);
}

static int parse_callback(const json_t *body, struct adapter_callback *out, struct error *err)
{
	return adapter_callback_parse(body, "utility", extras, out, err);
}

const struct adapter adapter_network = {"network", "utility", build_payload, parse_callback};
