/*
 * One runner for every aggregate's transition (jobs, permits): the steps every state change
 * takes in one transaction, with what differs per kind in a small table of operations.
 *
 * The path of a transition: the handler parses the request into a struct act
 * (portal/transitions_api.c); transition_run loads and locks the row and authorises the caller
 * (ops->load), checks the version, asks the kind's workflow for the outcome as data
 * (ops->decide: workflows/job.c, workflows/permit.c), applies the clock effect
 * (workflows/clock.c), records a pause, writes the row and what the outcome says to record
 * (ops->persist, store/), the history row, the audit entry and the certificate, reloads the
 * row and puts the events in the outbox (ops->emit, read by integrations/). Adding an action is
 * a table row and its effect in workflows/; nothing here names an action or a state.
 */
#ifndef PORTAL_TRANSITION_H
#define PORTAL_TRANSITION_H

#include <jansson.h>
#include <stdbool.h>

#include "store/db.h"
#include "store/clocks.h"
#include "store/permits.h"
#include "workflows/authz.h"
#include "workflows/clock.h"
#include "lib/error.h"
#include "workflows/fees.h"
#include "workflows/job.h"
#include "workflows/permit.h"

#define TRANSITION_MAX_ITEMS 100

struct published;

/* A parsed transition request: the action and whatever payload it carries. Borrowed strings. */
struct act {
	const struct authz_caller *caller;
	const struct published *pub;
	json_t *body;
	long long id;
	const char *action;
	int version; /* 0: not given */
	struct job_item items[TRANSITION_MAX_ITEMS];
	struct permit_code codes[TRANSITION_MAX_ITEMS];
	size_t nitems;
	struct permit_code conditions[TRANSITION_MAX_ITEMS];
	size_t nconditions;
	const char *reason_code;
	const char *comment;
	json_t *connection_point;
	struct fee_quote_line quote[TRANSITION_MAX_ITEMS];
	size_t nquote;
	json_t *permits_needed;
	enum permit_result result;
	day_t extension_to;
	enum permit_extension_decision decision;
	json_t *reply; /* the new view, once run */
};

/*
 * What the runner knows of the aggregate while it runs. ops->load fills the first group,
 * ops->decide the second; the runner fills the rest. `kind` points at the kind's own state.
 */
struct transition_ctx {
	struct act *a;
	void *kind;
	/* the row as loaded */
	const char *type; /* "job", "permit": the history's object type */
	long long id, application_id;
	const char *reference, *state, *standard_kind;
	int version;
	day_t submitted_day;
	struct stored_clock clock;
	/* the outcome */
	const char *to_state, *event, *stage;
	enum clock_effect clock_effect;
	bool certificate;
	/* the runner's */
	struct stored_clock k; /* the clock after the transition */
	char at[32];	       /* now, as stored */
	day_t today;
	json_t *payload; /* what the transition carried, for the history */
};

/* The operations of one kind of aggregate. Each returns 0 or fails with err filled. */
struct transition_ops {
	/* Loads t->a->id for update into t->kind, fills the row fields, authorises the caller. */
	int (*load)(struct store_conn *c, struct transition_ctx *t, struct error *err);
	/*
	 * Asks the workflow for the outcome from the stored facts and the payload; fills the
	 * outcome fields. A refused action's ERR_CONFLICT without details is answered by the
	 * runner with the allowed actions (ops->allowed).
	 */
	int (*decide)(struct store_conn *c, struct transition_ctx *t, struct error *err);
	/* The names of the actions the caller's role may take now; returns how many. */
	size_t (*allowed)(const struct transition_ctx *t, const char **names, size_t n);
	/* Writes the row (t->k is the new clock) and what the outcome says to record. */
	int (*persist)(struct store_conn *c, struct transition_ctx *t, struct error *err);
	/* Reloads the row, emits the events, sets t->a->reply. */
	int (*emit)(struct store_conn *c, struct transition_ctx *t, struct error *err);
	/* Frees t->kind. */
	void (*release)(struct transition_ctx *t);
};

extern const struct transition_ops transition_job_ops;
extern const struct transition_ops transition_permit_ops;

/* Runs one transition of ops' kind inside the caller's transaction. 0, or err's code. */
int transition_run(struct store_conn *c, const struct transition_ops *ops, struct act *a,
		   struct error *err);

/*
 * Who a permit concerns, for authorisation: ids[0] the authority deciding it, then the
 * utilities whose jobs need it; *obj points into ids. 0 or the database's error.
 */
int transition_permit_parties(struct store_conn *c, const struct permit_row *p, long long ids[9],
			      struct authz_object *obj, struct error *err);

/* The caller's role, as the workflows' tables name it. */
enum role transition_role(const struct act *a);

#endif
