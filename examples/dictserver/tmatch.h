/* tmatch: a tiny C term matcher.  A dictionary holds terms; a pack holds the hits of one query. */
#ifndef TMATCH_H
#define TMATCH_H

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct tm_dict tm_dict;
typedef struct tm_pack tm_pack;

/* Dictionaries: create with room for `capacity` terms, release with tm_dict_del. */
tm_dict *tm_dict_create(size_t capacity);
int tm_dict_add(tm_dict *dict, const char *term, int id);
size_t tm_dict_size(const tm_dict *dict);
void tm_dict_del(tm_dict *dict);

/* Packs: per-query match state (hit list and a scratch copy of the text); release with tm_pack_del. */
tm_pack *tm_pack_create(const tm_dict *dict, size_t max_hits);
int tm_pack_match(tm_pack *pack, const char *text);
int tm_pack_hit(const tm_pack *pack, int index);
void tm_pack_del(tm_pack *pack);

#ifdef __cplusplus
}
#endif

#endif
