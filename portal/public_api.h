/* The public reads (fees, history, service standards, calendar, estimate) and their rendering. */
#ifndef PORTAL_PUBLIC_API_H
#define PORTAL_PUBLIC_API_H

#include <jansson.h>
#include <stddef.h>

#include "portal/snapshot.h"

/*
 * What a read selects. kind NULL: every kind; org_id 0: every organisation (fees only: fee
 * schedules are per organisation); day: the date asked about (the snapshot's today for
 * parameterless reads); year for the calendar.
 */
struct public_query {
	const char *kind;
	long long org_id;
	day_t day;
	bool day_given; /* a ?date= was given: echo it in the reply */
	int year;
};

/*
 * The reply bodies, as new JSON (caller releases). Every named thing carries name_zh, name_en
 * and "name" in lang.
 */
json_t *public_fees_json(const struct published *p, const struct public_query *q,
			 enum snapshot_lang lang);
json_t *public_history_json(const struct published *p, const struct public_query *q,
			    enum snapshot_lang lang);

/*
 * From a GET /v1/public/service-standards reply ({"standards": [...]}): the distinct material
 * types the standards ask for, in order of first mention, as a new JSON array of strings. The
 * demo seed and the tests upload one of each.
 */
json_t *public_standards_material_types(const json_t *reply);
json_t *public_standards_json(const struct published *p, const struct public_query *q,
			      enum snapshot_lang lang);
json_t *public_calendar_json(const struct published *p, const struct public_query *q,
			     enum snapshot_lang lang);

/*
 * The body of one parameterless read for the snapshot's today, as the snapshot pre-renders
 * it: a new buffer (caller frees) of *len bytes. Cannot fail.
 */
char *public_render(const struct published *p, enum snapshot_doc doc, enum snapshot_lang lang,
		    size_t *len);

/* The language asked for: ?lang=zh|en, else the best of Accept-Language, else Chinese. */
struct http_request;
enum snapshot_lang public_lang(struct http_request *req);

#endif
