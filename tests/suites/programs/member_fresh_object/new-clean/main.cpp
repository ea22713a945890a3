#include <cstdio>
#include <cstdlib>
#include <cstring>

#ifndef BUFFER_DEFINED
#define BUFFER_DEFINED
struct Buffer {
    explicit Buffer(const char *text) : len(strlen(text)) {}
    size_t len;
};
#endif

class Reader {
public:
    explicit Reader(const char *name) : buf_(nullptr) { init(name); }
    ~Reader()
    {
        if (buf_ != nullptr)
            delete buf_;
    }
    int peek() { buf_->len = 0; return 0; }

private:
    void init(const char *name)
    {
        buf_ = new Buffer(name);
    }
    Buffer *buf_;
};

int main()
{
    Reader r("/dev/null");
    return r.peek();
}
