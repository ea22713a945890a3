#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fcntl.h>
#include <unistd.h>

class Cache {
public:
    Cache() : data_(-1), hits_(0) {}
    ~Cache()
    {
        if (data_ >= 0)
            close(data_);
    }
    void clear()
    {
        if (data_ >= 0) {
            close(data_);
            data_ = -1;
        }
        hits_ = 0;
    }
    void reload(const char *name)
    {
        clear();
        data_ = open(name, O_RDONLY);
    }
    int hits() const { return hits_; }

private:
    int data_;
    int hits_;
};

int main()
{
    Cache c;
    c.reload("/dev/null");
    c.reload("/dev/null");
    return c.hits();
}
