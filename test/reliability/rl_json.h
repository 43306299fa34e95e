/* A strict validator for one JSON value (RFC 8259), no allocation: the reliability suite and the
 * report-formatter fuzzer check that every JSON line the sentinel writes parses. */
#ifndef RL_JSON_H
#define RL_JSON_H
#include <stddef.h>
/* 1 if s[0..n) is exactly one JSON value (surrounding whitespace allowed), else 0. */
int rl_json_valid(const char *s, size_t n);
/* 1 if s[0..n) is exactly one JSON string (with its quotes) of valid UTF-8 text. */
int rl_json_string_valid(const char *s, size_t n);
#endif
