/*
 * dt_config.c — the detection pillar's thresholds and windows: defaults,
 * `--set NAME=VALUE` and `--config FILE` (YAML, NAME: VALUE).
 *
 * One table names every setting with its place in dt_config and its
 * bounds, so that the defaults, the YAML file, the command line and the
 * documentation (docs/detect.md, "Settings") speak of the same names.
 */
#include "../core/yaml.h"
#include "detect.h"

#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>

typedef struct setting {
	const char *name;
	size_t offset;
	int kind; /* 0 int64_t, 1 unsigned, 2 size_t */
	long long min, max;
	const char *what;
} setting;

#define S64(f, lo, hi, w) {#f, offsetof(dt_config, f), 0, lo, hi, w}
#define SU(f, lo, hi, w) {#f, offsetof(dt_config, f), 1, lo, hi, w}
#define SZ(f, lo, hi, w) {#f, offsetof(dt_config, f), 2, lo, hi, w}

static const setting settings[] = {
	S64(window, 1, 7 * 86400, "seconds a threshold detector counts within"),
	S64(reorder_window, 0, 86400, "reordering window: seconds events wait to be put in time order"),
	SZ(reorder_bytes, 1 << 20, 1ll << 34, "bytes the reordering buffer may hold"),
	SU(portscan_ports, 2, 65536, "Recon:EC2/Portscan: distinct ports of one host"),
	SU(portsweep_hosts, 2, 1 << 24, "Impact:EC2/PortSweep: distinct hosts on one port"),
	SU(bruteforce_conns, 2, 1 << 24, "SSH/RDP brute force: connections from one source"),
	SU(probe_sources, 1, 1 << 24, "PortProbeUnprotectedPort: public sources on an open port"),
	SU(discovery_calls, 2, 10000, "distinct discovery APIs by one identity"),
	SU(secrets_calls, 2, 1 << 24, "secret reads by one identity"),
	SU(password_data_calls, 2, 1 << 24, "GetPasswordData calls by one identity"),
	SU(userdata_calls, 2, 1 << 24, "user data reads by one identity"),
	SU(multi_instance, 2, 1 << 24, "instances targeted by SendCommand / StartSession / SendSSHPublicKey"),
	SU(s3_delete_objects, 2, 1 << 30, "objects deleted from one bucket"),
	SU(dns_exfil_queries, 2, 1 << 24, "long random subdomains of one domain from one source"),
	SU(dga_nxdomains, 2, 1 << 24, "random-looking NXDOMAIN answers for one source"),
	SU(max_findings_per_rule, 1, 1 << 24, "findings one rule may raise before folding actors"),
	SZ(max_state_entries, 1024, 1ll << 28, "keys each detector table may hold"),
};

void dt_config_defaults(dt_config *c)
{
	memset(c, 0, sizeof *c);
	c->window = 600;
	c->reorder_window = 300;
	c->reorder_bytes = 128u << 20;
	c->portscan_ports = 25;
	c->portsweep_hosts = 25;
	c->bruteforce_conns = 20;
	c->probe_sources = 5;
	c->discovery_calls = 20;
	c->secrets_calls = 20;
	c->password_data_calls = 10;
	c->userdata_calls = 10;
	c->multi_instance = 3;
	c->s3_delete_objects = 50;
	c->dns_exfil_queries = 20;
	c->dga_nxdomains = 10;
	c->max_findings_per_rule = 200;
	c->max_state_entries = 1u << 19;
}

static const setting *find(const char *name, size_t n)
{
	for (size_t i = 0; i < sizeof settings / sizeof *settings; i++)
		if (strlen(settings[i].name) == n && memcmp(settings[i].name, name, n) == 0)
			return &settings[i];
	return NULL;
}

static int set_value(mamori_ctx *ctx, dt_config *c, const setting *s, const char *text,
		     const char *where)
{
	char *end;
	errno = 0;
	long long v = strtoll(text, &end, 10);
	if (errno || end == text || *end || v < s->min || v > s->max)
		return mamori_error_set(ctx, MAMORI_EUSAGE,
					"%s: %s: \"%s\" is not a whole number from %lld to %lld", where,
					s->name, text, s->min, s->max);
	char *field = (char *)c + s->offset;
	if (s->kind == 0)
		*(int64_t *)(void *)field = v;
	else if (s->kind == 1)
		*(unsigned *)(void *)field = (unsigned)v;
	else
		*(size_t *)(void *)field = (size_t)v;
	return MAMORI_OK;
}

static int unknown(mamori_ctx *ctx, const char *where, const char *name, size_t n)
{
	mamori_buf names = MAMORI_BUF_INIT;
	for (size_t i = 0; i < sizeof settings / sizeof *settings; i++)
		mamori_buf_printf(&names, "%s%s", i ? " " : "", settings[i].name);
	int rc = mamori_error_set(ctx, MAMORI_EUSAGE, "%s: unknown setting \"%.*s\" (one of: %s)",
				  where, (int)n, name, names.data);
	mamori_buf_free(&names);
	return rc;
}

int dt_config_set(mamori_ctx *ctx, dt_config *c, const char *assignment)
{
	const char *eq = strchr(assignment, '=');
	if (!eq)
		return mamori_error_set(ctx, MAMORI_EUSAGE, "--set: \"%s\" is not NAME=VALUE",
					assignment);
	const setting *s = find(assignment, (size_t)(eq - assignment));
	if (!s)
		return unknown(ctx, "--set", assignment, (size_t)(eq - assignment));
	return set_value(ctx, c, s, eq + 1, "--set");
}

int dt_config_load_buf(mamori_ctx *ctx, dt_config *c, const char *path, const char *buf,
		       size_t len)
{
	cJSON *y = mamori_yaml_parse(ctx, path, buf, len);
	if (!y)
		return MAMORI_EINPUT;
	if (!cJSON_IsObject(y)) {
		cJSON_Delete(y);
		return mamori_error_set(ctx, MAMORI_EINPUT, "%s: expected NAME: VALUE lines", path);
	}
	const cJSON *it;
	int rc = MAMORI_OK;
	cJSON_ArrayForEach(it, y)
	{
		const setting *s = find(it->string, strlen(it->string));
		if (!s) {
			rc = unknown(ctx, path, it->string, strlen(it->string));
			break;
		}
		char text[64];
		if (cJSON_IsNumber(it))
			snprintf(text, sizeof text, "%.0f", it->valuedouble);
		else if (cJSON_IsString(it))
			snprintf(text, sizeof text, "%s", it->valuestring);
		else
			snprintf(text, sizeof text, "(not a number)");
		if ((rc = set_value(ctx, c, s, text, path)) != MAMORI_OK)
			break;
	}
	cJSON_Delete(y);
	if (rc == MAMORI_EUSAGE)
		rc = MAMORI_EINPUT; /* the file is wrong, not the command line */
	return rc;
}

int dt_config_load(mamori_ctx *ctx, dt_config *c, const char *path)
{
	mamori_buf b = MAMORI_BUF_INIT;
	int rc = mamori_buf_read_file(ctx, &b, path, 1 << 20);
	if (!rc)
		rc = dt_config_load_buf(ctx, c, path, b.data ? b.data : "", b.len);
	mamori_buf_free(&b);
	return rc;
}

void dt_config_describe(mamori_buf *out)
{
	dt_config d;
	dt_config_defaults(&d);
	for (size_t i = 0; i < sizeof settings / sizeof *settings; i++) {
		const setting *s = &settings[i];
		const char *field = (const char *)&d + s->offset;
		long long v = s->kind == 0   ? (long long)*(const int64_t *)(const void *)field
			      : s->kind == 1 ? (long long)*(const unsigned *)(const void *)field
					     : (long long)*(const size_t *)(const void *)field;
		mamori_buf_printf(out, "%-22s %10lld  %s\n", s->name, v, s->what);
	}
}
