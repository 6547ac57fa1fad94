/*
 * scan.h — `mamori scan`, the main job, as a library call.
 *
 * Runs every registered module that accepts the target, finalizes the
 * findings (stable Ids, timestamps), records them in the store in one
 * transaction and hands back what was found, merged with the store's
 * knowledge (first seen, workflow), plus per-module statistics and the input
 * problems met on the way.
 */
#ifndef MAMORI_SCAN_H
#define MAMORI_SCAN_H

#include "common.h"
#include "finding.h"
#include "module.h"
#include "store.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct mamori_scan_options {
	const char *const *modules; /* run only these (names or pillars); NULL = all */
	size_t module_count;
} mamori_scan_options;

typedef enum mamori_module_outcome {
	MAMORI_MODULE_SKIPPED = 0, /* did not accept the target */
	MAMORI_MODULE_OK,
	MAMORI_MODULE_PROBLEMS, /* ran, but some inputs could not be read */
	MAMORI_MODULE_FAILED,	/* could not run */
} mamori_module_outcome;

typedef struct mamori_module_stats {
	const mamori_module *module;
	mamori_module_outcome outcome;
	size_t findings;
	size_t problems;
	double seconds;
} mamori_module_stats;

typedef struct mamori_scan_result {
	mamori_findings findings;  /* this scan's findings, merged with the store */
	mamori_scan_stats store;   /* what the store changed (zero without a store) */
	mamori_module_stats *modules;
	size_t module_count;
	char **problems; /* one line each: "path:line:col: message" */
	size_t problem_count;
	char started_at[32];
	char finished_at[32];
	double seconds;
	const char *target; /* the target's scope key */
} mamori_scan_result;

MAMORI_API void mamori_scan_result_init(mamori_scan_result *r);
MAMORI_API void mamori_scan_result_free(mamori_scan_result *r);

/*
 * Scan target with the registry's modules.  store may be NULL (nothing is
 * recorded, findings are still finalized).  Returns MAMORI_OK when the scan
 * ran, even if some inputs had problems (see result->problem_count); an error
 * only when nothing could be recorded (the store failed, no module accepted
 * the target and `modules` named one, ...).
 */
MAMORI_API int mamori_scan_run(mamori_ctx *ctx, const mamori_registry *reg, mamori_store *store,
			       const mamori_target *target, const mamori_scan_options *opts,
			       mamori_scan_result *result);

#ifdef __cplusplus
}
#endif
#endif
