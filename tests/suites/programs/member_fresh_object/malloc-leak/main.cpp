#include <cstdio>
#include <cstdlib>
#include <cstring>

class Reader {
public:
    explicit Reader(const char *name) : buf_(nullptr) { init(name); }
    ~Reader()
    {
        if (buf_ != nullptr)
            free(buf_);
    }
    void reload(const char *name) { init(name); }
    int peek() { buf_[0] = '\0'; return 0; }

private:
    void init(const char *name)
    {
        buf_ = static_cast<char *>(malloc(strlen(name) + 1));  // expect: leak-on-overwrite in Reader::init
    }
    char *buf_;
};

int main()
{
    Reader r("/dev/null");
    r.reload("/dev/null");
    return r.peek();
}
