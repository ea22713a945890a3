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
        assert(!(res_ != nullptr));
        res_ = fopen(name, "r");
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
    s.detach();
    s.attach("/dev/null");
    return 0;
}
