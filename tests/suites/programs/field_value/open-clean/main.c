#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <unistd.h>

enum state { STATE_PENDING, STATE_DONE };

struct job {
    enum state state;
    int id;
};

int finish_job(struct job *j, const char *name)
{
    int out = open(name, O_RDONLY);
    if (out < 0)
        return -1;
    (void)fcntl(out, F_GETFD);
    j->state = STATE_DONE;
    j->id++;
    if (j->state == STATE_DONE)
        close(out);
    return j->id;
}

int main(void)
{
    struct job j = {STATE_PENDING, 0};
    return finish_job(&j, "/dev/null") != 1;
}
