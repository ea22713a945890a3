#include <cstdio>
#include <cstdlib>
#include <cstring>

class Reader {
public:
    explicit Reader(const char *name) : buf_(nullptr) { init(name); }
    ~Reader()
    {
        if (buf_ != nullptr)
            fclose(buf_);
    }
    int peek() { (void)fgetc(buf_); return 0; }

private:
    void init(const char *name)
    {
        buf_ = fopen(name, "r");
    }
    FILE *buf_;
};

int main()
{
    Reader r("/dev/null");
    return r.peek();
}
