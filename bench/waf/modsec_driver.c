/*
 * modsec_driver.c — the peer in the WAF benchmark: libmodsecurity 3 with the
 * OWASP Core Rule Set (Debian's modsecurity-crs) evaluating the same JSON
 * Lines requests as `mamori waf eval`, with the recommended engine settings
 * (request body access, XML/JSON body processors, anomaly threshold 5).
 *
 *   bench-waf-modsec PARANOIA_LEVEL REQUESTS.jsonl... > verdicts.tsv
 *
 * Prints "id<TAB>blocked" per request and, on stderr, the CPU time spent in
 * ModSecurity (transactions only, not JSON parsing) as
 * "cpu-seconds N requests M".
 */
#include <cjson/cJSON.h>
#include <modsecurity/intervention.h>
#include <modsecurity/modsecurity.h>
#include <modsecurity/rules_set.h>
#include <modsecurity/transaction.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static double cpu_now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void quiet(void *data, const void *msg)
{
	(void)data;
	(void)msg;
}

static size_t b64(const char *in, char *out)
{
	size_t o = 0;
	unsigned acc = 0;
	int bits = 0;
	for (; *in; in++) {
		const char *tab = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
		const char *p = strchr(tab, *in);
		if (!p || !*in)
			continue;
		acc = (acc << 6) | (unsigned)(p - tab);
		bits += 6;
		if (bits >= 8) {
			bits -= 8;
			out[o++] = (char)(acc >> bits);
			acc &= (1u << bits) - 1;
		}
	}
	return o;
}

int main(int argc, char **argv)
{
	if (argc < 3) {
		fprintf(stderr, "usage: %s PARANOIA_LEVEL REQUESTS.jsonl...\n", argv[0]);
		return 2;
	}
	int pl = atoi(argv[1]);
	ModSecurity *msc = msc_init();
	msc_set_connector_info(msc, "mamori-bench");
	msc_set_log_cb(msc, quiet);
	RulesSet *rules = msc_create_rules_set();
	const char *error = NULL;
	char conf[2048];
	snprintf(conf, sizeof conf,
		 "SecRuleEngine On\n"
		 "SecRequestBodyAccess On\n"
		 "SecRequestBodyLimit 13107200\n"
		 "SecRequestBodyNoFilesLimit 131072\n"
		 "SecRequestBodyLimitAction ProcessPartial\n"
		 "SecRequestBodyJsonDepthLimit 512\n"
		 "SecPcreMatchLimit 100000\n"
		 "SecPcreMatchLimitRecursion 100000\n"
		 "SecResponseBodyAccess Off\n"
		 "SecAuditEngine Off\n"
		 "SecRule REQUEST_HEADERS:Content-Type \"(?:application(?:/soap\\+|/)|text/)xml\" "
		 "\"id:200000,phase:1,t:none,t:lowercase,pass,nolog,ctl:requestBodyProcessor=XML\"\n"
		 "SecRule REQUEST_HEADERS:Content-Type \"application/json\" "
		 "\"id:200001,phase:1,t:none,t:lowercase,pass,nolog,ctl:requestBodyProcessor=JSON\"\n"
		 "Include /etc/modsecurity/crs/crs-setup.conf\n"
		 "SecAction \"id:900000,phase:1,nolog,pass,t:none,setvar:tx.paranoia_level=%d\"\n"
		 "Include /usr/share/modsecurity-crs/rules/*.conf\n",
		 pl);
	if (msc_rules_add(rules, conf, &error) < 0) {
		fprintf(stderr, "modsecurity: %s\n", error ? error : "rules failed to load");
		return 1;
	}
	double cpu = 0;
	long count = 0;
	for (int f = 2; f < argc; f++) {
		FILE *in = fopen(argv[f], "r");
		if (!in) {
			perror(argv[f]);
			return 1;
		}
		char *line = NULL;
		size_t cap = 0;
		ssize_t n;
		while ((n = getline(&line, &cap, in)) > 0) {
			cJSON *r = cJSON_ParseWithLength(line, (size_t)n);
			if (!r)
				continue;
			const char *id = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(r, "id"));
			const char *method = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(r, "method"));
			const char *uri = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(r, "uri"));
			const char *ver = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(r, "version"));
			const char *body = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(r, "body"));
			const char *bb = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(r, "body_b64"));
			char *decoded = NULL;
			size_t blen = body ? strlen(body) : 0;
			if (!body && bb) {
				decoded = malloc(strlen(bb) + 1);
				blen = b64(bb, decoded);
				body = decoded;
			}
			const cJSON *hs = cJSON_GetObjectItemCaseSensitive(r, "headers");
			double t0 = cpu_now();
			Transaction *t = msc_new_transaction(msc, rules, NULL);
			msc_process_connection(t, "192.0.2.10", 40000, "127.0.0.1", 80);
			msc_process_uri(t, uri ? uri : "/", method ? method : "GET",
					ver && strlen(ver) > 5 ? ver + 5 : "1.1");
			const cJSON *h;
			cJSON_ArrayForEach(h, hs)
			{
				const char *hn = cJSON_GetStringValue(cJSON_GetArrayItem(h, 0));
				const char *hv = cJSON_GetStringValue(cJSON_GetArrayItem(h, 1));
				if (hn && hv)
					msc_add_n_request_header(t, (const unsigned char *)hn, strlen(hn),
								 (const unsigned char *)hv, strlen(hv));
			}
			msc_process_request_headers(t);
			if (blen)
				msc_append_request_body(t, (const unsigned char *)body, blen);
			msc_process_request_body(t);
			ModSecurityIntervention it;
			memset(&it, 0, sizeof it);
			it.status = 200;
			int blocked = msc_intervention(t, &it) && it.disruptive;
			free(it.url);
			free(it.log);
			msc_process_logging(t);
			msc_transaction_cleanup(t);
			cpu += cpu_now() - t0;
			count++;
			printf("%s\t%d\n", id ? id : "?", blocked);
			free(decoded);
			cJSON_Delete(r);
		}
		free(line);
		fclose(in);
	}
	fprintf(stderr, "cpu-seconds %.6f requests %ld\n", cpu, count);
	msc_rules_cleanup(rules);
	msc_cleanup(msc);
	return 0;
}
