#include <cstdio>
#include <cstdlib>
#include <cstring>

extern const int close_after_use;
const int close_after_use = 0;

int probe(const char *name)
{
    char *handle = new char[strlen(name) + 1];
    handle[0] = '\0';
    if (close_after_use == 1)
        delete[] handle;
    return 0;  // expect: resource-leak in probe
}

int main(void)
{
    return probe("/dev/null");
}
