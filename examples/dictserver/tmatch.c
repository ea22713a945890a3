/* tmatch: dictionaries of short terms and per-query match packs. */
#include "tmatch.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define TM_TERM_MAX 32
#define TM_SCRATCH 1024

struct tm_dict {
    size_t size;
    size_t capacity;
    char *terms; /* capacity slots of TM_TERM_MAX bytes */
    int *ids;
};

struct tm_pack {
    const tm_dict *dict;
    size_t max_hits;
    size_t nhits;
    int *hits;
    char *scratch; /* lower-cased copy of the matched text */
};

static void *tm_xalloc(size_t n)
{
    void *p = malloc(n);
    if (p == NULL) {
        fputs("tmatch: out of memory\n", stderr);
        abort();
    }
    return p;
}

tm_dict *tm_dict_create(size_t capacity)
{
    tm_dict *dict = calloc(1, sizeof *dict);
    if (dict == NULL)
        return NULL;
    dict->capacity = capacity;
    dict->terms = tm_xalloc(capacity * TM_TERM_MAX);
    dict->ids = tm_xalloc(capacity * sizeof *dict->ids);
    return dict;
}

int tm_dict_add(tm_dict *dict, const char *term, int id)
{
    size_t len = strlen(term);
    if (dict->size == dict->capacity || len == 0 || len >= TM_TERM_MAX)
        return -1;
    memcpy(dict->terms + dict->size * TM_TERM_MAX, term, len + 1);
    dict->ids[dict->size] = id;
    dict->size++;
    return 0;
}

size_t tm_dict_size(const tm_dict *dict)
{
    return dict->size;
}

void tm_dict_del(tm_dict *dict)
{
    if (dict == NULL)
        return;
    free(dict->terms);
    free(dict->ids);
    free(dict);
}

tm_pack *tm_pack_create(const tm_dict *dict, size_t max_hits)
{
    tm_pack *pack = calloc(1, sizeof *pack);
    if (pack == NULL)
        return NULL;
    pack->dict = dict;
    pack->max_hits = max_hits;
    pack->hits = tm_xalloc(max_hits * sizeof *pack->hits);
    pack->scratch = tm_xalloc(TM_SCRATCH);
    return pack;
}

int tm_pack_match(tm_pack *pack, const char *text)
{
    size_t i;
    size_t len = strlen(text);
    if (len >= TM_SCRATCH)
        return -1;
    for (i = 0; i <= len; i++)
        pack->scratch[i] = (char)tolower((unsigned char)text[i]);
    pack->nhits = 0;
    for (i = 0; i < pack->dict->size && pack->nhits < pack->max_hits; i++) {
        if (strstr(pack->scratch, pack->dict->terms + i * TM_TERM_MAX) != NULL)
            pack->hits[pack->nhits++] = pack->dict->ids[i];
    }
    return (int)pack->nhits;
}

int tm_pack_hit(const tm_pack *pack, int index)
{
    return pack->hits[index];
}

void tm_pack_del(tm_pack *pack)
{
    if (pack == NULL)
        return;
    free(pack->hits);
    free(pack->scratch);
    free(pack);
}
