#include <cstdio>
#include <cstdlib>
#include <cstring>

static void open_source(const char *name, char *&out)
{
    out = new char[strlen(name) + 1];
}

int consume(const char *name)
{
    char *data = nullptr;
    open_source(name, data);
    data[0] = '\0';
    delete[] data;
    return 0;
}

int main()
{
    return consume("/dev/null");
}
