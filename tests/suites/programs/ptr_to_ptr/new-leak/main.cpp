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

int relay(const char *name)
{
    Buffer *data = new Buffer(name);
    Buffer **pp = &data;
    (*pp)->len = 0;
    return 0;  // expect: resource-leak in relay
}

int main(void)
{
    return relay("/dev/null");
}
