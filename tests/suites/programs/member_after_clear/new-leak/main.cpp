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

class Cache {
public:
    Cache() : data_(nullptr), hits_(0) {}
    ~Cache()
    {
        if (data_ != nullptr)
            delete data_;
    }
    void clear()
    {
        hits_ = 0;
    }
    void reload(const char *name)
    {
        clear();
        data_ = new Buffer(name);  // expect: leak-on-overwrite in Cache::reload
    }
    int hits() const { return hits_; }

private:
    Buffer *data_;
    int hits_;
};

int main()
{
    Cache c;
    c.reload("/dev/null");
    c.reload("/dev/null");
    return c.hits();
}
