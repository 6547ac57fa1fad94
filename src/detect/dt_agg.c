/*
 * dt_agg.c — hits into findings: de-duplication and aggregation.
 *
 * GuardDuty reports one finding per (type, resource, actor) and counts the
 * repeats; so does this: hits with the same rule, account and actor fold
 * into one entry that keeps the count, first and last seen, up to ten
 * evidence event ids and the first record as a sample.  A rule that would
 * produce more than max_findings_per_rule entries folds the rest into one
 * "(other actors)" entry, so that one noisy rule cannot flood the store.
 */
#include "../core/json.h"
#include "dt_run.h"
#include "sigma/sigma.h"

#include <stdlib.h>

#define MAX_IDS 10
#define MAX_SAMPLE 16384
#define MAX_SAMPLES_BYTES (32u << 20) /* all samples together: past it, entries keep none */

typedef struct entry {
	dt_hit h; /* strings copied into the arena */
	uint64_t count;
	int64_t first, last;
	const char *ids[MAX_IDS];
	size_t nids;
} entry;

#define OTHER_ACTORS "(other actors)"
#define MAX_KEYS (1u << 18) /* (rule, account, actor) keys remembered for the fast path */

struct dt_agg {
	const dt_config *cfg;
	dt_map keys;	  /* 8-byte aggregation key -> entry index + 1 */
	dt_map per_rule;  /* rule -> entries so far */
	entry *entries;
	size_t count, cap;
	size_t sample_bytes;
	mamori_arena arena;
};

dt_agg *dt_agg_new(const dt_config *cfg)
{
	dt_agg *a = mamori_xcalloc(1, sizeof *a);
	a->cfg = cfg;
	dt_map_init(&a->keys, MAX_KEYS);
	dt_map_init(&a->per_rule, 0);
	mamori_arena_init(&a->arena, 0);
	return a;
}

void dt_agg_free(dt_agg *a)
{
	if (!a)
		return;
	dt_map_free(&a->keys);
	dt_map_free(&a->per_rule);
	free(a->entries);
	mamori_arena_free(&a->arena);
	free(a);
}

size_t dt_agg_count(const dt_agg *a)
{
	return a->count;
}

static const char *adup(dt_agg *a, const char *s)
{
	return s ? mamori_arena_strdup(&a->arena, s) : NULL;
}

static uint64_t span_hash(dt_span s)
{
	return s.p ? dt_hash(s.p, s.n) : 0;
}

uint64_t dt_agg_key(const char *rule, size_t sigma, dt_span account, dt_span region, dt_span actor,
		    dt_span resource)
{
	uint64_t r = sigma != SIZE_MAX ? dt_hash_u64(sigma + 1) : dt_hash(rule, strlen(rule));
	r = dt_hash_mix(r, span_hash(account));
	r = dt_hash_mix(r, span_hash(region));
	r = dt_hash_mix(r, span_hash(actor));
	return dt_hash_mix(r, span_hash(resource));
}

static dt_span span(const char *s)
{
	return (dt_span){s, s ? strlen(s) : 0};
}

/* The key of a hit as dt_agg_emit() will name it (resource: its id, else the actor). */
static uint64_t hit_key(const dt_hit *h, const char *actor)
{
	const char *res = h->res_id && *h->res_id ? h->res_id : actor;
	return dt_agg_key(h->rule, h->sigma, span(h->account), span(h->region), span(actor),
			  span(res));
}

static void count_hit(dt_agg *a, entry *n, int64_t time, const char *id, size_t idlen)
{
	n->count++;
	if (time && (time < n->first || !n->first))
		n->first = time;
	if (time > n->last)
		n->last = time;
	if (id && n->nids < MAX_IDS) {
		for (size_t i = 0; i < n->nids; i++)
			if (strlen(n->ids[i]) == idlen && memcmp(n->ids[i], id, idlen) == 0)
				return;
		n->ids[n->nids++] = mamori_arena_strndup(&a->arena, id, idlen);
	}
}

bool dt_agg_bump(dt_agg *a, uint64_t key, int64_t time, const char *id, size_t idlen)
{
	dt_map_entry *e = dt_map_get(&a->keys, &key, sizeof key);
	if (!e)
		return false;
	count_hit(a, &a->entries[e->value - 1], time, id, idlen);
	return true;
}

void dt_agg_add(dt_agg *a, const dt_hit *h)
{
	const char *actor = h->actor ? h->actor : "";
	uint64_t key = hit_key(h, actor);
	dt_map_entry *e = dt_map_get(&a->keys, &key, sizeof key);
	size_t index = e ? e->value : 0;
	if (!e) {
		char rulekey[64];
		const char *rule = h->rule;
		if (h->sigma != SIZE_MAX) {
			snprintf(rulekey, sizeof rulekey, "#%zu", h->sigma);
			rule = rulekey;
		}
		bool created, folded = false;
		dt_map_entry *pr = dt_map_put(&a->per_rule, rule, strlen(rule), &created);
		if (pr && pr->value >= a->cfg->max_findings_per_rule) {
			/* one noisy rule: the actors past the cap share one entry */
			actor = OTHER_ACTORS;
			folded = true;
			uint64_t other = dt_agg_key(h->rule, h->sigma, span(h->account),
						    span(h->region), span(actor), span(actor));
			dt_map_entry *oe = dt_map_get(&a->keys, &other, sizeof other);
			index = oe ? oe->value : 0;
		}
		if (!index) {
			if (pr)
				pr->value++;
			if (a->count == a->cap) {
				a->cap = a->cap ? a->cap * 2 : 64;
				a->entries = mamori_xrealloc(a->entries, a->cap * sizeof *a->entries);
			}
			entry *n = &a->entries[a->count];
			memset(n, 0, sizeof *n);
			index = ++a->count;
			n->h = *h;
			n->h.rule = adup(a, h->rule);
			n->h.account = adup(a, h->account);
			n->h.region = adup(a, h->region);
			n->h.actor = adup(a, actor);
			n->h.res_type = adup(a, h->res_type);
			n->h.res_id = adup(a, h->res_id);
			n->h.res_details = adup(a, h->res_details);
			n->h.event_id = NULL;
			n->h.detail = adup(a, h->detail);
			size_t sl = h->sample_len > MAX_SAMPLE ||
						    a->sample_bytes + h->sample_len > MAX_SAMPLES_BYTES
					    ? 0
					    : h->sample_len;
			a->sample_bytes += sl;
			n->h.sample = sl ? mamori_arena_strndup(&a->arena, h->sample, sl) : NULL;
			n->h.sample_len = sl;
			n->h.api = adup(a, h->api);
			n->h.service = adup(a, h->service);
			n->h.src_ip = adup(a, h->src_ip);
			n->h.user_agent = adup(a, h->user_agent);
			n->h.local_ip = adup(a, h->local_ip);
			n->h.remote_ip = adup(a, h->remote_ip);
			n->h.protocol = adup(a, h->protocol);
			n->h.direction = adup(a, h->direction);
			n->h.domain = adup(a, h->domain);
			n->h.action_type = adup(a, h->action_type);
			n->h.file = adup(a, h->file);
			n->first = n->last = h->time;
			if (folded) {
				/* the shared entry's resource is the folded actors themselves */
				n->h.res_type = "Other";
				n->h.res_id = NULL;
				n->h.res_details = NULL;
				uint64_t other = dt_agg_key(h->rule, h->sigma, span(h->account),
							    span(h->region), span(actor), span(actor));
				dt_map_entry *oe = dt_map_put(&a->keys, &other, sizeof other, &created);
				if (oe)
					oe->value = index;
			}
		}
		/* remember the key (a folded actor maps to the shared entry) */
		e = dt_map_put(&a->keys, &key, sizeof key, &created);
		if (e)
			e->value = index;
	}
	entry *n = &a->entries[index - 1];
	count_hit(a, n, h->time, h->event_id, h->event_id ? strlen(h->event_id) : 0);
	if (h->detail && n->count > 1) /* the latest detail says the most (counts grow) */
		n->h.detail = adup(a, h->detail);
	if (h->severity > n->h.severity)
		n->h.severity = h->severity;
}

static bool twelve_digits(const char *s)
{
	if (!s || strlen(s) != 12)
		return false;
	for (int i = 0; i < 12; i++)
		if (s[i] < '0' || s[i] > '9')
			return false;
	return true;
}

static void fmt_time(int64_t t, char out[32])
{
	if (t <= 0)
		snprintf(out, 32, "unknown");
	else
		mamori_time_format((time_t)t, out);
}

static const char *tactic_type(const char *tag)
{
	static const char *const m[][2] = {
		{"attack.initial-access", "TTPs/Initial Access"},
		{"attack.initial_access", "TTPs/Initial Access"},
		{"attack.execution", "TTPs/Execution"},
		{"attack.persistence", "TTPs/Persistence"},
		{"attack.privilege-escalation", "TTPs/Privilege Escalation"},
		{"attack.privilege_escalation", "TTPs/Privilege Escalation"},
		{"attack.defense-evasion", "TTPs/Defense Evasion"},
		{"attack.defense_evasion", "TTPs/Defense Evasion"},
		{"attack.stealth", "TTPs/Defense Evasion"},
		{"attack.credential-access", "TTPs/Credential Access"},
		{"attack.credential_access", "TTPs/Credential Access"},
		{"attack.discovery", "TTPs/Discovery"},
		{"attack.lateral-movement", "TTPs/Lateral Movement"},
		{"attack.lateral_movement", "TTPs/Lateral Movement"},
		{"attack.collection", "TTPs/Collection"},
		{"attack.command-and-control", "TTPs/Command and Control"},
		{"attack.command_and_control", "TTPs/Command and Control"},
		{"attack.exfiltration", "Effects/Data Exfiltration"},
		{"attack.impact", "Effects/Resource Consumption"},
	};
	for (size_t i = 0; i < sizeof m / sizeof *m; i++)
		if (strcmp(tag, m[i][0]) == 0)
			return m[i][1];
	return NULL;
}

static mamori_severity level_sev(const char *level)
{
	if (!level)
		return MAMORI_SEV_MEDIUM;
	if (!strcmp(level, "critical"))
		return MAMORI_SEV_CRITICAL;
	if (!strcmp(level, "high"))
		return MAMORI_SEV_HIGH;
	if (!strcmp(level, "low"))
		return MAMORI_SEV_LOW;
	if (!strcmp(level, "informational"))
		return MAMORI_SEV_INFORMATIONAL;
	return MAMORI_SEV_MEDIUM;
}

static void add_action(cJSON *o, const entry *n)
{
	const dt_hit *h = &n->h;
	if (!h->action_type)
		return;
	char f[32], l[32];
	fmt_time(n->first, f);
	fmt_time(n->last, l);
	cJSON *act = cJSON_AddObjectToObject(o, "Action");
	cJSON_AddStringToObject(act, "ActionType", h->action_type);
	if (strcmp(h->action_type, "AWS_API_CALL") == 0) {
		cJSON *c = cJSON_AddObjectToObject(act, "AwsApiCallAction");
		mamori_json_add_str(c, "Api", h->api);
		mamori_json_add_str(c, "ServiceName", h->service);
		cJSON_AddStringToObject(c, "CallerType", "Remote IP");
		if (h->src_ip && strchr(h->src_ip, '.') && !strchr(h->src_ip, 'a') &&
		    !strchr(h->src_ip, 'm'))
			cJSON_AddStringToObject(cJSON_AddObjectToObject(c, "RemoteIpDetails"),
						"IpAddressV4", h->src_ip);
		if (n->first > 0)
			cJSON_AddStringToObject(c, "FirstSeen", f);
		if (n->last > 0)
			cJSON_AddStringToObject(c, "LastSeen", l);
	} else if (strcmp(h->action_type, "DNS_REQUEST") == 0) {
		cJSON *c = cJSON_AddObjectToObject(act, "DnsRequestAction");
		mamori_json_add_str(c, "Domain", h->domain);
		cJSON_AddStringToObject(c, "Protocol", "UDP");
		cJSON_AddBoolToObject(c, "Blocked", false);
	} else {
		bool probe = strcmp(h->action_type, "PORT_PROBE") == 0;
		cJSON *c = cJSON_AddObjectToObject(act, probe ? "PortProbeAction"
							       : "NetworkConnectionAction");
		if (probe) {
			cJSON *arr = cJSON_AddArrayToObject(c, "PortProbeDetails");
			cJSON *d = cJSON_CreateObject();
			if (h->local_port >= 0)
				cJSON_AddNumberToObject(cJSON_AddObjectToObject(d, "LocalPortDetails"),
							"Port", h->local_port);
			if (h->remote_ip && strchr(h->remote_ip, '.'))
				cJSON_AddStringToObject(cJSON_AddObjectToObject(d, "RemoteIpDetails"),
							"IpAddressV4", h->remote_ip);
			cJSON_AddItemToArray(arr, d);
			cJSON_AddBoolToObject(c, "Blocked", false);
		} else {
			mamori_json_add_str(c, "ConnectionDirection", h->direction);
			if (h->remote_ip && strchr(h->remote_ip, '.'))
				cJSON_AddStringToObject(cJSON_AddObjectToObject(c, "RemoteIpDetails"),
							"IpAddressV4", h->remote_ip);
			if (h->remote_port >= 0)
				cJSON_AddNumberToObject(cJSON_AddObjectToObject(c, "RemotePortDetails"),
							"Port", h->remote_port);
			if (h->local_port >= 0)
				cJSON_AddNumberToObject(cJSON_AddObjectToObject(c, "LocalPortDetails"),
							"Port", h->local_port);
			mamori_json_add_str(c, "Protocol", h->protocol);
			cJSON_AddBoolToObject(c, "Blocked", false);
		}
	}
}

static void emit_one(dt_run *r, const entry *n)
{
	mamori_module_run *mr = r->mrun;
	mamori_findings *fs = mr->findings;
	const dt_hit *h = &n->h;
	const sg_rule_info *si = h->sigma != SIZE_MAX ? sg_ruleset_info(r->e->sigma, h->sigma) : NULL;
	const mamori_rule_meta *meta = si ? NULL : mamori_rulebook_find(&r->e->meta, h->rule);
	if (!si && !meta)
		return;
	mamori_finding *f;
	char first[32], last[32];
	fmt_time(n->first, first);
	fmt_time(n->last, last);
	if (si) {
		f = mamori_module_finding(mr, mamori_findings_printf(fs, "sigma:%s", si->id));
		f->title = mamori_findings_strdup(fs, si->title);
		f->severity = level_sev(si->level);
		f->severity_original = mamori_findings_strdup(fs, si->level);
		f->rule_author = mamori_findings_strdup(fs, si->author ? si->author : "unknown");
		f->rule_license = mamori_findings_strdup(fs, si->license);
		for (size_t i = 0; i < si->ntags; i++) {
			const char *t = tactic_type(si->tags[i]);
			bool dupe = false;
			for (size_t k = 0; t && k < f->types.count; k++)
				dupe |= strcmp(f->types.items[k], t) == 0;
			if (t && !dupe)
				mamori_finding_add_type(fs, f, t);
		}
		if (f->types.count == 0)
			mamori_finding_add_type(fs, f, "Unusual Behaviors/User");
		mamori_finding_add_product_field(fs, f, "mamori/sigma/id", si->id);
		mamori_finding_add_product_field(fs, f, "mamori/sigma/title", si->title);
		mamori_finding_add_product_field(fs, f, "mamori/sigma/level", si->level);
		mamori_finding_add_product_field(fs, f, "mamori/sigma/author",
						 si->author ? si->author : "unknown");
		mamori_finding_add_product_field(fs, f, "mamori/sigma/license", si->license);
		mamori_finding_add_product_field(fs, f, "mamori/sigma/file", si->stem);
		mamori_buf tags = MAMORI_BUF_INIT;
		for (size_t i = 0; i < si->ntags; i++)
			mamori_buf_printf(&tags, "%s%s", i ? "," : "", si->tags[i]);
		if (tags.len)
			mamori_finding_add_product_field(fs, f, "mamori/sigma/tags", tags.data);
		mamori_buf_free(&tags);
		if (si->nrefs)
			f->remediation_url = mamori_findings_strdup(fs, si->refs[0]);
		f->remediation_text = mamori_findings_strdup(
			fs, "Review the matched events; Sigma rule by the author named in the "
			    "finding (Detection Rule License 1.1).");
	} else {
		f = mamori_module_finding(mr, h->rule);
		mamori_rule_apply(fs, f, meta);
		mamori_finding_add_product_field(fs, f, "aws/guardduty/type", meta->id);
	}
	if (h->severity >= 0 && !si)
		f->severity = (mamori_severity)h->severity;
	const char *base = si ? (si->description ? si->description : si->title) : f->description;
	f->description = mamori_findings_printf(
		fs, "%s%s%s Seen %llu time%s%s%s between %s and %s.", base ? base : "",
		h->detail ? " " : "", h->detail ? h->detail : "", (unsigned long long)n->count,
		n->count == 1 ? "" : "s", h->actor && *h->actor ? " for " : "",
		h->actor && *h->actor ? h->actor : "", first, last);
	f->aws_account_id = twelve_digits(h->account) ? mamori_findings_strdup(fs, h->account) : NULL;
	f->region = h->region && *h->region && strlen(h->region) < 32
			    ? mamori_findings_strdup(fs, h->region)
			    : NULL;
	mamori_resource *res = mamori_finding_add_resource(
		fs, f, h->res_type ? h->res_type : "Other",
		h->res_id && *h->res_id ? h->res_id : (h->actor && *h->actor ? h->actor : "unknown"));
	if (h->res_details)
		res->details_json = mamori_findings_strdup(fs, h->res_details);
	f->fingerprint = h->actor ? mamori_findings_strdup(fs, h->actor) : NULL;
	if (h->file) {
		f->location.path = mamori_findings_strdup(fs, h->file);
		f->location.line = (unsigned)h->line;
	}
	char cnt[32];
	snprintf(cnt, sizeof cnt, "%llu", (unsigned long long)n->count);
	mamori_finding_add_product_field(fs, f, "mamori/detect/count", cnt);
	mamori_finding_add_product_field(fs, f, "mamori/detect/first_seen", first);
	mamori_finding_add_product_field(fs, f, "mamori/detect/last_seen", last);
	/* ASFF's observed times are the events', not the scan's */
	if (n->first > 0 && n->last >= n->first) {
		f->first_observed_at = mamori_findings_strdup(fs, first);
		f->last_observed_at = mamori_findings_strdup(fs, last);
	}
	if (h->actor && *h->actor)
		mamori_finding_add_product_field(fs, f, "mamori/detect/actor", h->actor);

	cJSON *ev = cJSON_CreateObject();
	cJSON_AddNumberToObject(ev, "count", (double)n->count);
	cJSON_AddStringToObject(ev, "first_seen", first);
	cJSON_AddStringToObject(ev, "last_seen", last);
	mamori_json_add_str(ev, "actor", h->actor);
	cJSON *ids = cJSON_AddArrayToObject(ev, "event_ids");
	mamori_buf idlist = MAMORI_BUF_INIT;
	for (size_t i = 0; i < n->nids; i++) {
		cJSON_AddItemToArray(ids, cJSON_CreateString(n->ids[i]));
		mamori_buf_printf(&idlist, "%s%s", i ? "," : "", n->ids[i]);
	}
	if (idlist.len)
		mamori_finding_add_product_field(fs, f, "mamori/detect/event_ids", idlist.data);
	mamori_buf_free(&idlist);
	if (h->sample) {
		cJSON *s = cJSON_ParseWithLength(h->sample, h->sample_len);
		cJSON_AddItemToObject(ev, "sample", s ? s : cJSON_CreateString(h->sample));
	}
	char *evs = mamori_json_print(ev, false);
	f->evidence_json = mamori_findings_strdup(fs, evs);
	free(evs);
	cJSON_Delete(ev);

	cJSON *extra = cJSON_CreateObject();
	add_action(extra, n);
	if (h->remote_ip || h->local_ip) {
		cJSON *net = cJSON_AddObjectToObject(extra, "Network");
		bool out = h->direction && strcmp(h->direction, "OUTBOUND") == 0;
		mamori_json_add_str(net, "Direction", out ? "OUT" : "IN");
		mamori_json_add_str(net, "Protocol", h->protocol);
		const char *src = out ? h->local_ip : h->remote_ip;
		const char *dst = out ? h->remote_ip : h->local_ip;
		if (src)
			cJSON_AddStringToObject(net, strchr(src, ':') ? "SourceIpV6" : "SourceIpV4", src);
		if (dst)
			cJSON_AddStringToObject(net, strchr(dst, ':') ? "DestinationIpV6"
								       : "DestinationIpV4",
						dst);
		int dport = out ? h->remote_port : h->local_port;
		if (dport >= 0)
			cJSON_AddNumberToObject(net, "DestinationPort", dport);
	}
	if (extra->child) {
		char *x = mamori_json_print(extra, false);
		f->asff_extra_json = mamori_findings_strdup(fs, x);
		free(x);
	}
	cJSON_Delete(extra);
}

void dt_agg_emit(dt_run *r)
{
	for (size_t i = 0; i < r->agg->count; i++)
		emit_one(r, &r->agg->entries[i]);
}
