/*
 * cli_docs.h — the help pages (docs/cli/ *.md) compiled into the binary, so
 * that `mamori help scan` and docs/cli/mamori-scan.md are the same text.
 */
#ifndef MAMORI_CLI_DOCS_H
#define MAMORI_CLI_DOCS_H

#include "../core/embedded.h"

extern const mamori_embedded_file mamori_cli_docs[];
extern const size_t mamori_cli_docs_count;

const mamori_embedded_file *cli_doc(const char *name);

#endif
