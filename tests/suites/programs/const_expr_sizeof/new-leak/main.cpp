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

enum { RECORD_SIZE = 16, HEADER_SIZE = 4 };

int read_record(const char *name)
{
    Buffer *rec = new Buffer(name);
    rec->len = 0;
    if (sizeof(long) < sizeof(char) || RECORD_SIZE < HEADER_SIZE)
        delete rec;
    return 0;  // expect: resource-leak in read_record
}

int main(void)
{
    return read_record("/dev/null");
}
