#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "msg.h"

int deliver(const char *text, int drop)
{
    msg *m = msg_from_text(text);
    if (m == NULL)
        return -1;
    if (drop) {
        return 0;  // expect: resource-leak in deliver
    }
    puts(msg_text(m));
    msg_unref(m);
    return 1;
}

int fan_out(msg *m, int copies)
{
    msg *extra = msg_ref(m);
    if (copies > 1) {
        return -1;  // expect: resource-leak in fan_out
    }
    puts(msg_text(extra));
    msg_unref(extra);
    return msg_refcount(m);
}

int main(void)
{
    msg *m = msg_from_text("hello");
    int rc;
    if (m == NULL)
        return 1;
    rc = deliver("dropped", 1) + fan_out(m, 2);
    msg_unref(m);
    return rc != -1;
}
