/* Tests for integrations/adapter.c and the kind adapters: registry, payloads, callbacks. */
#include <criterion/criterion.h>
#include <criterion/parameterized.h>

#include <stdlib.h>
#include <string.h>

#include "integrations/adapter.h"

/*
 * Criterion hands parameters to a test process where the program's addresses differ, so
 * pointers in a parameter would dangle: tests take a row number into a static table instead.
 */
#define ROW_PARAMS(table)                                                                          \
	do {                                                                                       \
		static size_t rows[sizeof(table) / sizeof(table[0])];                              \
		for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++)                        \
			rows[i] = i;                                                               \
		return cr_make_param_array(size_t, rows, sizeof(rows) / sizeof(rows[0]));          \
	} while (0)

/* JSON written with single quotes for readability in C tables; none of our texts contain '. */
static json_t *json_q(const char *text)
{
	char *s = strdup(text);
	json_error_t jerr;
	json_t *v;

	for (char *p = s; *p; p++)
		if (*p == '\'')
			*p = '"';
	v = json_loads(s, JSON_DECODE_ANY, &jerr);
	cr_assert_not_null(v, "bad test JSON %s: %s", text, jerr.text);
	free(s);
	return v;
}

/* An outbox event for kind, with extra members merged into its object snapshot. */
static json_t *event_new(const char *kind, const char *type, const char *object_extra)
{
	json_t *ev =
	    json_q("{'type':'','version':1,'sequence':42,"
		   "'occurred_at':'2026-03-02T09:30:00+08:00',"
		   "'object':{'reference':'HK-2026-000123-W','kind':'','state':'submitted',"
		   "'due_date':'2026-03-06',"
		   "'application':{'reference':'HK-2026-000123',"
		   "'site':{'address':'18 Haier Rd','district':'Laoshan',"
		   "'lat':36.0986,'lng':120.4689}}}}");
	json_t *object = json_object_get(ev, "object");
	json_t *extra = json_q(object_extra);

	json_object_set_new(ev, "type", json_string(type));
	json_object_set_new(object, "kind", json_string(kind));
	json_object_update(object, extra);
	json_decref(extra);
	return ev;
}

static const char *type_for(const struct adapter *a)
{
	return strcmp(a->party, "utility") == 0 ? "job.created" : "permit.created";
}

/* A complete snapshot for each kind. */
static const char *sample_for(const char *kind)
{
	static const struct {
		const char *kind, *extra;
	} samples[] = {
	    {"water", "{'params':{'pipe_dn':100,'meter_count':2,'meter_use':'domestic'}}"},
	    {"power", "{'params':{'capacity_kw':630,'voltage_level':'10kV'}}"},
	    {"gas", "{'params':{'flow_m3h':25.5,'pressure_class':'medium_b'}}"},
	    {"heat", "{'params':{'heat_load_kw':850,'heated_area_m2':12000}}"},
	    {"network", "{'params':{'bandwidth_mbps':1000,'ports':48}}"},
	    {"road", "{'fast_track':true,'works':{'segments':[{'road':'Jianshe Rd',"
		     "'from_chainage_m':120,'to_chainage_m':185,'width_m':1.2,"
		     "'road_class':'branch'},{'road':'Jianshe Rd','from_chainage_m':10.5,"
		     "'to_chainage_m':20,'width_m':0.8,'road_class':'branch'}],"
		     "'window_start':'2026-04-01','window_end':'2026-04-10'}}"},
	    {"greening", "{'works':{'green_area_m2':35.5,'trees_affected':3}}"},
	    {"planning", "{'works':{'lines_outside_plot':'DN100 main, 40 m along north verge',"
			 "'lines_outside_plot_length_m':40}}"},
	};
	for (size_t i = 0; i < sizeof(samples) / sizeof(samples[0]); i++)
		if (strcmp(samples[i].kind, kind) == 0)
			return samples[i].extra;
	cr_assert_fail("no sample for %s", kind);
	return NULL;
}

/* "field:code field:code ..." each found in err's details, and exactly that many details. */
static void assert_details(const struct error *err, const char *expected, const char *label)
{
	char *copy = strdup(expected), *save = NULL;
	size_t n = 0;

	for (char *tok = strtok_r(copy, " ", &save); tok; tok = strtok_r(NULL, " ", &save), n++) {
		char *colon = strrchr(tok, ':');
		bool found = false;

		cr_assert_not_null(colon, "bad expectation %s", tok);
		*colon = '\0';
		for (size_t i = 0; i < err->ndetails && !found; i++)
			found = strcmp(err->details[i].field, tok) == 0 &&
				strcmp(err->details[i].code, colon + 1) == 0;
		cr_assert(found, "%s: no detail %s:%s", label, tok, colon + 1);
	}
	if (err->ndetails != n) {
		for (size_t i = 0; i < err->ndetails; i++)
			cr_log_error("%s: got %s:%s (%s)", label, err->details[i].field,
				     err->details[i].code, err->details[i].message);
	}
	cr_assert_eq(err->ndetails, n, "%s: %zu details, expected %zu", label, err->ndetails, n);
	free(copy);
}

/* ---- registry ---------------------------------------------------------------------------- */

Test(adapter, registry_has_every_kind_once)
{
	static const struct {
		const char *kind, *party;
	} kinds[] = {
	    {"water", "utility"},      {"power", "utility"},	  {"gas", "utility"},
	    {"heat", "utility"},       {"network", "utility"},	  {"road", "authority"},
	    {"greening", "authority"}, {"planning", "authority"},
	};
	size_t n = 0;
	const struct adapter *const *all = adapter_all(&n);

	cr_assert_eq(n, sizeof(kinds) / sizeof(kinds[0]));
	for (size_t i = 0; i < n; i++) {
		const struct adapter *a = adapter_find(kinds[i].kind);

		cr_assert_not_null(a, "%s", kinds[i].kind);
		cr_assert_str_eq(a->kind, kinds[i].kind);
		cr_assert_str_eq(a->party, kinds[i].party);
		cr_assert_not_null(a->build_payload);
		cr_assert_not_null(a->parse_callback);
		cr_assert_str_eq(all[i]->kind, kinds[i].kind);
	}
	cr_assert_null(adapter_find("sewer"));
	cr_assert_null(adapter_find(""));
	cr_assert_null(adapter_find(NULL));
}

/* ---- outbound payloads ------------------------------------------------------------------- */

struct payload_case {
	const char *kind;
	const char *path;     /* in the payload */
	const char *expected; /* JSON, single-quoted */
};

static const struct payload_case payload_fields_rows[] = {
    {"water", "type", "'job.created'"},
    {"water", "version", "1"},
    {"water", "sequence", "42"},
    {"water", "occurred_at", "'2026-03-02T09:30:00+08:00'"},
    {"water", "data.reference", "'HK-2026-000123-W'"},
    {"water", "data.kind", "'water'"},
    {"water", "data.state", "'submitted'"},
    {"water", "data.due_date", "'2026-03-06'"},
    {"water", "data.application_reference", "'HK-2026-000123'"},
    {"water", "data.site",
     "{'address':'18 Haier Rd','district':'Laoshan','lat':36.0986,'lng':120.4689}"},
    {"water", "data.pipe_diameter_dn", "100"},
    {"water", "data.meter_count", "2"},
    {"water", "data.meter_use", "'domestic'"},
    {"power", "data.capacity_kw", "630"},
    {"power", "data.voltage_level", "'10kV'"},
    {"power", "data.kind", "'power'"},
    {"gas", "data.flow_m3h", "25.5"},
    {"gas", "data.pressure_class", "'medium_b'"},
    {"heat", "data.heat_load_kw", "850"},
    {"heat", "data.heated_area_m2", "12000"},
    {"network", "data.bandwidth_mbps", "1000"},
    {"network", "data.ports", "48"},
    {"road", "type", "'permit.created'"},
    {"road", "data.fast_track", "true"},
    {"road", "data.work_window", "{'start_date':'2026-04-01','end_date':'2026-04-10'}"},
    {"road", "data.segments",
     "[{'road':'Jianshe Rd','from_chainage_m':120,'to_chainage_m':185,'width_m':1.2,"
     "'road_class':'branch','length_m':65},{'road':'Jianshe Rd','from_chainage_m':10.5,"
     "'to_chainage_m':20,'width_m':0.8,'road_class':'branch','length_m':9.5}]"},
    {"road", "data.site.district", "'Laoshan'"},
    {"greening", "data.green_area_m2", "35.5"},
    {"greening", "data.trees_affected", "3"},
    {"planning", "data.lines_outside_plot", "'DN100 main, 40 m along north verge'"},
    {"planning", "data.lines_outside_plot_length_m", "40"},
};

ParameterizedTestParameters(adapter, payload_fields)
{
	ROW_PARAMS(payload_fields_rows);
}

ParameterizedTest(size_t *row, adapter, payload_fields)
{
	const struct payload_case *c = &payload_fields_rows[*row];
	const struct adapter *a = adapter_find(c->kind);
	json_t *ev = event_new(c->kind, type_for(a), sample_for(c->kind));
	json_t *out = NULL, *expected = json_q(c->expected);
	struct error err = ERROR_INIT;

	cr_assert_eq(a->build_payload(ev, &out, &err), 0, "%s: %s", c->kind, err.message);
	const json_t *got = adapter_get_path(out, c->path);
	cr_assert_not_null(got, "%s: %s absent", c->kind, c->path);
	char *got_text = json_dumps(got, JSON_ENCODE_ANY | JSON_COMPACT | JSON_SORT_KEYS);
	cr_assert(json_equal((json_t *)got, expected), "%s: %s is %s, expected %s", c->kind,
		  c->path, got_text, c->expected);
	free(got_text);
	json_decref(ev);
	json_decref(out);
	json_decref(expected);
}

Test(adapter, payload_leaves_out_internal_fields)
{
	json_t *ev = event_new("water", "job.created",
			       "{'params':{'pipe_dn':100,'meter_count':2,'meter_use':'domestic',"
			       "'internal_note':'x'},'applicant_phone':'13800000000'}");
	json_t *out = NULL;

	cr_assert_eq(adapter_find("water")->build_payload(ev, &out, NULL), 0);
	cr_assert_null(adapter_get_path(out, "data.internal_note"));
	cr_assert_null(adapter_get_path(out, "data.applicant_phone"));
	cr_assert_null(json_object_get(out, "object"));
	json_decref(ev);
	json_decref(out);
}

struct missing_case {
	const char *kind;
	const char *type;	/* NULL: the adapter's own *.created */
	const char *event_kind; /* NULL: the adapter's kind */
	const char *object_extra;
	const char *expected; /* every detail, as field:code */
};

static const struct missing_case payload_missing_fields_rows[] = {
    {"water", NULL, NULL, "{'params':{}}",
     "object.params.pipe_dn:required object.params.meter_count:required "
     "object.params.meter_use:required"},
    {"water", NULL, NULL, "{'params':{'pipe_dn':0,'meter_count':'2','meter_use':''}}",
     "object.params.pipe_dn:out_of_range object.params.meter_count:wrong_type "
     "object.params.meter_use:empty"},
    {"water", NULL, "power", "{'params':{'pipe_dn':100,'meter_count':2,'meter_use':'x'}}",
     "object.kind:wrong_kind"},
    {"water", "permit.created", NULL, "{'params':{'pipe_dn':100,'meter_count':2,'meter_use':'x'}}",
     "type:wrong_party"},
    {"water", NULL, NULL,
     "{'due_date':'2026-02-30','state':null,'params':{'pipe_dn':100,'meter_count':2,"
     "'meter_use':'x'}}",
     "object.due_date:wrong_format object.state:required"},
    {"power", NULL, NULL, "{}",
     "object.params.capacity_kw:required object.params.voltage_level:required"},
    {"power", NULL, NULL, "{'params':{'capacity_kw':-5,'voltage_level':'10kV'}}",
     "object.params.capacity_kw:out_of_range"},
    {"gas", NULL, NULL, "{'params':'none'}",
     "object.params.flow_m3h:required object.params.pressure_class:required"},
    {"heat", NULL, NULL, "{'params':{'heated_area_m2':-1}}",
     "object.params.heat_load_kw:required object.params.heated_area_m2:out_of_range"},
    {"network", NULL, NULL, "{'params':{'bandwidth_mbps':1.5,'ports':0}}",
     "object.params.bandwidth_mbps:wrong_type object.params.ports:out_of_range"},
    {"road", NULL, NULL, "{}",
     "object.works.segments:required object.works.window_start:required "
     "object.works.window_end:required object.fast_track:required"},
    {"road", "job.created", NULL,
     "{'fast_track':'yes','works':{'segments':[],'window_start':'2026-04-01',"
     "'window_end':'2026-04-10'}}",
     "type:wrong_party object.fast_track:wrong_type object.works.segments:empty"},
    {"road", NULL, NULL,
     "{'fast_track':false,'works':{'segments':[{'road':'X'},7],"
     "'window_start':'2026-04-01','window_end':'2026-04-10'}}",
     "object.works.segments[0].from_chainage_m:required "
     "object.works.segments[0].to_chainage_m:required "
     "object.works.segments[0].width_m:required "
     "object.works.segments[0].road_class:required "
     "object.works.segments[1]:wrong_type"},
    {"road", NULL, NULL,
     "{'fast_track':false,'works':{'segments':[{'road':'X','from_chainage_m':50,"
     "'to_chainage_m':50,'width_m':1,'road_class':'branch'}],"
     "'window_start':'2026-04-10','window_end':'2026-04-01'}}",
     "object.works.segments[0].to_chainage_m:out_of_range "
     "object.works.window_end:out_of_range"},
    {"greening", NULL, NULL, "{'works':{}}",
     "object.works.green_area_m2:required object.works.trees_affected:required"},
    {"greening", NULL, NULL, "{'works':{'green_area_m2':10,'trees_affected':-2}}",
     "object.works.trees_affected:out_of_range"},
    {"planning", NULL, NULL, "{'works':{'lines_outside_plot_length_m':'40'}}",
     "object.works.lines_outside_plot:required "
     "object.works.lines_outside_plot_length_m:wrong_type"},
};

ParameterizedTestParameters(adapter, payload_missing_fields)
{
	ROW_PARAMS(payload_missing_fields_rows);
}

ParameterizedTest(size_t *row, adapter, payload_missing_fields)
{
	const struct missing_case *c = &payload_missing_fields_rows[*row];
	const struct adapter *a = adapter_find(c->kind);
	json_t *ev = event_new(c->event_kind ? c->event_kind : c->kind,
			       c->type ? c->type : type_for(a), c->object_extra);
	json_t *out = (json_t *)1;
	struct error err = ERROR_INIT;

	cr_assert_eq(a->build_payload(ev, &out, &err), ERR_INVALID, "%s %s", c->kind,
		     c->object_extra);
	cr_assert_null(out);
	assert_details(&err, c->expected, c->kind);
	error_release(&err);
	json_decref(ev);
}

Test(adapter, payload_lists_every_envelope_field_at_once)
{
	json_t *ev = json_object(), *out = NULL;
	struct error err = ERROR_INIT;

	cr_assert_eq(adapter_find("network")->build_payload(ev, &out, &err), ERR_INVALID);
	assert_details(&err,
		       "type:required version:required sequence:required occurred_at:required "
		       "object.reference:required object.kind:required object.state:required "
		       "object.application.reference:required "
		       "object.application.site.address:required "
		       "object.application.site.district:required "
		       "object.application.site.lat:required object.application.site.lng:required "
		       "object.params.bandwidth_mbps:required object.params.ports:required",
		       "empty event");
	error_release(&err);
	cr_assert_eq(adapter_find("network")->build_payload(NULL, &out, &err), ERR_INVALID);
	json_decref(ev);
}

Test(adapter, payload_checks_envelope_values)
{
	json_t *ev = event_new("heat", "job.created", "{'params':{'heat_load_kw':850}}");
	json_t *site = (json_t *)adapter_get_path(ev, "object.application.site");
	json_t *out = NULL;
	struct error err = ERROR_INIT;

	json_object_set_new(site, "lat", json_real(91.0));
	json_object_set_new(site, "lng", json_string("120.4"));
	json_object_set_new(ev, "occurred_at", json_string("2026-03-02 09:30:00"));
	json_object_set_new(ev, "sequence", json_integer(0));
	cr_assert_eq(adapter_find("heat")->build_payload(ev, &out, &err), ERR_INVALID);
	assert_details(&err,
		       "object.application.site.lat:out_of_range "
		       "object.application.site.lng:wrong_type occurred_at:wrong_format "
		       "sequence:out_of_range",
		       "envelope values");
	error_release(&err);
	json_decref(ev);
}

/* ---- inbound callbacks ------------------------------------------------------------------- */

#define R "'reference':'HK-2026-000123-W'"
#define ITEMS "'items':[{'code':'M01','comment':'site plan missing'}]"
#define POINT "'connection_point':{'lat':36.1,'lng':120.4,'description':'valve chamber NE'}"
#define QUOTE "'quote_lines':[{'code':'W-101','quantity':2,'unit_price_fen':150000}]"
#define WINDOW "'work_window':{'start_date':'2026-04-01','end_date':'2026-04-10'}"

struct callback_case {
	const char *kind;
	const char *body;
	const char *expected; /* NULL: accepted; else every detail as field:code */
};

static const struct callback_case callbacks_rows[] = {
    /* Job actions every utility shares, checked through water. */
    {"water", "{'action':'accept'," R "}", NULL},
    {"water", "{'action':'accept'," R ",'comment':'ok'}", NULL},
    {"water", "{'action':'return'," R "," ITEMS "}", NULL},
    {"water", "{'action':'return'," R ",'items':[]}", "items:empty"},
    {"water", "{'action':'return'," R "}", "items:required"},
    {"water", "{'action':'return'," R ",'items':[{'code':'M01'},{'comment':'x'}]}",
     "items[0].comment:required items[1].code:required"},
    {"water", "{'action':'reject'," R ",'reason_code':'R03'}", NULL},
    {"water", "{'action':'reject'," R ",'comment':'no'}", "reason_code:required"},
    {"water", "{'action':'survey'," R "," POINT "}", NULL},
    {"water", "{'action':'survey'," R "}", "connection_point:required"},
    {"water", "{'action':'survey'," R ",'connection_point':{'lat':95,'lng':'x','floor':2}}",
     "connection_point.lat:out_of_range connection_point.lng:wrong_type "
     "connection_point.description:required connection_point.floor:unknown_field"},
    {"water", "{'action':'survey'," R "," POINT ",'meter_size':'DN20'}",
     "meter_size:unknown_field"},
    {"water",
     "{'action':'plan'," R "," QUOTE ",'permits_needed':['dig_road'],"
     "'meter_size':'DN20'}",
     NULL},
    {"water", "{'action':'plan'," R "," QUOTE ",'permits_needed':[]}", "meter_size:required"},
    {"water",
     "{'action':'plan'," R ",'quote_lines':[],'permits_needed':['sewer'],"
     "'discount':10}",
     "quote_lines:empty permits_needed[0]:invalid_value meter_size:required "
     "discount:unknown_field"},
    {"water",
     "{'action':'plan'," R ",'quote_lines':[{'code':'W-101','quantity':0,"
     "'unit_price_fen':1.5,'note':'x'}],'permits_needed':[],'meter_size':'DN20'}",
     "quote_lines[0].quantity:out_of_range quote_lines[0].unit_price_fen:wrong_type "
     "quote_lines[0].note:unknown_field"},
    {"water", "{'action':'plan'," R ",'meter_size':'DN20'}",
     "quote_lines:required permits_needed:required"},
    {"water",
     "{'action':'connect'," R ",'meter_serial':'WM-889911',"
     "'connected_at':'2026-05-01T10:00:00Z'}",
     NULL},
    {"water", "{'action':'connect'," R ",'connected_at':'May 1st'}", "connected_at:wrong_format"},
    {"water", "{'action':'complete'," R "}", NULL},
    {"water", "{'action':'approve'," R "}", "action:invalid_value"},
    {"water", "{'action':'confirm'," R "}", "action:invalid_value"},
    {"water", "{'action':7," R "}", "action:invalid_value"},
    {"water", "{}", "action:required reference:required"},
    {"water", "{'action':'accept','reference':'HK 2026'}", "reference:wrong_format"},
    {"water", "{'action':'accept','reference':''}", "reference:wrong_format"},
    {"water",
     "{'action':'accept','reference':'HK-0123456789012345678901234567890123456789"
     "012345678901234567890'}",
     "reference:wrong_format"},
    {"water", "{'action':'accept'," R ",'state':'accepted'}", "state:unknown_field"},
    /* Power: a survey must name the voltage level. */
    {"power", "{'action':'survey'," R "," POINT ",'voltage_level':'10kV'}", NULL},
    {"power", "{'action':'survey'," R "," POINT "}", "voltage_level:required"},
    {"power", "{'action':'survey'," R "," POINT ",'voltage_level':'11kV'}",
     "voltage_level:invalid_value"},
    {"power", "{'action':'plan'," R "," QUOTE ",'permits_needed':['dig_road','greening']}", NULL},
    {"power", "{'action':'plan'," R "," QUOTE ",'permits_needed':[],'meter_size':'x'}",
     "meter_size:unknown_field"},
    /* Gas: a survey must name the pressure class. */
    {"gas", "{'action':'survey'," R "," POINT ",'pressure_class':'medium_a'}", NULL},
    {"gas", "{'action':'survey'," R "," POINT "}", "pressure_class:required"},
    {"gas", "{'action':'return'," R "," ITEMS "}", NULL},
    /* Heat: survey names the substation, plan the agreed load. */
    {"heat", "{'action':'survey'," R "," POINT ",'substation':'HES-12'}", NULL},
    {"heat", "{'action':'survey'," R ",'substation':''}",
     "connection_point:required substation:empty"},
    {"heat", "{'action':'plan'," R "," QUOTE ",'permits_needed':[],'heat_load_kw':850}", NULL},
    {"heat", "{'action':'plan'," R "," QUOTE ",'permits_needed':[]}", "heat_load_kw:required"},
    /* Network: plan states bandwidth and ports provisioned. */
    {"network",
     "{'action':'plan'," R "," QUOTE ",'permits_needed':[],'bandwidth_mbps':1000,"
     "'ports':48}",
     NULL},
    {"network", "{'action':'plan'," R "," QUOTE ",'permits_needed':[]}",
     "bandwidth_mbps:required ports:required"},
    {"network", "{'action':'connect'," R "}", NULL},
    /* Road: permit actions shared by all authorities, plus the granted window. */
    {"road", "{'action':'accept'," R "}", NULL},
    {"road", "{'action':'approve'," R "," WINDOW "}", NULL},
    {"road",
     "{'action':'approve'," R "," WINDOW ",'conditions':[{'code':'C02',"
     "'comment':'night work only'}]}",
     NULL},
    {"road", "{'action':'approve'," R "}", "work_window:required"},
    {"road",
     "{'action':'approve'," R ",'work_window':{'start_date':'2026-04-10',"
     "'end_date':'2026-04-01'}}",
     "work_window.end_date:out_of_range"},
    {"road",
     "{'action':'approve'," R ",'work_window':{'start_date':'2026-04-01',"
     "'end_date':'2026-02-30','hours':'night'}}",
     "work_window.end_date:wrong_format work_window.hours:unknown_field"},
    {"road", "{'action':'reject'," R ",'reason_code':'R11'}", NULL},
    {"road", "{'action':'inspect'," R ",'result':'pass','inspected_on':'2026-05-02'}", NULL},
    {"road", "{'action':'inspect'," R ",'result':'fail'}", "defects:required"},
    {"road",
     "{'action':'inspect'," R ",'result':'fail','defects':[{'code':'D04',"
     "'comment':'surface sunk 3 cm'}]}",
     NULL},
    {"road", "{'action':'inspect'," R ",'result':'maybe'}", "result:invalid_value"},
    {"road", "{'action':'post_check'," R ",'result':'pass'}", NULL},
    {"road", "{'action':'post_check'," R ",'result':'fail'}", "comment:required"},
    {"road",
     "{'action':'decide_extension'," R ",'decision':'granted',"
     "'new_end_date':'2026-04-20'}",
     NULL},
    {"road", "{'action':'decide_extension'," R ",'decision':'granted'}", "new_end_date:required"},
    {"road",
     "{'action':'decide_extension'," R ",'decision':'refused',"
     "'new_end_date':'2026-04-20'}",
     "new_end_date:not_allowed"},
    {"road", "{'action':'decide_extension'," R "}", "decision:required"},
    {"road", "{'action':'survey'," R "," POINT "}", "action:invalid_value"},
    {"road", "{'action':'return'," R ",'items':{}}", "items:wrong_type"},
    /* Greening: an approval says whether replanting is due. */
    {"greening", "{'action':'approve'," R ",'replanting_required':true}", NULL},
    {"greening", "{'action':'approve'," R "}", "replanting_required:required"},
    {"greening", "{'action':'approve'," R ",'replanting_required':'yes'}",
     "replanting_required:wrong_type"},
    {"greening", "{'action':'approve'," R "," WINDOW ",'replanting_required':false}",
     "work_window:unknown_field"},
    {"greening", "{'action':'return'," R "," ITEMS "}", NULL},
    /* Planning: an approval carries the licence number. */
    {"planning", "{'action':'approve'," R ",'licence_number':'JG-2026-0456'}", NULL},
    {"planning", "{'action':'approve'," R ",'conditions':[]}", "licence_number:required"},
    {"planning", "{'action':'reject'," R ",'reason_code':'P07','comment':'outside'}", NULL},
    {"planning", "{'action':'complete'," R "}", "action:invalid_value"},
    /* Guidance (issue #20): every utility answers its guidance task the same way. */
    {"water", "{'action':'guidance'," R "," POINT ",'capacity':{'status':'available'}}", NULL},
    {"power",
     "{'action':'guidance'," R "," POINT ",'capacity':{'status':'reinforcement',"
     "'ready_by':'2027-03-01'},'conditions':['a 10 kV cabinet on the boundary'],"
     "'length_m':40," QUOTE ",'comment':'ring main unit 7'}",
     NULL},
    {"gas", "{'action':'guidance'," R ",'capacity':{'status':'reinforcement'},'colour':1}",
     "connection_point:required capacity.ready_by:required colour:unknown_field"},
    {"heat",
     "{'action':'guidance'," R "," POINT ",'capacity':{'status':'soon',"
     "'ready_by':'2027-02-30'}}",
     "capacity.status:invalid_value capacity.ready_by:wrong_format"},
    {"network",
     "{'action':'guidance'," R "," POINT ",'capacity':{'status':'available',"
     "'ready_by':'2027-03-01'},'length_m':-1,'quote_lines':[]}",
     "capacity.ready_by:not_allowed length_m:out_of_range quote_lines:empty"},
    {"water", "{'action':'guidance'," R ",'connection_point':{'lat':99},'capacity':{}}",
     "connection_point.lat:out_of_range connection_point.lng:required "
     "connection_point.description:required capacity.status:required"},
    {"road", "{'action':'guidance'," R "," POINT ",'capacity':{'status':'available'}}",
     "action:invalid_value"},
};

ParameterizedTestParameters(adapter, callbacks)
{
	ROW_PARAMS(callbacks_rows);
}

ParameterizedTest(size_t *row, adapter, callbacks)
{
	const struct callback_case *c = &callbacks_rows[*row];
	const struct adapter *a = adapter_find(c->kind);
	json_t *body = json_q(c->body);
	struct adapter_callback cb;
	struct error err = ERROR_INIT;
	int rc = a->parse_callback(body, &cb, &err);

	if (!c->expected) {
		cr_assert_eq(rc, 0, "%s %s: %s (%zu details, first %s)", c->kind, c->body,
			     err.message, err.ndetails, err.ndetails ? err.details[0].field : "");
		cr_assert_str_eq(cb.action, json_string_value(json_object_get(body, "action")));
		cr_assert_str_eq(cb.external_ref, "HK-2026-000123-W");
		cr_assert_null(json_object_get(cb.payload, "action"));
		cr_assert_null(json_object_get(cb.payload, "reference"));
		cr_assert_eq(json_object_size(cb.payload), json_object_size(body) - 2);
	} else {
		cr_assert_eq(rc, ERR_INVALID, "%s %s: accepted", c->kind, c->body);
		cr_assert_null(cb.payload);
		assert_details(&err, c->expected, c->body);
	}
	adapter_callback_release(&cb);
	error_release(&err);
	json_decref(body);
}

Test(adapter, callback_body_must_be_object)
{
	static const char *const bodies[] = {"[]", "'accept'", "7", "null"};

	for (size_t i = 0; i < sizeof(bodies) / sizeof(bodies[0]); i++) {
		json_t *body = json_q(bodies[i]);
		struct adapter_callback cb;

		cr_assert_eq(adapter_find("gas")->parse_callback(body, &cb, NULL), ERR_INVALID);
		cr_assert_null(cb.payload);
		json_decref(body);
	}
	struct adapter_callback cb;
	cr_assert_eq(adapter_find("gas")->parse_callback(NULL, &cb, NULL), ERR_INVALID);
}

Test(adapter, callback_payload_is_a_copy)
{
	json_t *body =
	    json_q("{'action':'survey','reference':'HK-1'," POINT ",'pressure_class':'low'}");
	struct adapter_callback cb;

	cr_assert_eq(adapter_find("gas")->parse_callback(body, &cb, NULL), 0);
	json_decref(body);
	cr_assert_str_eq(cb.action, "survey");
	cr_assert_str_eq(cb.external_ref, "HK-1");
	cr_assert_str_eq(json_string_value(json_object_get(cb.payload, "pressure_class")), "low");
	cr_assert_eq(json_real_value(adapter_get_path(cb.payload, "connection_point.lat")), 36.1);
	adapter_callback_release(&cb);
	cr_assert_null(cb.payload);
}

/* ---- planning stage (issue #20) ---------------------------------------------------------- */

/* A guidance.requested event for kind with its loads (single-quoted JSON). */
static json_t *guidance_event(const char *kind, const char *loads)
{
	json_t *ev = json_q("{'type':'guidance.requested','version':1,'sequence':77,"
			    "'occurred_at':'2026-12-07T09:30:00Z','application':'PJ-000042',"
			    "'object':{'id':9,'kind':'','status':'due','project':{'id':42,"
			    "'reference':'PJ-000042','name':'Huaxin Tower','geometry':{'type':"
			    "'Point','coordinates':[119.2914,26.0826]},'district':'350102'},"
			    "'hookup_date':'2027-09-01','due_date':'2026-12-14','limit_days':5,"
			    "'preferred':true}}");
	json_t *object = json_object_get(ev, "object");
	json_object_set_new(object, "kind", json_string(kind));
	json_object_set_new(object, "loads", json_q(loads));
	return ev;
}

struct guidance_case {
	const char *kind, *loads;
	const char *fields; /* "path=json path=json ..." expected in the payload (no spaces) */
};

static const struct guidance_case guidance_rows[] = {
    {"water", "{'m3_per_day':120,'dn':50}",
     "data.daily_demand_m3=120 data.pipe_diameter_dn=50 data.kind='water'"},
    {"power", "{'kva':630}", "data.capacity_kva=630 data.kind='power'"},
    {"gas", "{'m3_per_hour':25.5}", "data.flow_m3h=25.5"},
    {"heat", "{'kw':850}", "data.heat_load_kw=850"},
    {"network", "{'lines':4}", "data.ports=4"},
};

ParameterizedTestParameters(adapter, guidance_requested)
{
	ROW_PARAMS(guidance_rows);
}

/* Each utility gets guidance.requested in its own shape: the task, the site, its loads. */
ParameterizedTest(size_t *row, adapter, guidance_requested)
{
	const struct guidance_case *c = &guidance_rows[*row];
	json_t *ev = guidance_event(c->kind, c->loads), *out = NULL;
	struct error err = ERROR_INIT;

	cr_assert_eq(adapter_find(c->kind)->build_payload(ev, &out, &err), 0, "%s: %s", c->kind,
		     err.ndetails ? err.details[0].field : err.message);
	static const char *const common[][2] = {
	    {"type", "'guidance.requested'"},
	    {"sequence", "77"},
	    {"data.reference", "'PJ-000042'"},
	    {"data.guidance_id", "9"},
	    {"data.state", "'due'"},
	    {"data.due_date", "'2026-12-14'"},
	    {"data.hookup_date", "'2027-09-01'"},
	    {"data.preferred", "true"},
	    {"data.site", "{'district':'350102','geometry':{'type':'Point','coordinates':"
			  "[119.2914,26.0826]}}"},
	};
	for (size_t i = 0; i < sizeof(common) / sizeof(common[0]); i++) {
		json_t *want = json_q(common[i][1]);
		cr_expect(json_equal((json_t *)adapter_get_path(out, common[i][0]), want), "%s: %s",
			  c->kind, common[i][0]);
		json_decref(want);
	}
	char *fields = strdup(c->fields), *save = NULL;
	for (char *f = strtok_r(fields, " ", &save); f; f = strtok_r(NULL, " ", &save)) {
		char *eq = strchr(f, '=');
		*eq = '\0';
		json_t *want = json_q(eq + 1);
		const json_t *got = adapter_get_path(out, f);
		cr_expect(json_equal((json_t *)got, want), "%s: %s", c->kind, f);
		json_decref(want);
	}
	free(fields);
	cr_expect_null(json_object_get(out, "object"), "the portal's shape is not sent");
	cr_expect_null(adapter_get_path(out, "data.loads"), "loads under the kind's own names");
	json_decref(out);
	json_decref(ev);
}

/* What a guidance event lacks is listed whole; another kind's event is refused. */
Test(adapter, guidance_requested_problems_all_listed)
{
	json_t *ev = json_q("{'type':'guidance.requested','version':1,'sequence':77,"
			    "'occurred_at':'2026-12-07T09:30:00Z','object':{'kind':'water',"
			    "'project':{'geometry':{'type':'Point','coordinates':['a']}},"
			    "'loads':{'dn':0}}}");
	json_t *out = NULL;
	struct error err = ERROR_INIT;
	cr_assert_eq(adapter_find("water")->build_payload(ev, &out, &err), ERR_INVALID);
	cr_assert_null(out);
	assert_details(&err,
		       "object.project.reference:required object.id:required "
		       "object.status:required object.due_date:required "
		       "object.project.district:required "
		       "object.project.geometry.coordinates:wrong_type "
		       "object.loads.m3_per_day:required object.loads.dn:out_of_range",
		       "water guidance");
	error_release(&err);
	json_decref(ev);
	ev = guidance_event("gas", "{'m3_per_hour':3}");
	cr_assert_eq(adapter_find("water")->build_payload(ev, &out, &err), ERR_INVALID);
	assert_details(&err, "object.kind:wrong_kind object.loads.m3_per_day:required "
			     "object.loads.dn:required",
		       "gas event to water");
	error_release(&err);
	json_decref(ev);
}

/* The road authority gets coordination.conflict in its own words. */
Test(adapter, coordination_conflict_to_the_road_authority)
{
	json_t *ev = json_q("{'type':'coordination.conflict','version':1,'sequence':78,"
			    "'occurred_at':'2026-12-07T09:30:00Z','application':'PJ-000043',"
			    "'object':{'road_id':'FZ-GL-0001','project':'PJ-000043','months':6,"
			    "'conflicts':[{'projects':['PJ-000043','PJ-000040'],'digs':[12,7],"
			    "'gap_days':33}],'total':1,'part':1,'parts':1}}");
	json_t *out = NULL;
	struct error err = ERROR_INIT;
	cr_assert_eq(adapter_find("road")->build_payload(ev, &out, &err), 0, "%s",
		     err.ndetails ? err.details[0].field : err.message);
	json_t *want = json_q("{'reference':'PJ-000043','road':'FZ-GL-0001','window_months':6,"
			      "'conflicts':[{'references':['PJ-000043','PJ-000040'],"
			      "'planned_dig_ids':[12,7],'gap_days':33}],'total':1,'part':1,"
			      "'parts':1}");
	char *got = json_dumps(json_object_get(out, "data"), JSON_SORT_KEYS);
	cr_expect(json_equal(json_object_get(out, "data"), want), "%s", got);
	free(got);
	cr_expect_str_eq(json_string_value(json_object_get(out, "type")), "coordination.conflict");
	json_decref(want);
	json_decref(out);
	json_decref(ev);
	/* incomplete: every problem; a utility's adapter does not take it */
	ev = json_q("{'type':'coordination.conflict','version':1,'sequence':78,"
		    "'occurred_at':'2026-12-07T09:30:00Z','object':{'months':0,"
		    "'conflicts':[{'projects':[]}]}}");
	cr_assert_eq(adapter_find("road")->build_payload(ev, &out, &err), ERR_INVALID);
	assert_details(&err,
		       "object.project:required object.road_id:required "
		       "object.months:out_of_range object.conflicts[0].projects:empty "
		       "object.conflicts[0].gap_days:required",
		       "road conflict");
	error_release(&err);
	cr_assert_eq(adapter_find("water")->build_payload(ev, &out, &err), ERR_INVALID,
		     "not a utility's event");
	error_release(&err);
	json_decref(ev);
}

/* A guidance callback stands for the API's answer: the point as GeoJSON, quote_lines as quote. */
Test(adapter, guidance_callback_is_the_api_answer)
{
	json_t *body = json_q("{'action':'guidance','reference':'PJ-000042'," POINT ","
			      "'capacity':{'status':'reinforcement','ready_by':'2027-03-01'},"
			      "'conditions':['night works'],'length_m':12," QUOTE ","
			      "'comment':'x'}");
	struct adapter_callback cb;
	cr_assert_eq(adapter_find("water")->parse_callback(body, &cb, NULL), 0);
	json_t *api = adapter_guidance_answer(&cb);
	json_t *want = json_q("{'connection_point':{'geometry':{'type':'Point','coordinates':"
			      "[120.4,36.1]},'description':'valve chamber NE'},'capacity':"
			      "{'status':'reinforcement','ready_by':'2027-03-01'},'conditions':"
			      "['night works'],'length_m':12,'quote':[{'code':'W-101','quantity':2,"
			      "'unit_price_fen':150000}]}");
	char *got = json_dumps(api, JSON_SORT_KEYS);
	cr_expect(json_equal(api, want), "%s", got);
	free(got);
	json_decref(want);
	json_decref(api);
	adapter_callback_release(&cb);
	json_decref(body);
}
