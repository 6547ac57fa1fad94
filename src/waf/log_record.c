/*
 * log_record.c — an evaluated request as an AWS WAF log record.
 *
 * The layout is AWS WAF's logging format (formatVersion 1): action,
 * terminating rule and its match details, rule group list, non-terminating
 * (Count) matches, labels and the request (client IP, country, headers, URI,
 * args, method).  Tools that read WAF logs from S3 or CloudWatch read these
 * unchanged.  Strings are written as valid JSON whatever the bytes: invalid
 * UTF-8 becomes \u00XX.
 */
#include "waf_internal.h"

#include <string.h>
#include <time.h>

void waf_json_quote_n(mamori_buf *b, const char *s, size_t n)
{
	static const char hex[] = "0123456789abcdef";
	mamori_buf_reserve(b, n + 2);
	mamori_buf_putc(b, '"');
	const unsigned char *p = (const unsigned char *)s;
	size_t i = 0;
	while (i < n) {
		unsigned char c = p[i];
		if (c == '"' || c == '\\') {
			char e[3] = {'\\', (char)c, 0};
			mamori_buf_puts(b, e);
			i++;
		} else if (c < 0x20 || c == 0x7f) {
			char e[7] = {'\\', 'u', '0', '0', hex[c >> 4], hex[c & 15], 0};
			mamori_buf_puts(b, e);
			i++;
		} else if (c < 0x80) {
			size_t j = i;
			while (j < n && p[j] >= 0x20 && p[j] < 0x7f && p[j] != '"' && p[j] != '\\')
				j++;
			mamori_buf_append(b, p + i, j - i);
			i = j;
		} else {
			size_t len = (c & 0xE0) == 0xC0 ? 2 : (c & 0xF0) == 0xE0 ? 3 : (c & 0xF8) == 0xF0 ? 4 : 0;
			bool ok = len && i + len <= n;
			for (size_t k = 1; ok && k < len; k++)
				ok = (p[i + k] & 0xC0) == 0x80;
			if (ok && len == 2 && c < 0xC2)
				ok = false; /* overlong */
			if (ok && len == 3 && c == 0xE0 && p[i + 1] < 0xA0)
				ok = false;
			if (ok && len == 3 && c == 0xED && p[i + 1] >= 0xA0)
				ok = false; /* surrogates */
			if (ok && len == 4 && ((c == 0xF0 && p[i + 1] < 0x90) || c > 0xF4 ||
					       (c == 0xF4 && p[i + 1] >= 0x90)))
				ok = false;
			if (ok) {
				mamori_buf_append(b, p + i, len);
				i += len;
			} else {
				char e[7] = {'\\', 'u', '0', '0', hex[c >> 4], hex[c & 15], 0};
				mamori_buf_puts(b, e);
				i++;
			}
		}
	}
	mamori_buf_putc(b, '"');
}

static void qs(mamori_buf *b, const char *s)
{
	if (s)
		waf_json_quote_n(b, s, strlen(s));
	else
		mamori_buf_puts(b, "null");
}

static void details(mamori_buf *b, const mamori_waf_match *m)
{
	if (!m->condition || !m->location) {
		mamori_buf_puts(b, "[]");
		return;
	}
	mamori_buf_puts(b, "[{\"conditionType\":");
	qs(b, m->condition);
	if (m->sensitivity) {
		mamori_buf_puts(b, ",\"sensitivityLevel\":");
		qs(b, m->sensitivity);
	}
	mamori_buf_puts(b, ",\"location\":");
	qs(b, m->location);
	if (m->field_name) {
		mamori_buf_puts(b, ",\"name\":");
		qs(b, m->field_name);
	}
	mamori_buf_puts(b, ",\"matchedData\":");
	if (m->data) {
		mamori_buf_putc(b, '[');
		qs(b, m->data);
		mamori_buf_putc(b, ']');
	} else {
		mamori_buf_puts(b, "null");
	}
	mamori_buf_puts(b, "}]");
}

static void rule_entry(mamori_buf *b, const mamori_waf_match *m)
{
	mamori_buf_puts(b, "{\"ruleId\":");
	qs(b, m->rule);
	mamori_buf_puts(b, ",\"action\":");
	qs(b, mamori_waf_action_name(m->action));
	mamori_buf_puts(b, ",\"ruleMatchDetails\":");
	details(b, m);
	mamori_buf_putc(b, '}');
}

void mamori_waf_log_record(const mamori_waf_acl *acl, const mamori_waf_request *rq,
			   const mamori_waf_result *res, const char *extra_json, mamori_buf *out)
{
	int64_t ts = rq->timestamp_ms;
	if (!ts) {
		struct timespec t;
		clock_gettime(CLOCK_REALTIME, &t);
		ts = (int64_t)t.tv_sec * 1000 + t.tv_nsec / 1000000;
	}
	mamori_buf_printf(out, "{\"timestamp\":%lld,\"formatVersion\":1,\"webaclId\":", (long long)ts);
	qs(out, acl->arn);
	mamori_buf_puts(out, ",\"terminatingRuleId\":");
	qs(out, res->terminating_rule);
	mamori_buf_puts(out, ",\"terminatingRuleType\":");
	qs(out, res->terminating_rule_type);
	mamori_buf_puts(out, ",\"action\":");
	qs(out, mamori_waf_action_name(res->action));
	mamori_buf_puts(out, ",\"terminatingRuleMatchDetails\":");
	const mamori_waf_match *term =
		res->terminating_match >= 0 ? &res->matches[res->terminating_match] : NULL;
	if (term && !term->group)
		details(out, term);
	else
		mamori_buf_puts(out, "[]");
	mamori_buf_puts(out, ",\"httpSourceName\":\"-\",\"httpSourceId\":\"-\",\"ruleGroupList\":[");
	/* one entry per group that matched, in order of first match */
	bool first_group = true;
	for (size_t i = 0; i < res->match_count; i++) {
		const char *g = res->matches[i].group;
		if (!g)
			continue;
		bool seen = false;
		for (size_t k = 0; k < i && !seen; k++)
			seen = res->matches[k].group && !strcmp(res->matches[k].group, g);
		if (seen)
			continue;
		if (!first_group)
			mamori_buf_putc(out, ',');
		first_group = false;
		mamori_buf_puts(out, "{\"ruleGroupId\":");
		mamori_buf_printf(out, "\"AWS#%s\"", g);
		mamori_buf_puts(out, ",\"terminatingRule\":");
		if (term && term->group && !strcmp(term->group, g))
			rule_entry(out, term);
		else
			mamori_buf_puts(out, "null");
		mamori_buf_puts(out, ",\"nonTerminatingMatchingRules\":[");
		bool first = true;
		for (size_t k = i; k < res->match_count; k++) {
			const mamori_waf_match *m = &res->matches[k];
			if (m == term || !m->group || strcmp(m->group, g) != 0)
				continue;
			if (!first)
				mamori_buf_putc(out, ',');
			first = false;
			rule_entry(out, m);
		}
		mamori_buf_puts(out, "],\"excludedRules\":null,\"customerConfig\":null}");
	}
	mamori_buf_puts(out, "],\"rateBasedRuleList\":[],\"nonTerminatingMatchingRules\":[");
	bool first = true;
	for (size_t i = 0; i < res->match_count; i++) {
		const mamori_waf_match *m = &res->matches[i];
		if (m == term || m->group)
			continue;
		if (!first)
			mamori_buf_putc(out, ',');
		first = false;
		rule_entry(out, m);
	}
	mamori_buf_puts(out, "],\"requestHeadersInserted\":");
	if (res->insert_header_count) {
		mamori_buf_putc(out, '[');
		for (size_t i = 0; i < res->insert_header_count; i++) {
			const mamori_waf_header *h = &res->insert_headers[i];
			mamori_buf_puts(out, i ? ",{\"name\":" : "{\"name\":");
			waf_json_quote_n(out, h->name, h->name_len);
			mamori_buf_puts(out, ",\"value\":");
			waf_json_quote_n(out, h->value, h->value_len);
			mamori_buf_putc(out, '}');
		}
		mamori_buf_putc(out, ']');
	} else {
		mamori_buf_puts(out, "null");
	}
	mamori_buf_puts(out, ",\"responseCodeSent\":");
	if (res->action != MAMORI_WAF_ALLOW && res->status)
		mamori_buf_printf(out, "%d", res->status);
	else
		mamori_buf_puts(out, "null");
	mamori_buf_puts(out, ",\"httpRequest\":{\"clientIp\":");
	qs(out, rq->client_ip ? rq->client_ip : "-");
	mamori_buf_puts(out, ",\"country\":");
	qs(out, rq->country ? rq->country : "-");
	mamori_buf_puts(out, ",\"headers\":[");
	for (size_t i = 0; i < rq->header_count; i++) {
		const mamori_waf_header *h = &rq->headers[i];
		mamori_buf_puts(out, i ? ",{\"name\":" : "{\"name\":");
		waf_json_quote_n(out, h->name ? h->name : "", h->name ? h->name_len : 0);
		mamori_buf_puts(out, ",\"value\":");
		waf_json_quote_n(out, h->value ? h->value : "", h->value ? h->value_len : 0);
		mamori_buf_putc(out, '}');
	}
	const char *u = rq->uri ? rq->uri : "";
	size_t un = rq->uri_len ? rq->uri_len : strlen(u);
	const char *q = memchr(u, '?', un);
	mamori_buf_puts(out, "],\"uri\":");
	waf_json_quote_n(out, u, q ? (size_t)(q - u) : un);
	mamori_buf_puts(out, ",\"args\":");
	waf_json_quote_n(out, q ? q + 1 : "", q ? un - (size_t)(q - u) - 1 : 0);
	mamori_buf_puts(out, ",\"httpVersion\":");
	qs(out, rq->version ? rq->version : "HTTP/1.1");
	mamori_buf_puts(out, ",\"httpMethod\":");
	qs(out, rq->method ? rq->method : "GET");
	mamori_buf_puts(out, ",\"requestId\":null},\"labels\":");
	if (res->label_count) {
		mamori_buf_putc(out, '[');
		for (size_t i = 0; i < res->label_count; i++) {
			mamori_buf_puts(out, i ? ",{\"name\":" : "{\"name\":");
			qs(out, res->labels[i]);
			mamori_buf_putc(out, '}');
		}
		mamori_buf_putc(out, ']');
	} else {
		mamori_buf_puts(out, "null");
	}
	size_t inspected = rq->body_len < acl->body_limit ? rq->body_len : acl->body_limit;
	mamori_buf_printf(out, ",\"requestBodySize\":%zu,\"requestBodySizeInspectedByWAF\":%zu",
			  rq->body_len, inspected);
	if (extra_json) {
		const char *a = strchr(extra_json, '{');
		const char *z = strrchr(extra_json, '}');
		if (a && z && z > a) {
			const char *p = a + 1;
			while (p < z && (*p == ' ' || *p == '\n' || *p == '\t'))
				p++;
			if (p < z) {
				mamori_buf_putc(out, ',');
				mamori_buf_append(out, p, (size_t)(z - p));
			}
		}
	}
	mamori_buf_putc(out, '}');
}
