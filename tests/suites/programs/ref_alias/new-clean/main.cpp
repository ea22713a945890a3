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

int stash(const char *name)
{
    Buffer *data = new Buffer(name);
    Buffer *&alias = data;
    alias->len = 0;
    delete alias;
    return 0;
}

int main()
{
    return stash("/dev/null");
}
