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

class Retired {
public:
    Retired() : count_(0), seen_(0) {}
    ~Retired()
    {
        for (int i = 0; i < count_; i++)
            if (items_[i] != nullptr)
                delete items_[i];
    }
    void adopt(Buffer *r) { items_[count_++] = r; }
    void note(Buffer *r) { seen_ += r != nullptr; }

private:
    Buffer *items_[8];
    int count_;
    int seen_;
};

class Producer {
public:
    explicit Producer(Retired *bin) : bin_(bin), cur_(nullptr) {}
    ~Producer()
    {
        if (cur_ != nullptr)
            delete cur_;
    }
    void rotate(const char *name)
    {
        bin_->adopt(cur_);
        cur_ = new Buffer(name);
    }

private:
    Retired *bin_;
    Buffer *cur_;
};

int main()
{
    Retired bin;
    Producer p(&bin);
    p.rotate("/dev/null");
    p.rotate("/dev/null");
    return 0;
}
