#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <unistd.h>

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
    int conn = -1;
    if (req->keep_alive) {
        conn = open(name, O_RDONLY);
        if (conn < 0)
            return -1;
        (void)fcntl(conn, F_GETFD);
    }
    count_retry(req);
    if (req->keep_alive)
        close(conn);
    return 0;
}

int main(void)
{
    struct request req = {1, 0};
    return serve(&req, "/dev/null");
}
