/*
 * module.h — how scanner modules plug into `mamori scan`.
 *
 * A module is a static description (name, pillar, the target kinds it
 * accepts) and a run function that reads the target and appends findings.
 * Modules register in a mamori_registry; `mamori scan` runs every registered
 * module that accepts the target.  Modules of different pillars never call
 * each other: they meet only in the finding model and the store.
 *
 * A module that meets a bad input file reports it with
 * mamori_module_problem() and goes on with the other files.  A module with
 * problems does not archive its earlier findings, because it could not see
 * everything it saw before.
 */
#ifndef MAMORI_MODULE_H
#define MAMORI_MODULE_H

#include "common.h"
#include "finding.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef enum mamori_target_kind {
	MAMORI_TARGET_PATH = 1u << 0, /* a file or directory tree on disk */
	MAMORI_TARGET_AWS = 1u << 1,  /* live AWS accounts */
} mamori_target_kind;

typedef struct mamori_target_file {
	const char *path;    /* as opened: root-joined */
	const char *relpath; /* relative to the target root, for messages and scopes */
	uint64_t size;
} mamori_target_file;

typedef struct mamori_target {
	unsigned kind;	     /* one mamori_target_kind */
	const char *spec;    /* what the user asked for */
	const char *root;    /* canonical absolute path (PATH targets) */
	const char *scope;   /* the scope key findings are archived under */
	mamori_target_file *files; /* regular files under root, sorted by relpath */
	size_t file_count;
	mamori_arena arena;
} mamori_target;

typedef struct mamori_module mamori_module;

/* Everything a module's run() gets. */
typedef struct mamori_module_run {
	mamori_ctx *ctx;
	const mamori_module *module;
	const mamori_target *target;
	mamori_findings *findings; /* append here; the scan finalizes them */
	size_t problems;	   /* bumped by mamori_module_problem() */
	void *scan_private;	   /* the scan's bookkeeping; not for modules */
} mamori_module_run;

struct mamori_module {
	const char *name;    /* e.g. "s3-exposure"; also the ASFF ProductName */
	const char *pillar;  /* posture, vulnerabilities, protection, detection, data */
	const char *summary; /* one line for `mamori scan --list-modules` */
	unsigned target_kinds;
	/* Does this target hold anything for the module?  NULL: yes. */
	bool (*wants)(const mamori_target *target);
	/* Read the target and append findings.  Return MAMORI_OK unless the
	 * module could not run at all (then the scan reports the ctx error). */
	int (*run)(mamori_module_run *run);
};

/*
 * Report a problem with one input (unreadable, malformed...) and go on.
 * With fmt NULL, the ctx's last error is used as the message.
 */
MAMORI_API void mamori_module_problem(mamori_module_run *run, const char *fmt, ...)
	MAMORI_PRINTF(2, 3);

/*
 * The store the scan records into (NULL without one), for modules that keep
 * state of their own between runs (the detect module's baselines).
 */
MAMORI_API mamori_store *mamori_module_store(const mamori_module_run *run);

/* Start a finding pre-filled with the module's name and pillar. */
MAMORI_API mamori_finding *mamori_module_finding(mamori_module_run *run, const char *generator_id);

/* ---- registry ---- */

MAMORI_API mamori_registry *mamori_registry_new(void);
MAMORI_API void mamori_registry_free(mamori_registry *reg);
/* m must outlive the registry (modules are static const data). */
MAMORI_API int mamori_registry_add(mamori_registry *reg, const mamori_module *m);
/* Add every module built into libmamori. */
MAMORI_API void mamori_registry_add_builtin(mamori_registry *reg);
MAMORI_API size_t mamori_registry_count(const mamori_registry *reg);
MAMORI_API const mamori_module *mamori_registry_get(const mamori_registry *reg, size_t i);
MAMORI_API const mamori_module *mamori_registry_find(const mamori_registry *reg, const char *name);

/* ---- targets ---- */

/*
 * Resolve a target spec: a file or directory path (walked recursively,
 * skipping hidden directories and not following symlinks out of it).
 */
MAMORI_API int mamori_target_open(mamori_ctx *ctx, const char *spec, mamori_target **out);
MAMORI_API void mamori_target_free(mamori_target *t);

/* True if relpath ends with one of the NULL-terminated suffixes (case-insensitive). */
MAMORI_API bool mamori_target_file_has_suffix(const mamori_target_file *f, const char *const *suffixes);

#ifdef __cplusplus
}
#endif
#endif
