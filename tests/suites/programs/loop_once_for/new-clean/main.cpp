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

int warm_up(const char *name)
{
    Buffer *res = nullptr;
    int i;
    for (i = 0; i < 1; i++) {
        res = new Buffer(name);
        res->len = 0;
    }
    for (i = 0; i < 1; i++)
        delete res;
    return 0;
}

int main(void)
{
    return warm_up("/dev/null");
}
