#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fcntl.h>
#include <unistd.h>

class Retired {
public:
    Retired() : count_(0), seen_(0) {}
    ~Retired()
    {
        for (int i = 0; i < count_; i++)
            if (items_[i] >= 0)
                close(items_[i]);
    }
    void adopt(int r) { items_[count_++] = r; }
    void note(int r) { seen_ += r >= 0; }

private:
    int items_[8];
    int count_;
    int seen_;
};

class Producer {
public:
    explicit Producer(Retired *bin) : bin_(bin), cur_(-1) {}
    ~Producer()
    {
        if (cur_ >= 0)
            close(cur_);
    }
    void rotate(const char *name)
    {
        bin_->note(cur_);
        cur_ = open(name, O_RDONLY);  // expect: leak-on-overwrite in Producer::rotate
    }

private:
    Retired *bin_;
    int cur_;
};

int main()
{
    Retired bin;
    Producer p(&bin);
    p.rotate("/dev/null");
    p.rotate("/dev/null");
    return 0;
}
