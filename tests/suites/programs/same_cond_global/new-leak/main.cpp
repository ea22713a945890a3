#include <cstdio>
#include <cstdlib>
#include <cstring>

#ifndef BUFFER_DEFINED
#define BUFFER_DEFINED
struct Buffer {
    explicit Buffer(const char *text) : len(strlen(text)) {}
    size_t len;
};
#endif
#include "config.h"

int trace(const char *name)
{
    Buffer *note = nullptr;
    if (verbose_mode) {
        note = new Buffer(name);
        note->len = 0;
    }
    reload_settings();
    if (verbose_mode)
        delete note;
    return 0;  // expect: resource-leak in trace
}

int main(int argc, char **argv)
{
    (void)argv;
    verbose_mode = argc > 0;
    return trace("/dev/null");
}
