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
        res_ = fopen(name, "r");  // expect: leak-on-overwrite in Session::attach
    }
    void detach()
    {
        if (res_ != nullptr) {
            fclose(res_);
            res_ = nullptr;
        }
    }

private:
    FILE *res_;
};

int main()
{
    Session s;
    s.attach("/dev/null");
    s.attach("/dev/null");
    return 0;
}
