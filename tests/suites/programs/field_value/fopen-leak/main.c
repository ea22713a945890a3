#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum state { STATE_PENDING, STATE_DONE };

struct job {
    enum state state;
    int id;
};

int finish_job(struct job *j, const char *name)
{
    FILE *out = fopen(name, "r");
    if (out == NULL)
        return -1;
    (void)fgetc(out);
    j->state = STATE_PENDING;
    j->id++;
    if (j->state == STATE_DONE)
        fclose(out);
    return j->id;  // expect: resource-leak in finish_job
}

int main(void)
{
    struct job j = {STATE_PENDING, 0};
    return finish_job(&j, "/dev/null") != 1;
}
