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
    return 0;  // expect: resource-leak in consume
}

int main()
{
    return consume("/dev/null");
}
