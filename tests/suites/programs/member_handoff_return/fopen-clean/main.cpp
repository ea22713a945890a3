#include <cstdio>
#include <cstdlib>
#include <cstring>

class Slot {
public:
    Slot() : cur_(nullptr) {}
    ~Slot()
    {
        if (cur_ != nullptr)
            fclose(cur_);
    }
    FILE *swap_in(const char *name)
    {
        FILE *old = cur_;
        cur_ = fopen(name, "r");
        return old;
    }

private:
    FILE *cur_;
};

int main()
{
    Slot s;
    FILE *first = s.swap_in("/dev/null");
    FILE *second = s.swap_in("/dev/null");
    if (first != nullptr)
        fclose(first);
    if (second != nullptr)
        fclose(second);
    return 0;
}
