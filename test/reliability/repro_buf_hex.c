/* Bug 6 (BUGS.md): hp_buf_hex writes `width` digits plus "0x" into a 20-byte stack buffer, so a
 * width above 18 writes before it. Built with ASan+UBSan; exits 0 once fixed. */
#include "sentinel.h"

#include <stdio.h>

int main(void)
{
    char mem[128];
    struct hp_buf b;
    hp_buf_init(&b, mem, sizeof mem);
    hp_buf_hex(&b, 0x1234, 24);
    printf("%.*s\n", (int)b.len, mem);
    return b.len == 26 ? 0 : 1;
}
