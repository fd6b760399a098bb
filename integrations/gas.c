/* Gas company adapter: flow and pressure class out; a survey must name the pressure class. */
#include "adapter.h"

/* Pressure classes of city gas networks (low, medium B/A, sub-high B/A, high B/A). */
static const char *const pressure_classes[] = {"low",	     "medium_b", "medium_a", "sub_high_b",
					       "sub_high_a", "high_b",	 "high_a",   NULL};

static const struct adapter_map maps[] = {
    {"object.params.flow_m3h", "data.flow_m3h", ADAPTER_AMOUNT, ADAPTER_REQUIRED, NULL},
    {"object.params.pressure_class", "data.pressure_class", ADAPTER_STRING, ADAPTER_REQUIRED, NULL},
    {NULL, NULL, 0, 0, NULL},
};

/* The project's loads of a guidance.requested, named as this kind's job fields are. */
static const struct adapter_map guidance_loads[] = {
    {"object.loads.m3_per_hour", "data.flow_m3h", ADAPTER_AMOUNT, ADAPTER_REQUIRED, NULL},
    {NULL, NULL, 0, 0, NULL},
};

static const struct adapter_payload_spec spec = {"gas", "utility", maps, NULL,
						 guidance_loads, false};

static const struct adapter_field survey_fields[] = {
    {"pressure_class", ADAPTER_STRING, ADAPTER_REQUIRED, pressure_classes, NULL},
    {NULL, 0, 0, NULL, NULL},
};

static const struct adapter_action_extra extras[] = {
    {"survey", survey_fields, NULL},
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

const struct adapter adapter_gas = {"gas", "utility", build_payload, parse_callback};
