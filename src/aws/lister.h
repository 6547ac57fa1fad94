/*
 * lister.h — list-then-describe collectors as data (see lister.c).
 */
#ifndef MAMORI_AWS_LISTER_H
#define MAMORI_AWS_LISTER_H

#include "aws_internal.h"

typedef struct aws_lister aws_lister;

struct aws_lister {
	const char *type;	 /* the configuration item's resourceType */
	const char *what;	 /* for "could not read ..." */
	const char *list[2];	 /* path of the list in the answer */
	const char *token;	 /* answer member holding the next page's token */
	const char *page_param;	 /* request parameter taking it */
	const char *id, *name, *arn, *created; /* API member names */
	const char *arn_service; /* with no ARN in the entry: arn:P:SERVICE:R:A:PREFIX+id */
	const char *arn_prefix;
	const char *const *numbers; /* XML members holding numbers */
	const char *fact;	 /* count the entries into this region fact */
	const char *region;	 /* the items' awsRegion when not the call's ("global") */
	const char *ignore_error; /* an error code that means "none here" */
	/* reshape one entry into ci->configuration (default: aws_config_case) */
	void (*shape)(aws_client *cl, aws_account *a, const char *region, const cJSON *item,
		      aws_ci *ci);
	/* do something else with each entry (default: emit it) */
	void (*each)(aws_client *cl, aws_account *a, aws_call *c, const cJSON *item);
};

void aws_lister_run(aws_client *cl, aws_account *a, aws_task *t, aws_call *c,
		    const aws_lister *l);
void aws_lister_emit(aws_client *cl, aws_account *a, const aws_lister *l, const char *region,
		     const cJSON *item);
void aws_rename(cJSON *v, const char *const (*map)[2], int depth);

#endif
