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

struct request {
    int keep_alive;
    int retries;
};

static void count_retry(struct request *req)
{
    req->retries++;
}

static void apply_defaults(struct request *req)
{
    req->keep_alive = 0;
}

int serve(struct request *req, const char *name)
{
    Buffer *conn = nullptr;
    if (req->keep_alive) {
        conn = new Buffer(name);
        conn->len = 0;
    }
    apply_defaults(req);
    if (req->keep_alive)
        delete conn;
    return 0;  // expect: resource-leak in serve
}

int main(void)
{
    struct request req = {1, 0};
    return serve(&req, "/dev/null");
}
