/*
 * The audit chain's verification while others append to it: every pass, however the appends
 * fall between its reads, finds the chain whole (it reads the pages and the head in one
 * snapshot; an entry appended after its last page used to read as a deleted tail).
 */
#include <criterion/criterion.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>

#include "store/audit.h"
#include "support/harness.h"

static atomic_bool stop;
static atomic_int appended;

static int append_one(struct store_conn *c, void *ctx, struct error *err)
{
	(void)ctx;
	struct audit_entry e = { 0, 0, "test.append", "test", "verify-race", "{}" };
	return store_audit_append(c, &e, err);
}

static void *appender(void *arg)
{
	(void)arg;
	while (!atomic_load(&stop)) {
		struct error err = ERROR_INIT;
		if (store_tx(harness_pool(), append_one, NULL, &err) == 0)
			atomic_fetch_add(&appended, 1);
		error_release(&err);
	}
	return NULL;
}

Test(audit, verification_beside_appends_finds_the_chain_whole, .timeout = 120)
{
	atomic_store(&stop, false);
	atomic_store(&appended, 0);
	pthread_t t;
	pthread_create(&t, NULL, appender, NULL);
	int failed = 0, passes = 0;
	/*
	 * At least 200 passes, and on until 50 appends have overlapped them (a fresh chain is
	 * verified in well under a millisecond, while each append waits for a durable commit);
	 * bounded at 20,000 passes.
	 */
	for (int pass = 0; pass < 20000 && (pass < 200 || atomic_load(&appended) < 50); pass++) {
		passes++;
		long long checked = 0, bad = 0;
		struct error err = ERROR_INIT;
		if (store_audit_verify(harness_pool(), &checked, &bad, &err) != 0) {
			if (!failed)
				cr_expect_fail("pass %d: %s", pass, err.message);
			failed++;
		}
		error_release(&err);
	}
	atomic_store(&stop, true);
	pthread_join(t, NULL);
	cr_expect_eq(failed, 0, "%d of %d passes saw a broken chain", failed, passes);
	cr_expect_gt(atomic_load(&appended), 20, "the appends did not overlap the passes");
}
