#include <cstdio>
#include <cstdlib>
#include <cstring>

int handshake(const char *name)
{
    char *peer = nullptr;
    while (1) {
        peer = new char[strlen(name) + 1];
        peer[0] = '\0';
        break;
    }
    while (1) {
        delete[] peer;
        break;
    }
    return 0;
}

int main(void)
{
    return handshake("/dev/null");
}
