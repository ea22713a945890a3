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

static int lookup_policy(const char *name)
{
    return name[0] == '#';
}

int render(const char *name, int cached)
{
    Buffer *out = nullptr;
    if (cached) {
        out = new Buffer(name);
        out->len = 0;
    }
    cached = lookup_policy(name);
    if (cached)
        delete out;
    return 0;  // expect: resource-leak in render
}

int main(int argc, char **argv)
{
    (void)argv;
    return render("/dev/null", argc > 0);
}
