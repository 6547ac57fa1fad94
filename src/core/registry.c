/*
 * registry.c — the list of scanner modules a scan may run.
 *
 * A registry is a plain growable array of pointers to static module
 * descriptions.  The built-in list itself lives above the pillars
 * (src/modules.c), so that the core never depends on a pillar.
 */
#include "internal.h"

#include <stdlib.h>
#include <string.h>

struct mamori_registry {
	const mamori_module **items;
	size_t count;
	size_t cap;
};

mamori_registry *mamori_registry_new(void)
{
	return mamori_xcalloc(1, sizeof(mamori_registry));
}

void mamori_registry_free(mamori_registry *reg)
{
	if (!reg)
		return;
	free(reg->items);
	free(reg);
}

int mamori_registry_add(mamori_registry *reg, const mamori_module *m)
{
	if (!m || mamori_str_empty(m->name) || !m->run)
		return MAMORI_EUSAGE;
	if (mamori_registry_find(reg, m->name))
		return MAMORI_EUSAGE;
	if (reg->count == reg->cap) {
		reg->cap = reg->cap ? reg->cap * 2 : 8;
		reg->items = mamori_xrealloc(reg->items, reg->cap * sizeof *reg->items);
	}
	reg->items[reg->count++] = m;
	return MAMORI_OK;
}

size_t mamori_registry_count(const mamori_registry *reg)
{
	return reg->count;
}

const mamori_module *mamori_registry_get(const mamori_registry *reg, size_t i)
{
	return i < reg->count ? reg->items[i] : NULL;
}

const mamori_module *mamori_registry_find(const mamori_registry *reg, const char *name)
{
	for (size_t i = 0; i < reg->count; i++)
		if (strcmp(reg->items[i]->name, name) == 0)
			return reg->items[i];
	return NULL;
}
