#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <wchar.h>
#include <sys/stat.h>

int save_copy(const char *name)
{
    char *scratch = alloca(strlen(name) + 1);
    mode_t mode = S_IREAD | S_IWRITE;
    wchar_t *copy = wcsdup(L"entry");
    if (copy == NULL)
        return -1;
    strcpy(scratch, name);
    copy[0] = L'x';
    if (mode == 0)
        scratch[0] = '\0';
    free(copy);
    return (int)strlen(scratch);
}

int main(void)
{
    return save_copy("/dev/null") != 9;
}
