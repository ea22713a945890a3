#include <cstdio>
#include <cstdlib>
#include <cstring>

int fill_slots(const char *name)
{
    char *slots[4];
    int i;
    for (i = 0; i < 4; i++)
        slots[i] = nullptr;
    slots[1] = new char[strlen(name) + 1];
    slots[1][0] = '\0';
    delete[] slots[1];
    return 0;
}

int main(void)
{
    return fill_slots("/dev/null");
}
