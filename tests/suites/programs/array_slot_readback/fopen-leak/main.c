#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int fill_slots(const char *name)
{
    FILE *slots[4];
    int i;
    for (i = 0; i < 4; i++)
        slots[i] = NULL;
    slots[1] = fopen(name, "r");
    if (slots[1] == NULL)
        return -1;
    (void)fgetc(slots[1]);
    return 0;  // expect: resource-leak in fill_slots
}

int main(void)
{
    return fill_slots("/dev/null");
}
