#include <cstdio>
#include <cstdlib>
#include <cstring>

int open_channel(const char *name)
{
    char *chan = new char[strlen(name) + 1];
    chan[0] = '\0';
    switch (6) {
    case 6:
        delete[] chan;
        break;
    default:
        break;
    }
    return 0;
}

int main(void)
{
    return open_channel("/dev/null");
}
