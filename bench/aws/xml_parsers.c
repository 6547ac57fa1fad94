/*
 * xml_parsers.c — why expat: parse one EC2 answer (DescribeSecurityGroups,
 * thousands of groups) many times with expat (SAX, counting elements),
 * libxml2's SAX2 parser and libxml2's tree parser, and mamori's expat
 * converter to cJSON (what the collectors use).  Prints MB/s each.
 */
#include "../../src/aws/aws_internal.h"

#include <expat.h>
#include <libxml/parser.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static long elements;

static void XMLCALL ex_start(void *ud, const XML_Char *n, const XML_Char **a)
{
	(void)ud;
	(void)n;
	(void)a;
	elements++;
}
static void XMLCALL ex_end(void *ud, const XML_Char *n)
{
	(void)ud;
	(void)n;
}
static void XMLCALL ex_text(void *ud, const XML_Char *s, int len)
{
	(void)ud;
	(void)s;
	(void)len;
}

static void x2_start(void *ctx, const xmlChar *name, const xmlChar **atts)
{
	(void)ctx;
	(void)name;
	(void)atts;
	elements++;
}
static void x2_text(void *ctx, const xmlChar *ch, int len)
{
	(void)ctx;
	(void)ch;
	(void)len;
}

int main(int argc, char **argv)
{
	if (argc < 3) {
		fprintf(stderr, "usage: %s FILE.xml ROUNDS\n", argv[0]);
		return 2;
	}
	FILE *f = fopen(argv[1], "rb");
	if (!f)
		return 2;
	fseek(f, 0, SEEK_END);
	long len = ftell(f);
	fseek(f, 0, SEEK_SET);
	char *buf = malloc((size_t)len + 1);
	if (!buf || fread(buf, 1, (size_t)len, f) != (size_t)len)
		return 2;
	fclose(f);
	int rounds = atoi(argv[2]);
	double mb = (double)len * rounds / 1e6;

	double t0 = now();
	for (int r = 0; r < rounds; r++) {
		XML_Parser p = XML_ParserCreate("UTF-8");
		XML_SetElementHandler(p, ex_start, ex_end);
		XML_SetCharacterDataHandler(p, ex_text);
		XML_Parse(p, buf, (int)len, XML_TRUE);
		XML_ParserFree(p);
	}
	double ex = now() - t0;
	long ex_el = elements;

	xmlSAXHandler sax;
	memset(&sax, 0, sizeof sax);
	sax.startElement = x2_start;
	sax.characters = x2_text;
	elements = 0;
	t0 = now();
	for (int r = 0; r < rounds; r++)
		xmlSAXUserParseMemory(&sax, NULL, buf, (int)len);
	double x2 = now() - t0;
	long x2_el = elements;

	t0 = now();
	for (int r = 0; r < rounds; r++) {
		xmlDocPtr d = xmlReadMemory(buf, (int)len, "x.xml", NULL, XML_PARSE_NONET);
		xmlFreeDoc(d);
	}
	double xt = now() - t0;

	mamori_ctx *ctx = mamori_ctx_new();
	t0 = now();
	for (int r = 0; r < rounds; r++) {
		cJSON *j = aws_xml_parse(ctx, "bench", buf, (size_t)len, NULL);
		cJSON_Delete(j);
	}
	double mc = now() - t0;
	mamori_ctx_free(ctx);

	printf("XML: %.1f MB EC2 answer x %d (%ld elements each)\n", (double)len / 1e6, rounds,
	       ex_el / rounds);
	printf("  %-40s %8.1f MB/s\n", "expat (SAX)", mb / ex);
	printf("  %-40s %8.1f MB/s  (expat is %.2fx)\n", "libxml2 (SAX)", mb / x2, x2 / ex);
	printf("  %-40s %8.1f MB/s  (expat is %.2fx)\n", "libxml2 (tree)", mb / xt, xt / ex);
	printf("  %-40s %8.1f MB/s\n", "mamori: expat -> cJSON (collectors)", mb / mc);
	(void)x2_el;
	free(buf);
	xmlCleanupParser();
	return 0;
}
