#include <cstdio>
#include <cstdlib>
#include <cstring>

enum { RECORD_SIZE = 16, HEADER_SIZE = 4 };

int read_record(const char *name)
{
    char *rec = new char[strlen(name) + 1];
    rec[0] = '\0';
    if (sizeof(long) < sizeof(char) || RECORD_SIZE < HEADER_SIZE)
        delete[] rec;
    return 0;  // expect: resource-leak in read_record
}

int main(void)
{
    return read_record("/dev/null");
}
