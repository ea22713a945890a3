#include <cstdio>
#include <cstdlib>
#include <cstring>

enum state { STATE_PENDING, STATE_DONE };

struct job {
    enum state state;
    int id;
};

int finish_job(struct job *j, const char *name)
{
    char *out = new char[strlen(name) + 1];
    out[0] = '\0';
    j->state = STATE_PENDING;
    j->id++;
    if (j->state == STATE_DONE)
        delete[] out;
    return j->id;  // expect: resource-leak in finish_job
}

int main(void)
{
    struct job j = {STATE_PENDING, 0};
    return finish_job(&j, "/dev/null") != 1;
}
