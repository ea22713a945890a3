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
        if (name[0] == '/')
            break;
        delete[] peer;
        break;
    }
    return 0;  // expect: resource-leak in handshake
}

int main(void)
{
    return handshake("/dev/null");
}
