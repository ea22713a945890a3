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
