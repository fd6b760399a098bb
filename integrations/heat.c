/* Heat company adapter: heat load out; a survey names the substation, a plan the agreed load. */
#include "adapter.h"

static const struct adapter_map maps[] = {
    {"object.params.heat_load_kw", "data.heat_load_kw", ADAPTER_AMOUNT, ADAPTER_REQUIRED, NULL},
    {"object.params.heated_area_m2", "data.heated_area_m2", ADAPTER_MEASURE, 0, NULL},
    {NULL, NULL, 0, 0, NULL},
};

/* The project's loads of a guidance.requested, named as this kind's job fields are. */
static const struct adapter_map guidance_loads[] = {
    {"object.loads.kw", "data.heat_load_kw", ADAPTER_AMOUNT, ADAPTER_REQUIRED, NULL},
    {NULL, NULL, 0, 0, NULL},
};

static const struct adapter_payload_spec spec = {"heat", "utility", maps, NULL,
						 guidance_loads, false};

/* The heat-exchange station that will serve the site. */
static const struct adapter_field survey_fields[] = {
    {"substation", ADAPTER_STRING, ADAPTER_REQUIRED, NULL, NULL},
    {NULL, 0, 0, NULL, NULL},
};

static const struct adapter_field plan_fields[] = {
    {"heat_load_kw", ADAPTER_AMOUNT, ADAPTER_REQUIRED, NULL, NULL},
    {NULL, 0, 0, NULL, NULL},
};

static const struct adapter_action_extra extras[] = {
    {"survey", survey_fields, NULL},
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

const struct adapter adapter_heat = {"heat", "utility", build_payload, parse_callback};
