/*
 * dns_detectors.c — GuardDuty's DNS findings from Route 53 Resolver query
 * logs.
 *
 *   CryptoCurrency:EC2/BitcoinTool.B!DNS  a mining-pool domain (built-in list
 *                                         rules/detect/crypto-domains.yaml and
 *                                         crypto threat lists)
 *   Backdoor:EC2/C&CActivity.B!DNS        a domain on a threat list
 *   Trojan:EC2/DNSDataExfiltration        many long, high-entropy labels under
 *                                         one registered domain from one source
 *   Trojan:EC2/DGADomainRequest.C!DNS     many NXDOMAIN answers for random-
 *                                         looking names from one source
 */
#include "../../core/json.h"
#include "../../core/yaml.h"
#include "../../core/embedded.h"
#include "../dt_intel.h"
#include "../dt_run.h"
#include "../dt_window.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#define CRYPTO_DOMAINS "rules/detect/crypto-domains.yaml"

struct dt_dns_state {
	dt_window win;
	dt_intel *crypto; /* built-in mining pool domains */
};

dt_dns_state *dt_dnsdet_new(dt_run *r)
{
	dt_dns_state *s = mamori_xcalloc(1, sizeof *s);
	dt_window_init(&s->win, r->cfg->window, r->cfg->reorder_window, r->cfg->max_state_entries);
	s->crypto = dt_intel_new();
	const mamori_embedded_file *f = mamori_embedded_rule(CRYPTO_DOMAINS);
	if (f) {
		cJSON *y = mamori_yaml_parse(r->e->ctx, CRYPTO_DOMAINS, (const char *)f->data, f->len);
		const cJSON *d;
		mamori_buf b = MAMORI_BUF_INIT;
		cJSON_ArrayForEach(d, mamori_json_get(y, "domains"))
		{
			if (cJSON_IsString(d))
				mamori_buf_printf(&b, "%s\n", d->valuestring);
		}
		dt_intel_load_buf(s->crypto, DT_INTEL_CRYPTO, "built-in crypto domains",
				  mamori_buf_cstr(&b), b.len);
		mamori_buf_free(&b);
		cJSON_Delete(y);
	}
	return s;
}

void dt_dnsdet_free(dt_dns_state *s)
{
	if (!s)
		return;
	dt_window_free(&s->win);
	dt_intel_free(s->crypto);
	free(s);
}

void dt_dnsdet_finish(dt_run *r)
{
	dt_window_account(&r->dns->win, r->st);
}

static double entropy(const char *s, size_t n)
{
	unsigned counts[256] = {0};
	for (size_t i = 0; i < n; i++)
		counts[(unsigned char)s[i]]++;
	double h = 0;
	for (int i = 0; i < 256; i++)
		if (counts[i]) {
			double p = (double)counts[i] / (double)n;
			h -= p * log2(p);
		}
	return h;
}

/* The registered domain: the last two labels (three when the second is short, co.uk). */
static size_t base_domain(const char *q, size_t n)
{
	size_t dots = 0, i = n;
	size_t pos[4] = {0};
	while (i > 0 && dots < 3) {
		i--;
		if (q[i] == '.')
			pos[dots++] = i;
	}
	if (dots < 2)
		return 0;
	size_t second = pos[0] - pos[1] - 1;
	if (second <= 3 && dots >= 3)
		return pos[2] + 1;
	return pos[1] + 1;
}

static bool dga_like(const char *label, size_t n)
{
	if (n < 10)
		return false;
	size_t vowels = 0, digits = 0;
	for (size_t i = 0; i < n; i++) {
		char c = (char)dt_lower((unsigned char)label[i]);
		vowels += c == 'a' || c == 'e' || c == 'i' || c == 'o' || c == 'u';
		digits += c >= '0' && c <= '9';
	}
	return entropy(label, n) > 3.2 && ((double)vowels / (double)n < 0.25 || digits > 2);
}

void dt_hit_from_dns(const dt_event *ev, dt_hit *h, const char *rule, const char *domain)
{
	dt_hit_init(h, rule, ev->time, ev->file, ev->line);
	size_t n;
	const char *s;
	char *inst = NULL, *src = NULL, *acct = NULL, *region = NULL, *q = NULL;
	char **outs[] = {&inst, &src, &acct, &region, &q};
	const int slots[] = {DT_D_INSTANCE, DT_D_SRCADDR, DT_D_ACCOUNT, DT_D_REGION, DT_D_QUERY_NAME};
	for (int i = 0; i < 5; i++)
		if ((s = dt_event_str(ev, slots[i], &n)) && n < 300) {
			*outs[i] = dt_scratch_alloc(ev->scratch, n + 1);
			memcpy(*outs[i], s, n);
			(*outs[i])[n] = '\0';
		}
	h->account = acct;
	h->region = region;
	h->res_type = inst ? "AwsEc2Instance" : "Other";
	h->res_id = inst ? inst : (src ? src : "unknown");
	h->actor = domain ? domain : q;
	h->domain = domain ? domain : q;
	h->action_type = "DNS_REQUEST";
	h->sample = ev->ix->rec;
	h->sample_len = ev->ix->reclen;
}

static void dns_hit(dt_run *r, const dt_event *ev, const char *rule, const char *domain,
		    const char *detail)
{
	dt_hit h;
	dt_hit_from_dns(ev, &h, rule, domain);
	h.detail = detail;
	dt_emit(r, &h);
}

void dt_dnsdet_event(dt_run *r, const dt_event *ev)
{
	size_t n;
	const char *q = dt_event_str(ev, DT_D_QUERY_NAME, &n);
	if (!q || n == 0 || n > 253)
		return;
	char name[256];
	memcpy(name, q, n);
	name[n] = '\0';
	while (n && name[n - 1] == '.')
		name[--n] = '\0';
	dt_intel_hit ih;
	char det[400];
	if (dt_intel_domain(r->dns->crypto, name, n, &ih) ||
	    (dt_intel_domain(r->e->intel, name, n, &ih) && ih.kind == DT_INTEL_CRYPTO)) {
		snprintf(det, sizeof det, "%s matches %s (%s).", name, ih.entry, ih.list);
		dns_hit(r, ev, "CryptoCurrency:EC2/BitcoinTool.B!DNS", name, det);
	} else if (dt_intel_domain(r->e->intel, name, n, &ih) && ih.kind != DT_INTEL_TRUSTED) {
		snprintf(det, sizeof det, "%s matches %s on %s list %s.", name, ih.entry,
			 dt_intel_kind_name(ih.kind), ih.list);
		dns_hit(r, ev, "Backdoor:EC2/C&CActivity.B!DNS", name, det);
	}
	size_t bd = base_domain(name, n);
	if (bd == 0)
		return;
	char src[64] = "";
	size_t sn;
	const char *s = dt_event_str(ev, DT_D_SRCADDR, &sn);
	if (s && sn < sizeof src)
		memcpy(src, s, sn), src[sn] = '\0';
	/* exfiltration: long high-entropy subdomain labels under one domain */
	const char *first = name;
	const char *dot = strchr(name, '.');
	size_t fl = dot ? (size_t)(dot - name) : n;
	char key[400];
	if (bd > 0 && fl >= 30 && entropy(first, fl) > 3.5) {
		snprintf(key, sizeof key, "exfil\x1f%s\x1f%s", src, name + bd);
		dt_wcount *c = dt_window_add(&r->dns->win, key, name, ev->time, 1);
		if (c && c->count >= r->cfg->dns_exfil_queries && !c->fired) {
			c->fired = true;
			snprintf(det, sizeof det, "%llu long random subdomains of %s queried by %s.",
				 (unsigned long long)c->count, name + bd, src);
			dns_hit(r, ev, "Trojan:EC2/DNSDataExfiltration", name + bd, det);
		}
	}
	/* DGA: NXDOMAIN for random-looking registered domains */
	size_t rn;
	const char *rc = dt_event_str(ev, DT_D_RCODE, &rn);
	if (rc && rn == 8 && memcmp(rc, "NXDOMAIN", 8) == 0) {
		const char *label = name + bd;
		const char *ld = strchr(label, '.');
		size_t ll = ld ? (size_t)(ld - label) : strlen(label);
		if (dga_like(label, ll)) {
			snprintf(key, sizeof key, "dga\x1f%s", src);
			dt_wcount *c = dt_window_add(&r->dns->win, key, label, ev->time, 1);
			if (c && c->count >= r->cfg->dga_nxdomains && !c->fired) {
				c->fired = true;
				snprintf(det, sizeof det,
					 "%llu random-looking domains that do not exist queried by %s.",
					 (unsigned long long)c->count, src);
				dns_hit(r, ev, "Trojan:EC2/DGADomainRequest.C!DNS", src, det);
			}
		}
	}
}
