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

int open_channel(const char *name)
{
    Buffer *chan = new Buffer(name);
    chan->len = 0;
    switch (6) {
    case 6:
        delete chan;
        break;
    default:
        break;
    }
    return 0;
}

int main(void)
{
    return open_channel("/dev/null");
}
