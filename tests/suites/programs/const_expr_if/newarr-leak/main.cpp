#include <cstdio>
#include <cstdlib>
#include <cstring>

int load_entry(const char *name)
{
    char *entry = new char[strlen(name) + 1];
    entry[0] = '\0';
    if (5 != 5)
        delete[] entry;
    return 0;  // expect: resource-leak in load_entry
}

int main(void)
{
    return load_entry("/dev/null") != 0;
}
