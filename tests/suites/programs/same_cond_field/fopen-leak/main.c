#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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
    FILE *conn = NULL;
    if (req->keep_alive) {
        conn = fopen(name, "r");
        if (conn == NULL)
            return -1;
        (void)fgetc(conn);
    }
    apply_defaults(req);
    if (req->keep_alive)
        fclose(conn);
    return 0;  // expect: resource-leak in serve
}

int main(void)
{
    struct request req = {1, 0};
    return serve(&req, "/dev/null");
}
