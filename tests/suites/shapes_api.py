"""Issue 10, causes 1-10: a project's own acquirers, releasers and borrowers, learnt from its bodies.

One small multi-file project per cause. The leaking variant is the "buggy commit" (an early return that forgets
the project's own release call), the leak-free variant is the fix; both carry the same decoys (getters that
return borrowed pointers, a remove-entry function, iterators over static tables, real hand-overs), which must
stay quiet. Where the issue speaks of pairs, pairs.toml lists what `leakscan pairs` must find (acquirer,
releaser, 1-based released argument) and the functions that must appear in no pair.
"""
from __future__ import annotations

from tests.suites.shape import Shape

S: list[Shape] = []


def api(name: str, summary: str, files: dict[str, str], lang: str = "c", pairs: str = "", links: bool = True) -> Shape:
    return Shape(name, 10, summary, files, kinds=("api",), lang=lang, pairs=pairs, runtime_leak=links, links=links)


# ---- 1. acquirers without a create/new verb -----------------------------------------------------------------

S.append(api("api01_no_create_verb", "1. acquirers named *_empty, *_copy, *GetIterator, get*Path (typedef kinds)", {
    "sstr.h": """
  #ifndef SSTR_H
  #define SSTR_H
  #include <stddef.h>

  typedef char *sstr;

  sstr sstr_empty(void);
  sstr sstr_copy(const char *text);
  size_t sstr_len(const sstr s);
  void sstr_free(sstr s);

  struct config {
      sstr name;
      int port;
  };
  sstr config_get_name(struct config *c);
  #endif
""",
    "sstr.c": """
  $INCLUDES
  #include "sstr.h"

  struct sstr_hdr {
      size_t len;
  };

  sstr sstr_copy(const char *text)
  {
      size_t n = strlen(text);
      struct sstr_hdr *h = malloc(sizeof *h + n + 1);
      if (h == NULL)
          return NULL;
      h->len = n;
      memcpy((char *)(h + 1), text, n + 1);
      return (char *)(h + 1);
  }

  sstr sstr_empty(void)
  {
      return sstr_copy("");
  }

  size_t sstr_len(const sstr s)
  {
      return ((const struct sstr_hdr *)s - 1)->len;
  }

  void sstr_free(sstr s)
  {
      if (s == NULL)
          return;
      free((struct sstr_hdr *)s - 1);
  }

  sstr config_get_name(struct config *c)
  {
      return c->name;
  }
""",
    "list.h": """
  #ifndef LIST_H
  #define LIST_H

  typedef struct list list;
  typedef struct list_iter list_iter;

  list *list_create(void);
  int list_push(list *l, int value);
  void list_release(list *l);
  list_iter *list_get_iterator(list *l);
  int list_next(list_iter *it, int *out);
  void list_release_iterator(list_iter *it);
  char *get_config_path(const char *home);
  #endif
""",
    "list.c": """
  $INCLUDES
  #include "list.h"

  struct list {
      int items[16];
      int count;
  };

  struct list_iter {
      list *l;
      int pos;
  };

  list *list_create(void)
  {
      return calloc(1, sizeof(list));
  }

  int list_push(list *l, int value)
  {
      if (l->count == 16)
          return -1;
      l->items[l->count++] = value;
      return 0;
  }

  void list_release(list *l)
  {
      free(l);
  }

  list_iter *list_get_iterator(list *l)
  {
      list_iter *it = malloc(sizeof *it);
      if (it == NULL)
          return NULL;
      it->l = l;
      it->pos = 0;
      return it;
  }

  int list_next(list_iter *it, int *out)
  {
      if (it->pos >= it->l->count)
          return 0;
      *out = it->l->items[it->pos++];
      return 1;
  }

  void list_release_iterator(list_iter *it)
  {
      free(it);
  }

  char *get_config_path(const char *home)
  {
      char *path = malloc(strlen(home) + 16);
      if (path == NULL)
          return NULL;
      strcpy(path, home);
      strcat(path, "/.apprc");
      return path;
  }
""",
    "dict.h": """
  #ifndef DICT_H
  #define DICT_H

  typedef struct dict dict;
  struct command {
      const char *name;
      int flags;
  };

  dict *dict_create(void);
  int dict_add(dict *d, const char *key, int value);
  int dictDelete(dict *d, const char *key);
  void dict_release(dict *d);
  const struct command *command_first(void);
  const struct command *command_next(const struct command *c);
  #endif
""",
    "dict.c": """
  $INCLUDES
  #include "dict.h"

  struct entry {
      char *key;
      int value;
      struct entry *next;
  };
  struct dict {
      struct entry *head;
  };

  static const struct command commands[] = {{"get", 1}, {"set", 2}, {NULL, 0}};

  dict *dict_create(void)
  {
      return calloc(1, sizeof(dict));
  }

  int dict_add(dict *d, const char *key, int value)
  {
      struct entry *e = malloc(sizeof *e);
      if (e == NULL)
          return -1;
      e->key = strdup(key);
      e->value = value;
      e->next = d->head;
      d->head = e;
      return 0;
  }

  int dictDelete(dict *d, const char *key)
  {
      struct entry **link = &d->head;
      while (*link != NULL) {
          struct entry *e = *link;
          if (strcmp(e->key, key) == 0) {
              *link = e->next;
              free(e->key);
              free(e);
              return 0;
          }
          link = &e->next;
      }
      return -1;
  }

  void dict_release(dict *d)
  {
      while (d->head != NULL)
          dictDelete(d, d->head->key);
      free(d);
  }

  const struct command *command_first(void)
  {
      return &commands[0];
  }

  const struct command *command_next(const struct command *c)
  {
      return c[1].name != NULL ? c + 1 : NULL;
  }
""",
    "app.c": """
  $INCLUDES
  #include "dict.h"
  #include "list.h"
  #include "sstr.h"

  int render_title(const char *title, size_t width)
  {
      sstr out = sstr_copy(title);
      if (out == NULL)
          return -1;
      if (sstr_len(out) > width) {
C|        sstr_free(out);
          return -2;  //@ resource-leak in render_title
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
C|        sstr_free(line);
          return 0;  //@ resource-leak in blank_line
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
C|            list_release_iterator(it);
              return total;  //@ resource-leak in sum_until
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
C|        free(path);
          return -2;  //@ resource-leak in print_config_path
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
C|        dict_release(d);
          return 1;  //@ resource-leak in prune
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
"""}, pairs="""
[[pair]]
acquirer = "sstr_copy"
releaser = "sstr_free"
argument = 1

[[pair]]
acquirer = "sstr_empty"
releaser = "sstr_free"
argument = 1

[[pair]]
acquirer = "list_get_iterator"
releaser = "list_release_iterator"
argument = 1

[[pair]]
acquirer = "list_create"
releaser = "list_release"
argument = 1

[[pair]]
acquirer = "dict_create"
releaser = "dict_release"
argument = 1

[not_paired]
functions = ["config_get_name", "sstr_len", "list_next", "list_push", "dictDelete", "dict_add", "command_first",
             "command_next"]
"""))

# ---- 2. reference counting --------------------------------------------------------------------------------------

S.append(api("api02_refcount", "2. msg_from_text/msg_ref acquire a reference, msg_unref frees at zero", {
    "msg.h": """
  #ifndef MSG_H
  #define MSG_H

  typedef struct msg {
      int refs;
      char *text;
  } msg;

  msg *msg_from_text(const char *text);
  msg *msg_ref(msg *m);
  void msg_unref(msg *m);
  const char *msg_text(const msg *m);
  int msg_refcount(const msg *m);
  #endif
""",
    "msg.c": """
  $INCLUDES
  #include "msg.h"

  msg *msg_from_text(const char *text)
  {
      msg *m = malloc(sizeof *m);
      if (m == NULL)
          return NULL;
      m->text = strdup(text);
      if (m->text == NULL) {
          free(m);
          return NULL;
      }
      m->refs = 1;
      return m;
  }

  msg *msg_ref(msg *m)
  {
      m->refs++;
      return m;
  }

  void msg_unref(msg *m)
  {
      if (m == NULL)
          return;
      if (--m->refs > 0)
          return;
      free(m->text);
      free(m);
  }

  const char *msg_text(const msg *m)
  {
      return m->text;
  }

  int msg_refcount(const msg *m)
  {
      return m->refs;
  }
""",
    "app.c": """
  $INCLUDES
  #include "msg.h"

  int deliver(const char *text, int drop)
  {
      msg *m = msg_from_text(text);
      if (m == NULL)
          return -1;
      if (drop) {
C|        msg_unref(m);
          return 0;  //@ resource-leak in deliver
      }
      puts(msg_text(m));
      msg_unref(m);
      return 1;
  }

  int fan_out(msg *m, int copies)
  {
      msg *extra = msg_ref(m);
      if (copies > 1) {
C|        msg_unref(extra);
          return -1;  //@ resource-leak in fan_out
      }
      puts(msg_text(extra));
      msg_unref(extra);
      return msg_refcount(m);
  }

  int main(void)
  {
      msg *m = msg_from_text("hello");
      int rc;
      if (m == NULL)
          return 1;
      rc = deliver("dropped", 1) + fan_out(m, 2);
      msg_unref(m);
      return rc != -1;
  }
"""}, pairs="""
[[pair]]
acquirer = "msg_from_text"
releaser = "msg_unref"
argument = 1

[[pair]]
acquirer = "msg_ref"
releaser = "msg_unref"
argument = 1

[not_paired]
functions = ["msg_text", "msg_refcount"]
"""))

# ---- 3. arrays of owned results -----------------------------------------------------------------------------

S.append(api("api03_array_results", "3. str_split results released by str_free_split; char ** freed element-wise", {
    "strsplit.h": """
  #ifndef STRSPLIT_H
  #define STRSPLIT_H

  char **str_split(const char *s, char sep, int *count);
  void str_free_split(char **parts, int count);
  const char *str_part(char *const *parts, int i);
  #endif
""",
    "strsplit.c": """
  $INCLUDES
  #include "strsplit.h"

  char **str_split(const char *s, char sep, int *count)
  {
      int n = 1;
      int i = 0;
      const char *p;
      char **parts;
      for (p = s; *p; p++)
          n += *p == sep;
      parts = calloc(n, sizeof *parts);
      if (parts == NULL)
          return NULL;
      for (p = s; i < n; i++) {
          const char *end = strchr(p, sep);
          size_t len = end ? (size_t)(end - p) : strlen(p);
          parts[i] = strndup(p, len);
          p += len + 1;
      }
      *count = n;
      return parts;
  }

  void str_free_split(char **parts, int count)
  {
      int i;
      if (parts == NULL)
          return;
      for (i = 0; i < count; i++)
          free(parts[i]);
      free(parts);
  }

  const char *str_part(char *const *parts, int i)
  {
      return parts[i];
  }
""",
    "app.c": """
  $INCLUDES
  #include "strsplit.h"

  int count_fields(const char *line, int min)
  {
      int n = 0;
      char **parts = str_split(line, ',', &n);
      if (parts == NULL)
          return -1;
      if (n < min) {
C|        str_free_split(parts, n);
          return -1;  //@ resource-leak in count_fields
      }
      puts(str_part(parts, 0));
      str_free_split(parts, n);
      return n;
  }

  int collect(int n)
  {
      int i;
      char **list = calloc(n, sizeof *list);
      if (list == NULL)
          return -1;
      for (i = 0; i < n; i++)
          list[i] = strdup("item");
      for (i = 0; i < n; i++)
          free(list[i]);
C|    free(list);
      return n;  //@ resource-leak in collect
  }

  int main(void)
  {
      return count_fields("a,b", 3) + collect(2) != 1;
  }
"""}, pairs="""
[[pair]]
acquirer = "str_split"
releaser = "str_free_split"
argument = 1

[not_paired]
functions = ["str_part"]
"""))

# ---- 4. structs on the stack that own heap memory -------------------------------------------------------------

S.append(api("api04_stack_struct", "4. struct textbuf tb = TEXTBUF_INIT grown by calls, released by textbuf_dispose", {
    "textbuf.h": """
  #ifndef TEXTBUF_H
  #define TEXTBUF_H
  #include <stddef.h>

  struct textbuf {
      char *buf;
      size_t len;
      size_t alloc;
  };
  #define TEXTBUF_INIT {NULL, 0, 0}

  void textbuf_addstr(struct textbuf *tb, const char *s);
  void textbuf_dispose(struct textbuf *tb);
  char *textbuf_detach(struct textbuf *tb, size_t *len);
  #endif
""",
    "textbuf.c": """
  $INCLUDES
  #include "textbuf.h"

  static void textbuf_grow(struct textbuf *tb, size_t extra)
  {
      char *p;
      if (tb->len + extra + 1 <= tb->alloc)
          return;
      tb->alloc = (tb->len + extra + 1) * 2;
      p = realloc(tb->buf, tb->alloc);
      if (p == NULL)
          abort();
      tb->buf = p;
  }

  void textbuf_addstr(struct textbuf *tb, const char *s)
  {
      size_t n = strlen(s);
      textbuf_grow(tb, n);
      memcpy(tb->buf + tb->len, s, n + 1);
      tb->len += n;
  }

  void textbuf_dispose(struct textbuf *tb)
  {
      free(tb->buf);
      tb->buf = NULL;
      tb->len = tb->alloc = 0;
  }

  char *textbuf_detach(struct textbuf *tb, size_t *len)
  {
      char *out = tb->buf;
      if (len != NULL)
          *len = tb->len;
      tb->buf = NULL;
      tb->len = tb->alloc = 0;
      return out;
  }
""",
    "app.c": """
  $INCLUDES
  #include "textbuf.h"

  int describe(const char *name, int id)
  {
      struct textbuf tb = TEXTBUF_INIT;
      textbuf_addstr(&tb, "item ");
      textbuf_addstr(&tb, name);
      if (id < 0) {
C|        textbuf_dispose(&tb);
          return -1;  //@ resource-leak in describe
      }
      puts(tb.buf);
      textbuf_dispose(&tb);
      return 0;
  }

  char *label_for(const char *name)
  {
      struct textbuf tb = TEXTBUF_INIT;
      textbuf_addstr(&tb, "label:");
      textbuf_addstr(&tb, name);
      return textbuf_detach(&tb, NULL);
  }

  int main(void)
  {
      char *label = label_for("x");
      int rc = describe("y", -1);
      free(label);
      return rc != -1;
  }
"""}))

# ---- 5. allocators in another file or behind function pointers ------------------------------------------------

S.append(api("api05_indirect_alloc", "5. constructor in another TU; lib_malloc through a global allocator table", {
    "widget.h": """
  #ifndef WIDGET_H
  #define WIDGET_H

  struct widget {
      int size;
      char *pixels;
  };

  struct widget *widget_build(int size);
  void widget_destroy(struct widget *w);
  struct widget *widget_default(void);
  #endif
""",
    "widget.c": """
  $INCLUDES
  #include "widget.h"

  static struct widget fallback;

  struct widget *widget_build(int size)
  {
      struct widget *w = malloc(sizeof *w);
      if (w == NULL)
          return NULL;
      w->size = size;
      w->pixels = calloc(size, 1);
      if (w->pixels == NULL) {
          free(w);
          return NULL;
      }
      return w;
  }

  void widget_destroy(struct widget *w)
  {
      if (w == NULL)
          return;
      free(w->pixels);
      free(w);
  }

  struct widget *widget_default(void)
  {
      return &fallback;
  }
""",
    "alloc.h": """
  #ifndef ALLOC_H
  #define ALLOC_H
  #include <stddef.h>

  struct lib_allocator {
      void *(*gmalloc)(size_t size);
      void (*gfree)(void *ptr);
  };
  extern struct lib_allocator lib_allocator;
  extern void (*buffer_free_fn)(void *ptr);
  void lib_init(void);

  #define lib_malloc(n) (lib_allocator.gmalloc(n))
  #define lib_free(p) (lib_allocator.gfree(p))
  #endif
""",
    "alloc.c": """
  $INCLUDES
  #include "alloc.h"

  struct lib_allocator lib_allocator = {malloc, free};
  void (*buffer_free_fn)(void *ptr) = free;

  void lib_init(void)
  {
      lib_allocator.gmalloc = malloc;
      lib_allocator.gfree = free;
      buffer_free_fn = free;
  }
""",
    "app.c": """
  $INCLUDES
  #include "alloc.h"
  #include "widget.h"

  int make_widget(int size)
  {
      struct widget *w = widget_build(size);
      if (w == NULL)
          return -1;
      if (size > 100) {
C|        widget_destroy(w);
          return -2;  //@ resource-leak in make_widget
      }
      widget_destroy(w);
      return 0;
  }

  int copy_name(const char *name)
  {
      char *p = lib_malloc(strlen(name) + 1);
      if (p == NULL)
          return -1;
      strcpy(p, name);
      if (p[0] == '/') {
C|        lib_free(p);
          return 1;  //@ resource-leak in copy_name
      }
      lib_free(p);
      return 0;
  }

  int scratch(int n)
  {
      char *tmp = malloc(n);
      if (tmp == NULL)
          return -1;
      memset(tmp, 0, n);
      buffer_free_fn(tmp);
      return 0;
  }

  int default_size(void)
  {
      struct widget *w = widget_default();
      return w->size;
  }

  int main(void)
  {
      lib_init();
      return make_widget(200) + copy_name("/x") + scratch(8) + default_size() != -1;
  }
"""}, pairs="""
[[pair]]
acquirer = "widget_build"
releaser = "widget_destroy"
argument = 1

[not_paired]
functions = ["widget_default", "lib_init"]
"""))

# ---- 6. out-parameter allocators ------------------------------------------------------------------------------

S.append(api("api06_out_param_alloc", "6. repo_get_index(&index, repo) / base64_encode(.., &out, &len) on success", {
    "repo.h": """
  #ifndef REPO_H
  #define REPO_H
  #include <stddef.h>

  struct index {
      int entries;
  };
  struct repo {
      struct index *cached;
      int valid;
  };

  int repo_get_index(struct index **out, struct repo *r);
  int repo_peek_index(struct index **out, struct repo *r);
  void index_free(struct index *idx);
  int base64_encode(const unsigned char *in, size_t len, char **out, size_t *outlen);
  #endif
""",
    "repo.c": """
  $INCLUDES
  #include "repo.h"

  int repo_get_index(struct index **out, struct repo *r)
  {
      struct index *idx;
      if (!r->valid)
          return -1;
      idx = malloc(sizeof *idx);
      if (idx == NULL)
          return -1;
      idx->entries = r->cached ? r->cached->entries : 0;
      *out = idx;
      return 0;
  }

  int repo_peek_index(struct index **out, struct repo *r)
  {
      if (r->cached == NULL)
          return -1;
      *out = r->cached;
      return 0;
  }

  void index_free(struct index *idx)
  {
      free(idx);
  }

  int base64_encode(const unsigned char *in, size_t len, char **out, size_t *outlen)
  {
      static const char digits[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
      size_t i;
      size_t n = 0;
      char *buf = malloc(len * 2 + 1);
      if (buf == NULL)
          return -1;
      for (i = 0; i < len; i++) {
          buf[n++] = digits[in[i] >> 2];
          buf[n++] = digits[in[i] & 63];
      }
      buf[n] = '\\0';
      *out = buf;
      *outlen = n;
      return 0;
  }
""",
    "app.c": """
  $INCLUDES
  #include "repo.h"

  int count_entries(struct repo *r, int limit)
  {
      struct index *idx;
      int n;
      if (repo_get_index(&idx, r) != 0)
          return -1;
      if (idx->entries > limit) {
C|        index_free(idx);
          return -2;  //@ resource-leak in count_entries
      }
      n = idx->entries;
      index_free(idx);
      return n;
  }

  int peek_entries(struct repo *r)
  {
      struct index *idx;
      if (repo_peek_index(&idx, r) != 0)
          return -1;
      return idx->entries;
  }

  int encode_name(const char *name)
  {
      char *enc;
      size_t n;
      if (base64_encode((const unsigned char *)name, strlen(name), &enc, &n) != 0)
          return -1;
      if (n > 8) {
C|        free(enc);
          return 1;  //@ resource-leak in encode_name
      }
      puts(enc);
      free(enc);
      return 0;
  }

  int main(void)
  {
      struct index cached = {3};
      struct repo r = {&cached, 1};
      return count_entries(&r, 1) + peek_entries(&r) + encode_name("a long name") != 2;
  }
"""}, pairs="""
[[pair]]
acquirer = "repo_get_index"
releaser = "index_free"
argument = 1

[not_paired]
functions = ["repo_peek_index"]
"""))

# ---- 7. realloc from NULL --------------------------------------------------------------------------------------

S.append(api("api07_realloc_null", "7. p = my_realloc(NULL, n) acquires, my_realloc(p, 0) releases", {
    "mem.h": """
  #ifndef MEM_H
  #define MEM_H
  #include <stddef.h>

  void *my_realloc(void *ptr, size_t size);
  #endif
""",
    "mem.c": """
  $INCLUDES
  #include "mem.h"

  void *my_realloc(void *ptr, size_t size)
  {
      if (size == 0) {
          free(ptr);
          return NULL;
      }
      return realloc(ptr, size);
  }
""",
    "app.c": """
  $INCLUDES
  #include "mem.h"

  int stage_buffer(const char *name)
  {
      char *p = my_realloc(NULL, 64);
      if (p == NULL)
          return -1;
      strncpy(p, name, 63);
      p[63] = '\\0';
      if (p[0] != '/') {
C|        my_realloc(p, 0);
          return -2;  //@ resource-leak in stage_buffer
      }
      puts(p);
      my_realloc(p, 0);
      return 0;
  }

  int grow_twice(void)
  {
      char *p = my_realloc(NULL, 16);
      char *q;
      if (p == NULL)
          return -1;
      q = my_realloc(p, 128);
      if (q == NULL) {
          my_realloc(p, 0);
          return -1;
      }
      p = q;
      p[0] = '\\0';
      my_realloc(p, 0);
      return 0;
  }

  int main(void)
  {
      return stage_buffer("relative") + grow_twice() != -2;
  }
"""}))

# ---- 8. escapes that are really borrows -----------------------------------------------------------------------

_BORROW_H = """
  #ifndef LIB_H
  #define LIB_H

  typedef struct stream STREAM;
  typedef struct cert CERT;
  typedef struct method METHOD;
  typedef struct iter ITER;
  typedef struct db DB;
  typedef struct impl IMPL;
  typedef struct list LIST;

  struct buf {
      char data[32];
      int len;
  };
  typedef struct key {
      struct buf hash;
      int id;
  } KEY;

  STREAM *stream_open(const char *path);
  void stream_close(STREAM *s);
  int cert_print(STREAM *out, CERT *c);
  CERT *cert_load(const char *name);
  void cert_free(CERT *c);

  METHOD *method_new(const char *name);
  void method_set_callback(METHOD *m, void (*fn)(int));
  void method_set_data(METHOD *m, char *data);
  void method_run(METHOD *m, int event);
  void method_free(METHOD *m);

  ITER *iter_new(const int *items, int n);
  int iter_next(ITER *it, int *out);
  void iter_free(ITER *it);

  KEY *key_new(int id);
  void buf_reset(struct buf *b);
  void key_free(KEY *k);

  DB *db_open(const char *name);
  void db_close(DB *db);
  IMPL *impl_new(void);
  void impl_set_owner(IMPL *impl, DB *db);
  void impl_free(IMPL *impl);

  LIST *list_new(void);
  void list_append(LIST *l, char *item);
  void list_free(LIST *l);
  #endif
"""

_BORROW_LIB = """
  $INCLUDES
  #include "lib.h"

  struct stream {
      FILE *fp;
  };
  struct cert {
      char *subject;
  };
  struct method {
      char *name;
      void (*fn)(int);
      char *data;
  };
  struct iter {
      const int *items;
      int n;
      int pos;
  };
  struct db {
      char *name;
  };
  struct impl {
      DB *owner;
  };
  struct list {
      char *items[8];
      int n;
  };

  STREAM *stream_open(const char *path)
  {
      STREAM *s = malloc(sizeof *s);
      if (s == NULL)
          return NULL;
      s->fp = fopen(path, "w");
      if (s->fp == NULL) {
          free(s);
          return NULL;
      }
      return s;
  }

  void stream_close(STREAM *s)
  {
      fclose(s->fp);
      free(s);
  }

  int cert_print(STREAM *out, CERT *c)
  {
      return fprintf(out->fp, "subject=%s\\n", c->subject);
  }

  CERT *cert_load(const char *name)
  {
      CERT *c = malloc(sizeof *c);
      if (c == NULL)
          return NULL;
      c->subject = strdup(name);
      return c;
  }

  void cert_free(CERT *c)
  {
      free(c->subject);
      free(c);
  }

  METHOD *method_new(const char *name)
  {
      METHOD *m = calloc(1, sizeof *m);
      if (m == NULL)
          return NULL;
      m->name = strdup(name);
      return m;
  }

  void method_set_callback(METHOD *m, void (*fn)(int))
  {
      m->fn = fn;
  }

  void method_set_data(METHOD *m, char *data)
  {
      free(m->data);
      m->data = data;
  }

  void method_run(METHOD *m, int event)
  {
      if (m->fn != NULL)
          m->fn(event);
  }

  void method_free(METHOD *m)
  {
      free(m->data);
      free(m->name);
      free(m);
  }

  ITER *iter_new(const int *items, int n)
  {
      ITER *it = malloc(sizeof *it);
      if (it == NULL)
          return NULL;
      it->items = items;
      it->n = n;
      it->pos = 0;
      return it;
  }

  int iter_next(ITER *it, int *out)
  {
      if (it->pos >= it->n)
          return 0;
      *out = it->items[it->pos++];
      return 1;
  }

  void iter_free(ITER *it)
  {
      free(it);
  }

  KEY *key_new(int id)
  {
      KEY *k = calloc(1, sizeof *k);
      if (k != NULL)
          k->id = id;
      return k;
  }

  void buf_reset(struct buf *b)
  {
      b->len = 0;
      b->data[0] = '\\0';
  }

  void key_free(KEY *k)
  {
      free(k);
  }

  DB *db_open(const char *name)
  {
      DB *db = malloc(sizeof *db);
      if (db == NULL)
          return NULL;
      db->name = strdup(name);
      return db;
  }

  void db_close(DB *db)
  {
      free(db->name);
      free(db);
  }

  IMPL *impl_new(void)
  {
      return calloc(1, sizeof(IMPL));
  }

  void impl_set_owner(IMPL *impl, DB *db)
  {
      impl->owner = db;
  }

  void impl_free(IMPL *impl)
  {
      free(impl);
  }

  LIST *list_new(void)
  {
      return calloc(1, sizeof(LIST));
  }

  void list_append(LIST *l, char *item)
  {
      if (l->n < 8)
          l->items[l->n++] = item;
      else
          free(item);
  }

  void list_free(LIST *l)
  {
      int i;
      for (i = 0; i < l->n; i++)
          free(l->items[i]);
      free(l);
  }
"""

_BORROW_APP = """
  $INCLUDES
  #include "lib.h"

  static void on_event(int event)
  {
      printf("event %d\\n", event);
  }

  int dump_cert(const char *path, const char *name)
  {
      int n;
      CERT *c;
      STREAM *out = stream_open(path);
      if (out == NULL)
          return -1;
      c = cert_load(name);
      if (c == NULL) {
          stream_close(out);
          return -1;
      }
      n = cert_print(out, c);
      cert_free(c);
      if (n > 10) {
C|        stream_close(out);
          return 1;  //@ resource-leak in dump_cert
      }
      stream_close(out);
      return 0;
  }

  int register_method(const char *name, int enabled)
  {
      METHOD *m = method_new(name);
      if (m == NULL)
          return -1;
      method_set_callback(m, on_event);
      if (!enabled) {
C|        method_free(m);
          return 0;  //@ resource-leak in register_method
      }
      method_run(m, 1);
      method_free(m);
      return 1;
  }

  int first_negative(const int *items, int n)
  {
      int v;
      ITER *it = iter_new(items, n);
      if (it == NULL)
          return -1;
      while (iter_next(it, &v)) {
          if (v < 0) {
C|            iter_free(it);
              return v;  //@ resource-leak in first_negative
          }
      }
      iter_free(it);
      return 0;
  }

  int fresh_key(int id)
  {
      KEY *k = key_new(id);
      if (k == NULL)
          return -1;
      buf_reset(&k->hash);
      if (id > 100) {
C|        key_free(k);
          return 1;  //@ resource-leak in fresh_key
      }
      key_free(k);
      return 0;
  }

  int attach_owner(const char *name)
  {
      DB *db = db_open(name);
      IMPL *impl;
      if (db == NULL)
          return -1;
      impl = impl_new();
      if (impl == NULL) {
          db_close(db);
          return -1;
      }
      impl_set_owner(impl, db);
      impl_free(impl);
C|    db_close(db);
      return 0;  //@ resource-leak in attach_owner
  }

  int keep_items(const char *name)
  {
      LIST *l = list_new();
      METHOD *m;
      if (l == NULL)
          return -1;
      list_append(l, strdup(name));
      m = method_new(name);
      if (m != NULL) {
          method_set_data(m, strdup(name));
          method_free(m);
      }
      list_free(l);
      return 0;
  }

  int main(void)
  {
      static const int items[] = {3, -2, 5};
      int rc = dump_cert("/dev/null", "a subject long enough") + register_method("m", 0);
      rc += first_negative(items, 3) + fresh_key(200) + attach_owner("db") + keep_items("x");
      return rc != 1;
  }
"""

S.append(api("api08_borrow_bodies", "8. escapes that are borrows, callee bodies in the program", {
    "lib.h": _BORROW_H, "lib.c": _BORROW_LIB, "app.c": _BORROW_APP}, pairs="""
[[pair]]
acquirer = "stream_open"
releaser = "stream_close"
argument = 1

[[pair]]
acquirer = "method_new"
releaser = "method_free"
argument = 1

[[pair]]
acquirer = "iter_new"
releaser = "iter_free"
argument = 1

[not_paired]
functions = ["cert_print", "method_set_callback", "method_set_data", "iter_next", "buf_reset", "impl_set_owner",
             "list_append"]
"""))

S.append(api("api08_borrow_declarations", "8. escapes that are borrows, callees known by declaration only", {
    "lib.h": _BORROW_H, "app.c": _BORROW_APP}, links=False, pairs="""
[[pair]]
acquirer = "stream_open"
releaser = "stream_close"
argument = 1

[[pair]]
acquirer = "method_new"
releaser = "method_free"
argument = 1

[[pair]]
acquirer = "iter_new"
releaser = "iter_free"
argument = 1

[not_paired]
functions = ["cert_print", "method_set_callback", "method_set_data", "iter_next", "buf_reset", "impl_set_owner",
             "list_append"]
"""))

# ---- 9. releasers whose body loops first ------------------------------------------------------------------------

S.append(api("api09_release_after_loop", "9. args_free/environ_free free their argument after a loop", {
    "args.h": """
  #ifndef ARGS_H
  #define ARGS_H

  struct arg_entry {
      char *value;
      struct arg_entry *next;
  };
  struct args {
      struct arg_entry *head;
      int count;
  };
  struct environ_var {
      char *name;
      struct environ_var *next;
  };
  struct environ {
      struct environ_var *first;
  };

  struct args *args_parse(int argc, char **argv);
  const char *args_get(struct args *a, int i);
  void args_clear(struct args *a);
  void args_free(struct args *a);
  struct environ *environ_create(void);
  int environ_set(struct environ *env, const char *name);
  void environ_free(struct environ *env);
  #endif
""",
    "args.c": """
  $INCLUDES
  #include "args.h"

  struct args *args_parse(int argc, char **argv)
  {
      int i;
      struct args *a = calloc(1, sizeof *a);
      if (a == NULL)
          return NULL;
      for (i = argc - 1; i >= 0; i--) {
          struct arg_entry *e = malloc(sizeof *e);
          if (e == NULL)
              break;
          e->value = strdup(argv[i]);
          e->next = a->head;
          a->head = e;
          a->count++;
      }
      return a;
  }

  const char *args_get(struct args *a, int i)
  {
      struct arg_entry *e = a->head;
      while (e != NULL && i-- > 0)
          e = e->next;
      return e ? e->value : NULL;
  }

  void args_clear(struct args *a)
  {
      struct arg_entry *e, *next;
      for (e = a->head; e != NULL; e = next) {
          next = e->next;
          free(e->value);
          free(e);
      }
      a->head = NULL;
      a->count = 0;
  }

  void args_free(struct args *a)
  {
      struct arg_entry *e, *next;
      for (e = a->head; e != NULL; e = next) {
          next = e->next;
          free(e->value);
          free(e);
      }
      free(a);
  }

  struct environ *environ_create(void)
  {
      return calloc(1, sizeof(struct environ));
  }

  int environ_set(struct environ *env, const char *name)
  {
      struct environ_var *v = malloc(sizeof *v);
      if (v == NULL)
          return -1;
      v->name = strdup(name);
      v->next = env->first;
      env->first = v;
      return 0;
  }

  void environ_free(struct environ *env)
  {
      while (env->first != NULL) {
          struct environ_var *v = env->first;
          env->first = v->next;
          free(v->name);
          free(v);
      }
      free(env);
  }
""",
    "app.c": """
  $INCLUDES
  #include "args.h"

  int run_command(int argc, char **argv)
  {
      struct args *a = args_parse(argc, argv);
      const char *first;
      if (a == NULL)
          return -1;
      first = args_get(a, 0);
      if (first == NULL || first[0] == '-') {
C|        args_free(a);
          return -1;  //@ resource-leak in run_command
      }
      args_clear(a);
      args_free(a);
      return 0;
  }

  int spawn(const char *name)
  {
      struct environ *env = environ_create();
      if (env == NULL)
          return -1;
      if (environ_set(env, name) != 0 || name[0] == '\\0') {
C|        environ_free(env);
          return -1;  //@ resource-leak in spawn
      }
      environ_free(env);
      return 0;
  }

  int main(void)
  {
      char first[] = "-v";
      char second[] = "file";
      char *argv[] = {first, second};
      return run_command(2, argv) + spawn("") != -2;
  }
"""}, pairs="""
[[pair]]
acquirer = "args_parse"
releaser = "args_free"
argument = 1

[[pair]]
acquirer = "environ_create"
releaser = "environ_free"
argument = 1

[not_paired]
functions = ["args_clear", "args_get", "environ_set"]
"""))

# ---- 10. members never released: the destructor (or the owner's release function) is where the fix goes ---------

S.append(api("api10_members", "10. a member never released: reported at the destructor / the owner's release function",
    {
    "conn.h": """
  #ifndef CONN_H
  #define CONN_H

  #ifdef __cplusplus
  extern "C" {
  #endif
  struct conn {
      char *buf;
      int id;
  };
  struct conn *conn_new(int id);
  void conn_set_buf(struct conn *c, const char *text);
  void conn_free(struct conn *c);
  #ifdef __cplusplus
  }
  #endif
  #endif
""",
    "conn.c": """
  $INCLUDES
  #include "conn.h"

  struct conn *conn_new(int id)
  {
      struct conn *c = calloc(1, sizeof *c);
      if (c != NULL)
          c->id = id;
      return c;
  }

  void conn_set_buf(struct conn *c, const char *text)
  {
      free(c->buf);
      c->buf = strdup(text);
  }

  void conn_free(struct conn *c)
  {
      if (c == NULL)
          return;
C|    free(c->buf);
      free(c);
  }  //@ member-not-released in conn_free
""",
    "index.cpp": """
  #include <cstdio>
  #include <cstring>
  #include "conn.h"

  class Index {
  public:
      Index() : names_(nullptr), table_(nullptr) {}
      ~Index()
      {
          delete[] names_;
C|        delete[] table_;
      }  //@ member-not-released in Index::~Index
      int load(const char *path)
      {
          delete[] names_;
          names_ = new char[std::strlen(path) + 1];
          std::strcpy(names_, path);
          return 0;
      }
      void build(int n)
      {
          delete[] table_;
          table_ = new int[n];
          table_[0] = n;
      }

  private:
      char *names_;
      int *table_;
  };

  int main()
  {
      Index idx;
      struct conn *c = conn_new(1);
      idx.load("/dev/null");
      idx.build(4);
      if (c != nullptr) {
          conn_set_buf(c, "hello");
          conn_free(c);
      }
      return 0;
  }
"""}, pairs="""
[[pair]]
acquirer = "conn_new"
releaser = "conn_free"
argument = 1

[not_paired]
functions = ["conn_set_buf"]
"""))

SHAPES = S
