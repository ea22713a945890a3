#include <cstdio>
#include <cstdlib>
#include <cstring>

int warm_up(const char *name)
{
    char *res = nullptr;
    int i;
    for (i = 0; i < 2; i++) {
        res = new char[strlen(name) + 1];  // expect: leak-on-overwrite in warm_up
        res[0] = '\0';
    }
    for (i = 0; i < 1; i++)
        delete[] res;
    return 0;
}

int main(void)
{
    return warm_up("/dev/null");
}
