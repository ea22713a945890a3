#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <cassert>

class Session {
public:
    Session() : res_(nullptr) {}
    ~Session() { detach(); }
    void attach(const char *name)
    {
        res_ = strdup(name);  // expect: leak-on-overwrite in Session::attach
    }
    void detach()
    {
        if (res_ != nullptr) {
            free(res_);
            res_ = nullptr;
        }
    }

private:
    char *res_;
};

int main()
{
    Session s;
    s.attach("/dev/null");
    s.attach("/dev/null");
    return 0;
}
