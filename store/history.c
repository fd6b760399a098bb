/* SQL for the history of applications, jobs and permits: transitions, the timeline, pauses. */
#include "history.h"

#include "lib/json_text.h"
#include "lib/jtext.h"
#include "store/multirow.h"
#include "store/rows.h"

static const char HEAD_TRANSITION[] =
	"INSERT INTO transitions (application_id, object_type, object_id, action, from_state, "
	"to_state, actor_role, actor_org_id, actor_user_id, payload, at, stage, due_day) "
	"VALUES ";
static const char ROW_TRANSITION[] = "(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)";
static const char SQL_TIMELINE[] =
	"SELECT t.id, t.object_type, COALESCE(j.reference, p.reference, a.reference), t.action, "
	"t.from_state, t.to_state, t.actor_role, DATE_FORMAT(t.at, '%Y-%m-%dT%H:%i:%sZ'), t.stage, "
	"t.due_day, t.payload FROM transitions t JOIN applications a ON a.id = t.application_id "
	"LEFT JOIN jobs j ON t.object_type = 'job' AND j.id = t.object_id "
	"LEFT JOIN permits p ON t.object_type = 'permit' AND p.id = t.object_id "
	"WHERE t.application_id = ? ORDER BY t.id";
static const char SQL_PAUSE[] =
	"INSERT INTO clock_pauses (object_type, object_id, stage, reason, items, actor_role, "
	"actor_org_id, actor_user_id, paused_at, paused_day, remaining_days) "
	"VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)";
static const char SQL_PAUSE_CLOSE[] =
	"UPDATE clock_pauses SET resumed_at = ? WHERE object_type = ? AND object_id = ? "
	"AND resumed_at IS NULL";

/* The batch inserts' statements, built by row count on first use (store/multirow.h). */
static struct multirow transition_batch = MULTIROW_INIT(HEAD_TRANSITION, ROW_TRANSITION, 13, false);

static void transition_fill(const void *rows, size_t i, struct store_param *p, char (*days)[11])
{
	const struct transition_new *t = (const struct transition_new *)rows + i;
	p[0] = P_INT(t->application_id);
	p[1] = P_STR(t->object_type);
	p[2] = P_INT(t->object_id);
	p[3] = P_STR(t->action);
	p[4] = P_STR(t->from_state);
	p[5] = P_STR(t->to_state);
	p[6] = P_STR(t->actor_role);
	p[7] = t->actor_org_id ? P_INT(t->actor_org_id) : P_NULL;
	p[8] = t->actor_user_id ? P_INT(t->actor_user_id) : P_NULL;
	p[9] = P_STR(t->payload ? t->payload : "{}");
	p[10] = P_STR(t->at);
	p[11] = P_STR(t->stage);
	p[12] = rows_day_param(t->due_day, days[12]);
}

int store_transition_insert(struct store_conn *c, const struct transition_new *t, struct error *err)
{
	return store_transitions_insert_many(c, t, 1, err);
}

int store_transitions_insert_many(struct store_conn *c, const struct transition_new *t, size_t n,
				  struct error *err)
{
	return multirow_insert(c, &transition_batch, t, n, transition_fill, NULL, err);
}

int store_timeline(struct store_conn *c, long long app_id, json_t **items, struct error *err)
{
	struct store_result *r = NULL;
	struct store_param p[] = { P_INT(app_id) };
	int rc = store_exec(c, SQL_TIMELINE, p, 1, &r, err);
	if (rc)
		return rc;
	*items = json_array();
	for (size_t i = 0; i < r->nrows; i++) {
		json_t *payload = json_loads(store_cell(r, i, 10), 0, NULL);
		json_t *e = json_pack("{s:I, s:s, s:s, s:s, s:s, s:s, s:s, s:o}", "id",
				      (json_int_t)store_cell_ll(r, i, 0, 0), "track",
				      store_cell(r, i, 1), "reference", store_cell(r, i, 2), "action",
				      store_cell(r, i, 3), "to_state", store_cell(r, i, 5), "actor",
				      store_cell(r, i, 6), "at", store_cell(r, i, 7), "detail",
				      payload ? payload : json_object());
		json_object_set_new(e, "from_state", store_cell(r, i, 4)
							     ? json_string(store_cell(r, i, 4))
							     : json_null());
		if (store_cell(r, i, 8))
			json_object_set_new(e, "stage", json_string(store_cell(r, i, 8)));
		if (store_cell(r, i, 9))
			json_object_set_new(e, "due_date", json_string(store_cell(r, i, 9)));
		json_array_append_new(*items, e);
	}
	store_result_free(r);
	return 0;
}

int store_timeline_text(struct store_conn *c, long long app_id, struct strbuf *o,
			struct error *err)
{
	struct store_result *r = NULL;
	struct store_param p[] = { P_INT(app_id) };
	int rc = store_exec(c, SQL_TIMELINE, p, 1, &r, err);
	if (rc)
		return rc;
	strbuf_add(o, "[", 1);
	bool first = true;
	for (size_t i = 0; i < r->nrows; i++) {
		/* store_timeline's json_pack leaves out an entry with one of these NULL */
		if (!store_cell(r, i, 1) || !store_cell(r, i, 2) || !store_cell(r, i, 3) ||
		    !store_cell(r, i, 5) || !store_cell(r, i, 6) || !store_cell(r, i, 7))
			continue;
		strbuf_add(o, first ? "{" : ",{", first ? 1 : 2);
		first = false;
		json_text_key(o, "id", true);
		json_text_integer(o, store_cell_ll(r, i, 0, 0));
		json_text_key(o, "track", false);
		json_text_string(o, store_cell(r, i, 1));
		json_text_key(o, "reference", false);
		json_text_string(o, store_cell(r, i, 2));
		json_text_key(o, "action", false);
		json_text_string(o, store_cell(r, i, 3));
		json_text_key(o, "to_state", false);
		json_text_string(o, store_cell(r, i, 5));
		json_text_key(o, "actor", false);
		json_text_string(o, store_cell(r, i, 6));
		json_text_key(o, "at", false);
		json_text_string(o, store_cell(r, i, 7));
		json_text_key(o, "detail", false);
		jtext_stored(o, store_cell(r, i, 10), "{}");
		json_text_key(o, "from_state", false);
		json_text_string(o, store_cell(r, i, 4)); /* null when NULL */
		if (store_cell(r, i, 8)) {
			json_text_key(o, "stage", false);
			json_text_string(o, store_cell(r, i, 8));
		}
		if (store_cell(r, i, 9)) {
			json_text_key(o, "due_date", false);
			json_text_string(o, store_cell(r, i, 9));
		}
		strbuf_add(o, "}", 1);
	}
	strbuf_add(o, "]", 1);
	store_result_free(r);
	return 0;
}

int store_pause_insert(struct store_conn *c, const struct pause_new *x, struct error *err)
{
	char d[11];
	struct store_param p[] = {
		P_STR(x->object_type), P_INT(x->object_id), P_STR(x->stage), P_STR(x->reason),
		P_STR(x->items ? x->items : "[]"), P_STR(x->actor_role),
		x->actor_org_id ? P_INT(x->actor_org_id) : P_NULL,
		x->actor_user_id ? P_INT(x->actor_user_id) : P_NULL, P_STR(x->at),
		rows_day_param(x->day, d), P_INT(x->remaining_days),
	};
	return store_run(c, SQL_PAUSE, p, 11, NULL, NULL, err);
}

int store_pause_close(struct store_conn *c, const char *object_type, long long object_id,
		      const char *at, struct error *err)
{
	struct store_param p[] = { P_STR(at), P_STR(object_type), P_INT(object_id) };
	return store_run(c, SQL_PAUSE_CLOSE, p, 3, NULL, NULL, err);
}
