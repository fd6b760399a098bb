/* The day, cell and version helpers of store/rows.h. */
#include "rows.h"

#include "lib/json_text.h"
#include "lib/strbuf.h"
#include "lib/xalloc.h"

struct store_param rows_day_param(day_t d, char buf[11])
{
	if (d < 0)
		return P_NULL;
	cal_day_format(d, buf);
	return P_STR(buf);
}

day_t rows_day_cell(const struct store_result *r, size_t row, size_t col)
{
	const char *s = store_cell(r, row, col);
	day_t d;
	if (!s || cal_day_parse(s, &d, NULL) != 0)
		return -1;
	return d;
}

char *rows_dup_cell(const struct store_result *r, size_t row, size_t col)
{
	const char *s = store_cell(r, row, col);
	return s ? xstrdup(s) : NULL;
}

int rows_changed_meanwhile(unsigned long long affected, struct error *err)
{
	if (affected == 0)
		return error_set(err, ERR_CONFLICT,
				 "it changed meanwhile (stale version): reload and try again");
	return 0;
}

void rows_json_number(struct strbuf *o, const struct store_result *r, size_t row, size_t col,
		      const char *dflt)
{
	const char *v = store_cell(r, row, col);
	strbuf_puts(o, v ? v : dflt);
}

void rows_json_boolean(struct strbuf *o, const struct store_result *r, size_t row, size_t col)
{
	json_text_boolean(o, store_cell_ll(r, row, col, 0) != 0);
}
