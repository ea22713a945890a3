#include <cstdio>
#include <cstdlib>
#include <cstring>

static int lookup_policy(const char *name)
{
    return name[0] == '#';
}

int render(const char *name, int cached)
{
    char *out = nullptr;
    if (cached) {
        out = new char[strlen(name) + 1];
        out[0] = '\0';
    }
    cached = lookup_policy(name);
    if (cached)
        delete[] out;
    return 0;  // expect: resource-leak in render
}

int main(int argc, char **argv)
{
    (void)argv;
    return render("/dev/null", argc > 0);
}
