/*
 * fuzz_aws_xml — AWS XML answers (query, EC2, REST-XML) to cJSON on
 * arbitrary bytes, then the AWS Config renaming the collectors apply.
 */
#include "aws/aws_internal.h"

#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const numbers[] = {"fromPort", "toPort", "Days", "value", NULL};
	mamori_ctx *ctx = mamori_ctx_new();
	cJSON *doc = aws_xml_parse(ctx, "fuzz.xml", (const char *)data, size, numbers);
	if (doc) {
		cJSON *c = aws_config_case(doc);
		cJSON *tags = aws_tags_map(doc->child);
		cJSON *arr = aws_as_array(doc->child);
		aws_sort_members(c);
		cJSON_Delete(c);
		cJSON_Delete(tags);
		cJSON_Delete(arr);
		cJSON_Delete(doc);
	}
	mamori_ctx_free(ctx);
	return 0;
}
