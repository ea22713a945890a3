#include <cstdio>
#include <cstdlib>
#include <cstring>

static void open_source(const char *name, char *&out)
{
    out = static_cast<char *>(malloc(strlen(name) + 1));
}

int consume(const char *name)
{
    char *data = nullptr;
    open_source(name, data);
    if (data == nullptr)
        return -1;
    data[0] = '\0';
    free(data);
    return 0;
}

int main()
{
    return consume("/dev/null");
}
