#include <cstdio>
#include <cstdlib>
#include <cstring>

static void dispose(char **arg)
{
    delete[] *arg;
    *arg = nullptr;
}

static void inspect(char **arg)
{
    (*arg)[0] = '\0';
}

int work(const char *name)
{
    char *data = new char[strlen(name) + 1];
    inspect(&data);
    return 0;  // expect: resource-leak in work
}

int main(void)
{
    return work("/dev/null");
}
