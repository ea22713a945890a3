#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fcntl.h>
#include <sys/socket.h>
#include <unistd.h>
#include <cassert>

class Session {
public:
    Session() : res_(-1) {}
    ~Session() { detach(); }
    void attach(const char *name)
    {
        assert(!(res_ >= 0));
        res_ = socket(AF_UNIX, SOCK_STREAM, 0);
    }
    void detach()
    {
        if (res_ >= 0) {
            close(res_);
            res_ = -1;
        }
    }

private:
    int res_;
};

int main()
{
    Session s;
    s.attach("/dev/null");
    s.detach();
    s.attach("/dev/null");
    return 0;
}
