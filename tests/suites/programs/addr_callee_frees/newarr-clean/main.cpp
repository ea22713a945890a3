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
    dispose(&data);
    return 0;
}

int main(void)
{
    return work("/dev/null");
}
