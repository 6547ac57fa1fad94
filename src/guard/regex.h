/*
 * regex.h — Guard's regular expressions on PCRE2.
 *
 * cfn-guard uses Rust's fancy_regex: unanchored `is_match`, Unicode \d \w
 * \s, `$` only at the very end, lookaround and backreferences allowed.
 * PCRE2 with UTF + UCP + DOLLAR_ENDONLY gives the same answers for the
 * patterns rules are written with, JIT-compiled once when the rules are
 * compiled.  Compiled code is shared by every thread; matching state (match
 * data, the cache of patterns built at run time by regex_replace) lives in
 * an mg_rx owned by one thread.  Match and depth limits keep a pathological
 * pattern from running away: hitting them is reported as a regex error,
 * which the evaluator treats like cfn-guard's RegexError.
 */
#ifndef MAMORI_GUARD_REGEX_H
#define MAMORI_GUARD_REGEX_H

#include <stdbool.h>
#include <stddef.h>

typedef struct mg_rx mg_rx;

/* Compile; NULL on error with a message in err (cfn-guard rejects such rules). */
void *mg_regex_compile(const char *pat, size_t len, char *err, size_t errlen);
void mg_regex_free(void *code);

mg_rx *mg_rx_new(void);
void mg_rx_free(mg_rx *rx);

/* 1 match, 0 no match, -1 error (limits, bad UTF-8 handled as no match). */
int mg_regex_match(mg_rx *rx, void *code, const char *s, size_t len);

/* A pattern compiled on demand and cached in rx (regex_replace); NULL on error. */
void *mg_rx_dynamic(mg_rx *rx, const char *pat, size_t len);

/*
 * Expand `repl` for every match of code in s and append the expansions (not
 * the text between matches: that is what cfn-guard does), where $1, ${1}, $name,
 * ${name} and $$ are expanded the way Rust's Regex::replace_all expands
 * them.  Appends to out.  Returns 0, or -1 on a matching error.
 */
struct mamori_buf;
int mg_regex_replace(mg_rx *rx, void *code, const char *s, size_t len, const char *repl,
		     size_t repl_len, struct mamori_buf *out);

#endif
