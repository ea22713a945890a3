#include <cstdio>
#include <cstdlib>
#include <cstring>

class Cache {
public:
    Cache() : data_(nullptr), hits_(0) {}
    ~Cache()
    {
        if (data_ != nullptr)
            fclose(data_);
    }
    void clear()
    {
        if (data_ != nullptr) {
            fclose(data_);
            data_ = nullptr;
        }
        hits_ = 0;
    }
    void reload(const char *name)
    {
        clear();
        data_ = fopen(name, "r");
    }
    int hits() const { return hits_; }

private:
    FILE *data_;
    int hits_;
};

int main()
{
    Cache c;
    c.reload("/dev/null");
    c.reload("/dev/null");
    return c.hits();
}
