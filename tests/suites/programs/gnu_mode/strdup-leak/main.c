#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

int save_copy(const char *name)
{
    char *scratch = alloca(strlen(name) + 1);
    mode_t mode = S_IREAD | S_IWRITE;
    char *copy = strdup(name);
    if (copy == NULL)
        return -1;
    strcpy(scratch, name);
    copy[0] = 'x';
    if (mode == 0)
        scratch[0] = '\0';
    return (int)strlen(scratch);  // expect: resource-leak in save_copy
}

int main(void)
{
    return save_copy("/dev/null") != 9;
}
