/*
 * inflect.h — key case conversions for cfn-guard's missing-key fallback
 * (see inflect.c).
 */
#ifndef MAMORI_GUARD_INFLECT_H
#define MAMORI_GUARD_INFLECT_H

#include "mamori/buf.h"

#include <stdbool.h>
#include <stddef.h>

/* In the order cfn-guard tries them. */
typedef enum mg_conv {
	MG_CONV_CAMEL = 0,
	MG_CONV_CLASS,
	MG_CONV_KEBAB,
	MG_CONV_PASCAL,
	MG_CONV_SNAKE,
	MG_CONV_TITLE,
	MG_CONV_TRAIN,
	MG_CONV__COUNT
} mg_conv;

/* Append s converted by conv to out. */
void mg_inflect(int conv, const char *s, size_t n, mamori_buf *out);

#endif
