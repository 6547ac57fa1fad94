/*
 * dt_event.c — field access on indexed records, fixed slots, time parsing.
 */
#include "dt_event.h"

#include <stdlib.h>

void dt_scratch_reset(dt_scratch *s)
{
	for (size_t i = 1; i < s->n; i++)
		free(s->chunks[i]);
	if (s->n > 1)
		s->n = 1;
	s->used = 0;
}

void dt_scratch_free(dt_scratch *s)
{
	for (size_t i = 0; i < s->n; i++)
		free(s->chunks[i]);
	memset(s, 0, sizeof *s);
}

char *dt_scratch_alloc(dt_scratch *s, size_t n)
{
	n = (n + 15) & ~(size_t)15;
	if (s->n == 0 || s->used + n > s->sizes[s->n - 1]) {
		if (s->n == 64) /* cannot happen: the chunks below double up to 4 GiB each */
			mamori_oom(n);
		/* chunks double (from the second) so that 64 of them never run out */
		size_t sz = (size_t)(64u << 10) << (s->n < 16 ? s->n : 16);
		if (sz < n)
			sz = n;
		s->chunks[s->n] = mamori_xmalloc(sz);
		s->sizes[s->n] = sz;
		s->n++;
		s->used = 0;
	}
	char *p = s->chunks[s->n - 1] + s->used;
	s->used += n;
	return p;
}

const char *dt_event_val_str(const dt_event *ev, const dt_jval *v, size_t *len)
{
	if (!v || v->type == DT_JNULL || v->type == DT_JNONE)
		return NULL;
	if (v->type != DT_JSTR || !v->esc) {
		*len = v->len;
		return v->p;
	}
	char *out = dt_scratch_alloc(ev->scratch, v->len + 1);
	*len = dt_json_unescape(v, out);
	return out;
}

const char *dt_event_str(const dt_event *ev, int slot, size_t *len)
{
	const dt_jval *v = dt_index_get(ev->ix, slot);
	if (!v || v->type == DT_JOBJ || v->type == DT_JARR)
		return NULL;
	return dt_event_val_str(ev, v, len);
}

const char *dt_event_member(const dt_event *ev, int slot, const char *key, size_t *len)
{
	const dt_jval *v = dt_index_get(ev->ix, slot);
	dt_jval m;
	if (!v || !dt_json_member(v, key, &m) || m.type == DT_JOBJ || m.type == DT_JARR)
		return NULL;
	return dt_event_val_str(ev, &m, len);
}

bool dt_event_is(const dt_event *ev, int slot, const char *s)
{
	size_t n;
	const char *v = dt_event_str(ev, slot, &n);
	return v && n == strlen(s) && memcmp(v, s, n) == 0;
}

void dt_ct_paths_init(dt_paths *ps)
{
	static const char *const fixed[DT_F_COUNT] = {
		"eventName",
		"eventSource",
		"eventTime",
		"eventID",
		"eventType",
		"awsRegion",
		"sourceIPAddress",
		"userAgent",
		"errorCode",
		"errorMessage",
		"recipientAccountId",
		"userIdentity.type",
		"userIdentity.arn",
		"userIdentity.accountId",
		"userIdentity.principalId",
		"userIdentity.userName",
		"userIdentity.accessKeyId",
		"userIdentity.invokedBy",
		"userIdentity.sessionContext.sessionIssuer.arn",
		"userIdentity.sessionContext.sessionIssuer.type",
		"userIdentity.sessionContext.sessionIssuer.userName",
		"userIdentity.sessionContext.attributes.mfaAuthenticated",
		"requestParameters",
		"responseElements",
		"additionalEventData",
		"additionalEventData.MFAUsed",
		"responseElements.ConsoleLogin",
		"readOnly",
		"resources",
		"sessionCredentialFromConsole",
		"detail",
		"detail-type",
		"eventData",
		"digestStartTime",
		"Records",
	};
	for (int i = 0; i < DT_F_COUNT; i++)
		dt_paths_add(ps, fixed[i]);
}

void dt_dns_paths_init(dt_paths *ps)
{
	static const char *const fixed[DT_D_COUNT] = {
		"query_name", "query_type", "rcode",	 "srcaddr", "srcport",
		"query_timestamp", "account_id", "region", "vpc_id", "srcids.instance",
		"firewall_rule_action", "answers",
	};
	for (int i = 0; i < DT_D_COUNT; i++)
		dt_paths_add(ps, fixed[i]);
}

static int num(const char *s, size_t n, size_t *i, int digits)
{
	int v = 0;
	for (int k = 0; k < digits; k++) {
		if (*i >= n || s[*i] < '0' || s[*i] > '9')
			return -1;
		v = v * 10 + (s[(*i)++] - '0');
	}
	return v;
}

/* Days since 1970-01-01 of a civil date (Howard Hinnant's algorithm). */
static int64_t days_from_civil(int64_t y, unsigned m, unsigned d)
{
	y -= m <= 2;
	int64_t era = (y >= 0 ? y : y - 399) / 400;
	unsigned yoe = (unsigned)(y - era * 400);
	unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + (int64_t)doe - 719468;
}

int64_t dt_parse_time(const char *s, size_t n)
{
	size_t i = 0;
	int y = num(s, n, &i, 4);
	if (y < 0 || i >= n || s[i++] != '-')
		return 0;
	int mo = num(s, n, &i, 2);
	if (mo < 1 || mo > 12 || i >= n || s[i++] != '-')
		return 0;
	int d = num(s, n, &i, 2);
	if (d < 1 || d > 31)
		return 0;
	int h = 0, mi = 0, se = 0;
	if (i < n && (s[i] == 'T' || s[i] == ' ' || s[i] == 't')) {
		i++;
		h = num(s, n, &i, 2);
		if (h < 0 || h > 23 || i >= n || s[i++] != ':')
			return 0;
		mi = num(s, n, &i, 2);
		if (mi < 0 || mi > 59)
			return 0;
		if (i < n && s[i] == ':') {
			i++;
			se = num(s, n, &i, 2);
			if (se < 0 || se > 60)
				return 0;
		}
		if (i < n && s[i] == '.')
			for (i++; i < n && s[i] >= '0' && s[i] <= '9'; i++)
				;
	}
	int64_t t = days_from_civil(y, (unsigned)mo, (unsigned)d) * 86400 + h * 3600 + mi * 60 + se;
	if (i < n && (s[i] == '+' || s[i] == '-')) {
		int sign = s[i++] == '-' ? -1 : 1;
		int oh = num(s, n, &i, 2);
		if (i < n && s[i] == ':')
			i++;
		int om = num(s, n, &i, 2);
		if (oh >= 0 && om >= 0)
			t -= sign * (oh * 3600 + om * 60);
	}
	return t;
}
