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

static void parse_flags(const char *text, int *owned)
{
    *owned = text[0] == '#';
}

static int checksum(const char *text)
{
    int sum = 0;
    while (*text)
        sum += *text++;
    return sum;
}

int import_file(const char *name)
{
    int owned = strlen(name) > 3;
    int sum = 0;
    Buffer *data = nullptr;
    if (owned) {
        data = new Buffer(name);
        data->len = 0;
    }
    parse_flags(name, &owned);
    if (owned)
        delete data;
    return sum;  // expect: resource-leak in import_file
}

int main(void)
{
    return import_file("/dev/null") < 0;
}
