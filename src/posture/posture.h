/*
 * posture.h — the posture pillar's scanner modules, for the registry.
 */
#ifndef MAMORI_POSTURE_H
#define MAMORI_POSTURE_H

#include "mamori/module.h"

/* S3 public exposure over AWS Config snapshots (s3_exposure.c). */
extern const mamori_module mamori_module_s3_exposure;

#endif
