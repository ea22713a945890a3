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
    fclose(data);
    return 0;
}

int main()
{
    return consume("/dev/null");
}
