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
    return 0;  // expect: resource-leak in stash
}

int main()
{
    return stash("/dev/null");
}
