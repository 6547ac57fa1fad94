/*
 * dt_run.h — the state of one detection run, shared by the run loop, the
 * aggregator and the native detectors (internal to src/detect).
 */
#ifndef MAMORI_DETECT_RUN_H
#define MAMORI_DETECT_RUN_H

#include "detect.h"
#include "dt_flow.h"
#include "sigma/sigma.h"

/* One detection hit; the aggregator copies what it keeps. */
typedef struct dt_hit {
	const char *rule;	  /* native rule id (rules/detect/native.yaml) */
	size_t sigma;		  /* Sigma rule index, or SIZE_MAX */
	const char *account;
	const char *region;
	const char *actor;	  /* aggregation key: identity, instance or address */
	const char *res_type;	  /* ASFF resource type */
	const char *res_id;
	const char *res_details;  /* JSON object for Resources[].Details, or NULL */
	int64_t time;
	const char *event_id;
	const char *detail;	  /* one sentence for the description */
	const char *sample;	  /* the record's text (JSON) */
	size_t sample_len;
	int severity;		  /* -1: the rule's */
	/* ASFF Action / Network */
	const char *action_type;  /* AWS_API_CALL NETWORK_CONNECTION PORT_PROBE DNS_REQUEST */
	const char *api, *service, *src_ip, *user_agent;
	const char *local_ip, *remote_ip, *protocol, *direction, *domain;
	int local_port, remote_port;
	const char *file;
	uint64_t line;
} dt_hit;

typedef struct dt_agg dt_agg;
dt_agg *dt_agg_new(const dt_config *cfg);
void dt_agg_free(dt_agg *a);
void dt_agg_add(dt_agg *a, const dt_hit *h);
/* A piece of text (not NUL-terminated); p NULL = absent. */
typedef struct dt_span {
	const char *p;
	size_t n;
} dt_span;

/* The aggregation key of (rule or Sigma rule index, account, region, actor,
 * resource): what makes a finding's Id, so that the same hits give the same
 * finding whatever order they come in (shards, files). */
uint64_t dt_agg_key(const char *rule, size_t sigma, dt_span account, dt_span region, dt_span actor,
		    dt_span resource);
/* Count a hit on an entry that already exists (no hit to build): true when
 * there was one. */
bool dt_agg_bump(dt_agg *a, uint64_t key, int64_t time, const char *id, size_t idlen);
size_t dt_agg_count(const dt_agg *a);

typedef struct dt_ct_state dt_ct_state;
typedef struct dt_flow_state dt_flow_state;
typedef struct dt_dns_state dt_dns_state;
typedef struct dt_baseline dt_baseline;

struct dt_run {
	dt_engine *e;
	const dt_config *cfg;
	mamori_module_run *mrun;
	dt_stats *st;
	dt_agg *agg;
	sg_scanner *sg;
	dt_index ct_ix, dns_ix; /* records as read */
	dt_scratch scratch;
	struct dt_reorder *reorder; /* time order (NULL: off) */
	dt_index out_ct_ix, out_dns_ix; /* records leaving the reorder buffer */
	dt_scratch out_scratch;
	dt_flow_rec out_flow;
	dt_ct_state *ct;
	dt_flow_state *flow;
	dt_dns_state *dns;
	dt_baseline *bl;
	int64_t watermark;
	const char *file; /* display name of the file being read */
	struct mamori_s3 *s3; /* the session s3:// files are read through */
	size_t files_done, files_total; /* objects and files, for the progress label */
	uint64_t seq;
	size_t problems_reported;
	/* progress */
	struct dt_input *in; /* the file being read */
	uint64_t done_bytes, total_bytes;
	unsigned since_progress;
	double started, relabelled, logged;
};

void dt_emit(dt_run *r, const dt_hit *h);
/* A native hit of rule at time/file/line, everything else empty (ports -1,
 * the rule's own severity). */
void dt_hit_init(dt_hit *h, const char *rule, int64_t time, const char *file, uint64_t line);
/* Report a bad input place (capped: the first 200 are listed, all counted). */
void dt_run_problem(dt_run *r, const char *path, uint64_t line, unsigned col, const char *fmt,
		    ...) MAMORI_PRINTF(5, 6);

/* Fill a hit's identity, account, region, API and sample from a CloudTrail event. */
void dt_hit_from_ct(const dt_event *ev, dt_hit *h, const char *rule);
/* The same from a Route 53 Resolver query (domain: the actor; NULL = the query name). */
void dt_hit_from_dns(const dt_event *ev, dt_hit *h, const char *rule, const char *domain);
/* A CloudTrail hit counted on its existing aggregate without building it;
 * false when the hit must be built (dt_hit_from_ct + dt_emit). */
bool dt_ct_bump(dt_run *r, const dt_event *ev, const char *rule, size_t sigma);

/* Native detectors (src/detect/native/). */
dt_ct_state *dt_ct_new(dt_run *r);
void dt_ct_event(dt_run *r, const dt_event *ev);
void dt_ct_finish(dt_run *r);
void dt_ct_free(dt_ct_state *s);

dt_flow_state *dt_flowdet_new(dt_run *r);
/* A flow as read: the per-flow checks (threat lists) run now; true when the
 * stateful detectors want it, in time order, through dt_flowdet_record. */
bool dt_flowdet_read(dt_run *r, const dt_flow_rec *f);
void dt_flowdet_record(dt_run *r, const dt_flow_rec *f);
void dt_flowdet_finish(dt_run *r);
void dt_flowdet_free(dt_flow_state *s);

dt_dns_state *dt_dnsdet_new(dt_run *r);
void dt_dnsdet_event(dt_run *r, const dt_event *ev);
void dt_dnsdet_finish(dt_run *r);
void dt_dnsdet_free(dt_dns_state *s);

/* Emit the aggregated findings into the module run. */
void dt_agg_emit(dt_run *r);

#endif
