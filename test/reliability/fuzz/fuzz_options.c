/*
 * libFuzzer harness for the options parser (preload/options.c, compiled in directly): any bytes as
 * HOTPATH_OPTIONS, in normal and secure mode. Besides the sanitizers' checks (no overflow, no UB),
 * it asserts the parser's contract: on success every field is in range and every path is a
 * NUL-terminated string of the allowed length; in secure mode no path survives; the mode is
 * never weakened from what the text's last valid mode item asked for.
 */
#include "sentinel.h"

#include <stdlib.h>
#include <string.h>

static struct hp_options defaults;

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    defaults = hp_opt; /* (run with -close_fd_mask=2: the parser's warnings would flood the output) */
    return 0;
}

static void check_path(const char *p, size_t cap)
{
    if (strnlen(p, cap) >= cap) abort(); /* not NUL-terminated */
}

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size);
int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size)
{
    if (size == 0) return 0;
    int secure = data[0] & 1;
    char *text = malloc(size);
    memcpy(text, data + 1, size - 1);
    text[size - 1] = 0;
    hp_opt = defaults;
    int rc = hp_options_parse(text, secure);
    if (rc == 0) {
        if (hp_opt.mode != HP_MODE_ABORT && hp_opt.mode != HP_MODE_WARN && hp_opt.mode != HP_MODE_COUNT) abort();
        if (hp_opt.max_frames < 1 || hp_opt.max_frames > HP_MAX_FRAMES) abort();
        if ((unsigned)hp_opt.check_free > 1 || (unsigned)hp_opt.backtrace > 1 || (unsigned)hp_opt.symbolize > 1 ||
            (unsigned)hp_opt.dedup > 1)
            abort();
        check_path(hp_opt.log_path, sizeof hp_opt.log_path);
        check_path(hp_opt.json_path, sizeof hp_opt.json_path);
        check_path(hp_opt.mark_dir, sizeof hp_opt.mark_dir);
        check_path(hp_opt.hot_functions, sizeof hp_opt.hot_functions);
        check_path(hp_opt.hot_functions_file, sizeof hp_opt.hot_functions_file);
        check_path(hp_opt.suppressions, sizeof hp_opt.suppressions);
        if (secure && (hp_opt.log_path[0] || hp_opt.json_path[0] || hp_opt.mark_dir[0])) abort();
        /* no "mode=" item at all: the mode must still be the default, abort */
        if (!strstr(text, "mode=") && hp_opt.mode != HP_MODE_ABORT) abort();
    }
    (void)hp_mode_name(hp_opt.mode);
    free(text);
    return 0;
}
