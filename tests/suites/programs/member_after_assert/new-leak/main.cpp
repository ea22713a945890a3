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
#include <cassert>

class Session {
public:
    Session() : res_(nullptr) {}
    ~Session() { detach(); }
    void attach(const char *name)
    {
        res_ = new Buffer(name);  // expect: leak-on-overwrite in Session::attach
    }
    void detach()
    {
        if (res_ != nullptr) {
            delete res_;
            res_ = nullptr;
        }
    }

private:
    Buffer *res_;
};

int main()
{
    Session s;
    s.attach("/dev/null");
    s.attach("/dev/null");
    return 0;
}
