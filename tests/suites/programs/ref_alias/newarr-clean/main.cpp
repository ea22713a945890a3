#include <cstdio>
#include <cstdlib>
#include <cstring>

int stash(const char *name)
{
    char *data = new char[strlen(name) + 1];
    char *&alias = data;
    alias[0] = '\0';
    delete[] alias;
    return 0;
}

int main()
{
    return stash("/dev/null");
}
