#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fcntl.h>
#include <unistd.h>

class Slot {
public:
    Slot() : cur_(-1) {}
    ~Slot()
    {
        if (cur_ >= 0)
            close(cur_);
    }
    int swap_in(const char *name)
    {
        cur_ = open(name, O_RDONLY);  // expect: leak-on-overwrite in Slot::swap_in
        return -1;
    }

private:
    int cur_;
};

int main()
{
    Slot s;
    int first = s.swap_in("/dev/null");
    int second = s.swap_in("/dev/null");
    if (first >= 0)
        close(first);
    if (second >= 0)
        close(second);
    return 0;
}
