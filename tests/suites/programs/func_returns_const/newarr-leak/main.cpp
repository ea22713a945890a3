#include <cstdio>
#include <cstdlib>
#include <cstring>

static int owns_result(void)
{
    return 0;
}

int export_table(const char *name)
{
    char *table = new char[strlen(name) + 1];
    table[0] = '\0';
    if (owns_result())
        delete[] table;
    return 0;  // expect: resource-leak in export_table
}

int main(void)
{
    return export_table("/dev/null");
}
