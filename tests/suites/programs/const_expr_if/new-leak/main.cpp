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

int load_entry(const char *name)
{
    Buffer *entry = new Buffer(name);
    entry->len = 0;
    if (5 != 5)
        delete entry;
    return 0;  // expect: resource-leak in load_entry
}

int main(void)
{
    return load_entry("/dev/null") != 0;
}
