#include <cstdio>
#include <cstdlib>
#include <cstring>
#include "config.h"

int trace(const char *name)
{
    char *note = nullptr;
    if (verbose_mode) {
        note = new char[strlen(name) + 1];
        note[0] = '\0';
    }
    log_line("traced\n");
    if (verbose_mode)
        delete[] note;
    return 0;
}

int main(int argc, char **argv)
{
    (void)argv;
    verbose_mode = argc > 0;
    return trace("/dev/null");
}
