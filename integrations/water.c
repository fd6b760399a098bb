/* Water company adapter: pipe diameter and meters out; a plan must name the meter size. */
#include "adapter.h"

static const struct adapter_map maps[] = {
    {"object.params.pipe_dn", "data.pipe_diameter_dn", ADAPTER_POSITIVE, ADAPTER_REQUIRED, NULL},
    {"object.params.meter_count", "data.meter_count", ADAPTER_POSITIVE, ADAPTER_REQUIRED, NULL},
    {"object.params.meter_use", "data.meter_use", ADAPTER_STRING, ADAPTER_REQUIRED, NULL},
    {NULL, NULL, 0, 0, NULL},
};

/* The project's loads of a guidance.requested, named as this kind's job fields are. */
static const struct adapter_map guidance_loads[] = {
    {"object.loads.m3_per_day", "data.daily_demand_m3", ADAPTER_AMOUNT, ADAPTER_REQUIRED, NULL},
    {"object.loads.dn", "data.pipe_diameter_dn", ADAPTER_POSITIVE, ADAPTER_REQUIRED, NULL},
    {NULL, NULL, 0, 0, NULL},
};

static const struct adapter_payload_spec spec = {"water", "utility", maps, NULL,
						 guidance_loads, false};

static const struct adapter_field plan_fields[] = {
    {"meter_size", ADAPTER_STRING, ADAPTER_REQUIRED, NULL, NULL}, /* e.g. "DN20" */
    {NULL, 0, 0, NULL, NULL},
};

/* The installed meter's serial lets billing start from the connection. */
static const struct adapter_field connect_fields[] = {
    {"meter_serial", ADAPTER_STRING, 0, NULL, NULL},
    {NULL, 0, 0, NULL, NULL},
};

static const struct adapter_action_extra extras[] = {
    {"plan", plan_fields, NULL},
    {"connect", connect_fields, NULL},
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

const struct adapter adapter_water = {"water", "utility", build_payload, parse_callback};
