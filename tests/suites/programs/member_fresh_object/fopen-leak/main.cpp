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
    void reload(const char *name) { init(name); }
    int peek() { (void)fgetc(buf_); return 0; }

private:
    void init(const char *name)
    {
        buf_ = fopen(name, "r");  // expect: leak-on-overwrite in Reader::init
    }
    FILE *buf_;
};

int main()
{
    Reader r("/dev/null");
    r.reload("/dev/null");
    return r.peek();
}
