"""Members handed over: reference-counted Unref in the destructor, moved to another member, released by an owner."""
from tests.conftest import brief, scan_sources


def test_refcounted_member_released_by_unref_and_moved_between_members(tmp_path):
    result = scan_sources(tmp_path, {"db.cc": """
        struct Table {
            int refs = 0;
            void Ref() { ++refs; }
            void Unref() { if (--refs <= 0) delete this; }
        };
        class DB {
        public:
            DB() : mem_(nullptr), imm_(nullptr) {}
            ~DB() {
                if (mem_ != nullptr) mem_->Unref();
                if (imm_ != nullptr) imm_->Unref();
            }
            void Recover() { if (mem_ != nullptr) return; mem_ = new Table; mem_->Ref(); }
            void Rotate() {
                imm_ = mem_;
                mem_ = new Table;
                mem_->Ref();
            }
            void RotateLeaky() {
                mem_ = new Table;
                mem_->Ref();
            }
        private:
            Table *mem_;
            Table *imm_;
        };
    """, }, extra=["-std=c++17"])
    assert brief(result) == {("db.cc", 20, "DB::RotateLeaky", "leak-on-overwrite")}


def test_member_of_a_destructorless_struct_released_by_its_owner(tmp_path):
    result = scan_sources(tmp_path, {"tb.cc": """
        struct Filter { int bits[4]; };
        struct Rep {
            Filter *filter;
            Rep() : filter(new Filter) {}
        };
        class Builder {
        public:
            Builder() : rep_(new Rep) {}
            ~Builder() { delete rep_->filter; delete rep_; }
        private:
            Rep *rep_;
        };
        struct Orphan {
            char *buf;
            Orphan() : buf(new char[16]) {}
        };
    """})
    assert brief(result) == {("tb.cc", 15, "Orphan::Orphan", "member-not-released")}
