#include <cstdio>
#include <cstdlib>
#include <cstring>

static void open_source(const char *name, FILE *&out)
{
    out = fopen(name, "r");
}

int consume(const char *name)
{
    FILE *data = nullptr;
    open_source(name, data);
    if (data == nullptr)
        return -1;
    (void)fgetc(data);
    return 0;  // expect: resource-leak in consume
}

int main()
{
    return consume("/dev/null");
}
