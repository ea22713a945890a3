#include <cstdio>
#include <cstdlib>
#include <cstring>

class Retired {
public:
    Retired() : count_(0), seen_(0) {}
    ~Retired()
    {
        for (int i = 0; i < count_; i++)
            if (items_[i] != nullptr)
                free(items_[i]);
    }
    void adopt(char *r) { items_[count_++] = r; }
    void note(char *r) { seen_ += r != nullptr; }

private:
    char *items_[8];
    int count_;
    int seen_;
};

class Producer {
public:
    explicit Producer(Retired *bin) : bin_(bin), cur_(nullptr) {}
    ~Producer()
    {
        if (cur_ != nullptr)
            free(cur_);
    }
    void rotate(const char *name)
    {
        bin_->adopt(cur_);
        cur_ = static_cast<char *>(malloc(strlen(name) + 1));
    }

private:
    Retired *bin_;
    char *cur_;
};

int main()
{
    Retired bin;
    Producer p(&bin);
    p.rotate("/dev/null");
    p.rotate("/dev/null");
    return 0;
}
