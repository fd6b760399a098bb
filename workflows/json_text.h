/*
 * How the portal writes JSON text: replies, events, webhook bodies and the documents it stores.
 * Compact, and reals to 12 significant digits: Jansson's default of 17 prints the coordinate
 * 36.66 as 36.659999999999997, which no one wrote. 12 digits keep every coordinate to a
 * millionth of a degree and every published rate; money is integer fen and never a real.
 * Every json_dumps in portal/, store/ and integrations/ uses it. The one exception is the
 * signed text of a certificate (workflows/certificate.c), whose form is fixed by its signature.
 */
#ifndef PORTAL_JSON_TEXT_H
#define PORTAL_JSON_TEXT_H

#include <jansson.h>

#define JSON_TEXT (JSON_COMPACT | JSON_REAL_PRECISION(12))

#endif
