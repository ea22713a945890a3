"""Issue 9, the recall list: resources that move through pointers-to-pointers, unions, fields, array slots,
function pointers, static globals, callees and other TUs; borrowing str/mem/wide-char functions; realloc-like
wrappers that never return NULL; C sources written for gcc's default gnu mode."""
from __future__ import annotations

from tests.suites.shape import Shape

S: list[Shape] = []

S.append(Shape("ptr_to_ptr", 9, "recall: released through a pointer to the pointer (char **pp = &data)", {
    "main.$EXT": """
  $INCLUDES

  int relay(const char *name)
  {
      $T data = $ACQ;
      GUARD(data, -1)
      $T *pp = &data;
      TOUCH(*pp);
C|    RELEASE(*pp);
      return 0;  //@ resource-leak in relay
  }

  int main(void)
  {
      return relay("/dev/null");
  }
"""}))

S.append(Shape("union_members", 9, "recall: stored through one union member, released through another", {
    "main.c": """
  $INCLUDES

  union handle {
      $T res;
      $TR raw;
  };

  int swap_out(const char *name)
  {
      union handle h;
      h.res = $ACQ;
      GUARD(h.res, -1)
      TOUCH(h.res);
C|    RELEASE(h.raw);
      return 0;  //@ resource-leak in swap_out
  }

  int main(void)
  {
      return swap_out("/dev/null");
  }
"""}, lang="c", kinds=("malloc", "calloc", "strdup", "fopen", "open", "socket")))

S.append(Shape("struct_field_readback", 9, "recall: stored into a local struct's field, released from it later", {
    "main.$EXT": """
  $INCLUDES

  struct holder {
      $T res;
      int id;
  };

  int hold(const char *name)
  {
      struct holder h;
      $T r = $ACQ;
      GUARD(r, -1)
      h.id = 1;
      h.res = r;
      TOUCH(h.res);
C|    RELEASE(h.res);
      return h.id;  //@ resource-leak in hold
  }

  int main(void)
  {
      return hold("/dev/null") != 1;
  }
"""}))

S.append(Shape("array_slot_readback", 9, "recall: stored into a local array slot, released from it later", {
    "main.$EXT": """
  $INCLUDES

  int fill_slots(const char *name)
  {
      $T slots[4];
      int i;
      for (i = 0; i < 4; i++)
          slots[i] = $EMPTY;
      slots[1] = $ACQ;
      GUARD(slots[1], -1)
      TOUCH(slots[1]);
C|    RELEASE(slots[1]);
      return 0;  //@ resource-leak in fill_slots
  }

  int main(void)
  {
      return fill_slots("/dev/null");
  }
"""}, kinds=("malloc", "calloc", "fopen", "socket", "new", "newarr")))

S.append(Shape("fnptr_local", 9, "recall: released through a function pointer assigned in the same function", {
    "main.$EXT": """
  $INCLUDES

C|static void drop($T r)
C|{
C|    RELEASE(r);
C|}
L|static void inspect($T r)
L|{
L|    TOUCH(r);
L|}

  int serve_once(const char *name)
  {
C|    void (*done)($T) = drop;
L|    void (*done)($T) = inspect;
      $T r = $ACQ;
      GUARD(r, -1)
      TOUCH(r);
      done(r);
      return 0;  //@ resource-leak in serve_once
  }

  int main(void)
  {
      return serve_once("/dev/null");
  }
"""}))

S.append(Shape("fnptr_table", 9, "recall: acquired and released through a static table of function pointers", {
    "main.$EXT": """
  $INCLUDES

  struct backend_ops {
      $T (*acquire)(const char *name);
      void (*release)($T r);
  };

  static $T backend_acquire(const char *name)
  {
      return $ACQ;
  }

  static void backend_release($T r)
  {
      RELEASE(r);
  }

  static const struct backend_ops backends[] = {
      {backend_acquire, backend_release},
  };

  int backup(const char *name, int mode)
  {
      const struct backend_ops *ops = &backends[mode];
      $T r = ops->acquire(name);
      GUARD(r, -1)
      TOUCH(r);
      if (name[0] == '/') {
C|        ops->release(r);
          return 1;  //@ resource-leak in backup
      }
      ops->release(r);
      return 0;
  }

  int main(void)
  {
      return backup("/dev/null", 0) != 1;
  }
"""}, kinds=("malloc", "realloc", "fopen", "open", "new", "newarr")))

S.append(Shape("static_global_carrier", 9, "recall: a static global carries the resource to another function",
               {
    "main.$EXT": """
  $INCLUDES

  static $T pending = $EMPTY;

  static void flush_pending(void)
  {
      $T r = pending;
      pending = $EMPTY;
      TOUCH(r);
C|    RELEASE(r);
  }  //@ resource-leak in flush_pending

  int produce(const char *name)
  {
      $T r = $ACQ;
      GUARD(r, -1)
      pending = r;
      flush_pending();
      return 0;
  }

  int main(void)
  {
      return produce("/dev/null");
  }
"""}))

S.append(Shape("addr_callee_frees", 9, "recall: &data passed to a callee that releases *arg", {"main.$EXT": """
  $INCLUDES

  static void dispose($T *arg)
  {
      RELEASE(*arg);
      *arg = $EMPTY;
  }

  static void inspect($T *arg)
  {
      TOUCH(*arg);
  }

  int work(const char *name)
  {
      $T data = $ACQ;
      GUARD(data, -1)
      inspect(&data);
C|    dispose(&data);
      return 0;  //@ resource-leak in work
  }

  int main(void)
  {
      return work("/dev/null");
  }
"""}, kinds=("malloc", "strdup", "calloc", "fopen", "open", "new", "newarr")))

S.append(Shape("callee_frees_returns", 9, "recall: a callee that releases its argument and returns it",
               {"main.$EXT": """
  $INCLUDES

  static $T finish($T r)
  {
      RELEASE(r);
      return r;
  }

  static $T check($T r)
  {
      TOUCH(r);
      return r;
  }

  int cycle(const char *name)
  {
      $T r = $ACQ;
      GUARD(r, -1)
      r = check(r);
C|    r = finish(r);
      return 0;  //@ resource-leak in cycle
  }

  int main(void)
  {
      return cycle("/dev/null");
  }
"""}))

S.append(Shape("virtual_release", 9, "recall: a virtual call whose every override releases its argument",
               {"main.cpp": """
  $INCLUDES

  class Sink {
  public:
      virtual ~Sink() {}
      virtual void consume($T r) = 0;
  };

  class FileSink : public Sink {
  public:
      void consume($T r) override
      {
          TOUCH(r);
C|        RELEASE(r);
      }
  };

  class NullSink : public Sink {
  public:
      void consume($T r) override { RELEASE(r); }
  };

  int pump(Sink &s, const char *name)
  {
      $T r = $ACQ;
      GUARD(r, -1)
      s.consume(r);
      return 0;  //@ resource-leak in pump
  }

  int main()
  {
      FileSink f;
      NullSink n;
      return pump(f, "/dev/null") + pump(n, "/dev/null");
  }
"""}, lang="cpp", kinds=("new", "newarr", "malloc", "fopen", "open")))

S.append(Shape("borrow_str", 9, "recall: the str/mem families borrow their pointer arguments", {"main.$EXT": """
  $INCLUDES

  int copy_label(const char *name, char *dst, size_t cap)
  {
      $T label = $ACQ;
      GUARD(label, -1)
      strcpy(label, name);
      if (strchr(label, '/') != NULL && strlen(label) < cap)
          memcpy(dst, label, strlen(label) + 1);
      memmove(label, label, 1);
      memset(label, 0, strlen(name));
C|    RELEASE(label);
      return 0;  //@ resource-leak in copy_label
  }

  int main(void)
  {
      char out[64];
      return copy_label("/dev/null", out, sizeof out);
  }
"""}, kinds=("malloc", "calloc", "realloc", "strdup", "newarr")))

S.append(Shape("borrow_wide", 9, "recall: the wide-character family borrows its pointer arguments", {"main.c": """
  $INCLUDES

  int copy_wide(const char *name, wchar_t *dst, size_t cap)
  {
      $T w = $ACQ;
      GUARD(w, -1)
      wcscpy(w, L"entry");
      if (wcslen(w) < cap)
          wcscpy(dst, w);
      wmemcpy(dst, w, 1);
      if (wcschr(w, L'e') == NULL || wcscmp(w, dst) != 0)
          dst[0] = L'\\0';
C|    RELEASE(w);
      return 0;  //@ resource-leak in copy_wide
  }

  int main(void)
  {
      wchar_t out[32];
      return copy_wide("/dev/null", out, 32);
  }
"""}, lang="c", kinds=("wmalloc", "wcsdup")))

S.append(Shape("cross_tu_source_sink", 9, "recall: source in one file, sink in another", {
    "res.h": """
  #ifndef RES_H
  #define RES_H
  $HEADER_INCLUDES

  $T make_res(const char *name);
  void consume_res($T r);
  #endif
""",
    "source.$EXT": """
  $INCLUDES
  #include "res.h"

  $T make_res(const char *name)
  {
      return $ACQ;
  }
""",
    "sink.$EXT": """
  $INCLUDES
  #include "res.h"

  void consume_res($T r)
  {
      TOUCH(r);
C|    RELEASE(r);
  }
""",
    "main.$EXT": """
  $INCLUDES
  #include "res.h"

  int run(const char *name)
  {
      $T r = make_res(name);
      GUARD(r, -1)
      consume_res(r);
      return 0;  //@ resource-leak in run
  }

  int main(void)
  {
      return run("/dev/null");
  }
"""}, kinds=("malloc", "strdup", "fopen", "socket", "new", "newarr")))

_XREALLOC_USE = """
  int append(const char *name, size_t extra)
  {
      char *buf = $ACQ;
      GUARD(buf, -1)
      TOUCH(buf);
C|    buf = xrealloc(buf, strlen(name) + extra + 1);
L|    buf = realloc(buf, strlen(name) + extra + 1);  //@ leak-on-overwrite in append
L|    if (buf == NULL)
L|        return -1;
      strcat(buf, name);
      free(buf);
      return 0;
  }
"""

S.append(Shape("xrealloc_noreturn", 9, "p = xrealloc(p, n) failing into a noreturn fatal(), versus plain realloc",
               {
    "main.c": """
  $INCLUDES

  static void fatal(const char *msg) __attribute__((noreturn));

  static void fatal(const char *msg)
  {
      fprintf(stderr, "fatal: %s\\n", msg);
      exit(1);
  }

  static void *xrealloc(void *ptr, size_t size)
  {
      void *out = realloc(ptr, size);
      if (out == NULL)
          fatal("out of memory");
      return out;
  }
""" + _XREALLOC_USE + """
  int main(void)
  {
      return append("/dev/null", 8);
  }
"""}, lang="c", kinds=("malloc", "calloc", "realloc", "strdup"), runtime_leak=False))

S.append(Shape("xrealloc_other_tu", 9, "xrealloc in another file, its fatal path ends in exit() (no attribute)", {
    "xmalloc.h": """
  #ifndef XMALLOC_H
  #define XMALLOC_H
  #include <stddef.h>

  void fatalx(const char *msg);
  void *xrealloc(void *ptr, size_t size);
  #endif
""",
    "xmalloc.c": """
  #include <stdio.h>
  #include <stdlib.h>
  #include "xmalloc.h"

  void fatalx(const char *msg)
  {
      fprintf(stderr, "fatal: %s\\n", msg);
      exit(1);
  }

  void *xrealloc(void *ptr, size_t size)
  {
      void *out;
      if (size == 0)
          fatalx("zero size");
      out = realloc(ptr, size);
      if (out == NULL)
          fatalx("out of memory");
      return out;
  }
""",
    "main.c": """
  $INCLUDES
  #include "xmalloc.h"
""" + _XREALLOC_USE + """
  int main(void)
  {
      return append("/dev/null", 8);
  }
"""}, lang="c", kinds=("malloc", "calloc", "realloc", "strdup"), runtime_leak=False))

S.append(Shape("gnu_mode", 9, "C written for gcc's default gnu mode: strdup, wcsdup, alloca, S_IREAD, no -std flag", {
    "main.c": """
  $INCLUDES

  int save_copy(const char *name)
  {
      char *scratch = alloca(strlen(name) + 1);
      mode_t mode = S_IREAD | S_IWRITE;
      $T copy = $ACQ;
      GUARD(copy, -1)
      strcpy(scratch, name);
      TOUCH(copy);
      if (mode == 0)
          scratch[0] = '\\0';
C|    RELEASE(copy);
      return (int)strlen(scratch);  //@ resource-leak in save_copy
  }

  int main(void)
  {
      return save_copy("/dev/null") != 9;
  }
"""}, lang="c", gnu=True, includes=("sys/stat.h",), kinds=("strdup", "wcsdup", "malloc", "open")))

SHAPES = S
