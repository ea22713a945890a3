#include <cstdio>
#include <cstdlib>
#include <cstring>

static char *pending = nullptr;

static void flush_pending(void)
{
    char *r = pending;
    pending = nullptr;
    r[0] = '\0';
}  // expect: resource-leak in flush_pending

int produce(const char *name)
{
    char *r = new char[strlen(name) + 1];
    pending = r;
    flush_pending();
    return 0;
}

int main(void)
{
    return produce("/dev/null");
}
