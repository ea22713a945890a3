#include <cstdio>
#include <cstdlib>
#include <cstring>

class Reader {
public:
    explicit Reader(const char *name) : buf_(nullptr) { init(name); }
    ~Reader()
    {
        if (buf_ != nullptr)
            delete[] buf_;
    }
    int peek() { buf_[0] = '\0'; return 0; }

private:
    void init(const char *name)
    {
        buf_ = new char[strlen(name) + 1];
    }
    char *buf_;
};

int main()
{
    Reader r("/dev/null");
    return r.peek();
}
