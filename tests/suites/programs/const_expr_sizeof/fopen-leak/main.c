#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { RECORD_SIZE = 16, HEADER_SIZE = 4 };

int read_record(const char *name)
{
    FILE *rec = fopen(name, "r");
    if (rec == NULL)
        return -1;
    (void)fgetc(rec);
    if (sizeof(long) < sizeof(char) || RECORD_SIZE < HEADER_SIZE)
        fclose(rec);
    return 0;  // expect: resource-leak in read_record
}

int main(void)
{
    return read_record("/dev/null");
}
