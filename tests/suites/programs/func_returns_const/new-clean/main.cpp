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

static int owns_result(void)
{
    return 1;
}

int export_table(const char *name)
{
    Buffer *table = new Buffer(name);
    table->len = 0;
    if (owns_result())
        delete table;
    return 0;
}

int main(void)
{
    return export_table("/dev/null");
}
