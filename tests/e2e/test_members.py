"""member-not-released: members, member containers, smart pointers and guards, through the real pipeline."""
from __future__ import annotations

from tests.conftest import brief, scan_sources

LIB_H = """
    #ifndef LIB_H
    #define LIB_H
    #include <stddef.h>
    extern "C" {
    typedef struct pk_pack pk_pack_t;
    typedef struct pk_dict pk_dict_t;
    pk_pack_t *pk_pack_create(int n);
    void pk_pack_del(pk_pack_t *p);
    pk_dict_t *pk_dict_load(const char *path);
    void pk_dict_del(pk_dict_t *d);
    }
    #endif
"""


def _scan(tmp_path, source: str, name: str = "m.cpp"):
    return scan_sources(tmp_path, {"lib.h": LIB_H, name: source})


def test_destructor_releases_directly_or_through_a_method(tmp_path):
    result = _scan(tmp_path, """
        #include <stdlib.h>
        #include "lib.h"
        class Dict {
        public:
            Dict() : pack_(pk_pack_create(8)), dict_(nullptr), buf_(nullptr) {}
            ~Dict() {
                pk_pack_del(pack_);
                unload();
            }
            int load(const char *path) {
                pk_dict_t *fresh = pk_dict_load(path);
                if (fresh == nullptr)
                    return -1;
                if (dict_ != nullptr)
                    pk_dict_del(dict_);
                dict_ = fresh;
                buf_ = (char *)malloc(64);
                return 0;
            }
            void unload() {
                if (dict_ != nullptr) {
                    pk_dict_del(dict_);
                    dict_ = nullptr;
                }
                free(buf_);
            }
        private:
            pk_pack_t *pack_;
            pk_dict_t *dict_;
            char *buf_;
        };
        int use(const char *p) { Dict d; return d.load(p); }
    """)
    assert brief(result) == set()


def test_member_never_released(tmp_path):
    result = _scan(tmp_path, """
        #include <stdlib.h>
        #include "lib.h"
        class Cache {
        public:
            Cache() : pack_(nullptr), scratch_(nullptr) {}
            ~Cache() { free(scratch_); }
            int open() {
                pack_ = pk_pack_create(4);
                scratch_ = (char *)malloc(16);
                return pack_ != nullptr;
            }
        private:
            pk_pack_t *pack_;
            char *scratch_;
        };
    """)
    assert brief(result) == {("m.cpp", 6, "Cache::~Cache", "member-not-released")}
    (f,) = result.findings
    assert (f.var, f.acquirer, f.resource_kind, f.expected) == ("pack_", "pk_pack_create", "pk_pack", "pk_pack_del")
    assert f.path[-1].message == "destructor Cache::~Cache() never releases member 'pack_'"
    assert f.path[-1].loc.line == 6
    assert f.confidence == "high"


def test_class_without_destructor_and_released_only_by_close(tmp_path):
    result = _scan(tmp_path, """
        #include <stdlib.h>
        struct Holder {
            char *data;
            void fill() { data = (char *)malloc(8); }
        };
        class Conn {
        public:
            ~Conn() {}
            void open() { free(buf_); buf_ = (char *)malloc(8); }
            void close() { free(buf_); buf_ = nullptr; }
        private:
            char *buf_ = nullptr;
        };
    """)
    assert brief(result) == {("m.cpp", 4, "Holder::fill", "member-not-released"),
                             ("m.cpp", 8, "Conn::~Conn", "member-not-released")}
    by_fn = {f.function: f for f in result.findings}
    assert by_fn["Holder::fill"].path[-1].message == "Holder has no destructor: member 'data' is never released"
    assert by_fn["Conn::~Conn"].confidence == "medium"  # close() releases it: an explicit protocol


def test_transient_member_and_unseen_destructor_are_quiet(tmp_path):
    result = _scan(tmp_path, """
        #include <stdlib.h>
        #include <string.h>
        class Tmp {
        public:
            ~Tmp();
            int work(const char *s) {
                tmp_ = strdup(s);
                if (tmp_ == nullptr)
                    return -1;
                int n = (int)strlen(tmp_);
                free(tmp_);
                tmp_ = nullptr;
                return n;
            }
            void keep() { kept_ = (char *)malloc(4); }
        private:
            char *tmp_ = nullptr;
            char *kept_ = nullptr;
        };
    """)
    # ~Tmp() is defined in a file that is not scanned: keep() cannot be judged
    assert brief(result) == set()


def test_member_containers_need_a_releasing_loop(tmp_path):
    result = _scan(tmp_path, """
        #include <map>
        #include <vector>
        #include "lib.h"
        struct Item { int v; };
        class Pool {
        public:
            ~Pool() {
                for (Item *it : items_)
                    delete it;
                for (std::map<int, pk_pack_t *>::iterator i = packs_.begin(); i != packs_.end(); ++i)
                    pk_pack_del(i->second);
            }
            void add() {
                Item *it = new Item();
                items_.push_back(it);
            }
            void put(int k) {
                pk_pack_t *p = pk_pack_create(2);
                if (p == nullptr)
                    return;
                packs_[k] = p;
            }
        private:
            std::vector<Item *> items_;
            std::map<int, pk_pack_t *> packs_;
        };
        class Leaky {
        public:
            ~Leaky() { items_.clear(); }
            void add() { items_.push_back(new Item()); }
        private:
            std::vector<Item *> items_;
        };
        class TwoMaps {
        public:
            ~TwoMaps() {
                for (auto i = a_.begin(); i != a_.end(); ++i)
                    pk_pack_del(i->second);
            }
            void put(int k) {
                pk_pack_t *p = pk_pack_create(2);
                if (p == nullptr)
                    return;
                a_[k] = p;
                pk_pack_t *q = pk_pack_create(2);
                if (q != nullptr)
                    b_.insert(std::make_pair(k, q));
                pk_pack_t *r = pk_pack_create(2);
                if (r != nullptr)
                    b_[k + 1] = r;
            }
        private:
            std::map<int, pk_pack_t *> a_;
            std::map<int, pk_pack_t *> b_;
        };
    """)
    assert brief(result) == {("m.cpp", 29, "Leaky::~Leaky", "member-not-released"),
                             ("m.cpp", 39, "TwoMaps::~TwoMaps", "member-not-released")}
    f = next(f for f in result.findings if f.function == "Leaky::~Leaky")
    assert f.path[-1].message == "destructor Leaky::~Leaky() never releases the elements of member container 'items_'"


def test_smart_pointer_members_and_guards_release(tmp_path):
    result = _scan(tmp_path, """
        #include <memory>
        #include "lib.h"
        struct pack_deleter { void operator()(pk_pack_t *p) const { pk_pack_del(p); } };
        class PackGuard {
        public:
            explicit PackGuard(int n) : p_(pk_pack_create(n)) {}
            ~PackGuard() { pk_pack_del(p_); }
            pk_pack_t *get() const { return p_; }
        private:
            pk_pack_t *p_;
        };
        class BadGuard {
        public:
            explicit BadGuard(int n) : p_(pk_pack_create(n)) {}
            ~BadGuard() {}
        private:
            pk_pack_t *p_;
        };
        class Svc {
        public:
            void init(const char *path) {
                pack_.reset(pk_pack_create(8));
                dict_ = std::shared_ptr<pk_dict_t>(pk_dict_load(path), pk_dict_del);
            }
        private:
            std::unique_ptr<pk_pack_t, pack_deleter> pack_;
            std::shared_ptr<pk_dict_t> dict_;
            PackGuard guard_{4};
        };
    """)
    assert brief(result) == {("m.cpp", 15, "BadGuard::~BadGuard", "member-not-released")}


OWNERSHIP_FLAG = r"""
#include <cstdlib>
#include <cstring>
class blob_t {
  public:
    blob_t() : _data(0), _size(0), _owned(true) {}
    blob_t(unsigned char *data, size_t size) : _data(data), _size(size), _owned(false) {}
    ~blob_t() { clear(); }
    void set_deep_copy(const blob_t &other) {
        clear();
        _data = static_cast<unsigned char *>(std::malloc(other._size));
        if (!_data) abort();
        _size = other._size;
        _owned = true;
        std::memcpy(_data, other._data, _size);
    }
    void set(const unsigned char *data, size_t size) {
        clear();
        _data = static_cast<unsigned char *>(std::malloc(size));
        if (!_data) abort();
        _size = size;
        _owned = true;
        std::memcpy(_data, data, size);
    }
    void clear() {
        if (_owned) free(_data);
        _data = 0;
        _size = 0;
    }
    void drop() { _data = 0; _size = 0; }
  private:
    unsigned char *_data;
    size_t _size;
    bool _owned;
};
void use(blob_t &b, const unsigned char *d) { b.set(d, 3); b.set(d, 4); b.drop(); b.drop(); }
"""


def test_a_method_that_releases_a_member_under_a_flag_drops_it_deliberately_otherwise(tmp_path):
    """`clear() { if (_owned) free(_data); _data = 0; }` (libzmq blob_t): the method decides by a flag whether the
    member owned its block, so setting it to NULL on the other path is no leak, and `set()` after `clear()` owns
    nothing old; a method that only drops the member (`drop()`) still loses what `set()` stored."""
    found = brief(scan_sources(tmp_path, {"blob.cpp": OWNERSHIP_FLAG}))
    assert found == {("blob.cpp", 29, "blob_t::drop", "leak-on-overwrite")}
