/*
 * Issuing electronic certificates (DESIGN.md rule 13): the use case the transitions and the
 * submission call when a permit is approved or a connection completed.
 */
#ifndef PORTAL_CERTIFY_H
#define PORTAL_CERTIFY_H

#include "store/db.h"
#include "lib/error.h"

/*
 * Issues the certificate of an approved permit or a completed job ("permit"/"job") inside the
 * caller's transaction: numbered, signed with the current key, audited. Does nothing when the
 * object already has one. Errors from the store or the key file (ERR_IO); nothing is written
 * then once the transaction rolls back.
 */
int certify_issue(struct store_conn *c, const char *object_type, long long id,
		  struct error *err);

#endif
