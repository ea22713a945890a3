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

class Slot {
public:
    Slot() : cur_(nullptr) {}
    ~Slot()
    {
        if (cur_ != nullptr)
            delete cur_;
    }
    Buffer *swap_in(const char *name)
    {
        Buffer *old = cur_;
        cur_ = new Buffer(name);
        return old;
    }

private:
    Buffer *cur_;
};

int main()
{
    Slot s;
    Buffer *first = s.swap_in("/dev/null");
    Buffer *second = s.swap_in("/dev/null");
    if (first != nullptr)
        delete first;
    if (second != nullptr)
        delete second;
    return 0;
}
