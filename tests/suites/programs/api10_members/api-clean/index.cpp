#include <cstdio>
#include <cstring>
#include "conn.h"

class Index {
public:
    Index() : names_(nullptr), table_(nullptr) {}
    ~Index()
    {
        delete[] names_;
        delete[] table_;
    }
    int load(const char *path)
    {
        delete[] names_;
        names_ = new char[std::strlen(path) + 1];
        std::strcpy(names_, path);
        return 0;
    }
    void build(int n)
    {
        delete[] table_;
        table_ = new int[n];
        table_[0] = n;
    }

private:
    char *names_;
    int *table_;
};

int main()
{
    Index idx;
    struct conn *c = conn_new(1);
    idx.load("/dev/null");
    idx.build(4);
    if (c != nullptr) {
        conn_set_buf(c, "hello");
        conn_free(c);
    }
    return 0;
}
