/*
 * fuzz_guard_rules — the Guard rules parser on arbitrary bytes, and whatever
 * parses evaluated (with evidence) against a small template and printed as a
 * parse tree: rejecting is fine, crashing, leaking, hanging or exhausting
 * the stack is not.
 */
#include "guard/eval.h"
#include "guard/guard.h"
#include "guard/load.h"
#include "guard/parse.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char doc[] =
	"Resources:\n"
	"  B:\n    Type: AWS::S3::Bucket\n    Properties:\n"
	"      Name: !Sub 'x-${AWS::Region}'\n      Tags: [{Key: a, Value: 1}, {Key: b, Value: 2.5}]\n"
	"      Enc: {Alg: aws:kms, On: true}\n      Empty: {}\n      List: []\n"
	"  S:\n    Type: AWS::EC2::SecurityGroup\n    Properties:\n"
	"      SecurityGroupIngress: [{CidrIp: 0.0.0.0/0, FromPort: 22, ToPort: 22}]\n"
	"Keys: [B, S]\nPolicy: '{\"Statement\": [{\"Effect\": \"Allow\"}]}'\n";

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size > 65536)
		return 0;
	char *buf = malloc(size + 1);
	memcpy(buf, data, size);
	buf[size] = '\0';
	mamori_ctx *ctx = mamori_ctx_new();
	mg_rules_file *rf = NULL;
	if (mg_rules_parse(ctx, "fuzz.guard", buf, size, &rf) == MAMORI_OK) {
		if (rf) {
			mamori_arena a;
			mamori_arena_init(&a, 0);
			mg_docs docs;
			if (mg_load(ctx, "doc.yaml", doc, sizeof doc - 1, &a, &docs) != MAMORI_OK)
				abort();
			mg_eval ev;
			mg_eval_init(&ev, ctx);
			mamori_arena out;
			mamori_arena_init(&out, 0);
			mamori_guard_pair p = {0};
			mamori_guard_evaluate_root(&ev, rf, docs.roots[0], true, &out, &p);
			mamori_arena_free(&out);
			mg_eval_free(&ev);
			mamori_arena_free(&a);
			FILE *null = fopen("/dev/null", "w");
			if (null) {
				mamori_guard_write_parse_tree(rf, false, null);
				fclose(null);
			}
			mg_rules_free(rf);
		}
	} else {
		const mamori_error *e = mamori_error_last(ctx);
		if (!e->message || !strstr(e->message, "fuzz.guard:"))
			abort(); /* every syntax error names its position */
	}
	mamori_ctx_free(ctx);
	free(buf);
	return 0;
}
