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
    char *out = strdup(name);
    if (out == NULL)
        return -1;
    out[0] = 'x';
    j->state = STATE_DONE;
    j->id++;
    if (j->state == STATE_DONE)
        free(out);
    return j->id;
}

int main(void)
{
    struct job j = {STATE_PENDING, 0};
    return finish_job(&j, "/dev/null") != 1;
}
