#include <cstdio>
#include <cstdlib>
#include <cstring>

class Slot {
public:
    Slot() : cur_(nullptr) {}
    ~Slot()
    {
        if (cur_ != nullptr)
            delete[] cur_;
    }
    char *swap_in(const char *name)
    {
        char *old = cur_;
        cur_ = new char[strlen(name) + 1];
        return old;
    }

private:
    char *cur_;
};

int main()
{
    Slot s;
    char *first = s.swap_in("/dev/null");
    char *second = s.swap_in("/dev/null");
    if (first != nullptr)
        delete[] first;
    if (second != nullptr)
        delete[] second;
    return 0;
}
