/*
 * config_view.h — AWS Config items seen per account: the documents the
 * guard module evaluates Config rules on.
 *
 * An AWS Config custom policy rule sees one configuration item.  Most CIS
 * AWS Foundations controls need more: a bucket's exposure depends on the
 * account's Block Public Access, a user's MFA is in the credential report,
 * "CloudTrail is enabled in all regions" is about the account, and the
 * monitoring controls join trails, metric filters, alarms and SNS
 * subscriptions.  So every item of a scan target is grouped by account and
 * evaluated together with the account's context, merged into it under the
 * key `account` — exactly what cfn-guard does with `--input-parameters`
 * (the parameters document is merged into each data document), so a rule
 * can be run by cfn-guard too:
 *
 *   account:
 *     awsAccountId: "111122223333"
 *     captureTime: "2026-11-26T06:36:08.000Z"   latest item capture time
 *     daysAgo: {d1: ..., d7: ..., d30: ..., d45: ..., d90: ..., d365: ...}
 *     regions: [us-east-1, eu-west-1]            regions read (or seen)
 *     resources: {"AWS::S3::Bucket": [items...], "AWS::IAM::User": [...], ...}
 *     credentialReport: {"<root_account>": row, "alice": row, ...}
 *
 * credentialReport indexes the rows of the IAM credential report by user
 * name, so that a rule about a user finds its row with one lookup
 * (account.credentialReport.%name) rather than a filter over every row,
 * which would make the users' controls quadratic in the number of users.
 *
 * Guard has no arithmetic, so age checks compare parse_epoch() of a date
 * with parse_epoch() of a cutoff from daysAgo; the cutoffs count from the
 * capture time, not from the clock, so a snapshot re-evaluated offline
 * months later gives the verdicts it gave when it was taken.
 *
 * Besides the items, two kinds of synthetic documents carry the controls
 * that are about an account or a region rather than a resource:
 *   - one "Mamori::AWS::Account" item per account;
 *   - one "Mamori::AWS::Region" item per account and region, which is the
 *     collector's own region item when the snapshot has one (it says which
 *     services were read there), else a bare item per region seen.
 * The items keep their place in the snapshot (values are shared, not
 * copied), so evidence paths and lines still point into the file.
 */
#ifndef MAMORI_GUARD_CONFIG_VIEW_H
#define MAMORI_GUARD_CONFIG_VIEW_H

#include "../core/internal.h"
#include "value.h"

typedef struct mg_cfg_doc {
	const mg_value *item; /* the item as read (or a synthetic one) */
	size_t file;	      /* index of the file it came from (the caller's numbering) */
	size_t account;	      /* index into mg_cfg.accounts */
	bool synthetic;	      /* an account or region document */
} mg_cfg_doc;

typedef struct mg_cfg_account {
	const char *id; /* "" when the items do not say */
	mg_value *view; /* the `account` context */
	size_t first_file;
} mg_cfg_account;

typedef struct mg_cfg {
	mamori_arena arena; /* views, synthetic items, merged documents */
	mg_cfg_doc *docs;
	size_t ndocs, capdocs;
	mg_cfg_account *accounts;
	size_t naccounts, capaccounts;
} mg_cfg;

void mg_cfg_init(mg_cfg *c);
void mg_cfg_free(mg_cfg *c);
/* Add a configuration item (a map) read from file number `file`. */
void mg_cfg_add(mg_cfg *c, const mg_value *item, size_t file);
/* Group the items by account, build each account's context and add the
 * account and region documents.  now is the fallback capture time. */
void mg_cfg_build(mg_cfg *c, time_t now);
/* The document to evaluate for docs[i]: the item with `account` merged in.
 * NULL (and *err set) when the item already has a key named account. */
const mg_value *mg_cfg_document(mg_cfg *c, size_t i, const char **err);

/* A string member of an item, or NULL; into buf (NUL-terminated, cut to size). */
const char *mg_cfg_str(const mg_value *item, const char *key, char *buf, size_t size);

#endif
