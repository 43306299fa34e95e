/* Checks on the sentinel's output shared by the reliability suites. */
#ifndef RL_REPORTS_H
#define RL_REPORTS_H
#include <stddef.h>
/* Split `text` into reports at each "ALLOCATION IN HOT PATH!\n" and check each is whole: exactly
 * one Operation, Section, Thread and Mode line, in that order, nothing from another report in
 * between. Lines of the sentinel's own (hotpath: ...) and anything before the first report are
 * allowed. Returns the number of whole reports; *torn gets the number of broken ones, and
 * `why` (if not NULL) a description of the first. */
int rl_whole_reports(const char *text, int *torn, char *why, size_t whylen);
/* Number of lines of `text` (JSON lines format) that are each one valid JSON object; *bad gets
 * the number of lines that are not. */
int rl_json_lines(const char *text, int *bad);
#endif
