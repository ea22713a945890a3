#include <stdio.h>
#include "config.h"

int verbose_mode;

void log_line(const char *text)
{
    fputs(text, stderr);
}

void reload_settings(void)
{
    verbose_mode = 0;
}
