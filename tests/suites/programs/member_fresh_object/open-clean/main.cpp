#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fcntl.h>
#include <unistd.h>

class Reader {
public:
    explicit Reader(const char *name) : buf_(-1) { init(name); }
    ~Reader()
    {
        if (buf_ >= 0)
            close(buf_);
    }
    int peek() { (void)fcntl(buf_, F_GETFD); return 0; }

private:
    void init(const char *name)
    {
        buf_ = open(name, O_RDONLY);
    }
    int buf_;
};

int main()
{
    Reader r("/dev/null");
    return r.peek();
}
