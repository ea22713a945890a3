#include <cstdio>
#include <cstdlib>
#include <cstring>

#ifndef BUFFER_DEFINED
#define BUFFER_DEFINED
struct Buffer {
    explicit Buffer(const char *text) : len(strlen(text)) {}
    size_t len;
};
#endif

enum state { STATE_PENDING, STATE_DONE };

struct job {
    enum state state;
    int id;
};

int finish_job(struct job *j, const char *name)
{
    Buffer *out = new Buffer(name);
    out->len = 0;
    j->state = STATE_PENDING;
    j->id++;
    if (j->state == STATE_DONE)
        delete out;
    return j->id;  // expect: resource-leak in finish_job
}

int main(void)
{
    struct job j = {STATE_PENDING, 0};
    return finish_job(&j, "/dev/null") != 1;
}
