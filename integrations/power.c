/* Power-grid adapter: capacity and voltage level out; a survey must name the voltage level. */
#include "adapter.h"

/* Supply voltage levels of the distribution grid. */
static const char *const voltage_levels[] = {"0.22kV", "0.4kV", "10kV", "20kV",
					     "35kV",   "110kV", NULL};

static const struct adapter_map maps[] = {
    {"object.params.capacity_kw", "data.capacity_kw", ADAPTER_AMOUNT, ADAPTER_REQUIRED, NULL},
    {"object.params.voltage_level", "data.voltage_level", ADAPTER_STRING, ADAPTER_REQUIRED, NULL},
    {NULL, NULL, 0, 0, NULL},
};

/* The project's loads of a guidance.requested, named as this kind's job fields are. */
static const struct adapter_map guidance_loads[] = {
    {"object.loads.kva", "data.capacity_kva", ADAPTER_AMOUNT, ADAPTER_REQUIRED, NULL},
    {NULL, NULL, 0, 0, NULL},
};

static const struct adapter_payload_spec spec = {"power", "utility", maps, NULL,
						 guidance_loads, false};

static const struct adapter_field survey_fields[] = {
    {"voltage_level", ADAPTER_STRING, ADAPTER_REQUIRED, voltage_levels, NULL},
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

const struct adapter adapter_power = {"power", "utility", build_payload, parse_callback};
