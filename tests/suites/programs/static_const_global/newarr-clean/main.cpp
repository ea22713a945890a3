#include <cstdio>
#include <cstdlib>
#include <cstring>

static const int cache_disabled = 1;

int fill_cache(const char *name)
{
    char *item = new char[strlen(name) + 1];
    item[0] = '\0';
    if (cache_disabled)
        delete[] item;
    return 0;
}

int main(void)
{
    return fill_cache("/dev/null");
}
