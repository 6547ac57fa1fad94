/*
 * region.c — partitions, region names and endpoints.
 *
 * Endpoints are resolved in the AWS CLI's order: an explicit override
 * (--endpoint-url, per service or global), AWS_ENDPOINT_URL_<SERVICE>,
 * AWS_ENDPOINT_URL, the profile's endpoint_url, then the service's
 * default for the region's partition.  Global services (IAM,
 * Organizations) have one endpoint and one signing region per partition.
 */
#include "aws_internal.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

const char *aws_partition(const char *region)
{
	if (!region)
		return "aws";
	if (strncmp(region, "cn-", 3) == 0)
		return "aws-cn";
	if (strncmp(region, "us-gov-", 7) == 0)
		return "aws-us-gov";
	if (strncmp(region, "us-iso-", 7) == 0)
		return "aws-iso";
	if (strncmp(region, "us-isob-", 8) == 0)
		return "aws-iso-b";
	return "aws";
}

const char *aws_dns_suffix(const char *region)
{
	const char *p = aws_partition(region);
	if (strcmp(p, "aws-cn") == 0)
		return "amazonaws.com.cn";
	if (strcmp(p, "aws-iso") == 0)
		return "c2s.ic.gov";
	if (strcmp(p, "aws-iso-b") == 0)
		return "sc2s.sgov.gov";
	return "amazonaws.com";
}

/* xx(-gov|-iso|-isob)?-name-N, e.g. eu-west-1, us-gov-west-1, ap-southeast-5 */
bool aws_region_valid(const char *name)
{
	if (!name)
		return false;
	size_t n = strlen(name);
	if (n < 6 || n > 32)
		return false;
	int parts = 1;
	for (size_t i = 0; i < n; i++) {
		char c = name[i];
		if (c == '-') {
			if (i == 0 || name[i - 1] == '-')
				return false;
			parts++;
		} else if (!islower((unsigned char)c) && !isdigit((unsigned char)c)) {
			return false;
		}
	}
	if (parts < 3 || !islower((unsigned char)name[0]) || !islower((unsigned char)name[1]) ||
	    name[2] != '-')
		return false;
	/* the last part is the number */
	const char *last = strrchr(name, '-') + 1;
	if (!*last)
		return false;
	for (const char *p = last; *p; p++)
		if (!isdigit((unsigned char)*p))
			return false;
	return true;
}

const char *aws_signing_region(const aws_service *svc, const char *region)
{
	if (!svc->global)
		return region;
	const char *p = aws_partition(region);
	if (strcmp(p, "aws-cn") == 0)
		return strcmp(svc->name, "organizations") == 0 ? "cn-northwest-1" : "cn-north-1";
	if (strcmp(p, "aws-us-gov") == 0)
		return "us-gov-west-1";
	if (strcmp(p, "aws-iso") == 0)
		return "us-iso-east-1";
	if (strcmp(p, "aws-iso-b") == 0)
		return "us-isob-east-1";
	return "us-east-1";
}

static const char *env_endpoint(const aws_service *svc)
{
	const char *ignore = getenv("AWS_IGNORE_CONFIGURED_ENDPOINT_URLS");
	if (ignore && strcasecmp(ignore, "true") == 0)
		return NULL;
	char name[64];
	snprintf(name, sizeof name, "AWS_ENDPOINT_URL_%s", svc->env_id);
	const char *v = getenv(name);
	if (v && *v)
		return v;
	v = getenv("AWS_ENDPOINT_URL");
	return v && *v ? v : NULL;
}

static char *strip_slash(const char *url)
{
	char *s = mamori_xstrdup(url);
	size_t n = strlen(s);
	while (n > 0 && s[n - 1] == '/')
		s[--n] = '\0';
	return s;
}

char *aws_endpoint(aws_client *cl, const aws_service *svc, const char *region)
{
	const mamori_aws_options *o = cl->opts;
	/* a per-service override beats the global one, wherever it appears */
	for (size_t i = 0; i < o->endpoint_count; i++)
		if (o->endpoints[i].service &&
		    (strcmp(o->endpoints[i].service, svc->name) == 0 ||
		     strcmp(o->endpoints[i].service, svc->signing) == 0 ||
		     strcmp(o->endpoints[i].service, svc->prefix) == 0))
			return strip_slash(o->endpoints[i].url);
	for (size_t i = 0; i < o->endpoint_count; i++)
		if (!o->endpoints[i].service)
			return strip_slash(o->endpoints[i].url);
	const char *env = env_endpoint(svc);
	if (env)
		return strip_slash(env);
	const char *prof = aws_profile_endpoint(cl);
	if (prof)
		return strip_slash(prof);
	mamori_buf b = MAMORI_BUF_INIT;
	const char *suffix = aws_dns_suffix(region);
	if (strcmp(svc->name, "iam") == 0) {
		const char *p = aws_partition(region);
		if (strcmp(p, "aws") == 0)
			mamori_buf_printf(&b, "https://iam.amazonaws.com");
		else if (strcmp(p, "aws-us-gov") == 0)
			mamori_buf_printf(&b, "https://iam.us-gov.amazonaws.com");
		else
			mamori_buf_printf(&b, "https://iam.%s.%s",
					  aws_signing_region(svc, region), suffix);
	} else {
		mamori_buf_printf(&b, "https://%s.%s.%s", svc->prefix,
				  aws_signing_region(svc, region), suffix);
	}
	return mamori_buf_detach(&b);
}

bool aws_endpoint_overridden(aws_client *cl, const aws_service *svc)
{
	const mamori_aws_options *o = cl->opts;
	for (size_t i = 0; i < o->endpoint_count; i++)
		if (!o->endpoints[i].service || strcmp(o->endpoints[i].service, svc->name) == 0 ||
		    strcmp(o->endpoints[i].service, svc->signing) == 0 ||
		    strcmp(o->endpoints[i].service, svc->prefix) == 0)
			return true;
	return env_endpoint(svc) || aws_profile_endpoint(cl);
}

bool mamori_aws_endpoint_parse(char *arg, mamori_aws_endpoint *e)
{
	e->service = NULL;
	e->url = arg;
	if (!arg || !*arg)
		return false;
	const char *eq = strchr(arg, '=');
	const char *scheme = strstr(arg, "://");
	if (eq && (!scheme || eq < scheme)) {
		/* SERVICE=URL: cut the caller's string at '=' */
		e->service = arg;
		e->url = eq + 1;
		arg[eq - arg] = '\0';
		scheme = strstr(e->url, "://");
	}
	if (!scheme)
		return false;
	size_t sl = (size_t)(scheme - e->url);
	return (sl == 4 && strncasecmp(e->url, "http", 4) == 0) ||
	       (sl == 5 && strncasecmp(e->url, "https", 5) == 0);
}
