/* Published rules API tests set before they rely on them. */
#ifndef TESTS_SUPPORT_RULES_H
#define TESTS_SUPPORT_RULES_H

/*
 * Makes the office's oversight rules in force check every fast-tracked permit on site (100 %
 * for every risk class), publishing the next version as the demo office when they do not, so a
 * test's fast-tracked dig is queued for its post-check whatever its draw. The published
 * shares themselves are tested by the store's sampling test. Aborts the test on failure.
 */
void rules_check_every_fast_track(void);

#endif
