#include <stdlib.h>
#include <stdio.h>
int parse(const char *path, int n) {
    FILE *f = fopen(path, "r");
    if (f == NULL)
        return -1;
    char *buf = malloc(n);
    if (!buf) {
        fclose(f);
        return -1;
    }
    if (fgetc(f) == EOF)
        return -2;
    buf = malloc(2 * n);
    free(buf);
    fclose(f);
    return 0;
}
