#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int fill_slots(const char *name)
{
    char *slots[4];
    int i;
    for (i = 0; i < 4; i++)
        slots[i] = NULL;
    slots[1] = calloc(strlen(name) + 1, 1);
    if (slots[1] == NULL)
        return -1;
    slots[1][0] = 'x';
    return 0;  // expect: resource-leak in fill_slots
}

int main(void)
{
    return fill_slots("/dev/null");
}
