/*
 * aws_module.h — the AWS client's scanner module, for the registry.
 */
#ifndef MAMORI_AWS_MODULE_H
#define MAMORI_AWS_MODULE_H

#include "mamori/module.h"

/* What a live collection could not read (module.c). */
extern const mamori_module mamori_module_aws_collection;

#endif
