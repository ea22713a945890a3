#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "textbuf.h"

int describe(const char *name, int id)
{
    struct textbuf tb = TEXTBUF_INIT;
    textbuf_addstr(&tb, "item ");
    textbuf_addstr(&tb, name);
    if (id < 0) {
        return -1;  // expect: resource-leak in describe
    }
    puts(tb.buf);
    textbuf_dispose(&tb);
    return 0;
}

char *label_for(const char *name)
{
    struct textbuf tb = TEXTBUF_INIT;
    textbuf_addstr(&tb, "label:");
    textbuf_addstr(&tb, name);
    return textbuf_detach(&tb, NULL);
}

int main(void)
{
    char *label = label_for("x");
    int rc = describe("y", -1);
    free(label);
    return rc != -1;
}
