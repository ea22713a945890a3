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

int handshake(const char *name)
{
    Buffer *peer = nullptr;
    while (1) {
        peer = new Buffer(name);
        peer->len = 0;
        break;
    }
    while (1) {
        if (name[0] == '/')
            break;
        delete peer;
        break;
    }
    return 0;  // expect: resource-leak in handshake
}

int main(void)
{
    return handshake("/dev/null");
}
