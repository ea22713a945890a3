#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int warm_up(const char *name)
{
    char *res = NULL;
    int i;
    for (i = 0; i < 2; i++) {
        res = strdup(name);  // expect: leak-on-overwrite in warm_up
        if (res == NULL)
            return -1;
        res[0] = 'x';
    }
    for (i = 0; i < 1; i++)
        free(res);
    return 0;
}

int main(void)
{
    return warm_up("/dev/null");
}
