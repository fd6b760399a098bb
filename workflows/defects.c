/* Aftercare rules: guarantee dates, routing a defect report, checking its photo and feedback. */
#include "defects.h"

#include <stdio.h>
#include <string.h>

#include "place.h"

static int month_days(int y, int m)
{
	static const int days[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
	bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
	return m == 2 && leap ? 29 : days[m - 1];
}

day_t defects_guarantee_to(day_t closed_on, int months)
{
	int y, m, d;
	cal_day_to_ymd(closed_on, &y, &m, &d);
	int total = y * 12 + (m - 1) + months;
	y = total / 12;
	m = total % 12 + 1;
	if (d > month_days(y, m))
		d = month_days(y, m);
	return cal_day_from_ymd(y, m, d);
}

const char *defects_target_name(enum defects_target t)
{
	switch (t) {
	case DEFECTS_TO_UTILITY:
		return "utility";
	case DEFECTS_TO_AUTHORITY:
		return "authority";
	case DEFECTS_TO_OFFICE:
		return "office";
	}
	return "unknown";
}

void defects_route(const struct geo *point, day_t today, const struct defects_dig *digs,
		   size_t ndigs, const struct defects_road *roads, size_t nroads,
		   long long office_org_id, struct defects_route *out)
{
	*out = (struct defects_route){ .target = DEFECTS_TO_OFFICE, .org_id = office_org_id,
				       .guarantee_to = -1 };
	const struct defects_dig *best = NULL, *expired = NULL;
	double best_d = 0, expired_d = 0;
	for (size_t i = 0; i < ndigs; i++) {
		const struct defects_dig *g = &digs[i];
		if (!g->extent)
			continue;
		double d = geo_distance_m(point, g->extent);
		if (d > DEFECTS_NEAR_M)
			continue;
		bool covered = g->guarantee_to >= 0 && today <= g->guarantee_to &&
			       g->utility_org_id > 0;
		if (covered && (!best || d < best_d)) {
			best = g;
			best_d = d;
		} else if (!covered && (!expired || d < expired_d)) {
			expired = g;
			expired_d = d;
		}
	}
	const struct defects_road *road = NULL;
	double road_d = 0;
	for (size_t i = 0; i < nroads; i++) {
		const struct defects_road *r = &roads[i];
		if (!r->centreline)
			continue;
		double d = geo_distance_m(point, r->centreline);
		if (d <= place_corridor_m(r->road_class) && (!road || d < road_d)) {
			road = r;
			road_d = d;
		}
	}
	if (road) {
		snprintf(out->road_id, sizeof(out->road_id), "%s", road->road_id);
		snprintf(out->district, sizeof(out->district), "%s", road->district ? road->district : "");
	}
	char date[11];
	if (best) {
		out->target = DEFECTS_TO_UTILITY;
		out->org_id = best->utility_org_id;
		out->permit_id = best->permit_id;
		out->guarantee_to = best->guarantee_to;
		snprintf(out->reason, sizeof(out->reason),
			 "within %.0f m of works closed under guarantee until %s: the utility that "
			 "dug repairs it", DEFECTS_NEAR_M, cal_day_format(best->guarantee_to, date));
		return;
	}
	if (expired) {
		out->permit_id = expired->permit_id;
		out->guarantee_to = expired->guarantee_to;
	}
	if (road) {
		out->target = DEFECTS_TO_AUTHORITY;
		out->org_id = road->authority_org_id;
	}
	const char *to = road ? "the road authority of the road there" : "the office (no registered road there)";
	if (expired && expired->guarantee_to >= 0)
		snprintf(out->reason, sizeof(out->reason), "the works there were guaranteed until %s: "
			 "%s", cal_day_format(expired->guarantee_to, date), to);
	else
		snprintf(out->reason, sizeof(out->reason), "no works under guarantee there: %s", to);
}

int defects_photo_check(const unsigned char *bytes, size_t n, const char *content_type,
			const char *field, struct error *err)
{
	static const unsigned char jpeg[] = { 0xFF, 0xD8, 0xFF };
	static const unsigned char png[] = { 0x89, 'P', 'N', 'G', 0x0D, 0x0A, 0x1A, 0x0A };
	size_t before = err ? err->ndetails : 0;
	if (n > DEFECTS_PHOTO_MAX)
		error_add(err, field, "too_large", "the photo is %zu bytes; at most %d", n,
			  DEFECTS_PHOTO_MAX);
	bool is_jpeg = n >= sizeof(jpeg) && !memcmp(bytes, jpeg, sizeof(jpeg));
	bool is_png = n >= sizeof(png) && !memcmp(bytes, png, sizeof(png));
	const char *ct = content_type ? content_type : "";
	if (!is_jpeg && !is_png)
		error_add(err, field, "not_an_image", "the photo is neither a JPEG nor a PNG");
	else if ((is_jpeg && strcmp(ct, "image/jpeg")) || (is_png && strcmp(ct, "image/png")))
		error_add(err, field, "type_mismatch", "the photo is a %s, not %s",
			  is_jpeg ? "image/jpeg" : "image/png", *ct ? ct : "(no content_type)");
	return err ? (int)(err->ndetails - before) : 0;
}

int defects_feedback_check(const char *kind, const char *score, const char *text,
			   bool has_certificate, bool has_location, struct error *err)
{
	size_t before = err ? err->ndetails : 0;
	bool rating = kind && !strcmp(kind, "rating"), complaint = kind && !strcmp(kind, "complaint");
	if (!rating && !complaint)
		error_add(err, "kind", "invalid", "kind is rating or complaint");
	static const char *const scores[] = { "good", "average", "bad" };
	bool scored = false;
	for (size_t i = 0; score && i < 3; i++)
		scored = scored || !strcmp(score, scores[i]);
	if (rating && !scored)
		error_add(err, "score", "required", "a rating is good, average or bad");
	else if (score && !scored)
		error_add(err, "score", "invalid", "a score is good, average or bad");
	if (complaint && (!text || !*text))
		error_add(err, "text", "required", "a complaint says what is wrong");
	if (has_certificate == has_location)
		error_add(err, "certificate_number", "one_subject",
			  "name either a certificate number or a works location, one of them");
	return err ? (int)(err->ndetails - before) : 0;
}

int defects_standards_check(const struct defects_class_limits *rows, size_t n,
			    day_t effective_from, day_t today, struct error *err)
{
	static const char *const classes[] = { "expressway", "primary", "secondary", "branch" };
	size_t before = err ? err->ndetails : 0;
	int seen[4] = { 0 };
	char f[64];
	for (size_t i = 0; i < n; i++) {
		const struct defects_class_limits *r = &rows[i];
		int k = -1;
		for (int c = 0; c < 4; c++)
			if (!strcmp(r->road_class, classes[c]))
				k = c;
		snprintf(f, sizeof(f), "road_classes[%zu].road_class", i);
		if (k < 0)
			error_add(err, f, "invalid", "no road class '%s' (expressway, primary, "
				  "secondary, branch)", r->road_class);
		else if (seen[k]++)
			error_add(err, f, "duplicate", "%s is listed twice", r->road_class);
		snprintf(f, sizeof(f), "road_classes[%zu].guarantee_months", i);
		if (r->guarantee_months < 1 || r->guarantee_months > 120)
			error_add(err, f, "out_of_range", "guarantee_months is 1..120");
		snprintf(f, sizeof(f), "road_classes[%zu].remedial_days", i);
		if (r->remedial_days < 1 || r->remedial_days > 250)
			error_add(err, f, "out_of_range", "remedial_days is 1..250 working days");
		snprintf(f, sizeof(f), "road_classes[%zu].defect_days", i);
		if (r->defect_days < 1 || r->defect_days > 250)
			error_add(err, f, "out_of_range", "defect_days is 1..250 working days");
	}
	for (int c = 0; c < 4; c++)
		if (!seen[c])
			error_add(err, "road_classes", "missing", "no limits for %s roads", classes[c]);
	if (effective_from < today)
		error_add(err, "effective_from", "in_the_past",
			  "a new standard takes effect today or later");
	return err ? (int)(err->ndetails - before) : 0;
}
