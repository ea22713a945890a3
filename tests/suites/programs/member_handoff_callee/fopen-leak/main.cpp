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
                fclose(items_[i]);
    }
    void adopt(FILE *r) { items_[count_++] = r; }
    void note(FILE *r) { seen_ += r != nullptr; }

private:
    FILE *items_[8];
    int count_;
    int seen_;
};

class Producer {
public:
    explicit Producer(Retired *bin) : bin_(bin), cur_(nullptr) {}
    ~Producer()
    {
        if (cur_ != nullptr)
            fclose(cur_);
    }
    void rotate(const char *name)
    {
        bin_->note(cur_);
        cur_ = fopen(name, "r");  // expect: leak-on-overwrite in Producer::rotate
    }

private:
    Retired *bin_;
    FILE *cur_;
};

int main()
{
    Retired bin;
    Producer p(&bin);
    p.rotate("/dev/null");
    p.rotate("/dev/null");
    return 0;
}
