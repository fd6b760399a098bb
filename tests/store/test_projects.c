/*
 * store/projects.c's project references: "PJ-%06lld", written without printf (every row of the
 * guidance queue has one), agree with printf's for every width from one digit to twelve.
 */
#include <criterion/criterion.h>
#include <stdio.h>

#include "store/projects.h"

Test(projects_store, reference_is_printf_s)
{
	static const long long ids[] = { 0,	 1,	  9,	    10,		99999,	 100000,
					 999999, 1000000, 1234567, 999999999999LL, -5, 1000000000000LL };
	for (size_t i = 0; i < sizeof(ids) / sizeof(ids[0]); i++) {
		char want[24], got[24];
		snprintf(want, sizeof(want), "PJ-%06lld", ids[i]);
		store_project_reference(ids[i], got);
		cr_expect_str_eq(got, want, "id %lld", ids[i]);
	}
}
