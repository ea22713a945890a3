#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { RECORD_SIZE = 16, HEADER_SIZE = 4 };

int read_record(const char *name)
{
    char *rec = realloc(NULL, strlen(name) + 1);
    if (rec == NULL)
        return -1;
    rec[0] = '\0';
    if (sizeof(long) >= sizeof(char) && RECORD_SIZE > HEADER_SIZE)
        free(rec);
    return 0;
}

int main(void)
{
    return read_record("/dev/null");
}
