#include <cstdio>
#include <cstdlib>
#include <cstring>

static char *finish(char *r)
{
    delete[] r;
    return r;
}

static char *check(char *r)
{
    r[0] = '\0';
    return r;
}

int cycle(const char *name)
{
    char *r = new char[strlen(name) + 1];
    r = check(r);
    r = finish(r);
    return 0;
}

int main(void)
{
    return cycle("/dev/null");
}
