/*
 * baseline.h — what is normal, per identity and per instance, kept in the
 * store between runs.
 *
 * An identity's baseline is the set of AWS services (eventSource) it has
 * called (IAM writes and Bedrock use marked apart); an instance's (or
 * network interface's) is the set of remote ports it has talked to and
 * the addresses its credentials were used from.  Detectors ask "has X
 * done Y before?" and teach it what they see; at the end of the run what
 * was learnt is merged into the store (set union, so shards merging in
 * any order agree).
 */
#ifndef MAMORI_DETECT_BASELINE_H
#define MAMORI_DETECT_BASELINE_H

#include "../dt_util.h"
#include "mamori/store.h"

typedef struct dt_baseline dt_baseline;

enum { DT_BL_IDENTITY = 0, DT_BL_INSTANCE = 1 };

dt_baseline *dt_baseline_new(mamori_ctx *ctx, mamori_store *store);
void dt_baseline_free(dt_baseline *b);
/* Has subject (an identity ARN, an instance id) shown item (a service, a
 * port) before — in an earlier run or earlier in this one? */
bool dt_baseline_knows(dt_baseline *b, int ns, const char *subject, const char *item);
/* Did an earlier run see the subject at all?  (A subject first met in
 * this run has no baseline yet: nothing it does is "unusual".) */
bool dt_baseline_has_subject(dt_baseline *b, int ns, const char *subject);
void dt_baseline_learn(dt_baseline *b, int ns, const char *subject, const char *item);
/* Merge what was learnt into the store (no-op without one). */
void dt_baseline_save(dt_baseline *b);
/* Items learnt this run but not kept because the in-memory cap was reached. */
size_t dt_baseline_dropped(const dt_baseline *b);

#endif
