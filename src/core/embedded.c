/*
 * embedded.c — lookup in the table of rule files compiled into libmamori.
 */
#include "embedded.h"

#include <string.h>

const mamori_embedded_file *mamori_embedded_rule(const char *name)
{
	for (size_t i = 0; i < mamori_embedded_rules_count; i++)
		if (strcmp(mamori_embedded_rules[i].name, name) == 0)
			return &mamori_embedded_rules[i];
	return NULL;
}
