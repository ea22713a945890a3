"""Issue 9, causes 1-8: paths that cannot happen. Each leak-free variant is quiet only if the analysis knows a
value (a constant, a condition tested twice, a trip count, a reference, a success-only out-parameter, an empty
member, a field just stored); the leaking variant changes that value so the leak is real."""
from __future__ import annotations

from tests.suites.shape import Shape

S: list[Shape] = []

# ---- 1. conditions whose value is fixed ----------------------------------------------------------------

S.append(Shape("const_expr_if", 9, "1. integer constant expression: if (5 == 5)", {"main.$EXT": """
  $INCLUDES

  int load_entry(const char *name)
  {
      $T entry = $ACQ;
      GUARD(entry, -1)
      TOUCH(entry);
C|    if (5 == 5)
L|    if (5 != 5)
          RELEASE(entry);
      return 0;  //@ resource-leak in load_entry
  }

  int main(void)
  {
      return load_entry("/dev/null") != 0;
  }
"""}))

S.append(Shape("const_expr_sizeof", 9, "1. integer constant expression with sizeof and an enum constant",
               {"main.$EXT": """
  $INCLUDES

  enum { RECORD_SIZE = 16, HEADER_SIZE = 4 };

  int read_record(const char *name)
  {
      $T rec = $ACQ;
      GUARD(rec, -1)
      TOUCH(rec);
C|    if (sizeof(long) >= sizeof(char) && RECORD_SIZE > HEADER_SIZE)
L|    if (sizeof(long) < sizeof(char) || RECORD_SIZE < HEADER_SIZE)
          RELEASE(rec);
      return 0;  //@ resource-leak in read_record
  }

  int main(void)
  {
      return read_record("/dev/null");
  }
"""}, kinds=("calloc", "realloc", "fopen", "socket", "new", "newarr")))

S.append(Shape("switch_const", 9, "1. switch on a constant: switch (6)", {"main.$EXT": """
  $INCLUDES

  int open_channel(const char *name)
  {
      $T chan = $ACQ;
      GUARD(chan, -1)
      TOUCH(chan);
      switch (6) {
      case 6:
C|        RELEASE(chan);
          break;
      default:
L|        RELEASE(chan);
          break;
      }
      return 0;  //@ resource-leak in open_channel
  }

  int main(void)
  {
      return open_channel("/dev/null");
  }
"""}))

S.append(Shape("static_const_global", 9, "1. static const global", {"main.$EXT": """
  $INCLUDES

C|static const int cache_disabled = 1;
L|static const int cache_disabled = 0;

  int fill_cache(const char *name)
  {
      $T item = $ACQ;
      GUARD(item, -1)
      TOUCH(item);
      if (cache_disabled)
          RELEASE(item);
      return 0;  //@ resource-leak in fill_cache
  }

  int main(void)
  {
      return fill_cache("/dev/null");
  }
"""}))

S.append(Shape("const_global", 9, "1. const global (external linkage)", {"main.$EXT": """
  $INCLUDES

C|extern const int close_after_use;
C|const int close_after_use = 1;
L|extern const int close_after_use;
L|const int close_after_use = 0;

  int probe(const char *name)
  {
      $T handle = $ACQ;
      GUARD(handle, -1)
      TOUCH(handle);
      if (close_after_use == 1)
          RELEASE(handle);
      return 0;  //@ resource-leak in probe
  }

  int main(void)
  {
      return probe("/dev/null");
  }
"""}, kinds=("malloc", "calloc", "fopen", "socket", "new", "newarr")))

S.append(Shape("static_never_written", 9, "1. static variable never written after its initializer", {"main.$EXT": """
  $INCLUDES

C|static int keep_snapshots = 0;
L|static int keep_snapshots = 1;
  static int snapshots_taken;

  int snapshot(const char *name)
  {
      $T snap = $ACQ;
      GUARD(snap, -1)
      TOUCH(snap);
      snapshots_taken++;
      if (!keep_snapshots)
          RELEASE(snap);
      return snapshots_taken;  //@ resource-leak in snapshot
  }

  int keeps_snapshots(void)
  {
      return keep_snapshots;
  }

  int main(void)
  {
      return snapshot("/dev/null") + keeps_snapshots() > 3;
  }
"""}))

S.append(Shape("func_returns_const", 9, "1. function whose body returns a constant", {"main.$EXT": """
  $INCLUDES

  static int owns_result(void)
  {
C|    return 1;
L|    return 0;
  }

  int export_table(const char *name)
  {
      $T table = $ACQ;
      GUARD(table, -1)
      TOUCH(table);
      if (owns_result())
          RELEASE(table);
      return 0;  //@ resource-leak in export_table
  }

  int main(void)
  {
      return export_table("/dev/null");
  }
"""}, kinds=("malloc", "realloc", "fopen", "open", "new", "newarr")))

S.append(Shape("extern_global_other_tu", 9, "1. plain int global defined in another TU and never written", {
    "settings.h": """
  #ifndef SETTINGS_H
  #define SETTINGS_H
  extern int release_buffers;
  #endif
""",
    "settings.$EXT": """
  #include "settings.h"

C|int release_buffers = 1;
L|int release_buffers = 0;
""",
    "main.$EXT": """
  $INCLUDES
  #include "settings.h"

  int stage(const char *name)
  {
      $T buf = $ACQ;
      GUARD(buf, -1)
      TOUCH(buf);
      if (release_buffers)
          RELEASE(buf);
      return 0;  //@ resource-leak in stage
  }

  int main(void)
  {
      return stage("/dev/null");
  }
"""}))

# ---- 2. the same unknown condition tested twice -------------------------------------------------------------

S.append(Shape("same_cond_param", 9, "2. a parameter tested twice (decoy: the parameter is re-assigned in between)", {
    "main.$EXT": """
  $INCLUDES

  static int lookup_policy(const char *name)
  {
      return name[0] == '#';
  }

  int render(const char *name, int cached)
  {
      $T out = $EMPTY;
      if (cached) {
          out = $ACQ;
          GUARD(out, -1)
          TOUCH(out);
      }
L|    cached = lookup_policy(name);
      if (cached)
          RELEASE(out);
      return 0;  //@ resource-leak in render
  }

  int main(int argc, char **argv)
  {
      (void)argv;
      return render("/dev/null", argc > 0);
  }
"""}))

S.append(Shape("same_cond_global", 9,
               "2. a global defined in another file tested twice (decoy: a call in between writes it)", {
    "config.h": """
  #ifndef CONFIG_H
  #define CONFIG_H
  extern int verbose_mode;
  void log_line(const char *text);
  void reload_settings(void);
  #endif
""",
    "config.$EXT": """
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
""",
    "main.$EXT": """
  $INCLUDES
  #include "config.h"

  int trace(const char *name)
  {
      $T note = $EMPTY;
      if (verbose_mode) {
          note = $ACQ;
          GUARD(note, -1)
          TOUCH(note);
      }
C|    log_line("traced\\n");
L|    reload_settings();
      if (verbose_mode)
          RELEASE(note);
      return 0;  //@ resource-leak in trace
  }

  int main(int argc, char **argv)
  {
      (void)argv;
      verbose_mode = argc > 0;
      return trace("/dev/null");
  }
"""}))

S.append(Shape("same_cond_field", 9, "2. a field tested twice (decoy: a callee in between may write it)", {
    "main.$EXT": """
  $INCLUDES

  struct request {
      int keep_alive;
      int retries;
  };

  static void count_retry(struct request *req)
  {
      req->retries++;
  }

  static void apply_defaults(struct request *req)
  {
      req->keep_alive = 0;
  }

  int serve(struct request *req, const char *name)
  {
      $T conn = $EMPTY;
      if (req->keep_alive) {
          conn = $ACQ;
          GUARD(conn, -1)
          TOUCH(conn);
      }
C|    count_retry(req);
L|    apply_defaults(req);
      if (req->keep_alive)
          RELEASE(conn);
      return 0;  //@ resource-leak in serve
  }

  int main(void)
  {
      struct request req = {1, 0};
      return serve(&req, "/dev/null");
  }
"""}))

S.append(Shape("same_cond_local", 9, "2. a local tested twice (decoy: its address is passed to a callee in between)", {
    "main.$EXT": """
  $INCLUDES

  static void parse_flags(const char *text, int *owned)
  {
      *owned = text[0] == '#';
  }

  static int checksum(const char *text)
  {
      int sum = 0;
      while (*text)
          sum += *text++;
      return sum;
  }

  int import_file(const char *name)
  {
      int owned = strlen(name) > 3;
      int sum = 0;
      $T data = $EMPTY;
      if (owned) {
          data = $ACQ;
          GUARD(data, -1)
          TOUCH(data);
      }
C|    sum = checksum(name);
L|    parse_flags(name, &owned);
      if (owned)
          RELEASE(data);
      return sum;  //@ resource-leak in import_file
  }

  int main(void)
  {
      return import_file("/dev/null") < 0;
  }
"""}, kinds=("malloc", "strdup", "fopen", "socket", "new", "newarr")))

# ---- 3. loops with a constant trip count -----------------------------------------------------------------

S.append(Shape("loop_once_for", 9, "3. for (i = 0; i < 1; i++) acquires, a second one-trip loop releases", {
    "main.$EXT": """
  $INCLUDES

  int warm_up(const char *name)
  {
      $T res = $EMPTY;
      int i;
C|    for (i = 0; i < 1; i++) {
L|    for (i = 0; i < 2; i++) {
          res = $ACQ;  //@ leak-on-overwrite in warm_up
          GUARD(res, -1)
          TOUCH(res);
      }
      for (i = 0; i < 1; i++)
          RELEASE(res);
      return 0;
  }

  int main(void)
  {
      return warm_up("/dev/null");
  }
"""}))

S.append(Shape("loop_while1_break", 9, "3. while (1) { ...; break; } acquires, a second one releases", {
    "main.$EXT": """
  $INCLUDES

  int handshake(const char *name)
  {
      $T peer = $EMPTY;
      while (1) {
          peer = $ACQ;
          GUARD(peer, -1)
          TOUCH(peer);
          break;
      }
      while (1) {
L|        if (name[0] == '/')
L|            break;
          RELEASE(peer);
          break;
      }
      return 0;  //@ resource-leak in handshake
  }

  int main(void)
  {
      return handshake("/dev/null");
  }
"""}, kinds=("malloc", "calloc", "fopen", "open", "new", "newarr")))

# ---- 4. C++ references -----------------------------------------------------------------------------------

S.append(Shape("ref_out_param", 9, "4. a T *& out-parameter assigned in a callee", {"main.cpp": """
  $INCLUDES

  static void open_source(const char *name, $T &out)
  {
      out = $ACQ;
  }

  int consume(const char *name)
  {
      $T data = $EMPTY;
      open_source(name, data);
      GUARD(data, -1)
      TOUCH(data);
C|    RELEASE(data);
      return 0;  //@ resource-leak in consume
  }

  int main()
  {
      return consume("/dev/null");
  }
"""}, lang="cpp", kinds=("new", "newarr", "malloc", "fopen", "open")))

S.append(Shape("ref_alias", 9, "4. a reference alias released in place of the original", {"main.cpp": """
  $INCLUDES

  int stash(const char *name)
  {
      $T data = $ACQ;
      GUARD(data, -1)
      $T &alias = data;
      TOUCH(alias);
C|    RELEASE(alias);
      return 0;  //@ resource-leak in stash
  }

  int main()
  {
      return stash("/dev/null");
  }
"""}, lang="cpp", kinds=("new", "newarr", "strdup", "fopen", "socket")))

# ---- 5. out-parameters set only on success ----------------------------------------------------------------

S.append(Shape("status_ok", 9, "5. out-parameter set only when a Status-like result is ok()", {"main.cpp": """
  $INCLUDES

  class Status {
  public:
      static Status OK() { return Status(0); }
      static Status IOError() { return Status(5); }
      bool ok() const { return code_ == 0; }
      int code() const { return code_; }

  private:
      explicit Status(int code) : code_(code) {}
      int code_;
  };

  static Status open_table(const char *name, $T *out)
  {
      if (name[0] == '\\0')
          return Status::IOError();
      $T t = $ACQ;
      GUARD(t, Status::IOError())
      *out = t;
      return Status::OK();
  }

  Status load(const char *name)
  {
      $T table;
      Status s = open_table(name, &table);
      if (!s.ok())
          return s;
      TOUCH(table);
C|    RELEASE(table);
      return Status::OK();  //@ resource-leak in load
  }

  int main()
  {
      return load("/dev/null").code() + load("").code() > 5;
  }
"""}, lang="cpp", kinds=("new", "newarr", "malloc", "fopen", "open")))

S.append(Shape("rc_out_param", 9, "5. out-parameter set only when the int return code is 0", {"main.$EXT": """
  $INCLUDES

  static int create_handle(const char *name, $T *out)
  {
      $T h;
      if (name[0] == '\\0')
          return -1;
      h = $ACQ;
      GUARD(h, -1)
      *out = h;
      return 0;
  }

  int run_query(const char *name)
  {
      $T handle;
      if (create_handle(name, &handle) != 0)
          return -1;
      TOUCH(handle);
C|    RELEASE(handle);
      return 0;  //@ resource-leak in run_query
  }

  int main(void)
  {
      return run_query("/dev/null") + run_query("") != -1;
  }
"""}, kinds=("malloc", "strdup", "calloc", "fopen", "open", "socket", "new", "newarr")))

# ---- 6. members provably empty when overwritten -------------------------------------------------------------

S.append(Shape("member_fresh_object", 9, "6. a member set by a method that only the constructor calls", {"main.cpp": """
  $INCLUDES

  class Reader {
  public:
      explicit Reader(const char *name) : buf_($EMPTY) { init(name); }
      ~Reader()
      {
          if (IS_SET(buf_))
              RELEASE(buf_);
      }
L|    void reload(const char *name) { init(name); }
      int peek() { TOUCH(buf_); return 0; }

  private:
      void init(const char *name)
      {
          buf_ = $ACQ;  //@ leak-on-overwrite in Reader::init
      }
      $T buf_;
  };

  int main()
  {
      Reader r("/dev/null");
L|    r.reload("/dev/null");
      return r.peek();
  }
"""}, lang="cpp", kinds=("new", "newarr", "malloc", "fopen", "open")))

S.append(Shape("member_after_assert", 9, "6. a member overwritten right after assert(it is empty)", {"main.cpp": """
  $INCLUDES
  #include <cassert>

  class Session {
  public:
      Session() : res_($EMPTY) {}
      ~Session() { detach(); }
      void attach(const char *name)
      {
C|        assert(!(IS_SET(res_)));
          res_ = $ACQ;  //@ leak-on-overwrite in Session::attach
      }
      void detach()
      {
          if (IS_SET(res_)) {
              RELEASE(res_);
              res_ = $EMPTY;
          }
      }

  private:
      $T res_;
  };

  int main()
  {
      Session s;
      s.attach("/dev/null");
C|    s.detach();
      s.attach("/dev/null");
      return 0;
  }
"""}, lang="cpp", kinds=("new", "newarr", "strdup", "fopen", "socket")))

S.append(Shape("member_after_clear", 9, "6. a member overwritten right after a same-class clear() released it", {
    "main.cpp": """
  $INCLUDES

  class Cache {
  public:
      Cache() : data_($EMPTY), hits_(0) {}
      ~Cache()
      {
          if (IS_SET(data_))
              RELEASE(data_);
      }
      void clear()
      {
C|        if (IS_SET(data_)) {
C|            RELEASE(data_);
C|            data_ = $EMPTY;
C|        }
          hits_ = 0;
      }
      void reload(const char *name)
      {
          clear();
          data_ = $ACQ;  //@ leak-on-overwrite in Cache::reload
      }
      int hits() const { return hits_; }

  private:
      $T data_;
      int hits_;
  };

  int main()
  {
      Cache c;
      c.reload("/dev/null");
      c.reload("/dev/null");
      return c.hits();
  }
"""}, lang="cpp", kinds=("new", "newarr", "malloc", "fopen", "open")))

S.append(Shape("member_handoff_callee", 9, "6. the member is handed to a callee that stores it, then reset", {
    "main.cpp": """
  $INCLUDES

  class Retired {
  public:
      Retired() : count_(0), seen_(0) {}
      ~Retired()
      {
          for (int i = 0; i < count_; i++)
              if (IS_SET(items_[i]))
                  RELEASE(items_[i]);
      }
      void adopt($T r) { items_[count_++] = r; }
      void note($T r) { seen_ += IS_SET(r); }

  private:
      $T items_[8];
      int count_;
      int seen_;
  };

  class Producer {
  public:
      explicit Producer(Retired *bin) : bin_(bin), cur_($EMPTY) {}
      ~Producer()
      {
          if (IS_SET(cur_))
              RELEASE(cur_);
      }
      void rotate(const char *name)
      {
C|        bin_->adopt(cur_);
L|        bin_->note(cur_);
          cur_ = $ACQ;  //@ leak-on-overwrite in Producer::rotate
      }

  private:
      Retired *bin_;
      $T cur_;
  };

  int main()
  {
      Retired bin;
      Producer p(&bin);
      p.rotate("/dev/null");
      p.rotate("/dev/null");
      return 0;
  }
"""}, lang="cpp", kinds=("new", "newarr", "malloc", "fopen", "open")))

S.append(Shape("member_handoff_return", 9, "6. the member is returned to the caller, then reset", {"main.cpp": """
  $INCLUDES

  class Slot {
  public:
      Slot() : cur_($EMPTY) {}
      ~Slot()
      {
          if (IS_SET(cur_))
              RELEASE(cur_);
      }
      $T swap_in(const char *name)
      {
C|        $T old = cur_;
          cur_ = $ACQ;  //@ leak-on-overwrite in Slot::swap_in
C|        return old;
L|        return $EMPTY;
      }

  private:
      $T cur_;
  };

  int main()
  {
      Slot s;
      $T first = s.swap_in("/dev/null");
      $T second = s.swap_in("/dev/null");
      if (IS_SET(first))
          RELEASE(first);
      if (IS_SET(second))
          RELEASE(second);
      return 0;
  }
"""}, lang="cpp", kinds=("new", "newarr", "strdup", "fopen", "open")))

# ---- 7. error-string out-parameters allocated only on failure ------------------------------------------------

S.append(Shape("error_string_out", 9, "7. char **cause allocated only on the failure return", {"main.$EXT": """
  $INCLUDES

  static int parse_port(const char *name, char **cause)
  {
      if (name[0] != '\\0')
          return 0;
      *cause = $ACQ;
      if (*cause != $EMPTY)
          TOUCH(*cause);
      return -1;
  }

  int configure(const char *name)
  {
      char *cause;
      if (parse_port(name, &cause) != 0) {
          fprintf(stderr, "bad port\\n");
C|        RELEASE(cause);
          return -1;  //@ resource-leak in configure
      }
      return 0;
  }

  int main(void)
  {
      return configure("/dev/null") + configure("") != -1;
  }
"""}, kinds=("malloc", "calloc", "realloc", "strdup", "newarr")))

# ---- 8. field and index values ----------------------------------------------------------------------------------

S.append(Shape("field_value", 9, "8. a field tested after it was stored on this path", {"main.$EXT": """
  $INCLUDES

  enum state { STATE_PENDING, STATE_DONE };

  struct job {
      enum state state;
      int id;
  };

  int finish_job(struct job *j, const char *name)
  {
      $T out = $ACQ;
      GUARD(out, -1)
      TOUCH(out);
C|    j->state = STATE_DONE;
L|    j->state = STATE_PENDING;
      j->id++;
      if (j->state == STATE_DONE)
          RELEASE(out);
      return j->id;  //@ resource-leak in finish_job
  }

  int main(void)
  {
      struct job j = {STATE_PENDING, 0};
      return finish_job(&j, "/dev/null") != 1;
  }
"""}))

S.append(Shape("index_after_loop", 9, "8. a loop index compared against the bound that ended the loop",
               {"main.$EXT": """
  $INCLUDES

  int scan_args(int argc, const char *name)
  {
      int i;
      int total = 0;
      $T out = $ACQ;
      GUARD(out, -1)
      for (i = 0; i < argc; i++) {
L|        if (name[i] == 'd')
L|            break;
          total += name[i];
      }
      TOUCH(out);
      if (i >= argc)
          RELEASE(out);
      return total;  //@ resource-leak in scan_args
  }

  int main(int argc, char **argv)
  {
      (void)argv;
      return scan_args(argc + 2, "/dev/null") < 0;
  }
"""}, kinds=("malloc", "realloc", "fopen", "socket", "new", "newarr")))

SHAPES = S
