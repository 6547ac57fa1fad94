/*
 * detect.h — the detection pillar: GuardDuty-style detectors and the Sigma
 * engine over CloudTrail, VPC Flow Logs and Route 53 Resolver query logs.
 *
 * Data flow:
 *   files (sorted by time key, filtered by --shard)
 *     -> dt_input (plain/gzip window) -> sniffed kind
 *     -> CloudTrail / Resolver: dt_jreader -> dt_index (lazy JSON) -> dt_event
 *        -> Sigma (Vectorscan prefilter + compiled rules) and native detectors
 *     -> flow logs: dt_flow (header-driven fields) -> flow detectors
 *   hits -> dt_agg (one finding per rule x account x actor, with count,
 *           first/last seen and sample event ids) -> mamori findings
 *   baselines (per identity / per instance) <-> the store between runs.
 *
 * The engine (rules compiled, lists loaded) is built once; a run holds the
 * detector state of one pass over the inputs.
 */
#ifndef MAMORI_DETECT_DETECT_H
#define MAMORI_DETECT_DETECT_H

#include "../core/rulebook.h"
#include "dt_event.h"
#include "mamori/module.h"
#include "mamori/store.h"

typedef struct sg_ruleset sg_ruleset;
typedef struct dt_intel dt_intel;
typedef struct dt_run dt_run;

/* Thresholds, windows and caps (dt_config.c: --config FILE, --set NAME=VALUE). */
typedef struct dt_config {
	int64_t window;		  /* seconds: threshold detectors count within it */
	int64_t reorder_window;	  /* reordering window: seconds an event may arrive late
				     and still be processed in time order (0: no reordering) */
	size_t reorder_bytes;	  /* memory the reordering buffer may hold */
	unsigned portscan_ports;  /* distinct ports on one host */
	unsigned portsweep_hosts; /* distinct hosts on one port */
	unsigned bruteforce_conns;/* connections to 22/3389 from one source */
	unsigned probe_sources;	  /* distinct sources probing one unprotected port */
	unsigned discovery_calls; /* distinct discovery APIs by one identity */
	unsigned secrets_calls;	  /* secret reads by one identity */
	unsigned password_data_calls;
	unsigned userdata_calls;
	unsigned multi_instance;   /* SendCommand / StartSession / SendSSHPublicKey targets */
	unsigned s3_delete_objects;
	unsigned dns_exfil_queries; /* long high-entropy names under one domain */
	unsigned dga_nxdomains;	    /* DGA-looking NXDOMAINs by one source */
	unsigned max_findings_per_rule;
	size_t max_state_entries;   /* cap of every detector table */
} dt_config;

void dt_config_defaults(dt_config *c);
/* Apply "NAME=VALUE" (--set); MAMORI_EUSAGE with the reason when wrong. */
int dt_config_set(mamori_ctx *ctx, dt_config *c, const char *assignment);
/* Apply a YAML file of NAME: VALUE; MAMORI_EINPUT with path and reason. */
int dt_config_load(mamori_ctx *ctx, dt_config *c, const char *path);
int dt_config_load_buf(mamori_ctx *ctx, dt_config *c, const char *path, const char *buf,
		       size_t len);
/* The settings, their defaults and meaning, one a line. */
void dt_config_describe(mamori_buf *out);

typedef struct dt_engine_options {
	const char *const *rule_dirs; /* Sigma rule files or directories */
	size_t rule_dir_count;
	const char *const *threat_lists; /* [KIND:]FILE */
	size_t threat_list_count;
	bool naive;	/* evaluate every Sigma rule on every record (bench) */
	bool no_natives;
	bool no_sigma;
	const char *config;		/* YAML file of settings, or NULL */
	const char *const *settings;	/* "NAME=VALUE" */
	size_t setting_count;
	const char *const *placeholders; /* YAML files: Sigma |expand values */
	size_t placeholder_count;
} dt_engine_options;

typedef struct dt_engine {
	mamori_ctx *ctx;
	dt_config cfg;
	dt_paths ct_paths;
	dt_paths dns_paths;
	sg_ruleset *sigma;
	dt_intel *intel;
	mamori_rulebook meta; /* rules/detect/native.yaml */
	bool naive, no_natives;
	char **problems; /* rule and list loading problems */
	size_t nproblems;
} dt_engine;

int dt_engine_init(mamori_ctx *ctx, dt_engine *e, const dt_engine_options *o);
void dt_engine_free(dt_engine *e);
void dt_engine_problem(dt_engine *e, const char *fmt, ...) MAMORI_PRINTF(2, 3);

/* What one run read and skipped. */
typedef struct dt_stats {
	uint64_t files, files_skipped, unreadable_files, digests, bytes_in, bytes;
	uint64_t ct_records, dns_records, flow_records, flow_nodata, skipped_records;
	uint64_t bad_records, bad_lines, late_events;
	uint64_t early_events;	    /* released before their time: reorder buffer full */
	uint64_t reorder_peak_bytes;
	uint64_t sigma_matches, native_hits, sigma_evaluations;
	uint64_t state_bytes;	/* detector tables at the end of the run */
	uint64_t state_dropped; /* keys refused because a table was full */
	double seconds;
} dt_stats;

typedef struct dt_run_options {
	unsigned shard_index, shard_count; /* --shard I/N; count 0 = no sharding */
	mamori_store *store;		   /* baselines; may be NULL */
	bool progress;
	mamori_buf *summary;		   /* out: the run's summary, when not NULL */
	struct mamori_s3 *s3;		   /* reads the s3://bucket/key files; may be NULL */
} dt_run_options;

/* Run over files (paths with display names) and append findings to run. */
typedef struct dt_file {
	const char *path;
	const char *name; /* relative display name */
	uint64_t size;
} dt_file;

int dt_detect(dt_engine *e, const dt_run_options *o, const dt_file *files, size_t nfiles,
	      mamori_module_run *mrun, dt_stats *stats);

/* Does this file belong to shard i of n? (hash of its name; stable) */
bool dt_shard_owns(const char *name, unsigned i, unsigned n);

/* A one-paragraph summary of stats (for stderr). */
void dt_stats_summary(const dt_stats *s, mamori_buf *out);

/* The detect module for `mamori scan`. */
extern const mamori_module mamori_module_detect;

#endif
