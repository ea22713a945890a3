#include <cstdio>
#include <cstdlib>
#include <cstring>

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
    char *conn = nullptr;
    if (req->keep_alive) {
        conn = new char[strlen(name) + 1];
        conn[0] = '\0';
    }
    count_retry(req);
    if (req->keep_alive)
        delete[] conn;
    return 0;
}

int main(void)
{
    struct request req = {1, 0};
    return serve(&req, "/dev/null");
}
