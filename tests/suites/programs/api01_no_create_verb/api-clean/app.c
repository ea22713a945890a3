#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "dict.h"
#include "list.h"
#include "sstr.h"

int render_title(const char *title, size_t width)
{
    sstr out = sstr_copy(title);
    if (out == NULL)
        return -1;
    if (sstr_len(out) > width) {
        sstr_free(out);
        return -2;
    }
    puts(out);
    sstr_free(out);
    return 0;
}

int blank_line(int verbose)
{
    sstr line = sstr_empty();
    if (line == NULL)
        return -1;
    if (!verbose) {
        sstr_free(line);
        return 0;
    }
    puts(line);
    sstr_free(line);
    return 1;
}

int sum_until(list *l, int stop)
{
    int v;
    int total = 0;
    list_iter *it = list_get_iterator(l);
    if (it == NULL)
        return -1;
    while (list_next(it, &v)) {
        if (v == stop) {
            list_release_iterator(it);
            return total;
        }
        total += v;
    }
    list_release_iterator(it);
    return total;
}

int print_config_path(const char *home)
{
    char *path = get_config_path(home);
    if (path == NULL)
        return -1;
    if (path[0] != '/') {
        free(path);
        return -2;
    }
    puts(path);
    free(path);
    return 0;
}

int prune(const char *key)
{
    dict *d = dict_create();
    if (d == NULL)
        return -1;
    dict_add(d, key, 1);
    dictDelete(d, key);
    if (key[0] == '#') {
        dict_release(d);
        return 1;
    }
    dict_release(d);
    return 0;
}

int count_commands(void)
{
    int n = 0;
    const struct command *c;
    for (c = command_first(); c != NULL; c = command_next(c))
        n += c->flags > 0;
    return n;
}

size_t name_length(struct config *c)
{
    sstr name = config_get_name(c);
    if (name == NULL)
        return 0;
    return sstr_len(name);
}

int main(void)
{
    struct config c = {NULL, 80};
    list *l = list_create();
    int rc;
    if (l == NULL)
        return 1;
    list_push(l, 1);
    list_push(l, 2);
    c.name = sstr_copy("service");
    rc = render_title("a long title", 4) + blank_line(0) + sum_until(l, 2) + print_config_path("home");
    rc += (int)name_length(&c) + prune("#tag") + count_commands();
    sstr_free(c.name);
    list_release(l);
    return rc == 0;
}
