#include <cstdio>
#include <cstdlib>
#include <cstring>

class Cache {
public:
    Cache() : data_(nullptr), hits_(0) {}
    ~Cache()
    {
        if (data_ != nullptr)
            delete[] data_;
    }
    void clear()
    {
        if (data_ != nullptr) {
            delete[] data_;
            data_ = nullptr;
        }
        hits_ = 0;
    }
    void reload(const char *name)
    {
        clear();
        data_ = new char[strlen(name) + 1];
    }
    int hits() const { return hits_; }

private:
    char *data_;
    int hits_;
};

int main()
{
    Cache c;
    c.reload("/dev/null");
    c.reload("/dev/null");
    return c.hits();
}
