# ruff: noqa: E501  (C++ sources one function per line)
"""When a member overwrite can leak: the method runs on an object whose member already owns something. Evidence:
the method is called twice on one object or in a loop, or the constructor leaves the member owning. Without it
(only sibling methods call it, each once, on a member the constructor leaves empty: a handshake picking one
version) the quiet answer."""
from tests.conftest import brief, scan_sources

ENGINE = r"""
struct Enc { int n; };
class Engine {
public:
    Engine() : enc_(nullptr), dec_(nullptr) {}
    ~Engine() { delete enc_; delete dec_; }
    void handshake(int v) { if (v == 1) hs1(); else hs2(); }
    void restart() { again(); again(); }
private:
    void hs1() { enc_ = new Enc; }
    void hs2() { enc_ = new Enc; }
    void again() { dec_ = new Enc; }
    Enc *enc_;
    Enc *dec_;
};
class Loader {
public:
    Loader() : data_(nullptr) { load(); }
    ~Loader() { delete data_; }
    void refresh() { load(); }
private:
    void load() { data_ = new Enc; }
    Enc *data_;
};
int main() { Engine e; e.handshake(1); e.restart(); Loader l; l.refresh(); return 0; }
"""


def test_member_overwrites_need_evidence_the_member_owns(tmp_path):
    found = brief(scan_sources(tmp_path, {"e.cpp": ENGINE}))
    assert found == {("e.cpp", 11, "Engine::again", "leak-on-overwrite"), ("e.cpp", 21, "Loader::load", "leak-on-overwrite")}


NAMES = r"""
#include <unistd.h>
#include <sys/socket.h>
struct Buf { int n; };
class Listener {
public:
    Listener() : s_(-1) {}
    ~Listener() { if (s_ >= 0) close(s_); }
    int set_local_address(const char *a) { s_ = socket(AF_INET, SOCK_STREAM, 0); return s_ < 0 ? -1 : 0; }
private:
    int s_;
};
class Holder {
public:
    Holder() : data_(nullptr) {}
    ~Holder() { delete data_; }
    void set_data() { data_ = new Buf; }
    void alloc_once() { if (data_ != nullptr) return; data_ = new Buf; }
    void grow() { data_ = new Buf; }
private:
    Buf *data_;
};
void keep(Listener *l);
int bind(int kind, const char *a) {
    if (kind == 1) { Listener *l = new Listener; int rc = l->set_local_address(a); if (rc) { delete l; return rc; } keep(l); return 0; }
    if (kind == 2) { Listener *l = new Listener; int rc = l->set_local_address(a); if (rc) { delete l; return rc; } keep(l); return 0; }
    return -1;
}
"""


def test_names_and_careful_siblings_as_evidence(tmp_path):
    """A setter of that very member, and a sibling that looks at the member before assigning it, show the member
    may own something on entry; a setter of something else, and one call per fresh object, do not."""
    found = brief(scan_sources(tmp_path, {"n.cpp": NAMES}))
    assert found == {("n.cpp", 16, "Holder::set_data", "leak-on-overwrite"), ("n.cpp", 18, "Holder::grow", "leak-on-overwrite")}
