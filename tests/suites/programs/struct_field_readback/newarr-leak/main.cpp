#include <cstdio>
#include <cstdlib>
#include <cstring>

struct holder {
    char *res;
    int id;
};

int hold(const char *name)
{
    struct holder h;
    char *r = new char[strlen(name) + 1];
    h.id = 1;
    h.res = r;
    h.res[0] = '\0';
    return h.id;  // expect: resource-leak in hold
}

int main(void)
{
    return hold("/dev/null") != 1;
}
