#include <cstdio>
#include <cstdlib>
#include <cstring>

static int owns_result(void)
{
    return 1;
}

int export_table(const char *name)
{
    char *table = new char[strlen(name) + 1];
    table[0] = '\0';
    if (owns_result())
        delete[] table;
    return 0;
}

int main(void)
{
    return export_table("/dev/null");
}
