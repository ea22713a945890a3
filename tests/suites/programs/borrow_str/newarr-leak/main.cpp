#include <cstdio>
#include <cstdlib>
#include <cstring>

int copy_label(const char *name, char *dst, size_t cap)
{
    char *label = new char[strlen(name) + 1];
    strcpy(label, name);
    if (strchr(label, '/') != NULL && strlen(label) < cap)
        memcpy(dst, label, strlen(label) + 1);
    memmove(label, label, 1);
    memset(label, 0, strlen(name));
    return 0;  // expect: resource-leak in copy_label
}

int main(void)
{
    char out[64];
    return copy_label("/dev/null", out, sizeof out);
}
