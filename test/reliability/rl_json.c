/* Strict JSON validation by recursive descent (depth-bounded), no allocation. */
#include "rl_json.h"

struct in {
    const unsigned char *p, *end;
    int depth;
};

static void ws(struct in *in)
{
    while (in->p < in->end && (*in->p == ' ' || *in->p == '\t' || *in->p == '\n' || *in->p == '\r')) in->p++;
}

static int hex(unsigned char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'); }

/* one UTF-8 sequence of 2..4 bytes, shortest form, no surrogates */
static int utf8(struct in *in)
{
    const unsigned char *s = in->p;
    size_t left = (size_t)(in->end - s), n;
    unsigned int cp, min;
    if (s[0] >= 0xc2 && s[0] <= 0xdf) n = 2, min = 0x80;
    else if (s[0] >= 0xe0 && s[0] <= 0xef) n = 3, min = 0x800;
    else if (s[0] >= 0xf0 && s[0] <= 0xf4) n = 4, min = 0x10000;
    else return 0;
    if (n > left) return 0;
    cp = s[0] & (0x7f >> n);
    for (size_t i = 1; i < n; i++) {
        if ((s[i] & 0xc0) != 0x80) return 0;
        cp = (cp << 6) | (s[i] & 0x3f);
    }
    if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) return 0;
    in->p += n;
    return 1;
}

static int string(struct in *in)
{
    if (in->p >= in->end || *in->p != '"') return 0;
    in->p++;
    while (in->p < in->end) {
        unsigned char c = *in->p;
        if (c == '"') return in->p++, 1;
        if (c < 0x20) return 0;
        if (c == '\\') {
            if (++in->p >= in->end) return 0;
            c = *in->p++;
            if (c == 'u') {
                for (int i = 0; i < 4; i++)
                    if (in->p >= in->end || !hex(*in->p++)) return 0;
            } else if (!(c == '"' || c == '\\' || c == '/' || c == 'b' || c == 'f' || c == 'n' || c == 'r' || c == 't')) {
                return 0;
            }
        } else if (c < 0x80) {
            in->p++;
        } else if (!utf8(in)) {
            return 0;
        }
    }
    return 0;
}

static int number(struct in *in)
{
    const unsigned char *s = in->p;
    if (in->p < in->end && *in->p == '-') in->p++;
    if (in->p >= in->end) return 0;
    if (*in->p == '0') in->p++;
    else if (*in->p >= '1' && *in->p <= '9') while (in->p < in->end && *in->p >= '0' && *in->p <= '9') in->p++;
    else return 0;
    if (in->p < in->end && *in->p == '.') {
        in->p++;
        if (in->p >= in->end || *in->p < '0' || *in->p > '9') return 0;
        while (in->p < in->end && *in->p >= '0' && *in->p <= '9') in->p++;
    }
    if (in->p < in->end && (*in->p == 'e' || *in->p == 'E')) {
        in->p++;
        if (in->p < in->end && (*in->p == '+' || *in->p == '-')) in->p++;
        if (in->p >= in->end || *in->p < '0' || *in->p > '9') return 0;
        while (in->p < in->end && *in->p >= '0' && *in->p <= '9') in->p++;
    }
    return in->p > s;
}

static int lit(struct in *in, const char *w)
{
    for (; *w; w++, in->p++)
        if (in->p >= in->end || *in->p != (unsigned char)*w) return 0;
    return 1;
}

static int value(struct in *in)
{
    ws(in);
    if (in->p >= in->end || ++in->depth > 64) return 0;
    int ok;
    unsigned char c = *in->p;
    if (c == '{') {
        in->p++;
        ws(in);
        ok = 1;
        if (in->p < in->end && *in->p == '}') in->p++;
        else
            for (;;) {
                ws(in);
                if (!string(in)) { ok = 0; break; }
                ws(in);
                if (in->p >= in->end || *in->p++ != ':' || !value(in)) { ok = 0; break; }
                ws(in);
                if (in->p < in->end && *in->p == ',') { in->p++; continue; }
                if (in->p < in->end && *in->p == '}') { in->p++; break; }
                ok = 0;
                break;
            }
    } else if (c == '[') {
        in->p++;
        ws(in);
        ok = 1;
        if (in->p < in->end && *in->p == ']') in->p++;
        else
            for (;;) {
                if (!value(in)) { ok = 0; break; }
                ws(in);
                if (in->p < in->end && *in->p == ',') { in->p++; continue; }
                if (in->p < in->end && *in->p == ']') { in->p++; break; }
                ok = 0;
                break;
            }
    } else if (c == '"') ok = string(in);
    else if (c == 't') ok = lit(in, "true");
    else if (c == 'f') ok = lit(in, "false");
    else if (c == 'n') ok = lit(in, "null");
    else ok = number(in);
    in->depth--;
    return ok;
}

int rl_json_valid(const char *s, size_t n)
{
    struct in in = {(const unsigned char *)s, (const unsigned char *)s + n, 0};
    if (!value(&in)) return 0;
    ws(&in);
    return in.p == in.end;
}

int rl_json_string_valid(const char *s, size_t n)
{
    struct in in = {(const unsigned char *)s, (const unsigned char *)s + n, 0};
    return string(&in) && in.p == in.end;
}
