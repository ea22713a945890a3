#include <cstdio>
#include <cstdlib>
#include <cstring>

int stash(const char *name)
{
    FILE *data = fopen(name, "r");
    if (data == nullptr)
        return -1;
    FILE *&alias = data;
    (void)fgetc(alias);
    fclose(alias);
    return 0;
}

int main()
{
    return stash("/dev/null");
}
