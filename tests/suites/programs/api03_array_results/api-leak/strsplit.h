#ifndef STRSPLIT_H
#define STRSPLIT_H

char **str_split(const char *s, char sep, int *count);
void str_free_split(char **parts, int count);
const char *str_part(char *const *parts, int i);
#endif
