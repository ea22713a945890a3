#include <cstdio>
#include <cstdlib>
#include <cstring>

int stash(const char *name)
{
    char *data = strdup(name);
    if (data == nullptr)
        return -1;
    char *&alias = data;
    alias[0] = 'x';
    return 0;  // expect: resource-leak in stash
}

int main()
{
    return stash("/dev/null");
}
