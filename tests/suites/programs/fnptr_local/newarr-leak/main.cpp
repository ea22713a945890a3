#include <cstdio>
#include <cstdlib>
#include <cstring>

static void inspect(char *r)
{
    r[0] = '\0';
}

int serve_once(const char *name)
{
    void (*done)(char *) = inspect;
    char *r = new char[strlen(name) + 1];
    r[0] = '\0';
    done(r);
    return 0;  // expect: resource-leak in serve_once
}

int main(void)
{
    return serve_once("/dev/null");
}
