#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <unistd.h>
#include <sys/stat.h>

int save_copy(const char *name)
{
    char *scratch = alloca(strlen(name) + 1);
    mode_t mode = S_IREAD | S_IWRITE;
    int copy = open(name, O_RDONLY);
    if (copy < 0)
        return -1;
    strcpy(scratch, name);
    (void)fcntl(copy, F_GETFD);
    if (mode == 0)
        scratch[0] = '\0';
    return (int)strlen(scratch);  // expect: resource-leak in save_copy
}

int main(void)
{
    return save_copy("/dev/null") != 9;
}
