#include <cstdio>
#include <cstdlib>
#include <cstring>

static int parse_port(const char *name, char **cause)
{
    if (name[0] != '\0')
        return 0;
    *cause = new char[strlen(name) + 1];
    if (*cause != nullptr)
        (*cause)[0] = '\0';
    return -1;
}

int configure(const char *name)
{
    char *cause;
    if (parse_port(name, &cause) != 0) {
        fprintf(stderr, "bad port\n");
        return -1;  // expect: resource-leak in configure
    }
    return 0;
}

int main(void)
{
    return configure("/dev/null") + configure("") != -1;
}
