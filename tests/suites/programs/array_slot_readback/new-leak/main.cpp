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

int fill_slots(const char *name)
{
    Buffer *slots[4];
    int i;
    for (i = 0; i < 4; i++)
        slots[i] = nullptr;
    slots[1] = new Buffer(name);
    slots[1]->len = 0;
    return 0;  // expect: resource-leak in fill_slots
}

int main(void)
{
    return fill_slots("/dev/null");
}
