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

int scan_args(int argc, const char *name)
{
    int i;
    int total = 0;
    Buffer *out = new Buffer(name);
    for (i = 0; i < argc; i++) {
        if (name[i] == 'd')
            break;
        total += name[i];
    }
    out->len = 0;
    if (i >= argc)
        delete out;
    return total;  // expect: resource-leak in scan_args
}

int main(int argc, char **argv)
{
    (void)argv;
    return scan_args(argc + 2, "/dev/null") < 0;
}
