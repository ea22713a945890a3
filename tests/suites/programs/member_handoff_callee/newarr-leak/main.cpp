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
                delete[] items_[i];
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
            delete[] cur_;
    }
    void rotate(const char *name)
    {
        bin_->note(cur_);
        cur_ = new char[strlen(name) + 1];  // expect: leak-on-overwrite in Producer::rotate
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
